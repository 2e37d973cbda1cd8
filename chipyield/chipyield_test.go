package chipyield

import (
	"math"
	"slices"
	"testing"

	"cosim/internal/resultstest"
	"cosim/mc/accuracy"
	"cosim/results"
)

// TestClopperPearson pins the interval against tabulated values (exact
// binomial 95% intervals: 0/10 → [0, 0.3085], 5/10 → [0.1871, 0.8129],
// 10/10 → [0.6915, 1]) and the number of chips a 99% yield needs.
func TestClopperPearson(t *testing.T) {
	for _, c := range []struct {
		k, n   int
		lo, hi float64
	}{{0, 10, 0, 0.3085}, {5, 10, 0.1871, 0.8129}, {10, 10, 0.6915, 1}, {1, 4, 0.0063, 0.8059}} {
		lo, hi := ClopperPearson(c.k, c.n, 0.95)
		if math.Abs(lo-c.lo) > 1e-4 || math.Abs(hi-c.hi) > 1e-4 {
			t.Errorf("%d of %d: [%.4f, %.4f], want [%.4f, %.4f]", c.k, c.n, lo, hi, c.lo, c.hi)
		}
	}
	// ln(0.025)/ln(0.99) = 367.03: 368 chips, all passing, show a 99% yield; 367 cannot.
	if n := ChipsNeeded(0.99, 0.95); n != 368 {
		t.Fatalf("ChipsNeeded(0.99, 0.95) = %d, want 368", n)
	}
	if lo, _ := ClopperPearson(368, 368, 0.95); lo < 0.99 {
		t.Errorf("368 of 368: lower bound %v < 0.99", lo)
	}
	if lo, _ := ClopperPearson(367, 367, 0.95); lo >= 0.99 {
		t.Errorf("367 of 367: lower bound %v ≥ 0.99", lo)
	}
}

func TestYieldsWorkedExample(t *testing.T) {
	r := resultstest.Chips()
	ys, err := Yields(r, results.YieldSpec{TargetPct: 80, Yield: 0.75})
	if err != nil {
		t.Fatal(err)
	}
	c := ys[0]
	if !slices.Equal(c.Voltages, []float64{0.4, 0.5, 0.6}) || !slices.Equal(c.Passing, []int{2, 3, 4}) ||
		!slices.Equal(c.ChipVminV, []float64{0.5, 0.6, 0.4, 0.4}) {
		t.Fatalf("voltages %v, passing %v, chip V_min %v", c.Voltages, c.Passing, c.ChipVminV)
	}
	// 3 of 4 reach 0.75 at 0.5 V; the upper bound of 2 of 4 (0.9324) already at 0.4 V; the lower
	// bound of 4 of 4 is 0.025^(1/4) = 0.398 < 0.75, so the conservative end is not reached.
	if c.VminV != 0.5 || c.VminLowV != 0.4 || !math.IsNaN(c.VminHighV) || c.EnergyPJ != 70 || !math.IsNaN(c.EnergyHighPJ) {
		t.Fatalf("V_min %v in [%v, %v], energy %v / %v", c.VminV, c.VminLowV, c.VminHighV, c.EnergyPJ, c.EnergyHighPJ)
	}
	if c.NominalPJ != 100 || math.Abs(c.SavingPct()-30) > 1e-12 {
		t.Fatalf("nominal %v pJ, saving %v%%", c.NominalPJ, c.SavingPct())
	}
	for i, k := range c.Passing {
		if lo, hi := ClopperPearson(k, 4, 0.95); c.YieldLow[i] != lo || c.YieldHigh[i] != hi {
			t.Fatalf("bounds at %v V: [%v, %v], want [%v, %v]", c.Voltages[i], c.YieldLow[i], c.YieldHigh[i], lo, hi)
		}
	}
	// Every chip: V_min 0.6 V. A target no chip reaches at the top: not reached at all.
	if ys, _ := Yields(r, results.YieldSpec{TargetPct: 80, Yield: 1}); ys[0].VminV != 0.6 {
		t.Errorf("100%% yield: V_min %v, want 0.6", ys[0].VminV)
	}
	if ys, _ := Yields(r, results.YieldSpec{TargetPct: 95, Yield: 0.5}); !math.IsNaN(ys[0].VminV) || !math.IsNaN(ys[0].ChipVminV[0]) {
		t.Errorf("unreachable target: V_min %v, chip 0 %v", ys[0].VminV, ys[0].ChipVminV[0])
	}
}

// TestYieldsConservativeEnd: with enough chips all passing, the lower
// bound reaches the yield and the conservative V_min is the lowest such V.
func TestYieldsConservativeEnd(t *testing.T) {
	const n = 400
	r := results.Report{}
	for i, v := range []float64{0.4, 0.5, 0.6} {
		accs := make([]float64, n)
		for c := range accs {
			accs[c] = 90
			if i == 0 && c < 10 || i == 1 && c < 1 { // 10 chips miss at 0.4 V, one at 0.5 V
				accs[c] = 50
			}
		}
		r.Points = append(r.Points, results.Point{Model: "net", VddV: v, EnergyPJ: 10 * v, ChipAccs: accs, Stats: accuracy.Stats{AccMean: 90, AccMin: slices.Min(accs), AccMax: 90, CILow: 90, CIHigh: 90, Trials: n}})
	}
	ys, err := Yields(r, results.YieldSpec{TargetPct: 80, Yield: 0.99})
	if err != nil {
		t.Fatal(err)
	}
	// 399/400 ≥ 0.99 at 0.5 V, but its lower bound (0.986) is not: the conservative end is 0.6 V.
	if c := ys[0]; c.VminV != 0.5 || c.VminHighV != 0.6 || c.VminLowV != 0.5 || c.NominalV != 0.6 {
		t.Fatalf("V_min %v in [%v, %v] (nominal %v V)", c.VminV, c.VminLowV, c.VminHighV, c.NominalV)
	}
}

func TestAtYield(t *testing.T) {
	pts, err := AtYield(resultstest.Chips(), 0.75, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	// The 2nd lowest of 4 chips: 3 of 4 reach it.
	want := map[float64]float64{0.4: 85, 0.5: 87, 0.6: 90}
	for _, p := range pts {
		if p.AccMean != want[p.VddV] || p.CILow > p.AccMean || p.CIHigh < p.AccMean || p.Validate() != nil {
			t.Errorf("%v V: accuracy %v in [%v, %v], want %v", p.VddV, p.AccMean, p.CILow, p.CIHigh, want[p.VddV])
		}
	}
	if _, err := AtYield(resultstest.Chips(), 1.5, 0.95); err == nil {
		t.Error("yield 1.5 accepted")
	}
}
