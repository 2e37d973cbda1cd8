// Package pareto ranks the operating points of a sweep (results.Point) by their two objectives:
// mean accuracy (AccMean, higher is better) and energy per inference (EnergyPJ, lower is better).
// Frontier returns the non-dominated set, FrontierBy one per group, and IsoAccuracy the cheapest
// point of each model and method within a tolerance of its best accuracy.
//
// Objectives and ties. A point is judged by exactly these two numbers; the confidence interval,
// the spread and the trial count are reported but do not enter the dominance test. Points that
// are equal in both objectives do not dominate each other, so Frontier keeps all of them.
package pareto

import (
	"cmp"
	"math"
	"slices"

	"cosim/results"
)

// Dominates reports whether a dominates b: a is at least as accurate (AccMean) and at most as
// costly (EnergyPJ) as b, and strictly better in at least one of the two. A point with a NaN
// objective neither dominates nor is dominated.
func Dominates(a, b results.Point) bool {
	return a.AccMean >= b.AccMean && a.EnergyPJ <= b.EnergyPJ &&
		(a.AccMean > b.AccMean || a.EnergyPJ < b.EnergyPJ)
}

// comparable reports whether p has two ordered objectives (no NaN).
func comparable(p results.Point) bool { return !math.IsNaN(p.AccMean) && !math.IsNaN(p.EnergyPJ) }

// Compare orders points as Frontier lists them: by energy ascending, then accuracy descending,
// then by Model, Method, VddV and BER, so that the order of equal-objective points does not
// depend on the input order. It suits slices.SortFunc.
func Compare(a, b results.Point) int {
	if c := cmp.Compare(a.EnergyPJ, b.EnergyPJ); c != 0 {
		return c
	}
	if c := cmp.Compare(b.AccMean, a.AccMean); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Model, b.Model); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Method, b.Method); c != 0 {
		return c
	}
	if c := cmp.Compare(a.VddV, b.VddV); c != 0 {
		return c
	}
	return cmp.Compare(a.BER, b.BER)
}

// Frontier returns the non-dominated subset of pts (no other point of pts Dominates it), sorted by
// energy ascending; along it accuracy strictly increases from one energy level to the next.
//
// Ties are kept: points equal in both objectives (same EnergyPJ and AccMean, for example two
// models or two voltages that happen to coincide) do not dominate one another, so all of them are
// on the frontier, next to each other, ordered by Model, Method, VddV, BER. Of several points with
// the same energy only the most accurate (and its exact ties) survive; of several with the same
// accuracy only the cheapest. Points with a NaN objective are left out (they are not ordered).
// The input is not modified; the result is a new slice (nil for no points). O(n log n): one sort,
// then one pass that keeps the best accuracy seen at strictly lower energy.
func Frontier(pts []results.Point) []results.Point {
	sorted := make([]results.Point, 0, len(pts))
	for _, p := range pts {
		if comparable(p) {
			sorted = append(sorted, p)
		}
	}
	slices.SortStableFunc(sorted, Compare)
	var out []results.Point
	bestBelow := math.Inf(-1) // best accuracy among points of strictly lower energy
	for i := 0; i < len(sorted); {
		j := i
		for j < len(sorted) && sorted[j].EnergyPJ == sorted[i].EnergyPJ {
			j++
		}
		// sorted[i:j] share one energy; sorted[i] is the most accurate of them.
		top := sorted[i].AccMean
		if top > bestBelow {
			for k := i; k < j && sorted[k].AccMean == top; k++ {
				out = append(out, sorted[k])
			}
			bestBelow = top
		}
		i = j
	}
	return out
}

// FrontierBy groups pts by key (for example func(p results.Point) string { return p.Model })
// and returns the Frontier of each group.
func FrontierBy(pts []results.Point, key func(results.Point) string) map[string][]results.Point {
	groups := make(map[string][]results.Point)
	for _, p := range pts {
		k := key(p)
		groups[k] = append(groups[k], p)
	}
	out := make(map[string][]results.Point, len(groups))
	for k, g := range groups {
		out[k] = Frontier(g)
	}
	return out
}

