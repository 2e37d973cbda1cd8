package pareto

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"cosim/internal/resultstest"
	"cosim/mc/accuracy"
	"cosim/results"
)

// pt is a point with only the fields the frontier looks at, plus a name to tell points apart.
func pt(name string, energyPJ, acc float64) results.Point {
	return results.Point{Model: name, EnergyPJ: energyPJ, Stats: accuracy.Stats{AccMean: acc}}
}

func names(pts []results.Point) []string {
	out := []string{}
	for _, p := range pts {
		out = append(out, p.Model)
	}
	return out
}

func TestDominates(t *testing.T) {
	base := pt("b", 10, 90)
	tests := []struct {
		name string
		a    results.Point
		want bool
	}{
		{"cheaper and more accurate", pt("a", 9, 91), true},
		{"cheaper, equally accurate", pt("a", 9, 90), true},
		{"equally cheap, more accurate", pt("a", 10, 91), true},
		{"identical objectives", pt("a", 10, 90), false},
		{"cheaper but less accurate", pt("a", 9, 89), false},
		{"more accurate but costlier", pt("a", 11, 91), false},
		{"worse in both", pt("a", 11, 89), false},
		{"costlier, equally accurate", pt("a", 11, 90), false},
		{"NaN accuracy", pt("a", 9, math.NaN()), false},
		{"NaN energy", pt("a", math.NaN(), 91), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Dominates(tc.a, base); got != tc.want {
				t.Errorf("Dominates(%v/%v, %v/%v) = %v, want %v", tc.a.EnergyPJ, tc.a.AccMean, base.EnergyPJ, base.AccMean, got, tc.want)
			}
			if tc.want && Dominates(base, tc.a) {
				t.Errorf("dominance is not antisymmetric")
			}
		})
	}
	if Dominates(base, pt("nan", math.NaN(), math.NaN())) {
		t.Error("a point dominates one with NaN objectives")
	}
}

func TestFrontier(t *testing.T) {
	tests := []struct {
		name string
		in   []results.Point
		want []string
	}{
		{"empty", nil, []string{}},
		{"single", []results.Point{pt("a", 5, 50)}, []string{"a"}},
		{"chain, input unsorted", []results.Point{pt("c", 30, 92), pt("a", 10, 80), pt("b", 20, 90)}, []string{"a", "b", "c"}},
		{"dominated points dropped", []results.Point{pt("a", 10, 80), pt("x", 15, 79), pt("b", 20, 90), pt("y", 25, 90), pt("z", 30, 85)},
			[]string{"a", "b"}},
		{"equal energy keeps the most accurate", []results.Point{pt("lo", 10, 80), pt("hi", 10, 85), pt("mid", 10, 82)}, []string{"hi"}},
		{"equal accuracy keeps the cheapest", []results.Point{pt("dear", 20, 80), pt("cheap", 10, 80), pt("dearer", 30, 80)}, []string{"cheap"}},
		// Exact ties do not dominate each other: both stay, ordered by model name.
		{"exact ties kept, by name", []results.Point{pt("zeta", 10, 80), pt("alpha", 10, 80), pt("b", 5, 70)}, []string{"b", "alpha", "zeta"}},
		{"tie at the top of an energy level", []results.Point{pt("m", 10, 80), pt("n", 10, 80), pt("o", 10, 79)}, []string{"m", "n"}},
		{"ties below the best are dominated", []results.Point{pt("best", 5, 90), pt("t1", 10, 80), pt("t2", 10, 80)}, []string{"best"}},
		{"NaN points left out", []results.Point{pt("nan1", math.NaN(), 99), pt("a", 10, 80), pt("nan2", 1, math.NaN())}, []string{"a"}},
		{"zero and negative zero energy are equal", []results.Point{pt("z", 0, 50), pt("nz", math.Copysign(0, -1), 60)}, []string{"nz"}},
		{"decreasing accuracy with energy: only the first", []results.Point{pt("a", 1, 90), pt("b", 2, 80), pt("c", 3, 70)}, []string{"a"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := slices.Clone(tc.in)
			got := Frontier(in)
			if !reflect.DeepEqual(names(got), tc.want) {
				t.Errorf("Frontier = %v, want %v", names(got), tc.want)
			}
			if !reflect.DeepEqual(in, tc.in) && !hasNaN(tc.in) {
				t.Error("Frontier modified its input")
			}
		})
	}
}

