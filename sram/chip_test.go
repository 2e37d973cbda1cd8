package sram

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// binomialFit is the p-value of a χ² goodness-of-fit test of counts (each in
// 0..n) against Binomial(n, p): the support is cut into bins of expected
// count ≥ 5 (the tails merged into their neighbours), with bins−1 degrees of
// freedom.
func binomialFit(counts []int, n int, p float64) (pValue, chi2 float64, bins int) {
	bin := distuv.Binomial{N: float64(n), P: p}
	var obs, exp []float64
	o, e := 0.0, 0.0
	hist := make([]float64, n+1)
	for _, c := range counts {
		hist[c]++
	}
	for k := 0; k <= n; k++ {
		o += hist[k]
		e += float64(len(counts)) * bin.Prob(float64(k))
		if e >= 5 {
			obs, exp = append(obs, o), append(exp, e)
			o, e = 0, 0
		}
	}
	if len(obs) == 0 {
		return 1, 0, 0
	}
	obs[len(obs)-1] += o // the upper tail joins the last bin
	exp[len(exp)-1] += e
	chi2 = stat.ChiSquare(obs, exp)
	if len(obs) < 2 {
		return 1, chi2, len(obs)
	}
	return (distuv.ChiSquared{K: float64(len(obs) - 1)}).Survival(chi2), chi2, len(obs)
}

// TestChipMarginalIsIID: at every p ≤ PMax, a chip's failing set must be the
// i.i.d. model's — every bit fails with probability p, independently. Over
// D chips, (a) the number of failing bits per chip is Binomial(n, p) (χ²
// goodness of fit), (b) each position fails in Binomial(D, p) chips (the
// per-position χ² of TestSampleFlipsPositions), and (c) the bits that fail
// at p₂ but not at the next lower p₁ number Binomial(n, p₂ − p₁) per chip
// (the thresholds are uniform). Seeds are fixed; each test requires a
// p-value above 1e−4. PMax = 0.5 also covers the saturated path of
// SampleFlips.
func TestChipMarginalIsIID(t *testing.T) {
	const n, chips = 400, 4000
	for _, pMax := range []float64{0.02, 0.5} {
		ps := []float64{pMax / 20, pMax / 4, pMax / 2, pMax}
		r := rand.New(rand.NewPCG(14, math.Float64bits(pMax)))
		counts := make([][]int, len(ps))
		steps := make([][]int, len(ps))
		perPos := make([][]float64, len(ps))
		for i := range ps {
			perPos[i] = make([]float64, n)
		}
		var idx []int
		for range chips {
			c := NewChip(r, n, pMax)
			prev := 0
			for i, p := range ps {
				idx = c.Failing(p, idx)
				counts[i] = append(counts[i], len(idx))
				steps[i] = append(steps[i], len(idx)-prev)
				prev = len(idx)
				for _, j := range idx {
					perPos[i][c.Bits[j]]++
				}
			}
		}
		lower := 0.0
		for i, p := range ps {
			if pv, chi2, bins := binomialFit(counts[i], n, p); pv < 1e-4 {
				t.Errorf("pMax %g, p %g: failing-bit count χ² = %.1f over %d bins, p-value %.2g", pMax, p, chi2, bins, pv)
			}
			if pv, chi2, bins := binomialFit(steps[i], n, p-lower); pv < 1e-4 {
				t.Errorf("pMax %g, p %g: bits failing at p but not at %g: χ² = %.1f over %d bins, p-value %.2g", pMax, p, lower, chi2, bins, pv)
			}
			lower = p
			chi2 := 0.0
			for _, c := range perPos[i] {
				e := chips * p
				chi2 += (c - e) * (c - e) / (e * (1 - p))
			}
			if pv := (distuv.ChiSquared{K: n}).Survival(chi2); pv < 1e-4 {
				t.Errorf("pMax %g, p %g: per-position χ² = %.1f on %d dof, p-value %.2g", pMax, p, chi2, n, pv)
			}
		}
	}
}

// TestChipNested: for every chip, the failing set at a higher bit error rate
// (lower voltage) contains the one at a lower rate, the addresses are
// ascending, and p = 0 fails nothing while p = PMax fails every drawn bit.
func TestChipNested(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	ps := []float64{0, 1e-4, 1e-3, 3e-3, 1e-2, 2e-2, 0.05}
	for chip := range 200 {
		c := NewChip(r, 100_000, 0.05)
		var prev []int
		for _, p := range ps {
			cur := c.Flips(p, nil)
			if !slices.IsSorted(cur) {
				t.Fatalf("chip %d, p %g: addresses not ascending", chip, p)
			}
			for _, a := range prev {
				if _, found := slices.BinarySearch(cur, a); !found {
					t.Fatalf("chip %d: bit %d fails at a lower rate but not at p = %g", chip, a, p)
				}
			}
			prev = cur
		}
		if len(c.Flips(0, nil)) != 0 || !slices.Equal(c.Flips(c.PMax, nil), c.Bits) {
			t.Fatalf("chip %d: p = 0 or p = PMax does not give the empty or the whole drawn set", chip)
		}
	}
}

// TestChipWorkedExample pins the failing sets, flips and stuck reads of a
// hand-built chip.
func TestChipWorkedExample(t *testing.T) {
	c := &Chip{PMax: 0.1, Bits: []int{2, 5, 9, 11}, U: []float64{0.07, 0.001, 0.03, 0.0999}, Stuck: []bool{true, false, true, false}}
	for _, tc := range []struct {
		p     float64
		flips []int
		stuck []int
	}{
		{0.001, nil, nil},           // u < p is strict
		{0.002, []int{5}, []int{5}}, // bit 5 stores 1, sticks at 0
		{0.05, []int{5, 9}, []int{5}},
		{0.1, []int{2, 5, 9, 11}, []int{2, 5, 11}}, // 9 stores 1 and sticks at 1
	} {
		stored := func(a int) bool { return a == 5 || a == 9 || a == 11 }
		if got := c.Flips(tc.p, nil); !slices.Equal(got, tc.flips) {
			t.Errorf("Flips(%g) = %v, want %v", tc.p, got, tc.flips)
		}
		if got := c.StuckFlips(tc.p, stored, nil); !slices.Equal(got, tc.stuck) {
			t.Errorf("StuckFlips(%g) = %v, want %v", tc.p, got, tc.stuck)
		}
	}
}

// TestChipReproducibleAndPanics: a seeded source gives the same chip, and a
// rate above PMax or outside [0, 1] panics.
func TestChipReproducibleAndPanics(t *testing.T) {
	a := NewChip(rand.New(rand.NewPCG(9, 9)), 50_000, 0.01)
	b := NewChip(rand.New(rand.NewPCG(9, 9)), 50_000, 0.01)
	if !slices.Equal(a.Bits, b.Bits) || !slices.Equal(a.U, b.U) || !slices.Equal(a.Stuck, b.Stuck) {
		t.Fatal("the same seed gave two chips")
	}
	for _, f := range []func(){
		func() { NewChip(rand.New(rand.NewPCG(1, 1)), 10, 1.5) },
		func() { NewChip(rand.New(rand.NewPCG(1, 1)), 10, math.NaN()) },
		func() { a.Failing(0.02, nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		}()
	}
}

// BenchmarkNewChip draws a ResNet-20-sized chip (1,083,584 bits at 4 bits)
// whose faults are known down to BER 2.3e-2 (0.38 V on the paper's BER(V)).
func BenchmarkNewChip(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		NewChip(r, 1_083_584, 2.3e-2)
	}
}
