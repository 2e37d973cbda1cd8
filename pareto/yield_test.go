package pareto

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
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

// chipReport is a hand-made chip sweep of one model: 4 chips at 0.4, 0.5
// and 0.6 V, nominal 0.8 V at 100 pJ.
//
//	chip   0.4  0.5  0.6   V_min at target 80
//	  0     70   88   90   0.5
//	  1     85   79   90   0.6 (passes at 0.4, but not at 0.5 above it)
//	  2     90   90   90   0.4
//	  3     86   87   90   0.4
func chipReport() Report {
	accs := map[float64][]float64{0.4: {70, 85, 90, 86}, 0.5: {88, 79, 90, 87}, 0.6: {90, 90, 90, 90}}
	energy := map[float64]float64{0.4: 60, 0.5: 70, 0.6: 80}
	r := Report{Title: "chips", Nominal: []NominalEnergy{{Model: "net", Method: "wcat", VddV: 0.8, EnergyPJ: 100}}}
	for _, v := range []float64{0.6, 0.4, 0.5} { // any order
		a := accs[v]
		mean := (a[0] + a[1] + a[2] + a[3]) / 4
		r.Points = append(r.Points, Point{Model: "net", Method: "wcat", VddV: v, BER: 0.01, EnergyPJ: energy[v],
			AccMean: mean, AccMin: slices.Min(a), AccMax: slices.Max(a), CILow: mean, CIHigh: mean, Trials: 4, ChipAccs: a})
	}
	return r
}

func TestYieldsWorkedExample(t *testing.T) {
	r := chipReport()
	ys, err := Yields(r, YieldSpec{TargetPct: 80, Yield: 0.75})
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
	if ys, _ := Yields(r, YieldSpec{TargetPct: 80, Yield: 1}); ys[0].VminV != 0.6 {
		t.Errorf("100%% yield: V_min %v, want 0.6", ys[0].VminV)
	}
	if ys, _ := Yields(r, YieldSpec{TargetPct: 95, Yield: 0.5}); !math.IsNaN(ys[0].VminV) || !math.IsNaN(ys[0].ChipVminV[0]) {
		t.Errorf("unreachable target: V_min %v, chip 0 %v", ys[0].VminV, ys[0].ChipVminV[0])
	}
}

// TestYieldsConservativeEnd: with enough chips all passing, the lower
// bound reaches the yield and the conservative V_min is the lowest such V.
func TestYieldsConservativeEnd(t *testing.T) {
	const n = 400
	r := Report{}
	for i, v := range []float64{0.4, 0.5, 0.6} {
		accs := make([]float64, n)
		for c := range accs {
			accs[c] = 90
			if i == 0 && c < 10 || i == 1 && c < 1 { // 10 chips miss at 0.4 V, one at 0.5 V
				accs[c] = 50
			}
		}
		r.Points = append(r.Points, Point{Model: "net", VddV: v, EnergyPJ: 10 * v, AccMean: 90, AccMin: slices.Min(accs), AccMax: 90,
			CILow: 90, CIHigh: 90, Trials: n, ChipAccs: accs})
	}
	ys, err := Yields(r, YieldSpec{TargetPct: 80, Yield: 0.99})
	if err != nil {
		t.Fatal(err)
	}
	// 399/400 ≥ 0.99 at 0.5 V, but its lower bound (0.986) is not: the conservative end is 0.6 V.
	if c := ys[0]; c.VminV != 0.5 || c.VminHighV != 0.6 || c.VminLowV != 0.5 || c.NominalV != 0.6 {
		t.Fatalf("V_min %v in [%v, %v] (nominal %v V)", c.VminV, c.VminLowV, c.VminHighV, c.NominalV)
	}
}

func TestAtYield(t *testing.T) {
	pts, err := AtYield(chipReport(), 0.75, 0.95)
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
	if _, err := AtYield(chipReport(), 1.5, 0.95); err == nil {
		t.Error("yield 1.5 accepted")
	}
}

// TestYieldReportChecks: a report asking for a yield must hold chip points,
// a sensible target and yield, and chip accuracies consistent with each
// point's statistics.
func TestYieldReportChecks(t *testing.T) {
	r := chipReport()
	r.Yield = YieldSpec{TargetPct: 80, Yield: 0.99}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(*Report){
		"no chips":    func(r *Report) { r.Points[1].ChipAccs = nil },
		"chip count":  func(r *Report) { r.Points[1].ChipAccs = r.Points[1].ChipAccs[:3] },
		"chip range":  func(r *Report) { r.Points[1].ChipAccs[0] = 99 },
		"yield":       func(r *Report) { r.Yield.Yield = 1.2 },
		"target":      func(r *Report) { r.Yield.TargetPct = 0 },
		"confidence":  func(r *Report) { r.Yield.Confidence = 1 },
		"no points":   func(r *Report) { r.Points = nil },
		"mixed chips": func(r *Report) { r.Points[0].ChipAccs, r.Points[0].Trials = []float64{90, 90}, 2 },
	} {
		bad := chipReport()
		bad.Yield = r.Yield
		edit(&bad)
		if bad.Validate() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestYieldHTMLAndJSON: the page of a report with a yield has the
// accuracy-at-yield chart, the yield and V_min charts and the V_min table;
// the JSON round trip keeps the chip accuracies and the yield request.
func TestYieldHTMLAndJSON(t *testing.T) {
	r := chipReport()
	r.Yield = YieldSpec{TargetPct: 80, Yield: 0.75}
	page := renderHTML(t, r, "/*echarts*/")
	for _, id := range []string{"acc-energy-yield", "yield-0-0", "yield-0-1", "vmin-yield"} {
		if !slices.Contains(sectionIDs(page), id) {
			t.Errorf("no section %q in %v", id, sectionIDs(page))
		}
	}
	table := sectionHTML(t, page, "vmin-yield")
	for _, want := range []string{"<td class=\"num\">0.5</td>", "0.4 – not reached", "<td class=\"num\">30.0</td>", "at least 80% accuracy for 75% of chips", "3 of 4 ("} {
		if !strings.Contains(table, want) {
			t.Errorf("V_min table lacks %q:\n%s", want, table)
		}
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(&buf, "r.json")
	if err != nil {
		t.Fatal(err)
	}
	if back.Yield != r.Yield || !slices.Equal(back.Points[0].ChipAccs, r.Points[0].ChipAccs) {
		t.Fatalf("round trip: yield %+v, chips %v", back.Yield, back.Points[0].ChipAccs)
	}
	if _, err := ReadJSON(strings.NewReader(`{"title":"x","arch":"a","points":[],"yield":{"yield":0.9}}`), "y.json"); err == nil {
		t.Error("a yield without a target read back")
	}
}
