// Package chipyield answers, for a sweep under chip faults, the question a chip maker asks: how
// low can the supply voltage go while a fraction Y of the chips keep an accuracy target? Every
// point of such a sweep carries its chips' accuracies (results.Point.ChipAccs, the same chips at
// every voltage). Yields finds, per model and method, each chip's V_min, the yield against the
// voltage with Clopper–Pearson bounds, and the lowest voltage at which the yield is reached;
// AtYield turns the points into the accuracy that a fraction Y of the chips reach, whose Pareto
// frontier (package pareto) is the frontier at that yield.
package chipyield

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"

	"cosim/results"
)

// ChipYield is the V_min analysis of one model and method under chip faults.
//
// Chip c passes at a swept voltage V when its accuracy is at least the target at V and at every
// swept voltage above V; its V_min is the lowest voltage at which it passes (NaN when it misses
// the target at the highest one). Passing[i] counts the chips passing at Voltages[i], so
// Passing/Chips is the empirical yield at V and, as a function of V, the ECDF of the chips' V_min;
// it never falls as V rises.
//
// YieldLow and YieldHigh are the two-sided Clopper–Pearson interval (level Confidence) of the
// true yield at each voltage, from Passing[i] of Chips: the Beta(k, n−k+1) quantile at
// (1−level)/2 and the Beta(k+1, n−k) quantile at (1+level)/2 (0 for k = 0, 1 for k = n).
//
// VminV is the lowest swept voltage whose empirical yield reaches Yield. [VminLowV, VminHighV] is
// a confidence interval for the true V_min on the grid (the lowest swept voltage whose true yield
// reaches Yield): VminLowV is the lowest voltage whose upper bound reaches Yield (below it the
// data rule out the yield) and VminHighV the lowest whose lower bound does (from it on the data
// show the yield). Because the counts never fall as V rises, each end errs with probability at
// most (1−level)/2, so the interval covers the true V_min with probability at least level.
// VminHighV is the conservative choice: a voltage shown to reach the yield. NaN means the grid
// has no such voltage — for VminHighV typically too few chips: with all n chips passing the
// lower bound is ((1−level)/2)^(1/n), which reaches Y only for n ≥ ln((1−level)/2)/ln Y
// (ChipsNeeded). Energies are those of the points at these voltages (NaN where the voltage is).
//
// The chip accuracies are Monte Carlo estimates (on a subset of images, for the subset
// protocol); the intervals count chips, not that estimation noise.
type ChipYield struct {
	Model, Method string
	Chips         int
	Voltages      []float64
	Passing       []int
	YieldLow      []float64
	YieldHigh     []float64
	ChipVminV     []float64

	VminV, VminLowV, VminHighV float64
	EnergyPJ, EnergyHighPJ     float64 // at VminV and VminHighV
	// NominalPJ is the energy at NominalV: the report's nominal energy of this model and method,
	// or else that of its highest swept voltage.
	NominalV, NominalPJ float64
}

// SavingPct is the energy saved at VminV against the nominal supply, in percent (NaN if VminV is).
func (c ChipYield) SavingPct() float64 { return 100 * (1 - c.EnergyPJ/c.NominalPJ) }

// SavingHighPct is the energy saved at the conservative VminHighV, in percent.
func (c ChipYield) SavingHighPct() float64 { return 100 * (1 - c.EnergyHighPJ/c.NominalPJ) }

// At returns the chips passing at swept voltage v and the Clopper–Pearson interval of the yield
// there; ok is false when v was not swept (NaN included).
func (c ChipYield) At(v float64) (passing int, lo, hi float64, ok bool) {
	i := slices.Index(c.Voltages, v)
	if i < 0 {
		return 0, 0, 0, false
	}
	return c.Passing[i], c.YieldLow[i], c.YieldHigh[i], true
}

// ChipsNeeded is the least number of chips for which a Clopper–Pearson lower bound (two-sided
// interval at level) can reach the yield y at all: all chips passing gives ((1−level)/2)^(1/n).
func ChipsNeeded(y, level float64) int {
	if y >= 1 {
		return math.MaxInt
	}
	return int(math.Ceil(math.Log((1-level)/2) / math.Log(y)))
}

// ClopperPearson is the two-sided Clopper–Pearson interval at level for a binomial proportion
// with k successes in n trials.
func ClopperPearson(k, n int, level float64) (lo, hi float64) {
	a := (1 - level) / 2
	lo, hi = 0, 1
	if k > 0 {
		lo = distuv.Beta{Alpha: float64(k), Beta: float64(n - k + 1)}.Quantile(a)
	}
	if k < n {
		hi = distuv.Beta{Alpha: float64(k + 1), Beta: float64(n - k)}.Quantile(1 - a)
	}
	return lo, hi
}

