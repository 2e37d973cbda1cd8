package pareto

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"

	"gonum.org/v1/gonum/stat/distuv"
)

// YieldSpec asks for the lowest supply voltage at which a fraction Yield of chips keep at least
// TargetPct accuracy (a sweep under chip faults, whose points carry ChipAccs).
type YieldSpec struct {
	TargetPct float64 `json:"target_pct"` // accuracy target A, percent, in (0, 100]
	Yield     float64 `json:"yield"`      // fraction Y of chips, in (0, 1]
	// Confidence is the level of the two-sided Clopper–Pearson intervals, in (0, 1) (0.95 when
	// zero).
	Confidence float64 `json:"confidence,omitempty"`
}

// DefaultYieldConfidence is the confidence level of the yield intervals when a YieldSpec does not
// give one.
const DefaultYieldConfidence = 0.95

// Level returns the confidence level, with the default filled in.
func (y YieldSpec) Level() float64 {
	if y.Confidence == 0 {
		return DefaultYieldConfidence
	}
	return y.Confidence
}

// Validate checks the target, the yield and the confidence level.
func (y YieldSpec) Validate() error {
	if err := y.check(); err != nil {
		return err
	}
	return nil
}

func (y YieldSpec) check() *FieldError {
	switch {
	case !(y.TargetPct > 0 && y.TargetPct <= 100):
		return fieldErr("target_pct", "accuracy target %v%% is outside (0, 100]", y.TargetPct)
	case !(y.Yield > 0 && y.Yield <= 1):
		return fieldErr("yield", "yield %v is outside (0, 1]", y.Yield)
	case math.IsNaN(y.Confidence) || y.Confidence < 0 || y.Confidence >= 1:
		return fieldErr("confidence", "confidence level %v is outside (0, 1)", y.Confidence)
	}
	return nil
}

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

// chipGroups returns the chip points of r by (model, method), each sorted by voltage, and an
// error if a group mixes points with and without chip accuracies or with different chip counts.
func chipGroups(r Report) ([]group, error) {
	var out []group
	for _, g := range groups(r.Points) {
		pts := slices.Clone(g.Points)
		sort.Slice(pts, func(i, j int) bool { return pts[i].VddV < pts[j].VddV })
		n := len(pts[0].ChipAccs)
		for _, p := range pts {
			if len(p.ChipAccs) != n || n == 0 {
				return nil, fmt.Errorf("%s %s at %g V has %d chip accuracies (%d at %g V); a yield needs a sweep under chip faults, with the same chips at every voltage",
					p.Model, p.Method, p.VddV, len(p.ChipAccs), n, pts[0].VddV)
			}
		}
		g.Points = pts
		out = append(out, g)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the report has no operating points")
	}
	return out, nil
}

