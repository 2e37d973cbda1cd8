package report

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"

	"cosim/chipyield"
	"cosim/mc/accuracy"
	"cosim/pareto"
	"cosim/results"
)

// How the HTML page is put together, and why not with go-echarts' own renderer.
//
// The charts are built with go-echarts (charts.NewScatter/NewLine/NewBar, opts.*), and their
// option objects are taken with chart.JSON(). go-echarts' page template is not used: it pastes the
// option JSON into a <script> element unescaped (json.Encoder with SetEscapeHTML(false), inserted
// as template.JS), so a model named "</script><b>x" would end the script; it turns any string
// containing "__f__" into raw JavaScript; it loads ECharts from a CDN; and it draws random chart
// IDs. Here instead:
//   - every chart option, with all user strings, goes into one <script type="application/json">
//     block written by encoding/json with HTML escaping on (<, >, & become \u003c, \u003e,
//     \u0026, and U+2028/U+2029 are escaped too), so no user string can close the element;
//   - a fixed page script (assets/report.js) parses that block, attaches the tooltip formatters
//     (which HTML-escape every string they show) and the error-bar renderer, and draws the charts;
//   - text outside scripts (title, notes, table) goes through html/template's escaping;
//   - the ECharts script is inlined from the embedded asset, and chart IDs are fixed names, so the
//     page works offline and the output is a deterministic function of the Report.

// palette holds the series colours, assigned to (model, method) groups in sorted order and reused
// cyclically (ECharts 5 default palette).
var palette = []string{
	"#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de",
	"#3ba272", "#fc8452", "#9a60b4", "#ea7ccc",
}

const frontierColor = "#111111"

// pointMeta is what the tooltip of one operating point shows (report.js pointTip).
type pointMeta struct {
	Model    string  `json:"model"`
	Method   string  `json:"method"`
	VddV     float64 `json:"vdd_v"`
	BER      float64 `json:"ber"`
	EnergyUJ float64 `json:"energy_uj"`
	accuracy.Stats
}

type seriesMeta struct {
	Frontier   bool        `json:"frontier,omitempty"`
	FrontierOf string      `json:"frontier_of,omitempty"` // model of a per-model frontier
	Points     []pointMeta `json:"points"`
}

type pointsMeta struct {
	Series []seriesMeta `json:"series"`
	LogX   bool         `json:"log_x,omitempty"` // the x axis is log10 of the BER (decadeAxisX)
}

// berMeta marks the BER chart's y axis as log10 of the BER (decadeAxisY).
type berMeta struct {
	LogY bool `json:"log_y"`
}

type sharesMeta struct {
	Views []breakdownView `json:"views"`
}

// breakdownView is one choice of the breakdown chart's selector: the bars of one breakdown list,
// in µJ per inference, split into dynamic and leakage energy where the report gives the split
// (Other holds the energy of bars without one).
type breakdownView struct {
	Label   string    `json:"label"`
	Names   []string  `json:"names"`
	Dynamic []float64 `json:"dynamic"`
	Leakage []float64 `json:"leakage"`
	Other   []float64 `json:"other"`
	TotalUJ float64   `json:"total_uj"`
}

// newBreakdownView converts shares to a view.
func newBreakdownView(label string, shares []results.Share) breakdownView {
	v := breakdownView{Label: label}
	for _, s := range shares {
		v.Names = append(v.Names, s.Name)
		dyn, leak, other := pjToUJ(s.DynamicPJ), pjToUJ(s.LeakagePJ), 0.0
		if !s.Split() {
			other = pjToUJ(s.PJ)
		}
		v.Dynamic, v.Leakage, v.Other = append(v.Dynamic, dyn), append(v.Leakage, leak), append(v.Other, other)
		v.TotalUJ += pjToUJ(s.PJ)
	}
	return v
}

// curveMeta is what the tooltip of a Curve's point shows besides the series name and values.
type curveMeta struct {
	XLabel string `json:"x_label"`
	YLabel string `json:"y_label"`
}

// pageChart is one chart in the JSON data block: report.js draws Option into the element ID and
// picks the tooltip by Kind ("points", "ber", "shares" or "curve").
type pageChart struct {
	ID     string         `json:"id"`
	Kind   string         `json:"kind"`
	Option map[string]any `json:"option"`
	Meta   any            `json:"meta,omitempty"`
	Height string         `json:"-"` // CSS height of the chart element
}

// section is one titled block of the page: a chart, or a message when there is nothing to draw.
type section struct {
	ID      string
	Heading string
	Caption string
	ChartID string // empty: show Empty instead
	Height  string // CSS height of the chart element
	Empty   string
	// Select lists the views of a chart that has a selector (element ChartID + "_select").
	Select []selectOption
}

type selectOption struct{ Value, Label string }