// Yields analyses every (model, method) of r at y (see ChipYield); every point must carry
// ChipAccs.
func Yields(r results.Report, y results.YieldSpec) ([]ChipYield, error) {
	if err := y.Validate(); err != nil {
		return nil, err
	}
	gs, err := results.ChipGroups(r.Points)
	if err != nil {
		return nil, fmt.Errorf("chipyield: %w", err)
	}
	level := y.Level()
	var out []ChipYield
	for _, g := range gs {
		pts := g.Points
		n := len(pts[0].ChipAccs)
		c := ChipYield{Model: g.Model, Method: g.Method, Chips: n, ChipVminV: make([]float64, n),
			VminV: math.NaN(), VminLowV: math.NaN(), VminHighV: math.NaN(), EnergyPJ: math.NaN(), EnergyHighPJ: math.NaN()}
		for chip := range n {
			c.ChipVminV[chip] = math.NaN()
			for i := len(pts) - 1; i >= 0 && pts[i].ChipAccs[chip] >= y.TargetPct; i-- {
				c.ChipVminV[chip] = pts[i].VddV
			}
		}
		for _, p := range pts {
			k := 0
			for _, v := range c.ChipVminV {
				if v <= p.VddV { // NaN never is
					k++
				}
			}
			lo, hi := ClopperPearson(k, n, level)
			c.Voltages, c.Passing = append(c.Voltages, p.VddV), append(c.Passing, k)
			c.YieldLow, c.YieldHigh = append(c.YieldLow, lo), append(c.YieldHigh, hi)
		}
		// The lowest voltage meeting a condition that, once met, holds at every higher voltage.
		lowest := func(ok func(i int) bool) (float64, float64) {
			for i := range pts {
				if ok(i) {
					return pts[i].VddV, pts[i].EnergyPJ
				}
			}
			return math.NaN(), math.NaN()
		}
		c.VminV, c.EnergyPJ = lowest(func(i int) bool { return float64(c.Passing[i]) >= y.Yield*float64(n) })
		c.VminLowV, _ = lowest(func(i int) bool { return c.YieldHigh[i] >= y.Yield })
		c.VminHighV, c.EnergyHighPJ = lowest(func(i int) bool { return c.YieldLow[i] >= y.Yield })
		top := pts[len(pts)-1]
		c.NominalV, c.NominalPJ = top.VddV, top.EnergyPJ
		for _, nom := range r.Nominal {
			if nom.Model == g.Model && nom.Method == g.Method {
				c.NominalV, c.NominalPJ = nom.VddV, nom.EnergyPJ
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// AtYield returns the chip points of r with each point's accuracy replaced by the accuracy that
// at least a fraction y of its chips reach: the ⌈y·n⌉-th highest chip accuracy. Its confidence
// interval is the distribution-free order-statistic interval of that (1−y) quantile at level
// (0 below the lowest chip when the chips are too few for a lower bound). The Pareto frontier of
// these points is the frontier at yield y.
func AtYield(r results.Report, y, level float64) ([]results.Point, error) {
	if err := (results.YieldSpec{TargetPct: 100, Yield: y, Confidence: level}).Validate(); err != nil {
		return nil, err
	}
	gs, err := results.ChipGroups(r.Points)
	if err != nil {
		return nil, fmt.Errorf("chipyield: %w", err)
	}
	var out []results.Point
	for _, g := range gs {
		for _, p := range g.Points {
			accs := slices.Clone(p.ChipAccs)
			slices.Sort(accs)
			n := len(accs)
			k := n - int(math.Ceil(y*float64(n)-1e-9)) // 0-based index of the quantile
			q := 1 - y
			bin := distuv.Binomial{N: float64(n), P: q}
			// Order statistics x_(l) ≤ quantile ≤ x_(u) (1-based) with P(B < l) ≤ a and P(B ≥ u) ≤ a.
			a := (1 - level) / 2
			lo, hi := 0.0, 100.0
			for l := n; l >= 1; l-- {
				if bin.CDF(float64(l-1)) <= a {
					lo = accs[l-1]
					break
				}
			}
			for u := 1; u <= n; u++ {
				if 1-bin.CDF(float64(u-1)) <= a {
					hi = accs[u-1]
					break
				}
			}
			p.AccMean = accs[k]
			p.CILow, p.CIHigh = math.Min(lo, p.AccMean), math.Max(hi, p.AccMean)
			out = append(out, p)
		}
	}
	return out, nil
}