// Yields analyses every (model, method) of r at y (see ChipYield); every point must carry
// ChipAccs.
func Yields(r Report, y YieldSpec) ([]ChipYield, error) {
	if err := y.Validate(); err != nil {
		return nil, err
	}
	gs, err := chipGroups(r)
	if err != nil {
		return nil, fmt.Errorf("pareto: %w", err)
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
func AtYield(r Report, y, level float64) ([]Point, error) {
	if err := (YieldSpec{TargetPct: 100, Yield: y, Confidence: level}).Validate(); err != nil {
		return nil, err
	}
	gs, err := chipGroups(r)
	if err != nil {
		return nil, fmt.Errorf("pareto: %w", err)
	}
	var out []Point
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

// yieldRow is one row of the V_min table of the HTML page.
type yieldRow struct {
	Model, Method, Chips                string
	VminV, Interval, AtVmin             string
	EnergyUJ, Saving                    string
	VminHighV, EnergyHighUJ, SavingHigh string
}

// fmtVolt formats a voltage of the yield table ("not reached" for NaN).
func fmtVolt(v float64) string {
	if math.IsNaN(v) {
		return "not reached"
	}
	return fmtSig(v, 4)
}

func fmtMaybe(v float64, f func(float64) string) string {
	if math.IsNaN(v) {
		return "–"
	}
	return f(v)
}

// yieldPage builds the yield part of the HTML page: the accuracy-at-yield chart with its
// frontier, one chart per model of the yield against V (the ECDF of the chips' V_min) with its
// lower confidence bound, one of the histogram of the chips' V_min, and the table rows.
func yieldPage(r Report) ([]section, []pageChart, []yieldRow, error) {
	y := r.Yield
	ys, err := Yields(r, y)
	if err != nil {
		return nil, nil, nil, err
	}
	at, err := AtYield(r, y.Yield, y.Level())
	if err != nil {
		return nil, nil, nil, err
	}
	pct := func(f float64) string { return fmtSig(100*f, 4) + "%" }
	lvl := pct(y.Level())
	var secs []section
	var chs []pageChart
	ch := accEnergyChart("cosim_acc_energy_yield", "Accuracy at "+pct(y.Yield)+" yield vs energy per inference",
		"accuracy that at least "+pct(y.Yield)+" of the chips reach; black staircase: its Pareto frontier", groups(at), Frontier(at), "")
	chs = append(chs, ch)
	secs = append(secs, section{ID: "acc-energy-yield", Heading: "Accuracy at " + pct(y.Yield) + " yield vs energy per inference",
		Caption: "Each point's accuracy is the one at least " + pct(y.Yield) + " of its chips reach (the ⌈Y·n⌉-th best chip), with a " + lvl +
			" distribution-free interval of that quantile; the frontier is drawn at this yield instead of the mean.",
		ChartID: ch.ID, Height: ch.Height})
	var models []string
	for _, c := range ys {
		if !slices.Contains(models, c.Model) {
			models = append(models, c.Model)
		}
	}
	for i, m := range models {
		ecdf := Curve{Title: "Yield vs supply voltage: " + m, XLabel: "V_DD (V)", YLabel: "fraction of chips"}
		hist := Curve{Title: "Per-chip V_min: " + m, XLabel: "V_min (V)", YLabel: "chips"}
		for _, c := range ys {
			if c.Model != m {
				continue
			}
			name := c.Method
			if name == "" {
				name = c.Model
			}
			obs := Series{Name: name + ": chips keeping " + fmtSig(y.TargetPct, 4) + "%", X: c.Voltages}
			for _, k := range c.Passing {
				obs.Y = append(obs.Y, float64(k)/float64(c.Chips))
			}
			low := Series{Name: name + ": " + lvl + " lower bound", X: c.Voltages, Y: c.YieldLow}
			counts := Series{Name: name, X: c.Voltages}
			prev := 0
			for _, k := range c.Passing {
				counts.Y = append(counts.Y, float64(k-prev))
				prev = k
			}
			ecdf.Series = append(ecdf.Series, obs, low)
			hist.Series = append(hist.Series, counts)
		}
		if len(ys) > 0 {
			vs := ys[0].Voltages
			ecdf.Series = append(ecdf.Series, Series{Name: "target yield " + pct(y.Yield), X: []float64{vs[0], vs[len(vs)-1]}, Y: []float64{y.Yield, y.Yield}})
		}
		for j, cv := range []Curve{ecdf, hist} {
			ch, _, _ := curveChart(fmt.Sprintf("cosim_yield_%d_%d", i, j), cv)
			chs = append(chs, ch)
			caption := "The fraction of chips that keep at least " + fmtSig(y.TargetPct, 4) + "% accuracy at V and at every swept voltage above it: the ECDF of the chips' V_min, with the lower end of its " + lvl + " Clopper–Pearson interval."
			if j == 1 {
				caption = "How many chips have each V_min (the lowest swept voltage from which the chip keeps at least " + fmtSig(y.TargetPct, 4) + "% at every voltage above); chips that miss the target at the highest voltage are not drawn."
			}
			secs = append(secs, section{ID: fmt.Sprintf("yield-%d-%d", i, j), Heading: cv.Title, Caption: caption, ChartID: ch.ID, Height: ch.Height})
		}
	}
	var rows []yieldRow
	for _, c := range ys {
		rows = append(rows, yieldRow{
			Model: c.Model, Method: c.Method, Chips: strconv.Itoa(c.Chips),
			VminV:        fmtVolt(c.VminV),
			Interval:     fmtVolt(c.VminLowV) + " – " + fmtVolt(c.VminHighV),
			AtVmin:       "–",
			EnergyUJ:     fmtMaybe(c.EnergyPJ, func(v float64) string { return fmtSig(pjToUJ(v), 5) }),
			Saving:       fmtMaybe(c.SavingPct(), func(v float64) string { return fmtFixed(v, 1) }),
			VminHighV:    fmtVolt(c.VminHighV),
			EnergyHighUJ: fmtMaybe(c.EnergyHighPJ, func(v float64) string { return fmtSig(pjToUJ(v), 5) }),
			SavingHigh:   fmtMaybe(c.SavingHighPct(), func(v float64) string { return fmtFixed(v, 1) }),
		})
	}
	for i, c := range ys {
		if k, lo, hi, ok := c.At(c.VminV); ok {
			rows[i].AtVmin = fmt.Sprintf("%d of %d (%s – %s)", k, c.Chips, pct(lo), pct(hi))
		}
	}
	return secs, chs, rows, nil
}