type page struct {
	Title    string
	Arch     string
	Notes    []string
	Sections []section
	Tables   bool // show the frontier and method tables (or their empty-state text)
	Frontier []results.Point // the frontier table, by energy ascending
	// ProtocolCols adds the protocol and images columns to the frontier table (some point has one).
	ProtocolCols bool
	Methods      []pareto.MethodSummary // the iso-accuracy table
	IsoTolPts    string
	// Yield holds the V_min table (Report.Yield); YieldSpec says at what target and yield.
	Yield     []yieldRow
	YieldSpec string
	YieldNeed string
	Data      template.JS
	ECharts   template.JS
	ReportJS  template.JS
}

func pjToUJ(pj float64) float64 { return pj / 1e6 }

func toMeta(p results.Point) pointMeta {
	return pointMeta{Model: p.Model, Method: p.Method, VddV: p.VddV, BER: p.BER, EnergyUJ: pjToUJ(p.EnergyPJ), Stats: p.Stats}
}

// group is the points of one (model, method) pair and its colour.
type group struct {
	results.Group
	Color string
}

// groups splits pts by (model, method) (results.Groups); colours follow that order.
func groups(pts []results.Point) []group {
	var out []group
	for i, g := range results.Groups(pts) {
		out = append(out, group{Group: g, Color: palette[i%len(palette)]})
	}
	return out
}

func initOpts(id, height string) charts.GlobalOpts {
	return charts.WithInitializationOpts(opts.Initialization{ChartID: id, Width: "100%", Height: height})
}

// chartHeights are the CSS heights of the chart elements, by kind of chart.
const (
	heightTall  = "560px"
	heightShort = "470px"
)

// common options for every chart: no animation (the page is a static report, and screenshots
// must not catch a half-drawn chart), item tooltips, a scrolling legend at the bottom.
func commonOpts(title, subtitle string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithAnimation(false),
		charts.WithTitleOpts(opts.Title{Title: title, Subtitle: subtitle, Left: "center"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Type: "scroll", Bottom: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "70", Right: "40", Top: "70", Bottom: "80", ContainLabel: opts.Bool(true)}),
	}
}

func valueAxisX(name, kind string) opts.XAxis {
	return opts.XAxis{Type: kind, Name: name, NameLocation: "middle", NameGap: 30, Scale: opts.Bool(true),
		SplitLine: &opts.SplitLine{Show: opts.Bool(true)}}
}

func valueAxisY(name, kind string) opts.YAxis {
	return opts.YAxis{Type: kind, Name: name, NameLocation: "middle", NameGap: 55, Scale: opts.Bool(true)}
}

// decades returns the exponents of the powers of ten around the positive values (10^lo ≤ min,
// max ≤ 10^hi, hi > lo); ok is false when there is no positive value.
func decades(values []float64) (lo, hi int, ok bool) {
	minE, maxE := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if v > 0 && !math.IsInf(v, 0) {
			e := math.Log10(v)
			minE, maxE = math.Min(minE, math.Floor(e)), math.Max(maxE, math.Ceil(e))
		}
	}
	if math.IsInf(minE, 1) {
		return 0, 0, false
	}
	if maxE == minE {
		maxE++
	}
	return int(minE), int(maxE), true
}

// decadeAxisY and decadeAxisX make a bit-error-rate axis: a value axis over log10 of the
// values, fixed to whole decades around them with a tick and a grid line per decade (an ECharts
// log axis labels only every tenth decade once it spans more than ten), labelled 1eN by the page
// script (meta log_x / log_y). Data on it must be passed through log10.
func decadeAxisY(name string, values []float64) opts.YAxis {
	a := valueAxisY(name, "value")
	if lo, hi, ok := decades(values); ok {
		a.Min, a.Max, a.MinInterval, a.MaxInterval, a.Scale = lo, hi, 1, 1, opts.Bool(false)
	}
	return a
}

func decadeAxisX(name string, values []float64) opts.XAxis {
	a := valueAxisX(name, "value")
	if lo, hi, ok := decades(values); ok {
		a.Min, a.Max, a.MinInterval, a.MaxInterval, a.Scale = lo, hi, 1, 1, opts.Bool(false)
	}
	return a
}

// berValues collects the bit error rates a BER axis must show.
func berValues(curve, measured []results.BERPoint, pts []results.Point) []float64 {
	var out []float64
	for _, b := range curve {
		out = append(out, b.BER)
	}
	for _, b := range measured {
		out = append(out, b.BER)
	}
	for _, p := range pts {
		out = append(out, p.BER)
	}
	return out
}

func allPoints(gs []group) []results.Point {
	var out []results.Point
	for _, g := range gs {
		out = append(out, g.Points...)
	}
	return out
}

// optionOf finalises a go-echarts chart and returns its ECharts option object.
func optionOf(c interface {
	Validate()
	JSON() map[string]interface{}
}) map[string]any {
	c.Validate()
	return c.JSON()
}

