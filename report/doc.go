// Package report renders a sweep's results.Report for people: WriteHTML draws it as one
// self-contained web page, and WriteAll writes a report folder: the page (index.html), the
// points as CSV (sweep.csv) and the whole report as JSON (sweep.json), each file replaced
// atomically.
//
// WriteHTML builds its charts with go-echarts but renders the page itself (see html.go for why:
// go-echarts' template does not escape option JSON inside <script>), inlines the embedded
// ECharts 5.6.0 script (assets/PROVENANCE.md) so the page works offline, and uses fixed chart IDs
// so the output is a deterministic function of the Report. The page: accuracy vs energy with the
// global Pareto frontier (package pareto), then (when the report has more than one model) one
// such chart per model with that model's own frontier, BER vs V, accuracy vs BER, the energy
// breakdowns, the curves, a table of the global frontier and a table of iso-accuracy energy per
// model and method (pareto.IsoAccuracy, tolerance pareto.IsoAccuracyTolPts). Simplifications in
// the charts: points with BER = 0 (clean evaluations) cannot sit on a logarithmic axis and are
// left out of the BER charts (the page says how many; they stay in the accuracy-energy charts and
// the tables), and likewise a curve's points with a value <= 0 on a logarithmic axis; the
// accuracy-vs-BER error bars are the 95% confidence interval of the mean, not min/max (min/max
// are in the tooltips and the table). When a report has curves, built-in sections with nothing
// to draw are left out instead of showing their empty-state messages, so a report of curves alone
// (the α* analysis) is just them.
//
// With Report.Yield set, the page adds the V_min-at-yield analysis of package chipyield: the
// accuracy-at-yield chart with its frontier, per model the yield against V (the ECDF of the
// chips' V_min) and the V_min histogram, and the V_min table.
package report