// IsoAccuracyTolPts is the accuracy tolerance of the report's method summary, in percentage
// points: a (model, method) pair's iso-accuracy point is within 1 point of its best mean accuracy.
const IsoAccuracyTolPts = 1.0

// MethodSummary is the iso-accuracy summary of one (model, method) pair (see IsoAccuracy).
type MethodSummary struct {
	Model, Method string
	Points        int           // operating points of the pair (with ordered objectives)
	Best          results.Point // the most accurate point (lowest energy among equally accurate ones)
	// Iso is the lowest-energy point whose AccMean is within the tolerance of Best.AccMean
	// (AccMean >= Best.AccMean - tol, inclusive); of equally cheap ones the most accurate.
	Iso results.Point
	// Highest is the point at the highest supply voltage swept; of several at that voltage the
	// most accurate.
	Highest results.Point
	// Nominal is the pair's energy at the nominal supply voltage (results.Report.Nominal), or the
	// zero value when the report has none.
	Nominal results.NominalEnergy
}

// SavingPct is the energy saved at Iso against the nominal voltage, in percent of the nominal
// energy; without a nominal energy it is SavingVsHighestPct.
func (s MethodSummary) SavingPct() float64 {
	if s.Nominal.EnergyPJ == 0 {
		return s.SavingVsHighestPct()
	}
	return 100 * (1 - s.Iso.EnergyPJ/s.Nominal.EnergyPJ)
}

// SavingVsHighestPct is the energy saved at Iso against Highest, in percent of Highest's energy
// (0 when Highest's energy is 0).
func (s MethodSummary) SavingVsHighestPct() float64 {
	if s.Highest.EnergyPJ == 0 {
		return 0
	}
	return 100 * (1 - s.Iso.EnergyPJ/s.Highest.EnergyPJ)
}

// IsoAccuracyReport is IsoAccuracy over r's points with the nominal energies of r.Nominal.
func IsoAccuracyReport(r results.Report, tolPts float64) []MethodSummary {
	out := IsoAccuracy(r.Points, tolPts)
	for i := range out {
		for _, n := range r.Nominal {
			if n.Model == out[i].Model && n.Method == out[i].Method {
				out[i].Nominal = n
			}
		}
	}
	return out
}

// IsoAccuracy groups pts by (Model, Method) and returns, for each pair, its best mean accuracy and
// the lowest-energy point whose mean accuracy is at least the best minus tolPts percentage points
// (the "iso-accuracy energy" of the pair). The comparison allows the rounding slack that
// results.Point.Validate allows (results.Slack), so a point exactly tolPts below the best
// qualifies. Points with a NaN objective are left out (as in Frontier); a pair none of whose
// points is left has no summary. The result is sorted by Model, then Method; ties are broken as in
// Frontier, so it does not depend on the order of pts.
func IsoAccuracy(pts []results.Point, tolPts float64) []MethodSummary {
	var ordered []results.Point
	for _, p := range pts {
		if comparable(p) {
			ordered = append(ordered, p)
		}
	}
	var out []MethodSummary
	for _, grp := range results.Groups(ordered) { // sorted by Model, then Method
		g := grp.Points
		slices.SortStableFunc(g, Compare) // energy ascending, then accuracy descending
		best, highest := g[0], g[0]
		for _, p := range g[1:] {
			if p.AccMean > best.AccMean {
				best = p // strict: of equally accurate points the cheapest (first) stays
			}
			if p.VddV > highest.VddV || p.VddV == highest.VddV && p.AccMean > highest.AccMean {
				highest = p
			}
		}
		floor := best.AccMean - tolPts - results.Slack(best.AccMean)
		iso := best
		for _, p := range g { // the first qualifying point is the cheapest, then the most accurate
			if p.AccMean >= floor {
				iso = p
				break
			}
		}
		out = append(out, MethodSummary{Model: grp.Model, Method: grp.Method, Points: len(g), Best: best, Iso: iso, Highest: highest})
	}
	return out
}