// accEnergyChart is chart 1: accuracy vs energy per inference, one scatter series per (model,
// method), plus the frontier of those points as a staircase line. frontierOf is "" for the
// global chart, else the model whose own chart this is (its name goes into the tooltips).
func accEnergyChart(id, title, subtitle string, gs []group, frontier []results.Point, frontierOf string) pageChart {
	c := charts.NewScatter()
	c.SetGlobalOptions(append(commonOpts(title, subtitle),
		initOpts(id, heightTall),
		charts.WithXAxisOpts(valueAxisX("energy per inference (µJ)", "value")),
		charts.WithYAxisOpts(valueAxisY("accuracy (%)", "value")),
	)...)
	var meta pointsMeta
	for _, g := range gs {
		pts := slices.Clone(g.Points)
		slices.SortStableFunc(pts, pareto.Compare)
		data := make([]opts.ScatterData, len(pts))
		sm := seriesMeta{Points: make([]pointMeta, len(pts))}
		for i, p := range pts {
			data[i] = opts.ScatterData{Value: []float64{pjToUJ(p.EnergyPJ), p.AccMean}}
			sm.Points[i] = toMeta(p)
		}
		c.AddSeries(g.Name(), data,
			charts.WithItemStyleOpts(opts.ItemStyle{Color: g.Color, Opacity: opts.Float(0.85)}),
			charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.SymbolSize = 9 }))
		// The 95% CI of each mean as an error bar; the same name makes the legend toggle both.
		bars := make([][]float64, len(pts))
		for i, p := range pts {
			bars[i] = []float64{pjToUJ(p.EnergyPJ), p.CILow, p.CIHigh}
		}
		c.MultiSeries = append(c.MultiSeries, charts.SingleSeries{
			Name: g.Name(), Type: "custom", Data: bars, Color: g.Color,
			Encode:    &opts.Encode{X: 0, Y: []int{1, 2}},
			ItemStyle: &opts.ItemStyle{Color: g.Color},
		})
		meta.Series = append(meta.Series, sm, sm)
	}
	if len(frontier) > 0 {
		data := make([][]float64, len(frontier))
		sm := seriesMeta{Frontier: true, FrontierOf: frontierOf, Points: make([]pointMeta, len(frontier))}
		for i, p := range frontier {
			data[i] = []float64{pjToUJ(p.EnergyPJ), p.AccMean}
			sm.Points[i] = toMeta(p)
		}
		c.MultiSeries = append(c.MultiSeries, charts.SingleSeries{
			// Hollow markers, larger than the points, so the point beneath stays visible.
			Name: "Pareto frontier", Type: types.ChartLine, Data: data, Step: "end",
			Symbol: "emptyDiamond", SymbolSize: 16, Color: frontierColor,
			LineStyle: &opts.LineStyle{Color: frontierColor, Width: 2.5},
			ItemStyle: &opts.ItemStyle{Color: frontierColor},
		})
		meta.Series = append(meta.Series, sm)
	}
	return pageChart{ID: id, Kind: "points", Option: optionOf(c), Meta: meta, Height: heightTall}
}

// berChart is chart 2: BER vs supply voltage on a log axis, with the voltages that were swept.
// Points with BER = 0 cannot sit on a log axis and are left out (the caption says how many).
func berChart(curve, measured []results.BERPoint, pts []results.Point) (pageChart, int) {
	const id = "cosim_ber_vdd"
	omitted := 0
	c := charts.NewLine()
	c.SetGlobalOptions(append(commonOpts("Bit error rate vs supply voltage", "voltage-scaled weight memories"),
		initOpts(id, heightShort),
		charts.WithXAxisOpts(valueAxisX("supply voltage V_DD (V)", "value")),
		charts.WithYAxisOpts(decadeAxisY("bit error rate", berValues(curve, measured, pts))),
	)...)
	sorted := slices.Clone(curve)
	slices.SortStableFunc(sorted, func(a, b results.BERPoint) int { return cmp.Compare(a.VddV, b.VddV) })
	var data []opts.LineData
	for _, b := range sorted {
		if b.BER <= 0 {
			omitted++
			continue
		}
		data = append(data, opts.LineData{Value: []float64{b.VddV, math.Log10(b.BER)}})
	}
	c.AddSeries("BER(V)", data,
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true)}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: palette[0]}))
	// The distinct (V, BER) pairs the operating points were evaluated at.
	seen := map[[2]float64]bool{}
	var swept [][]float64
	for _, p := range pts {
		k := [2]float64{p.VddV, p.BER}
		if seen[k] {
			continue
		}
		seen[k] = true
		if p.BER <= 0 {
			omitted++
			continue
		}
		swept = append(swept, []float64{p.VddV, math.Log10(p.BER)})
	}
	slices.SortFunc(swept, func(a, b []float64) int {
		if c := cmp.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return cmp.Compare(a[1], b[1])
	})
	if len(swept) > 0 {
		c.MultiSeries = append(c.MultiSeries, charts.SingleSeries{
			Name: "swept operating points", Type: types.ChartScatter, Data: swept,
			Symbol: "circle", SymbolSize: 10, Color: palette[3],
			ItemStyle: &opts.ItemStyle{Color: palette[3]},
		})
	}
	if len(measured) > 0 {
		var data [][]float64
		for _, b := range measured {
			data = append(data, []float64{b.VddV, math.Log10(b.BER)})
		}
		c.MultiSeries = append(c.MultiSeries, charts.SingleSeries{
			Name: "measured (BER(V) fitted to these)", Type: types.ChartScatter, Data: data,
			Symbol: "diamond", SymbolSize: 11, Color: palette[1],
			ItemStyle: &opts.ItemStyle{Color: palette[1]},
		})
	}
	return pageChart{ID: id, Kind: "ber", Option: optionOf(c), Meta: berMeta{LogY: true}, Height: heightShort}, omitted
}

