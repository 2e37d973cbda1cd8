package ecc

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"cosim/sram"
)

func codes(t *testing.T) map[string]*Code {
	t.Helper()
	z8, err := NewLayout(8)
	if err != nil {
		t.Fatal(err)
	}
	z4, err := NewLayout(4)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*Code{"(72,64)": SECDED72(), "(64,57) 8-bit": z8.Code(), "(64,57) 4-bit": z4.Code()}
}

func randomCodeword(c *Code, r *rand.Rand) Word {
	w := Word{r.Uint64(), r.Uint64()}
	if c.N() <= 64 {
		w[1] = 0
		w[0] &= 1<<c.N() - 1
	} else {
		w[1] &= 1<<(c.N()-64) - 1
	}
	return c.Encode(w)
}

// TestSingleAndDoubleErrors flips every single bit and every pair of bits of
// random codewords of both codes: every single error is corrected, every
// double error is detected and left uncorrected.
func TestSingleAndDoubleErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for name, c := range codes(t) {
		for range 4 {
			w := randomCodeword(c, r)
			if got, st := c.Decode(w); st != Clean || got != w {
				t.Fatalf("%s: codeword decodes as %v", name, st)
			}
			for i := range c.N() {
				got, st := c.Decode(w.Flip(i))
				if st != Corrected || got != w {
					t.Fatalf("%s: single error at bit %d: %v, corrected word equal %v", name, i, st, got == w)
				}
				for j := i + 1; j < c.N(); j++ {
					got, st := c.Decode(w.Flip(i).Flip(j))
					if st != Uncorrectable || got != w.Flip(i).Flip(j) {
						t.Fatalf("%s: double error at bits %d, %d: %v", name, i, j, st)
					}
				}
			}
		}
	}
}

// TestTripleErrors: three errors give an odd syndrome, so they are never
// read as clean: either detected or miscorrected into a fourth wrong bit.
// The (64,57) code uses all 64 odd-weight columns of 7 bits, so it
// miscorrects every triple error; the (72,64) code detects some.
func TestTripleErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for name, c := range codes(t) {
		w := randomCodeword(c, r)
		var detected, miscorrected int
		for i := 0; i < c.N(); i++ {
			for j := i + 1; j < c.N(); j++ {
				for k := j + 1; k < c.N(); k += 7 {
					bad := w.Flip(i).Flip(j).Flip(k)
					got, st := c.Decode(bad)
					switch st {
					case Clean:
						t.Fatalf("%s: triple error %d,%d,%d escaped", name, i, j, k)
					case Corrected:
						miscorrected++
						if d := diff(got, w); d != 4 {
							t.Fatalf("%s: miscorrection leaves %d wrong bits, want 4", name, d)
						}
					default:
						detected++
					}
				}
			}
		}
		if wantDetected := c.N() == 72; (detected > 0) != wantDetected || miscorrected == 0 {
			t.Errorf("%s: %d detected, %d miscorrected triple errors", name, detected, miscorrected)
		}
	}
}

func diff(a, b Word) int {
	n := 0
	for i := range a {
		for x := a[i] ^ b[i]; x != 0; x &= x - 1 {
			n++
		}
	}
	return n
}

// TestHsiaoColumns: the (64,57) code needs every odd-weight column of 7
// check bits, and 6 check bits are too few for 57 data bits.
func TestHsiaoColumns(t *testing.T) {
	if _, err := Hsiao(63, []int{0, 1, 2, 3, 4, 5}); err == nil {
		t.Error("6 check bits accepted for 57 data bits")
	}
	if _, err := Hsiao(72, []int{0, 0, 1, 2, 3, 4, 5, 6}); err == nil {
		t.Error("repeated check position accepted")
	}
	z, _ := NewLayout(8)
	if got, want := z.CheckPositions(), []int{6, 14, 22, 30, 38, 46, 54}; !slices.Equal(got, want) {
		t.Errorf("8-bit check positions %v, want %v", got, want)
	}
	if c := z.Code(); c.K() != 57 || c.N() != 64 {
		t.Errorf("zero-space code (%d,%d)", c.N(), c.K())
	}
}

// wordFailure is the probability that an n-bit SEC-DED word holds two or
// more errors at bit error rate p: 1 − (1−p)^n − n·p·(1−p)^(n−1).
func wordFailure(n int, p float64) float64 {
	q := 1 - p
	return 1 - math.Pow(q, float64(n)) - float64(n)*p*math.Pow(q, float64(n-1))
}

