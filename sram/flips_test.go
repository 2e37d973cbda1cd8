package sram

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// TestFlipBitTable4 is the full 4-bit table of wcat-semantics.md §1.4: the
// code after flipping bit 0, 1, 2 and 3 (MSB) of each 4-bit code.
func TestFlipBitTable4(t *testing.T) {
	table := []struct {
		q       int32
		pattern uint32
		flipped [4]int32
	}{
		{-8, 0b1000, [4]int32{-7, -6, -4, 0}},
		{-7, 0b1001, [4]int32{-8, -5, -3, 1}},
		{-6, 0b1010, [4]int32{-5, -8, -2, 2}},
		{-5, 0b1011, [4]int32{-6, -7, -1, 3}},
		{-4, 0b1100, [4]int32{-3, -2, -8, 4}},
		{-3, 0b1101, [4]int32{-4, -1, -7, 5}},
		{-2, 0b1110, [4]int32{-1, -4, -6, 6}},
		{-1, 0b1111, [4]int32{-2, -3, -5, 7}},
		{0, 0b0000, [4]int32{1, 2, 4, -8}},
		{1, 0b0001, [4]int32{0, 3, 5, -7}},
		{2, 0b0010, [4]int32{3, 0, 6, -6}},
		{3, 0b0011, [4]int32{2, 1, 7, -5}},
		{4, 0b0100, [4]int32{5, 6, 0, -4}},
		{5, 0b0101, [4]int32{4, 7, 1, -3}},
		{6, 0b0110, [4]int32{7, 4, 2, -2}},
		{7, 0b0111, [4]int32{6, 5, 3, -1}},
	}
	for _, row := range table {
		if got := Encode(row.q, 4); got != row.pattern {
			t.Errorf("Encode(%d, 4) = %04b, want %04b", row.q, got, row.pattern)
		}
		if got := Decode(row.pattern, 4); got != row.q {
			t.Errorf("Decode(%04b, 4) = %d, want %d", row.pattern, got, row.q)
		}
		for b, want := range row.flipped {
			if got := FlipBit(row.q, b, 4); got != want {
				t.Errorf("FlipBit(%d, %d, 4) = %d, want %d", row.q, b, got, want)
			}
		}
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	for bits := 2; bits <= 16; bits++ {
		lo, hi := CodeRange(bits)
		if int64(lo) != -(int64(1)<<(bits-1)) || int64(hi) != int64(1)<<(bits-1)-1 {
			t.Fatalf("CodeRange(%d) = [%d, %d]", bits, lo, hi)
		}
		seen := map[uint32]bool{}
		for q := lo; ; q++ {
			u := Encode(q, bits)
			if u>>bits != 0 || seen[u] {
				t.Fatalf("Encode(%d, %d) = %b: not a fresh %d-bit pattern", q, bits, u, bits)
			}
			seen[u] = true
			// Reference mapping (§1.4): u = q for q ≥ 0, q + 2^b for q < 0.
			want := int64(q)
			if q < 0 {
				want += int64(1) << bits
			}
			if int64(u) != want {
				t.Fatalf("Encode(%d, %d) = %d, want %d", q, bits, u, want)
			}
			if d := Decode(u, bits); d != q {
				t.Fatalf("Decode(Encode(%d, %d)) = %d", q, bits, d)
			}
			if bits <= 8 { // every single-bit flip lands in range and flips back
				for b := 0; b < bits; b++ {
					f := FlipBit(q, b, bits)
					if f < lo || f > hi || FlipBit(f, b, bits) != q || Encode(f, bits) != u^1<<b {
						t.Fatalf("FlipBit(%d, %d, %d) = %d", q, b, bits, f)
					}
				}
			}
			if q == hi {
				break
			}
		}
		if len(seen) != 1<<bits {
			t.Fatalf("%d bits: %d patterns, want %d", bits, len(seen), 1<<bits)
		}
	}
	// 32-bit codes at the edges; Decode ignores bits above the code.
	for _, q := range []int32{math.MinInt32, -1, 0, 1, math.MaxInt32} {
		if Decode(Encode(q, 32), 32) != q {
			t.Errorf("32-bit round trip of %d", q)
		}
	}
	if Decode(0xfff5, 4) != 5 || Decode(0x8, 4) != -8 {
		t.Error("Decode must ignore bits above the code width")
	}
	if FlipBit(math.MaxInt32, 31, 32) != -1 || FlipBit(0, 15, 16) != -32768 {
		t.Error("MSB flips at 32/16 bits")
	}
}

func TestCodeHelpersPanic(t *testing.T) {
	for name, f := range map[string]func(){
		"Encode 1 bit":  func() { Encode(0, 1) },
		"Decode 33 bit": func() { Decode(0, 33) },
		"CodeRange 0":   func() { CodeRange(0) },
		"FlipBit bit=4": func() { FlipBit(0, 4, 4) },
		"FlipBit bit<0": func() { FlipBit(0, -1, 4) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestSampleFlipsEdges(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	buf := make([]int, 3, 100)
	if got := SampleFlips(r, 1000, 0, buf); len(got) != 0 || cap(got) != 100 {
		t.Errorf("p = 0: %v (cap %d), want empty reusing dst", got, cap(got))
	}
	if got := SampleFlips(r, 0, 0.3, nil); len(got) != 0 {
		t.Errorf("nBits = 0: %v", got)
	}
	for _, p := range []float64{1, 1.5, math.Inf(1)} {
		got := SampleFlips(r, 70, p, buf)
		if len(got) != 70 || got[0] != 0 || got[69] != 69 || &got[0] != &buf[:1][0] {
			t.Errorf("p = %v: %d flips, want all 70 in dst", p, len(got))
		}
	}
	// Tiny p over a huge range: gaps far beyond MaxInt must not overflow.
	for _, p := range []float64{1e-300, 5e-324} {
		if got := SampleFlips(r, math.MaxInt, p, nil); len(got) != 0 {
			t.Errorf("p = %g: %v", p, got)
		}
	}
	// p = 1e-9 over 1e13 positions: about 1e4 flips, all in range, sorted.
	got := SampleFlips(r, 1e13, 1e-9, nil)
	if d := math.Abs(float64(len(got)) - 1e4); d > 5*math.Sqrt(1e4) || !slices.IsSorted(got) || got[len(got)-1] >= 1e13 {
		t.Errorf("p = 1e-9 over 1e13: %d flips", len(got))
	}
	for name, f := range map[string]func(){
		"NaN":      func() { SampleFlips(r, 10, math.NaN(), nil) },
		"negative": func() { SampleFlips(r, 10, -0.1, nil) },
		"nBits<0":  func() { SampleFlips(r, -1, 0.1, nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestSampleFlipsShapeAndSeed(t *testing.T) {
	for _, c := range []struct {
		n int
		p float64
	}{{1000, 0.001}, {1000, 0.3}, {130, 0.5}, {64, 0.5}, {1, 0.5}, {500, 0.99}} {
		a := SampleFlips(rand.New(rand.NewPCG(3, 4)), c.n, c.p, nil)
		b := SampleFlips(rand.New(rand.NewPCG(3, 4)), c.n, c.p, make([]int, 5))
		if !slices.Equal(a, b) {
			t.Errorf("n=%d p=%g: same seed, different flips", c.n, c.p)
		}
		for i, x := range a {
			if x < 0 || x >= c.n || (i > 0 && x <= a[i-1]) {
				t.Fatalf("n=%d p=%g: flips %v not strictly increasing in [0, n)", c.n, c.p, a)
			}
		}
	}
	a := SampleFlips(rand.New(rand.NewPCG(3, 4)), 100000, 0.01, nil)
	b := SampleFlips(rand.New(rand.NewPCG(3, 5)), 100000, 0.01, nil)
	if slices.Equal(a, b) {
		t.Error("different seeds gave identical flips")
	}
}

// TestSampleFlipsCounts: over D draws, the flip count must have the binomial
// mean n·p and variance n·p·(1−p). Tolerance: 5 standard errors, with
// SE(mean) = √(npq/D) and SE(s²) = √((μ₄ − σ⁴(D−3)/(D−1))/D), μ₄ the binomial
// fourth central moment. Seeds are fixed, so the test is deterministic; a
// correct sampler fails a 5-SE bound with probability below 1e−6 per seed.
func TestSampleFlipsCounts(t *testing.T) {
	const draws = 3000
	for _, c := range []struct {
		n int
		p float64
	}{{20000, 1e-3}, {2000, 0.05}, {1000, 0.5}, {300, 0.9}} {
		r := rand.New(rand.NewPCG(11, uint64(c.n)))
		counts := make([]float64, draws)
		var buf []int
		for i := range counts {
			buf = SampleFlips(r, c.n, c.p, buf)
			counts[i] = float64(len(buf))
		}
		bin := distuv.Binomial{N: float64(c.n), P: c.p}
		mean, variance := stat.MeanVariance(counts, nil)
		sigma2 := bin.Variance()
		mu4 := (bin.ExKurtosis() + 3) * sigma2 * sigma2
		seMean := math.Sqrt(sigma2 / draws)
		seVar := math.Sqrt((mu4 - sigma2*sigma2*(draws-3)/(draws-1)) / draws)
		if d := math.Abs(mean - bin.Mean()); d > 5*seMean {
			t.Errorf("n=%d p=%g: mean count %g, want %g ± %g", c.n, c.p, mean, bin.Mean(), 5*seMean)
		}
		if d := math.Abs(variance - sigma2); d > 5*seVar {
			t.Errorf("n=%d p=%g: count variance %g, want %g ± %g", c.n, c.p, variance, sigma2, 5*seVar)
		}
	}
}

// TestSampleFlipsPositions: each position must flip with probability p,
// independently of where it sits (first position, across 64-bit blocks, last
// position). Per-position counts over D draws are independent Binomial(D, p),
// so Σ (c_i − Dp)²/(Dp(1−p)) is approximately χ² with n degrees of freedom;
// the test requires its upper-tail p-value to exceed 1e−4.
func TestSampleFlipsPositions(t *testing.T) {
	const n, draws = 100, 20000
	for _, p := range []float64{0.02, 0.1, 0.5, 0.8} {
		r := rand.New(rand.NewPCG(21, math.Float64bits(p)))
		counts := make([]float64, n)
		var buf []int
		for d := 0; d < draws; d++ {
			buf = SampleFlips(r, n, p, buf)
			for _, x := range buf {
				counts[x]++
			}
		}
		chi2 := 0.0
		for _, c := range counts {
			e := draws * p
			chi2 += (c - e) * (c - e) / (e * (1 - p))
		}
		if pv := (distuv.ChiSquared{K: n}).Survival(chi2); pv < 1e-4 {
			t.Errorf("p=%g: per-position χ² = %.1f on %d dof, p-value %.2g", p, chi2, n, pv)
		}
	}
}

// TestSampleFlipsGaps: the numbers of non-flipped positions before each flip
// (the gaps) must be i.i.d. Geometric(p), P(G ≥ k) = (1−p)^k. The gaps of one
// long draw are binned at the geometric's deciles and compared by a χ² test
// (B−1 degrees of freedom), requiring a p-value above 1e−4.
func TestSampleFlipsGaps(t *testing.T) {
	for _, c := range []struct {
		n int
		p float64
	}{{100_000_000, 1e-3}, {500_000, 0.2}, {100_000, 0.5}} {
		flips := SampleFlips(rand.New(rand.NewPCG(5, math.Float64bits(c.p))), c.n, c.p, nil)
		lnq := math.Log1p(-c.p)
		// Bin edges: the geometric's j/10 quantiles, deduplicated.
		var edges []int
		for j := 0; j < 10; j++ {
			e := int(math.Ceil(math.Log(1-float64(j)/10) / lnq))
			if len(edges) == 0 || e > edges[len(edges)-1] {
				edges = append(edges, e)
			}
		}
		obs := make([]float64, len(edges))
		prev := -1
		for _, x := range flips {
			g := x - prev - 1
			prev = x
			i := len(edges) - 1
			for edges[i] > g {
				i--
			}
			obs[i]++
		}
		total := float64(len(flips))
		chi2 := 0.0
		for i := range edges {
			upper := 0.0 // P(G ≥ next edge); 0 for the open last bin
			if i+1 < len(edges) {
				upper = math.Exp(float64(edges[i+1]) * lnq)
			}
			e := total * (math.Exp(float64(edges[i])*lnq) - upper)
			chi2 += (obs[i] - e) * (obs[i] - e) / e
		}
		if pv := (distuv.ChiSquared{K: float64(len(edges) - 1)}).Survival(chi2); pv < 1e-4 {
			t.Errorf("n=%d p=%g: gap χ² = %.1f on %d dof, p-value %.2g (observed %v)", c.n, c.p, chi2, len(edges)-1, pv, obs)
		}
	}
}

// BenchmarkSampleFlips: one Monte Carlo draw over ResNet-20 at 4 bits
// (270,896 weights × 4 bits = 1,083,584 bits) at p = 1e−3.
func BenchmarkSampleFlips(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	var buf []int
	for b.Loop() {
		buf = SampleFlips(r, 1_083_584, 1e-3, buf)
	}
}

// BenchmarkSampleFlipsSaturated: the same at the saturated BER 0.5.
func BenchmarkSampleFlipsSaturated(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	var buf []int
	for b.Loop() {
		buf = SampleFlips(r, 1_083_584, 0.5, buf)
	}
}
