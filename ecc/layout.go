package ecc

import "fmt"

// Layout is the in-place, zero-space layout of Guan et al. (NeurIPS
// 2019) for b-bit weight codes in 64-bit memory words: a word holds
// 64/b codes, slot s in bits s·b … s·b+b−1 (LSB first, as sram.Memory packs
// them). The first Constrained slots of every word hold codes in
// [−2^(b−2), 2^(b−2)−1], so their bit b−2 equals their sign bit b−1 and is
// free; those 7 free bits hold the check bits of the (64,57) SEC-DED code
// over the word's 57 other bits. For 8-bit codes this is the paper's layout
// (8 weights per word, the first seven in [−64, 63]); for 4-bit codes, 16
// weights per word, the first seven in [−4, 3].
type Layout struct {
	bits int
}

// Constrained is the number of range-limited codes per word: one freed bit
// for each of the 7 check bits of the (64,57) code.
const Constrained = 7

// NewLayout returns the layout for b-bit codes; 64 must be a multiple of
// b with at least 8 codes per word (b = 2, 4 or 8).
func NewLayout(bits int) (Layout, error) {
	if bits < 2 || 64%bits != 0 || 64/bits <= Constrained {
		return Layout{}, fmt.Errorf("zero-space ECC needs 2-, 4- or 8-bit weights (at least 8 per 64-bit word), not %d-bit", bits)
	}
	return Layout{bits: bits}, nil
}

// Bits is the code width.
func (z Layout) Bits() int { return z.bits }

// PerWord is the number of codes in one 64-bit word.
func (z Layout) PerWord() int { return 64 / z.bits }

// IsConstrained reports whether code i of a tensor (which starts at a word
// boundary) must lie in Range.
func (z Layout) IsConstrained(i int) bool { return i%z.PerWord() < Constrained }

// Range is the code range of a constrained slot: [−2^(b−2), 2^(b−2)−1].
func (z Layout) Range() (lo, hi int32) {
	h := int32(1) << (z.bits - 2)
	return -h, h - 1
}

// CheckPositions returns the word bits that hold the check bits: bit b−2
// of slots 0 … 6.
func (z Layout) CheckPositions() []int {
	pos := make([]int, Constrained)
	for s := range pos {
		pos[s] = s*z.bits + z.bits - 2
	}
	return pos
}