// TestWordFailureProbability draws i.i.d. flips over many stored words with
// sram.SampleFlips, decodes each word and counts those not restored exactly
// (detected or wrongly decoded): the rate matches the binomial formula,
// 0.135 for 64 bits and 0.162 for 72 bits at BER 1e-2.
func TestWordFailureProbability(t *testing.T) {
	const p, words = 1e-2, 100000
	for _, tc := range []struct {
		name string
		code *Code
		want float64
	}{{"(64,57)", func() *Code { z, _ := NewLayout(8); return z.Code() }(), 0.135}, {"(72,64)", SECDED72(), 0.162}} {
		n := tc.code.N()
		if f := wordFailure(n, p); math.Abs(f-tc.want) > 5e-4 {
			t.Fatalf("%d bits: binomial word failure %.4f, want %.3f", n, f, tc.want)
		}
		r := rand.New(rand.NewPCG(7, uint64(n)))
		flips := sram.SampleFlips(r, words*n, p, nil)
		failed, k := 0, 0
		for w := 0; w < words; w++ {
			clean := randomCodeword(tc.code, r)
			bad := clean
			for ; k < len(flips) && flips[k]/n == w; k++ {
				bad = bad.Flip(flips[k] % n)
			}
			if got, st := tc.code.Decode(bad); st == Uncorrectable || got != clean {
				failed++
			}
		}
		rate := float64(failed) / words
		want := wordFailure(n, p)
		if sd := math.Sqrt(want * (1 - want) / words); math.Abs(rate-want) > 5*sd {
			t.Errorf("%s: %d of %d words failed (%.4f), binomial %.4f ± %.4f", tc.name, failed, words, rate, want, sd)
		}
	}
}

func TestParseProtection(t *testing.T) {
	for _, s := range []string{"none", "secded", "secded:zero", "zero-space", "zero-space:zero", "msb:0.5", "msb:1"} {
		p, err := ParseProtection(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if p.Label() != s {
			t.Errorf("%s reads back as %s", s, p.Label())
		}
	}
	for _, s := range []string{"", "ecc", "msb", "msb:0", "msb:1.5", "msb:x", "secded:drop", "none:zero"} {
		if _, err := ParseProtection(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	p, _ := ParseProtection("secded")
	if p.EncoderPJ != DefaultEncoderPJ72 || p.DecoderPJ != DefaultDecoderPJ72 || p.Uncorrectable != Keep || p.Source == "" {
		t.Errorf("secded defaults %+v", p)
	}
}

// TestReaderZeroSpaceRoundTrip stores words of 8- and 4-bit codes under the
// zero-space layout and reads them back without faults and with one flip at
// every position: the codes come back exactly, and a word whose range-limited
// code is out of range does not fit.
func TestReaderZeroSpaceRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, bits := range []int{8, 4} {
		rd, err := NewReader(Protection{Scheme: ZeroSpace}, bits, 64)
		if err != nil {
			t.Fatal(err)
		}
		z, _ := NewLayout(bits)
		lo, hi := z.Range()
		qlo, qhi := sram.CodeRange(bits)
		for range 200 {
			var data uint64
			for s := range z.PerWord() {
				a, b := qlo, qhi
				if z.IsConstrained(s) {
					a, b = lo, hi
				}
				q := a + int32(r.IntN(int(b-a+1)))
				data |= uint64(sram.Encode(q, bits)) << (s * bits)
			}
			if !rd.Fits(data) {
				t.Fatalf("%d-bit word %#x does not fit", bits, data)
			}
			if got, st := rd.Read(data, nil); got != data || st != Clean {
				t.Fatalf("%d-bit word %#x reads %#x (%v)", bits, data, got, st)
			}
			for f := range 64 {
				if got, st := rd.Read(data, []int{f}); got != data || st != Corrected {
					t.Fatalf("%d-bit word %#x, flip %d: reads %#x (%v)", bits, data, f, got, st)
				}
			}
		}
		big := uint64(sram.Encode(hi+1, bits)) // slot 0 out of range
		if rd.Fits(big) {
			t.Fatalf("%d-bit code %d in slot 0 fits", bits, hi+1)
		}
	}
}

// FuzzParseProtection: any accepted string is valid and reads back through
// its label to the same protection.
func FuzzParseProtection(f *testing.F) {
	for _, s := range []string{"none", "secded", "secded:zero", "zero-space", "zero-space:keep", "msb:0.5", "msb:1e-3", "msb:", "x:y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseProtection(s)
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("%q accepted but invalid: %v", s, err)
		}
		q, err := ParseProtection(p.Label())
		if err != nil || q != p {
			t.Fatalf("%q → %q → %+v, %v", s, p.Label(), q, err)
		}
	})
}