// accBERChart is chart 3: accuracy vs BER (log axis) per (model, method): the mean as a line and
// the 95% confidence interval of the mean as error bars. Points with BER = 0 are left out.
func accBERChart(gs []group) (pageChart, int) {
	const id = "cosim_acc_ber"
	omitted := 0
	c := charts.NewLine()
	c.SetGlobalOptions(append(commonOpts("Accuracy vs bit error rate",
		"line: mean accuracy; error bars: 95% confidence interval of the mean"),
		initOpts(id, heightTall),
		charts.WithXAxisOpts(decadeAxisX("bit error rate", berValues(nil, nil, allPoints(gs)))),
		charts.WithYAxisOpts(valueAxisY("accuracy (%)", "value")),
	)...)
	meta := pointsMeta{LogX: true}
	for _, g := range gs {
		var pts []results.Point
		for _, p := range g.Points {
			if p.BER > 0 {
				pts = append(pts, p)
			} else {
				omitted++
			}
		}
		if len(pts) == 0 {
			continue
		}
		slices.SortStableFunc(pts, func(a, b results.Point) int {
			if c := cmp.Compare(a.BER, b.BER); c != 0 {
				return c
			}
			return cmp.Compare(a.VddV, b.VddV)
		})
		line := make([]opts.LineData, len(pts))
		bars := make([][]float64, len(pts))
		sm := seriesMeta{Points: make([]pointMeta, len(pts))}
		for i, p := range pts {
			line[i] = opts.LineData{Value: []float64{math.Log10(p.BER), p.AccMean}}
			bars[i] = []float64{math.Log10(p.BER), p.CILow, p.CIHigh}
			sm.Points[i] = toMeta(p)
		}
		c.AddSeries(g.Name(), line,
			charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true)}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: g.Color}),
			charts.WithLineStyleOpts(opts.LineStyle{Color: g.Color, Width: 2}))
		// Same name: the legend toggles the line and its error bars together.
		c.MultiSeries = append(c.MultiSeries, charts.SingleSeries{
			Name: g.Name(), Type: "custom", Data: bars, Color: g.Color,
			Encode:    &opts.Encode{X: 0, Y: []int{1, 2}},
			ItemStyle: &opts.ItemStyle{Color: g.Color},
		})
		meta.Series = append(meta.Series, sm, sm)
	}
	return pageChart{ID: id, Kind: "points", Option: optionOf(c), Meta: meta, Height: heightTall}, omitted
}

// breakdownChart is chart 4: the energy breakdowns as one stacked bar chart (dynamic, leakage,
// and energy without a split), showing the first view; the page's selector switches views.
func breakdownChart(id string, views []breakdownView) pageChart {
	c := charts.NewBar()
	v := views[0]
	c.SetGlobalOptions(append(commonOpts(v.Label, fmt.Sprintf("total %s µJ per inference", fmtSig(v.TotalUJ, 4))),
		initOpts(id, heightShort),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Rotate: 35, Interval: "0"}}),
		charts.WithYAxisOpts(valueAxisY("energy per inference (µJ)", "value")),
	)...)
	bars := func(xs []float64) []opts.BarData {
		out := make([]opts.BarData, len(xs))
		for i, x := range xs {
			out[i] = opts.BarData{Value: x}
		}
		return out
	}
	c.SetXAxis(v.Names).
		AddSeries("dynamic", bars(v.Dynamic), charts.WithBarChartOpts(opts.BarChart{Stack: "energy"}), charts.WithItemStyleOpts(opts.ItemStyle{Color: palette[0]})).
		AddSeries("leakage", bars(v.Leakage), charts.WithBarChartOpts(opts.BarChart{Stack: "energy"}), charts.WithItemStyleOpts(opts.ItemStyle{Color: palette[2]})).
		AddSeries("energy (no split given)", bars(v.Other), charts.WithBarChartOpts(opts.BarChart{Stack: "energy"}), charts.WithItemStyleOpts(opts.ItemStyle{Color: palette[4]}))
	return pageChart{ID: id, Kind: "shares", Option: optionOf(c), Meta: sharesMeta{Views: views}, Height: heightShort}
}