func hasNaN(pts []results.Point) bool {
	for _, p := range pts {
		if !comparable(p) {
			return true
		}
	}
	return false
}

// bruteFrontier is the definition: the points no other point dominates, in Frontier's order.
func bruteFrontier(pts []results.Point) []results.Point {
	var out []results.Point
	for i, p := range pts {
		if !comparable(p) {
			continue
		}
		dominated := false
		for j, q := range pts {
			if i != j && Dominates(q, p) {
				dominated = true
				break
			}
		}
		if !dominated {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, Compare)
	return out
}

// TestFrontierMatchesDefinition compares the O(n log n) sweep with the O(n²) definition on random
// sets drawn from a small grid, so that equal energies, equal accuracies and exact ties are common.
func TestFrontierMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 2000 {
		n := rng.IntN(25)
		pts := make([]results.Point, n)
		for i := range pts {
			pts[i] = results.Point{Model: string(rune('a' + rng.IntN(3))), Method: string(rune('p' + rng.IntN(2))), VddV: 0.4 + 0.02*float64(rng.IntN(5)), EnergyPJ: float64(rng.IntN(8)), Stats: accuracy.Stats{AccMean: float64(rng.IntN(8))}}
		}
		got, want := Frontier(pts), bruteFrontier(pts)
		if len(got) != len(want) {
			t.Fatalf("trial %d: %d points on the frontier, want %d\nin: %v\ngot: %v\nwant: %v", trial, len(got), len(want), pts, got, want)
		}
		for i := range got {
			if Compare(got[i], want[i]) != 0 {
				t.Fatalf("trial %d: frontier[%d] = %+v, want %+v", trial, i, got[i], want[i])
			}
		}
		// Along the frontier energy never decreases and accuracy never decreases.
		for i := 1; i < len(got); i++ {
			if got[i].EnergyPJ < got[i-1].EnergyPJ || got[i].AccMean < got[i-1].AccMean {
				t.Fatalf("trial %d: frontier not monotone at %d: %v", trial, i, got)
			}
		}
	}
}

func TestFrontierOrderIndependent(t *testing.T) {
	pts := resultstest.Sample().Points
	want := Frontier(pts)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 50 {
		shuffled := slices.Clone(pts)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if got := Frontier(shuffled); !reflect.DeepEqual(got, want) {
			t.Fatalf("frontier depends on input order:\n%v\n%v", got, want)
		}
	}
}

func TestFrontierBy(t *testing.T) {
	pts := []results.Point{
		{Model: "r20", Method: "wcat", EnergyPJ: 10, Stats: accuracy.Stats{AccMean: 85}},
		{Model: "r20", Method: "wcat", EnergyPJ: 12, Stats: accuracy.Stats{AccMean: 84}}, // dominated within r20
		{Model: "r20", Method: "normal", EnergyPJ: 11, Stats: accuracy.Stats{AccMean: 90}},
		{Model: "r32", Method: "wcat", EnergyPJ: 20, Stats: accuracy.Stats{AccMean: 88}}, // dominated globally, not within r32
		{Model: "r32", Method: "wcat", EnergyPJ: 25, Stats: accuracy.Stats{AccMean: 92}},
	}
	byModel := FrontierBy(pts, func(p results.Point) string { return p.Model })
	want := map[string][]results.Point{"r20": {pts[0], pts[2]}, "r32": {pts[3], pts[4]}}
	if !reflect.DeepEqual(byModel, want) {
		t.Errorf("FrontierBy(model) = %v, want %v", byModel, want)
	}
	byMethod := FrontierBy(pts, func(p results.Point) string { return p.Method })
	wantM := map[string][]results.Point{"wcat": {pts[0], pts[3], pts[4]}, "normal": {pts[2]}}
	if !reflect.DeepEqual(byMethod, wantM) {
		t.Errorf("FrontierBy(method) = %v, want %v", byMethod, wantM)
	}
	if got := FrontierBy(nil, func(p results.Point) string { return p.Model }); len(got) != 0 {
		t.Errorf("FrontierBy(nil) = %v, want empty", got)
	}
}

