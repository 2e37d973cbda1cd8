package wcat

import (
	"math"
	"testing"

	"cosim/internal/seed"
	"cosim/sram"
)

// ExpectedMSE against a Monte Carlo estimate with explicit flips.
func TestExpectedMSEMatchesSimulation(t *testing.T) {
	r := seed.Stream(4)
	w := make([]float32, 4000)
	for i := range w {
		w[i] = float32(r.NormFloat64())
	}
	const alpha, p = 2.5, 0.05
	exact := ExpectedMSE(w, alpha, 4, GridReference, p)
	codes := make([]int32, len(w))
	s := ClipQuantize(w, alpha, 4, GridReference, codes)
	var sum float64
	const reps = 200
	for k := 0; k < reps; k++ {
		for i, q := range codes {
			for b := 0; b < 4; b++ {
				if r.Float64() < p {
					q = sram.FlipBit(q, b, 4)
				}
			}
			d := float64(w[i]) - float64(s)*float64(q)
			sum += d * d
		}
	}
	sim := sum / float64(reps*len(w))
	if math.Abs(sim-exact)/exact > 0.02 {
		t.Fatalf("expected MSE %v, simulated %v", exact, sim)
	}
	if ExpectedMSE(w, alpha, 4, GridReference, 0) >= exact {
		t.Fatal("bit errors should raise the MSE")
	}
}

func TestOptimalAlphaIsLocalMinimum(t *testing.T) {
	r := seed.Stream(5)
	w := make([]float32, 5000)
	for i := range w {
		w[i] = float32(r.NormFloat64())
	}
	for _, p := range []float64{0, 1e-2} {
		a := OptimalAlpha(w, 4, GridReference, p)
		f := ExpectedMSE(w, a, 4, GridReference, p)
		for _, k := range []float64{0.9, 0.97, 1.03, 1.1} {
			if g := ExpectedMSE(w, a*k, 4, GridReference, p); g < f*(1-1e-6) {
				t.Errorf("p=%g: α*=%v (MSE %v) beaten by %v·α* (MSE %v)", p, a, f, k, g)
			}
		}
		// Well-known: the MSE-optimal 4-bit clip of N(0,1) is about 2.5σ
		// (Banner et al. 2019 give 2.55 for the symmetric grid).
		if p == 0 && (a < 2.2 || a > 3.0) {
			t.Errorf("α* for N(0,1) = %v, want about 2.5", a)
		}
	}
}

// Appendix A, as an expected-MSE statement: the optimal range shrinks as the
// bit error rate grows.
func TestOptimalAlphaShrinksWithBER(t *testing.T) {
	r := seed.Stream(6)
	w := make([]float32, 20000)
	for i := range w {
		w[i] = float32(r.NormFloat64())
	}
	prev := math.Inf(1)
	for _, p := range []float64{0, 1e-4, 1e-3, 1e-2, 1e-1} {
		a := OptimalAlpha(w, 4, GridReference, p)
		if !(a < prev) {
			t.Fatalf("α*(%g) = %v is not below α* at the lower BER (%v)", p, a, prev)
		}
		prev = a
	}
}

func TestDensitiesNormalised(t *testing.T) {
	for _, d := range StandardDensities() {
		if m := integrate(d.Prob, d.Lo, d.Hi); math.Abs(m-1) > 1e-9 {
			t.Errorf("%s integrates to %v", d.Name, m)
		}
	}
}

// DensityMSE agrees with ExpectedMSE on a large sample of the same law.
func TestDensityMSEMatchesSample(t *testing.T) {
	r := seed.Stream(8)
	w := make([]float32, 400000)
	for i := range w {
		w[i] = float32(r.NormFloat64())
	}
	d := StandardDensities()[0]
	for _, p := range []float64{0, 1e-2} {
		exact := DensityMSE(d, 2.5, 4, GridReference, p)
		sample := ExpectedMSE(w, 2.5, 4, GridReference, p)
		if math.Abs(exact-sample)/exact > 0.01 {
			t.Errorf("BER %g: density MSE %v, sample MSE %v", p, exact, sample)
		}
	}
}

// Appendix A, figure 10b: for every distribution, α* falls as the BER grows.
func TestAlphaCurveFalls(t *testing.T) {
	bers := []float64{0, 1e-4, 1e-3, 1e-2, 5e-2}
	pts, err := AlphaCurve(StandardDensities(), bers, 4, GridReference)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(pts); i += len(bers) {
		for j := 1; j < len(bers); j++ {
			if !(pts[i+j].Alpha < pts[i+j-1].Alpha) {
				t.Errorf("%s: α*(%g) = %v not below α*(%g) = %v", pts[i].Dist, pts[i+j].BER, pts[i+j].Alpha, pts[i+j-1].BER, pts[i+j-1].Alpha)
			}
		}
		t.Logf("%s: α* %v", pts[i].Dist, []float64{pts[i].Alpha, pts[i+1].Alpha, pts[i+2].Alpha, pts[i+3].Alpha, pts[i+4].Alpha})
	}
	if _, err := AlphaCurve(StandardDensities(), []float64{0.7}, 4, GridReference); err == nil {
		t.Fatal("BER 0.7 accepted")
	}
}