// curveChart draws one Curve as a line chart. Points that cannot sit on a logarithmic axis
// (value <= 0) are left out and counted; a series left with no point is not drawn at all.
// drawn is the number of series drawn.
func curveChart(id string, cv results.Curve) (ch pageChart, omitted, drawn int) {
	axis := func(log bool) string {
		if log {
			return "log"
		}
		return "value"
	}
	c := charts.NewLine()
	c.SetGlobalOptions(append(commonOpts(cv.Title, ""),
		initOpts(id, heightShort),
		charts.WithXAxisOpts(valueAxisX(cv.XLabel, axis(cv.LogX))),
		charts.WithYAxisOpts(valueAxisY(cv.YLabel, axis(cv.LogY))),
	)...)
	for i, s := range cv.Series {
		var data []opts.LineData
		for k := range s.X {
			if cv.LogX && s.X[k] <= 0 || cv.LogY && s.Y[k] <= 0 {
				omitted++
				continue
			}
			data = append(data, opts.LineData{Value: []float64{s.X[k], s.Y[k]}})
		}
		if len(data) == 0 {
			continue
		}
		color := palette[i%len(palette)]
		c.AddSeries(s.Name, data,
			charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true)}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: color}),
			charts.WithLineStyleOpts(opts.LineStyle{Color: color, Width: 2}))
		drawn++
	}
	meta := curveMeta{XLabel: cv.XLabel, YLabel: cv.YLabel}
	return pageChart{ID: id, Kind: "curve", Option: optionOf(c), Meta: meta, Height: heightShort}, omitted, drawn
}

// logOmitted is the caption sentence for n points of a curve left off its logarithmic axes.
func logOmitted(n int, logX, logY bool) string {
	var cond, axes string
	switch {
	case logX && logY:
		cond, axes = "x ≤ 0 or y ≤ 0", "axes"
	case logX:
		cond, axes = "x ≤ 0", "x axis"
	default:
		cond, axes = "y ≤ 0", "y axis"
	}
	return plural(n, "point with "+cond+" is", "points with "+cond+" are") + " not drawn on the logarithmic " + axes + "."
}

func fmtSig(v float64, digits int) string { return strconv.FormatFloat(v, 'g', digits, 64) }

func fmtFixed(v float64, decimals int) string { return strconv.FormatFloat(v, 'f', decimals, 64) }

