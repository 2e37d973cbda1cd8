package sram

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
)

// checkCodeBits panics unless 2 ≤ bits ≤ 32 (the widths Encode, Decode and
// FlipBit support; a misuse of these hot helpers is a programming error).
func checkCodeBits(fn string, b int) {
	if b < 2 || b > 32 {
		panic(fmt.Sprintf("sram: %s: code width %d bits outside 2..32", fn, b))
	}
}

// CodeRange returns the signed b-bit code range [−2^(b−1), 2^(b−1)−1]
// (docs/wcat-semantics.md §1.1; 4-bit: −8..7). bits must be in 2..32.
func CodeRange(bits int) (minQ, maxQ int32) {
	checkCodeBits("CodeRange", bits)
	half := int64(1) << (bits - 1)
	return int32(-half), int32(half - 1)
}

// Encode returns the b-bit two's-complement pattern of code q: q for q ≥ 0,
// q + 2^b for q < 0 (docs/wcat-semantics.md §1.4). q must lie in CodeRange(bits);
// bits outside the low b are discarded, so an out-of-range q wraps. bits must
// be in 2..32.
func Encode(q int32, bits int) uint32 {
	checkCodeBits("Encode", bits)
	return uint32(q) & uint32(uint64(1)<<bits-1)
}

// Decode returns the signed code of the b-bit pattern u (bits of u above the
// low b are ignored): q = −2^(b−1)·bit_{b−1}(u) + (u mod 2^(b−1))
// (docs/wcat-semantics.md §1.4). bits must be in 2..32.
func Decode(u uint32, bits int) int32 {
	checkCodeBits("Decode", bits)
	sign := int64(u>>(bits-1)) & 1
	low := int64(u) & (int64(1)<<(bits-1) - 1)
	return int32(low - sign<<(bits-1))
}

// FlipBit returns code q after flipping bit `bit` (0 = LSB, bits−1 = sign bit)
// of its b-bit two's-complement pattern: every result is again a valid code
// (0 → MSB flip → −2^(b−1)). Panics unless 0 ≤ bit < bits ≤ 32.
func FlipBit(q int32, bit, bits int) int32 {
	checkCodeBits("FlipBit", bits)
	if bit < 0 || bit >= bits {
		panic(fmt.Sprintf("sram: FlipBit: bit %d outside 0..%d", bit, bits-1))
	}
	return Decode(Encode(q, bits)^uint32(1)<<bit, bits)
}

// SampleFlips draws the positions of independent Bernoulli(p) events over the
// positions 0..nBits−1 and appends them, sorted ascending, to dst[:0].
//
// For 0 < p < 1 (p ≠ 0.5) it samples the gaps between events directly: the
// number of non-events before the next event is geometric,
// G = floor(ln U / ln(1−p)) with U uniform in (0,1] (P(G ≥ k) = (1−p)^k), so
// the cost is proportional to the number of events, not to nBits. ln(1−p) is
// computed as Log1p(−p), which stays accurate for tiny p, and the gap is
// compared with the remaining length as a float before any integer conversion,
// so huge gaps (tiny p) cannot overflow. The distribution is exact up to the
// 2^−53 resolution of U (which truncates gaps whose probability is below
// about 1e−16).
//
// Special cases: p = 0 gives no events, p ≥ 1 gives every position, and
// p = 0.5 (the saturated BER) uses the bits of r.Uint64 directly, which is
// exact and 64 positions per draw. NaN or negative p, or negative nBits, panic.
// The sequence drawn from r is a fixed function of (nBits, p), so a seeded r
// gives reproducible flips.
func SampleFlips(r *rand.Rand, nBits int, p float64, dst []int) []int {
	dst = dst[:0]
	switch {
	case nBits < 0:
		panic(fmt.Sprintf("sram: SampleFlips: negative length %d", nBits))
	case math.IsNaN(p) || p < 0:
		panic(fmt.Sprintf("sram: SampleFlips: flip probability %v is not in [0, 1]", p))
	case p == 0 || nBits == 0:
		return dst
	case p >= 1:
		for i := 0; i < nBits; i++ {
			dst = append(dst, i)
		}
		return dst
	case p == 0.5:
		for base := 0; base < nBits; base += 64 {
			x := r.Uint64()
			if rem := nBits - base; rem < 64 {
				x &= uint64(1)<<rem - 1
			}
			for x != 0 {
				dst = append(dst, base+bits.TrailingZeros64(x))
				x &= x - 1
			}
		}
		return dst
	}
	lnq := math.Log1p(-p) // ln(1−p) < 0
	pos := -1             // position of the last event
	for {
		g := math.Log(1-r.Float64()) / lnq // ≥ 0; 1−Float64() is in (0, 1]
		// next = pos + 1 + floor(g) < nBits  ⇔  g < nBits − pos − 1 (an integer)
		if !(g < float64(nBits-pos-1)) {
			return dst
		}
		pos += 1 + int(g)
		dst = append(dst, pos)
	}
}