func BenchmarkFrontier(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	pts := make([]results.Point, 10000)
	for i := range pts {
		pts[i] = results.Point{Model: "m", EnergyPJ: rng.Float64() * 1e7, Stats: accuracy.Stats{AccMean: rng.Float64() * 100}}
	}
	b.ResetTimer()
	for range b.N {
		Frontier(pts)
	}
}

// mp is a point of model m, method meth at vddV with the two objectives.
func mp(m, meth string, vddV, energyPJ, acc float64) results.Point {
	return results.Point{Model: m, Method: meth, VddV: vddV, EnergyPJ: energyPJ, Stats: accuracy.Stats{AccMean: acc}}
}

func TestIsoAccuracy(t *testing.T) {
	// resnet20/wcat: best 91.3 at 0.8 V and at 0.5 V (equal: the cheaper 0.5 V is Best); the
	// floor is 90.3, so 0.44 V (90.4) qualifies and 0.42 V (88.9) does not.
	// resnet20/normal: best 91.6; 90.6 exactly 1 point below qualifies (inclusive).
	// r56/x: two points at the highest voltage: the more accurate is Highest.
	pts := []results.Point{
		mp("resnet20", "wcat", 0.8, 35.5, 91.3),
		mp("resnet20", "wcat", 0.5, 27.0, 91.3),
		mp("resnet20", "wcat", 0.44, 25.7, 90.4),
		mp("resnet20", "wcat", 0.42, 25.4, 88.9),
		mp("resnet20", "normal", 0.8, 35.5, 91.6),
		mp("resnet20", "normal", 0.46, 26.1, 90.6),
		mp("resnet20", "normal", 0.44, 25.7, 86.3),
		mp("r56", "x", 0.7, 10, 80),
		mp("r56", "x", 0.7, 10, 81),
		mp("r56", "x", 0.6, 8, 80.5),
		mp("r56", "x", 0.5, 8, 80.2), // same energy as 0.6 V, less accurate
		mp("nan", "x", 0.5, math.NaN(), 80),
	}
	got := IsoAccuracy(pts, IsoAccuracyTolPts)
	type row struct {
		model, method         string
		n                     int
		bestV, isoV, highestV float64
		bestAcc, isoE, saving float64
	}
	want := []row{
		{"r56", "x", 4, 0.7, 0.6, 0.7, 81, 8, 20},
		{"resnet20", "normal", 3, 0.8, 0.46, 0.8, 91.6, 26.1, 100 * (1 - 26.1/35.5)},
		{"resnet20", "wcat", 4, 0.5, 0.44, 0.8, 91.3, 25.7, 100 * (1 - 25.7/35.5)},
	}
	if len(got) != len(want) {
		t.Fatalf("IsoAccuracy returned %d summaries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Model != w.model || g.Method != w.method || g.Points != w.n || g.Best.VddV != w.bestV ||
			g.Iso.VddV != w.isoV || g.Highest.VddV != w.highestV || g.Best.AccMean != w.bestAcc ||
			g.Iso.EnergyPJ != w.isoE || math.Abs(g.SavingPct()-w.saving) > 1e-12 {
			t.Errorf("summary %d = %+v (saving %v), want %+v", i, g, g.SavingPct(), w)
		}
	}
	if got[0].Highest.AccMean != 81 {
		t.Errorf("r56/x highest-voltage point has accuracy %v, want the more accurate 81", got[0].Highest.AccMean)
	}
	if got[0].Iso.AccMean != 80.5 {
		t.Errorf("r56/x iso point has accuracy %v, want 80.5 (the more accurate of two at 8 pJ)", got[0].Iso.AccMean)
	}
	// A tolerance of 0 picks the cheapest of the most accurate points.
	if z := IsoAccuracy(pts, 0); z[2].Iso.VddV != 0.5 {
		t.Errorf("tolerance 0: iso point at %v V, want 0.5", z[2].Iso.VddV)
	}
	if (MethodSummary{}).SavingPct() != 0 {
		t.Error("SavingPct with zero reference energy is not 0")
	}
	if got := IsoAccuracy(nil, 1); len(got) != 0 {
		t.Errorf("IsoAccuracy(nil) = %v", got)
	}
}

// TestIsoAccuracyMatchesDefinition checks IsoAccuracy against its definition by brute force on
// random points of a small grid (many ties), and that it does not depend on the input order.
func TestIsoAccuracyMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for trial := range 500 {
		pts := make([]results.Point, 1+rng.IntN(20))
		for i := range pts {
			pts[i] = mp(string(rune('a'+rng.IntN(2))), string(rune('p'+rng.IntN(2))),
				0.4+0.1*float64(rng.IntN(5)), float64(rng.IntN(6)), 80+0.5*float64(rng.IntN(6)))
		}
		tol := 0.5 * float64(rng.IntN(4))
		got := IsoAccuracy(pts, tol)
		pairs := map[[2]string]bool{}
		for _, p := range pts {
			pairs[[2]string{p.Model, p.Method}] = true
		}
		if len(got) != len(pairs) {
			t.Fatalf("trial %d: %d summaries for %d (model, method) pairs", trial, len(got), len(pairs))
		}
		for _, s := range got {
			var g []results.Point
			for _, p := range pts {
				if p.Model == s.Model && p.Method == s.Method {
					g = append(g, p)
				}
			}
			bestAcc, maxV := math.Inf(-1), math.Inf(-1)
			for _, p := range g {
				bestAcc, maxV = math.Max(bestAcc, p.AccMean), math.Max(maxV, p.VddV)
			}
			minE := math.Inf(1)
			for _, p := range g {
				if p.AccMean >= bestAcc-tol {
					minE = math.Min(minE, p.EnergyPJ)
				}
			}
			for _, p := range g {
				if p.AccMean >= bestAcc-tol && p.EnergyPJ == minE && p.AccMean > s.Iso.AccMean {
					t.Fatalf("trial %d: %s/%s: a cheapest qualifying point is more accurate than Iso %+v: %+v", trial, s.Model, s.Method, s.Iso, p)
				}
				if p.AccMean == bestAcc && p.EnergyPJ < s.Best.EnergyPJ {
					t.Fatalf("trial %d: %s/%s: a cheaper best point than %+v: %+v", trial, s.Model, s.Method, s.Best, p)
				}
			}
			if s.Points != len(g) || s.Best.AccMean != bestAcc || s.Iso.EnergyPJ != minE ||
				s.Iso.AccMean < bestAcc-tol || s.Highest.VddV != maxV {
				t.Fatalf("trial %d: %s/%s: %+v; want %d points, best %v, iso energy %v, highest V %v",
					trial, s.Model, s.Method, s, len(g), bestAcc, minE, maxV)
			}
		}
		shuffled := slices.Clone(pts)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if again := IsoAccuracy(shuffled, tol); !reflect.DeepEqual(again, got) {
			t.Fatalf("trial %d: IsoAccuracy depends on the input order", trial)
		}
	}
}