func fmtBER(v float64) string {
	if v == 0 {
		return "0"
	}
	return strconv.FormatFloat(v, 'e', 2, 64)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// buildPage lays out the report; the charts' options and metadata go into the JSON data block.
//
// Order: accuracy vs energy (global frontier), one such chart per model when there is more than
// one, BER vs V, accuracy vs BER, the breakdowns, the curves, then the frontier and method tables.
// When the report has curves, built-in sections with nothing to draw (and the tables, if there are
// no points) are left out instead of showing empty-state messages, so a report of curves alone
// (for example the α* analysis) shows just its curves.
func buildPage(r results.Report) (page, error) {
	pg := page{Title: r.Title, Arch: r.Arch, Notes: r.Notes, IsoTolPts: fmtSig(pareto.IsoAccuracyTolPts, 3)}
	if pg.Title == "" {
		pg.Title = "cosim report"
	}
	var chartsData []pageChart
	gs := groups(r.Points)
	frontier := pareto.Frontier(r.Points)
	// Built-in sections with nothing to draw say so, unless the report has curves.
	showEmpty := len(r.Curves) == 0

	add := func(sec section, ch *pageChart) {
		if ch != nil {
			chartsData = append(chartsData, *ch)
			sec.ChartID, sec.Height = ch.ID, ch.Height
		}
		if ch != nil || showEmpty || sec.Empty == "" {
			pg.Sections = append(pg.Sections, sec)
		}
	}

	sec := section{ID: "acc-energy", Heading: "Accuracy vs energy per inference",
		Caption: "Each marker is one operating point (one supply voltage) of one model and method; hover for V, BER and the 95% confidence interval."}
	if len(r.Points) > 0 {
		ch := accEnergyChart("cosim_acc_energy", "Accuracy vs energy per inference",
			"mean Monte Carlo accuracy; black staircase: Pareto frontier over all models and methods", gs, frontier, "")
		add(sec, &ch)
	} else {
		sec.Empty = "The report has no operating points."
		add(sec, nil)
	}

	// One chart per model, with that model's methods and its own frontier.
	var models []string
	for _, g := range gs {
		if len(models) == 0 || models[len(models)-1] != g.Model {
			models = append(models, g.Model)
		}
	}
	if len(models) > 1 {
		for i, m := range models {
			var mine []group
			var pts []results.Point
			for _, g := range gs {
				if g.Model == m {
					mine = append(mine, g)
					pts = append(pts, g.Points...)
				}
			}
			ch := accEnergyChart(fmt.Sprintf("cosim_acc_energy_model_%d", i), "Accuracy vs energy per inference: "+m,
				"black staircase: Pareto frontier of this model over its methods and voltages", mine, pareto.Frontier(pts), m)
			add(section{ID: fmt.Sprintf("acc-energy-model-%d", i), Heading: "Accuracy vs energy per inference: " + m,
				Caption: "The operating points of " + m + " only, with the Pareto frontier of its own methods and voltages (colours as above)."}, &ch)
		}
	}

	sec = section{ID: "ber-vdd", Heading: "Bit error rate vs supply voltage"}
	if len(r.BERCurve) > 0 || len(r.Points) > 0 {
		ch, omitted := berChart(r.BERCurve, r.BERMeasured, r.Points)
		if omitted > 0 {
			sec.Caption = plural(omitted, "point with BER = 0 is", "points with BER = 0 are") + " not drawn on the logarithmic axis."
		}
		add(sec, &ch)
	} else {
		sec.Empty = "The report has no BER curve."
		add(sec, nil)
	}

	sec = section{ID: "acc-ber", Heading: "Accuracy vs bit error rate",
		Caption: "Error bars: 95% confidence interval of the mean accuracy over the Monte Carlo trials (not min/max)."}
	if len(r.Points) > 0 {
		ch, omitted := accBERChart(gs)
		if omitted > 0 {
			sec.Caption += " " + plural(omitted, "point with BER = 0 is", "points with BER = 0 are") +
				" not drawn on the logarithmic axis (see the table)."
		}
		add(sec, &ch)
	} else {
		sec.Caption = ""
		sec.Empty = "The report has no operating points."
		add(sec, nil)
	}

	var views []breakdownView
	for _, b := range r.Breakdowns {
		at := fmt.Sprintf("%s at %s V", b.Model, fmtSig(b.VddV, 4))
		if b.Label != "" {
			at += " (" + b.Label + ")"
		}
		if len(b.Components) > 0 {
			views = append(views, newBreakdownView("Energy per component: "+at, b.Components))
		}
		if len(b.Layers) > 0 {
			views = append(views, newBreakdownView("Energy per layer: "+at, b.Layers))
		}
	}
	if len(views) > 0 {
		sec := section{ID: "breakdown", Heading: "Energy breakdown",
			Caption: "Energy per inference by component or by layer, for each model at the operating points the report gives; bars stack dynamic and leakage energy. Choose the view:"}
		for i, v := range views {
			sec.Select = append(sec.Select, selectOption{Value: strconv.Itoa(i), Label: v.Label})
		}
		ch := breakdownChart("cosim_breakdown", views)
		add(sec, &ch)
	}

	for i, cv := range r.Curves {
		key := strconv.Itoa(i)
		if cv.ID != "" {
			key = cv.ID
		}
		sec := section{ID: "curve-" + key, Heading: cv.Title, Caption: cv.Caption}
		ch, omitted, drawn := curveChart("cosim_curve_"+key, cv)
		if omitted > 0 {
			if sec.Caption != "" {
				sec.Caption += " "
			}
			sec.Caption += logOmitted(omitted, cv.LogX, cv.LogY)
		}
		if drawn > 0 {
			chartsData = append(chartsData, ch)
			sec.ChartID, sec.Height = ch.ID, ch.Height
		} else {
			sec.Empty = "This curve has no point to draw."
		}
		pg.Sections = append(pg.Sections, sec)
	}

	if r.Yield != (results.YieldSpec{}) {
		secs, chs, rows, err := yieldPage(r)
		if err != nil {
			return page{}, err
		}
		pg.Sections, chartsData, pg.Yield = append(pg.Sections, secs...), append(chartsData, chs...), rows
		y := r.Yield
		pg.YieldSpec = fmt.Sprintf("at least %s%% accuracy for %s%% of chips, %s%% Clopper–Pearson intervals",
			fmtSig(y.TargetPct, 4), fmtSig(100*y.Yield, 4), fmtSig(100*y.Level(), 4))
		if y.Yield < 1 {
			pg.YieldNeed = strconv.Itoa(chipyield.ChipsNeeded(y.Yield, y.Level()))
		}
	}

	pg.Tables = len(r.Points) > 0 || showEmpty
	for _, p := range r.Points {
		if p.Protocol != "" || p.Images != 0 {
			pg.ProtocolCols = true
			break
		}
	}
	pg.Frontier = frontier
	pg.Methods = pareto.IsoAccuracyReport(r, pareto.IsoAccuracyTolPts)

	// encoding/json escapes <, >, &, U+2028 and U+2029, so the block cannot end its <script>.
	blob, err := json.Marshal(struct {
		Charts []pageChart `json:"charts"`
	}{chartsData})
	if err != nil {
		return page{}, fmt.Errorf("report: encode chart data: %w", err)
	}
	pg.Data = template.JS(blob)
	return pg, nil
}

// tableFuncs format the numbers of the tables: sig (significant digits), fixed (decimals), ber
// and uj (an energy in pJ shown in µJ).
var tableFuncs = template.FuncMap{
	"sig":   fmtSig,
	"fixed": fmtFixed,
	"ber":   fmtBER,
	"uj":    func(pj float64) string { return fmtSig(pjToUJ(pj), 5) },
}

var pageTemplate = template.Must(template.New("report").Funcs(tableFuncs).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1160px; padding: 16px; color: #222; background: #fff; }
h1 { font-size: 1.6em; margin: 0.4em 0; }
h2 { font-size: 1.2em; margin: 1.6em 0 0.3em; }
.caption, .arch { color: #444; margin: 0.2em 0 0.6em; }
.notes { color: #444; }
.chart { width: 100%; height: 520px; }
.empty { color: #888; font-style: italic; }
table { border-collapse: collapse; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
</style>
<script>{{.ECharts}}</script>
</head>
<body>
<h1>{{.Title}}</h1>
{{- if .Arch}}
<p class="arch">Architecture: <b>{{.Arch}}</b></p>
{{- end}}
{{- if .Notes}}
<ul class="notes">
{{- range .Notes}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- end}}
{{- range .Sections}}
<section id="{{.ID}}">
<h2>{{.Heading}}</h2>
{{- if .Caption}}
<p class="caption">{{.Caption}}</p>
{{- end}}
{{- if .Select}}
<p><select id="{{.ChartID}}_select">{{range .Select}}<option value="{{.Value}}">{{.Label}}</option>{{end}}</select></p>
{{- end}}
{{- if .ChartID}}
<div class="chart" id="{{.ChartID}}" style="height: {{.Height}}"></div>
{{- else}}
<p class="empty">{{.Empty}}</p>
{{- end}}
</section>
{{- end}}
{{- if .Tables}}
<section id="frontier">
<h2>Pareto frontier</h2>
{{- if .Frontier}}
<p class="caption">Operating points that no other point beats in both mean accuracy and energy, over all models and methods, by energy ascending.</p>
<table>
<thead><tr><th>model</th><th>method</th><th>V<sub>DD</sub> (V)</th><th>BER</th><th>energy per inference (µJ)</th><th>mean accuracy (%)</th><th>95% CI of mean (%)</th><th>min / max accuracy (%)</th><th>std (%)</th><th>trials used</th>{{if .ProtocolCols}}<th>protocol</th><th>images per trial</th>{{end}}</tr></thead>
<tbody>
{{- range .Frontier}}
<tr><td>{{.Model}}</td><td>{{.Method}}</td><td class="num">{{sig .VddV 4}}</td><td class="num">{{ber .BER}}</td><td class="num">{{uj .EnergyPJ}}</td>{{template "accuracy" .Stats}}<td class="num">{{fixed .AccMin 2}} / {{fixed .AccMax 2}}</td><td class="num">{{fixed .AccStd 2}}</td><td class="num">{{.Trials}}</td>{{if $.ProtocolCols}}<td>{{.Protocol}}</td><td class="num">{{if .Images}}{{.Images}}{{end}}</td>{{end}}</tr>
{{- end}}
</tbody>
</table>
{{- else}}
<p class="empty">The report has no operating points.</p>
{{- end}}
</section>
{{- if .Methods}}
<section id="methods">
<h2>Iso-accuracy energy per model and method</h2>
<p class="caption">For each model and method: its best mean accuracy over the swept voltages, and the lowest-energy operating point whose mean accuracy is within {{.IsoTolPts}} percentage point of that best (inclusive; of equally cheap points the more accurate). The saving is that point's energy relative to the same model and method at the nominal supply voltage (– when the results do not record it), and, in the last column, relative to its highest swept supply voltage.</p>
<table>
<thead><tr><th>model</th><th>method</th><th>points</th><th>best mean accuracy (%)</th><th>at V<sub>DD</sub> (V)</th><th>iso-accuracy V<sub>DD</sub> (V)</th><th>BER</th><th>energy per inference (µJ)</th><th>mean accuracy (%)</th><th>95% CI of mean (%)</th><th>trials used</th><th>energy saved vs V<sub>nom</sub> (%)</th><th>energy saved vs highest swept V<sub>DD</sub> (%)</th></tr></thead>
<tbody>
{{- range .Methods}}
<tr><td>{{.Model}}</td><td>{{.Method}}</td><td class="num">{{.Points}}</td><td class="num">{{fixed .Best.AccMean 2}}</td><td class="num">{{sig .Best.VddV 4}}</td>{{with .Iso}}<td class="num">{{sig .VddV 4}}</td><td class="num">{{ber .BER}}</td><td class="num">{{uj .EnergyPJ}}</td>{{template "accuracy" .Stats}}<td class="num">{{.Trials}}</td>{{end}}<td class="num">{{if .Nominal.EnergyPJ}}{{fixed .SavingPct 1}}{{else}}–{{end}}</td><td class="num">{{fixed .SavingVsHighestPct 1}} (vs {{sig .Highest.VddV 4}} V)</td></tr>
{{- end}}
</tbody>
</table>
</section>
{{- end}}
{{- end}}
{{- if .Yield}}
<section id="vmin-yield">
<h2>Lowest supply voltage at a yield</h2>
<p class="caption">Goal: {{.YieldSpec}}. A chip passes at V when it keeps the target at V and at every swept voltage above. V<sub>min</sub> is the lowest swept voltage at which the observed fraction of passing chips reaches the yield; the interval is a confidence interval for the true V<sub>min</sub> on the grid: from the lowest voltage whose upper yield bound reaches the yield to the lowest whose lower bound does (the conservative choice, shown to reach the yield).{{if .YieldNeed}} A lower bound can reach this yield only with at least {{.YieldNeed}} chips, all passing; with fewer the conservative end is "not reached".{{end}} Energy saved is against the nominal supply.</p>
<table>
<thead><tr><th>model</th><th>method</th><th>chips</th><th>V<sub>min</sub> (V)</th><th>interval (V)</th><th>chips passing at V<sub>min</sub> (yield interval)</th><th>energy at V<sub>min</sub> (µJ)</th><th>saved (%)</th><th>conservative V<sub>min</sub> (V)</th><th>energy there (µJ)</th><th>saved (%)</th></tr></thead>
<tbody>
{{- range .Yield}}
<tr><td>{{.Model}}</td><td>{{.Method}}</td><td class="num">{{.Chips}}</td><td class="num">{{.VminV}}</td><td class="num">{{.Interval}}</td><td class="num">{{.AtVmin}}</td><td class="num">{{.EnergyUJ}}</td><td class="num">{{.Saving}}</td><td class="num">{{.VminHighV}}</td><td class="num">{{.EnergyHighUJ}}</td><td class="num">{{.SavingHigh}}</td></tr>
{{- end}}
</tbody>
</table>
</section>
{{- end}}
<script type="application/json" id="cosim-data">{{.Data}}</script>
<script>{{.ReportJS}}</script>
</body>
</html>
{{/* the mean accuracy and its confidence interval: two cells of both tables */ -}}
{{define "accuracy"}}<td class="num">{{fixed .AccMean 2}}</td><td class="num">{{fixed .CILow 2}} – {{fixed .CIHigh 2}}</td>{{end}}`))

// WriteHTML writes r as one self-contained HTML page: accuracy vs energy with the Pareto
// frontier (and, with more than one model, one such chart per model with its own frontier), BER
// vs supply voltage, accuracy vs BER with 95%-CI error bars, the energy breakdowns, the curves,
// a table of the frontier points and a table of iso-accuracy energy per model and method. ECharts is inlined (no network access needed), every
// report string is escaped, and the output depends only on r. The report is validated first.
func WriteHTML(w io.Writer, r results.Report) error {
	return writeHTML(w, r, echartsJS)
}

// writeHTML is WriteHTML with the ECharts source as a parameter, so that golden tests can use a
// short stand-in instead of the 1 MB library.
func writeHTML(w io.Writer, r results.Report, echartsSrc string) error {
	if err := r.Validate(); err != nil {
		return fmt.Errorf("report: write HTML: %w", err)
	}
	pg, err := buildPage(r)
	if err != nil {
		return err
	}
	pg.ECharts = template.JS(echartsSrc)
	pg.ReportJS = template.JS(reportJS)
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, pg); err != nil {
		return fmt.Errorf("report: write HTML: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("report: write HTML: %w", err)
	}
	return nil
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
func yieldPage(r results.Report) ([]section, []pageChart, []yieldRow, error) {
	y := r.Yield
	ys, err := chipyield.Yields(r, y)
	if err != nil {
		return nil, nil, nil, err
	}
	at, err := chipyield.AtYield(r, y.Yield, y.Level())
	if err != nil {
		return nil, nil, nil, err
	}
	pct := func(f float64) string { return fmtSig(100*f, 4) + "%" }
	lvl := pct(y.Level())
	var secs []section
	var chs []pageChart
	ch := accEnergyChart("cosim_acc_energy_yield", "Accuracy at "+pct(y.Yield)+" yield vs energy per inference",
		"accuracy that at least "+pct(y.Yield)+" of the chips reach; black staircase: its Pareto frontier", groups(at), pareto.Frontier(at), "")
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
		ecdf := results.Curve{Title: "Yield vs supply voltage: " + m, XLabel: "V_DD (V)", YLabel: "fraction of chips"}
		hist := results.Curve{Title: "Per-chip V_min: " + m, XLabel: "V_min (V)", YLabel: "chips"}
		for _, c := range ys {
			if c.Model != m {
				continue
			}
			name := c.Method
			if name == "" {
				name = c.Model
			}
			obs := results.Series{Name: name + ": chips keeping " + fmtSig(y.TargetPct, 4) + "%", X: c.Voltages}
			for _, k := range c.Passing {
				obs.Y = append(obs.Y, float64(k)/float64(c.Chips))
			}
			low := results.Series{Name: name + ": " + lvl + " lower bound", X: c.Voltages, Y: c.YieldLow}
			counts := results.Series{Name: name, X: c.Voltages}
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
			ecdf.Series = append(ecdf.Series, results.Series{Name: "target yield " + pct(y.Yield), X: []float64{vs[0], vs[len(vs)-1]}, Y: []float64{y.Yield, y.Yield}})
		}
		for j, cv := range []results.Curve{ecdf, hist} {
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
