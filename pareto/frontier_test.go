package pareto

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// pt is a point with only the fields the frontier looks at, plus a name to tell points apart.
func pt(name string, energyPJ, acc float64) Point {
	return Point{Model: name, EnergyPJ: energyPJ, AccMean: acc}
}

func names(pts []Point) []string {
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
		a    Point
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
		in   []Point
		want []string
	}{
		{"empty", nil, []string{}},
		{"single", []Point{pt("a", 5, 50)}, []string{"a"}},
		{"chain, input unsorted", []Point{pt("c", 30, 92), pt("a", 10, 80), pt("b", 20, 90)}, []string{"a", "b", "c"}},
		{"dominated points dropped", []Point{pt("a", 10, 80), pt("x", 15, 79), pt("b", 20, 90), pt("y", 25, 90), pt("z", 30, 85)},
			[]string{"a", "b"}},
		{"equal energy keeps the most accurate", []Point{pt("lo", 10, 80), pt("hi", 10, 85), pt("mid", 10, 82)}, []string{"hi"}},
		{"equal accuracy keeps the cheapest", []Point{pt("dear", 20, 80), pt("cheap", 10, 80), pt("dearer", 30, 80)}, []string{"cheap"}},
		// Exact ties do not dominate each other: both stay, ordered by model name.
		{"exact ties kept, by name", []Point{pt("zeta", 10, 80), pt("alpha", 10, 80), pt("b", 5, 70)}, []string{"b", "alpha", "zeta"}},
		{"tie at the top of an energy level", []Point{pt("m", 10, 80), pt("n", 10, 80), pt("o", 10, 79)}, []string{"m", "n"}},
		{"ties below the best are dominated", []Point{pt("best", 5, 90), pt("t1", 10, 80), pt("t2", 10, 80)}, []string{"best"}},
		{"NaN points left out", []Point{pt("nan1", math.NaN(), 99), pt("a", 10, 80), pt("nan2", 1, math.NaN())}, []string{"a"}},
		{"zero and negative zero energy are equal", []Point{pt("z", 0, 50), pt("nz", math.Copysign(0, -1), 60)}, []string{"nz"}},
		{"decreasing accuracy with energy: only the first", []Point{pt("a", 1, 90), pt("b", 2, 80), pt("c", 3, 70)}, []string{"a"}},
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

func hasNaN(pts []Point) bool {
	for _, p := range pts {
		if !comparable(p) {
			return true
		}
	}
	return false
}

// bruteFrontier is the definition: the points no other point dominates, in Frontier's order.
func bruteFrontier(pts []Point) []Point {
	var out []Point
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
	slices.SortStableFunc(out, frontierOrder)
	return out
}

// TestFrontierMatchesDefinition compares the O(n log n) sweep with the O(n²) definition on random
// sets drawn from a small grid, so that equal energies, equal accuracies and exact ties are common.
func TestFrontierMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 2000 {
		n := rng.IntN(25)
		pts := make([]Point, n)
		for i := range pts {
			pts[i] = Point{
				Model:    string(rune('a' + rng.IntN(3))),
				Method:   string(rune('p' + rng.IntN(2))),
				VddV:     0.4 + 0.02*float64(rng.IntN(5)),
				EnergyPJ: float64(rng.IntN(8)),
				AccMean:  float64(rng.IntN(8)),
			}
		}
		got, want := Frontier(pts), bruteFrontier(pts)
		if len(got) != len(want) {
			t.Fatalf("trial %d: %d points on the frontier, want %d\nin: %v\ngot: %v\nwant: %v", trial, len(got), len(want), pts, got, want)
		}
		for i := range got {
			if frontierOrder(got[i], want[i]) != 0 {
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
	pts := sampleReport().Points
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
	pts := []Point{
		{Model: "r20", Method: "wcat", EnergyPJ: 10, AccMean: 85},
		{Model: "r20", Method: "wcat", EnergyPJ: 12, AccMean: 84}, // dominated within r20
		{Model: "r20", Method: "normal", EnergyPJ: 11, AccMean: 90},
		{Model: "r32", Method: "wcat", EnergyPJ: 20, AccMean: 88}, // dominated globally, not within r32
		{Model: "r32", Method: "wcat", EnergyPJ: 25, AccMean: 92},
	}
	byModel := FrontierBy(pts, func(p Point) string { return p.Model })
	want := map[string][]Point{"r20": {pts[0], pts[2]}, "r32": {pts[3], pts[4]}}
	if !reflect.DeepEqual(byModel, want) {
		t.Errorf("FrontierBy(model) = %v, want %v", byModel, want)
	}
	byMethod := FrontierBy(pts, func(p Point) string { return p.Method })
	wantM := map[string][]Point{"wcat": {pts[0], pts[3], pts[4]}, "normal": {pts[2]}}
	if !reflect.DeepEqual(byMethod, wantM) {
		t.Errorf("FrontierBy(method) = %v, want %v", byMethod, wantM)
	}
	if got := FrontierBy(nil, func(p Point) string { return p.Model }); len(got) != 0 {
		t.Errorf("FrontierBy(nil) = %v, want empty", got)
	}
}

func BenchmarkFrontier(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	pts := make([]Point, 10000)
	for i := range pts {
		pts[i] = Point{Model: "m", EnergyPJ: rng.Float64() * 1e7, AccMean: rng.Float64() * 100}
	}
	b.ResetTimer()
	for range b.N {
		Frontier(pts)
	}
}
