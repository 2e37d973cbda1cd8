// Package results is the result model of a voltage sweep and its files: operating points
// (supply voltage, bit error rate, energy per inference, Monte Carlo accuracy), the Report that
// holds them with the BER curve, energy breakdowns, nominal energies and further curves, the
// rules every report satisfies (Report.Validate), and the report read and written as JSON and its
// points as CSV. It neither runs a simulation nor draws anything: a sweep fills a Report, package
// pareto ranks its points and package report renders it as a web page.
//
// Validation. Every reader and writer checks a Report with Report.Validate, so nothing is written
// that cannot be read back, and a file that reads without error holds only finite, ordered numbers
// (the rules are listed on Point.Validate and Report.Validate).
//
// Files. CSV (WriteCSV/ReadCSV) holds only points; its first five columns are exactly those of the
// WCAT reference code's random_flip_result.csv (BER, acc_mean, acc_std, acc_min, acc_max; accuracy
// in percent), followed by vdd_v, energy_pj, model, method, trials, ci_low, ci_high, protocol,
// images, rounded for reading (WriteCSV). ReadCSV also reads the twelve-column files written
// before protocol and images existed, but not a bare five-column WCAT file: its points have no
// voltage, energy or trial count. JSON (WriteJSON/ReadJSON) holds the whole Report; keys added
// later (protocol, images, label, curves, yield) are optional, so older files still read.
//
// Chips. A sweep under chip faults gives every point its chips' accuracies (Point.ChipAccs, the
// same chips at every voltage of its model and method; ChipGroups); Report.Yield asks for the
// V_min-at-yield analysis of package chipyield.
package results

import (
	"errors"
	"fmt"
	"math"
	"unicode"
	"unicode/utf8"

	"cosim/mc/accuracy"
)

// Point is one operating point of one model: a supply voltage, its bit error rate, the energy per
// inference and the Monte Carlo accuracy (percent, 0..100) of the network at that BER.
// The JSON names are also the CSV column names.
type Point struct {
	Model    string  `json:"model"`     // e.g. "resnet20" or a checkpoint name; not empty
	Method   string  `json:"method"`    // e.g. "wcat", "normal", "wcat+bfn"; may be empty
	VddV     float64 `json:"vdd_v"`     // weight-SRAM supply voltage, volts
	BER      float64 `json:"ber"`       // bit error rate of the voltage-scaled memories at VddV
	EnergyPJ float64 `json:"energy_pj"` // energy per inference, picojoules

	// Stats is the Monte Carlo accuracy at BER. How its confidence interval is computed is the
	// sweep's business; a point only requires CILow <= AccMean <= CIHigh (see Validate).
	accuracy.Stats

	// ChipAccs holds, for a sweep under chip faults, the accuracy (percent) of every chip: chip c
	// is the same chip at every voltage of its (model, method), so a chip's curve can be read
	// across points (package chipyield). Empty otherwise; when set it has Trials entries. Not in the CSV.
	ChipAccs []float64 `json:"chip_accs,omitempty"`
}

// BERPoint is one point of a bit-error-rate curve: BER at supply voltage VddV.
type BERPoint struct {
	VddV float64 `json:"vdd_v"`
	BER  float64 `json:"ber"`
}

// Share is one bar of an energy breakdown: a component or layer name and its energy per
// inference in picojoules.
type Share struct {
	Name string  `json:"name"`
	PJ   float64 `json:"energy_pj"`
	// DynamicPJ and LeakagePJ split PJ into dynamic and leakage energy when the producer knows
	// it (then they add up to PJ); both 0 otherwise.
	DynamicPJ float64 `json:"dynamic_pj,omitempty"`
	LeakagePJ float64 `json:"leakage_pj,omitempty"`
}

// Split reports whether the share gives its dynamic and leakage parts.
func (s Share) Split() bool { return s.DynamicPJ != 0 || s.LeakagePJ != 0 }

// Breakdown is the energy breakdown of one model at one operating point, per hardware component
// (memory level, MAC, …) and per layer. Either list may be empty.
type Breakdown struct {
	Model string  `json:"model"`
	VddV  float64 `json:"vdd_v"`
	// Label says which operating point this is (for example "nominal 0.80 V" or "lowest-energy
	// frontier point"); shown in the section headings. Optional.
	Label      string  `json:"label,omitempty"`
	Components []Share `json:"components"`
	Layers     []Share `json:"layers"`
}

// NominalEnergy is the energy per inference of one (model, method) pair at the nominal supply.
type NominalEnergy struct {
	Model    string  `json:"model"`
	Method   string  `json:"method"`
	VddV     float64 `json:"vdd_v"`
	EnergyPJ float64 `json:"energy_pj"`
}

// Series is one line of a Curve: the points (X[i], Y[i]) in the given order, joined by a line.
type Series struct {
	Name string    `json:"name"` // legend entry; not empty, unique within its curve
	X    []float64 `json:"x"`
	Y    []float64 `json:"y"` // as many values as X
}

// Curve is a generic line chart, for analyses that are not operating points (for example the
// expected-MSE-optimal clip range α* against BER for several weight distributions, figure 10b of
// the WCAT paper). The web page (package report) draws each curve as its own section.
// On a logarithmic axis, points with a value <= 0 cannot be drawn: they are left out and the
// caption says how many.
type Curve struct {
	// ID names the curve's section (HTML id "curve-"+ID); optional. If set it starts with an
	// ASCII letter, continues with ASCII letters, digits, '-' or '_' (at most 64 in all) and is
	// unique among the report's curves. Without it the section is "curve-" + the curve's index.
	ID      string   `json:"id,omitempty"`
	Title   string   `json:"title"`             // section heading and chart title; not empty
	Caption string   `json:"caption,omitempty"` // text under the heading
	XLabel  string   `json:"x_label"`           // x axis name, with its unit
	YLabel  string   `json:"y_label"`           // y axis name, with its unit
	LogX    bool     `json:"log_x,omitempty"`   // logarithmic x axis
	LogY    bool     `json:"log_y,omitempty"`   // logarithmic y axis
	Series  []Series `json:"series"`
}

// Report is everything one sweep produced, as stored by WriteJSON (and drawn by package report).
type Report struct {
	Title    string     `json:"title"`
	Arch     string     `json:"arch"`                // architecture name
	Notes    []string   `json:"notes,omitempty"`     // free text lines (seed, protocol, data set…)
	BERCurve []BERPoint `json:"ber_curve,omitempty"` // BER(V) of the voltage-scaled memories
	// BERMeasured are the measured (V, BER) points BER(V) was fitted to, when it was; drawn
	// beside the model in the BER chart.
	BERMeasured []BERPoint  `json:"ber_measured,omitempty"`
	Points      []Point     `json:"points"`               // all operating points of all models
	Breakdowns  []Breakdown `json:"breakdowns,omitempty"` // optional energy breakdowns
	// Nominal holds each model's energy per inference at the nominal supply voltage, against
	// which the report states energy savings; optional (savings are then against the highest
	// swept voltage).
	Nominal []NominalEnergy `json:"nominal,omitempty"`
	Curves  []Curve         `json:"curves,omitempty"` // optional further line charts
	// Yield, when not zero, asks for the V_min-at-yield analysis of a chip-fault sweep (package
	// chipyield; the web page shows it); every point must then carry ChipAccs (see ChipGroups).
	Yield YieldSpec `json:"yield,omitzero"`
}

// ErrInvalid is wrapped by every validation error, so callers can tell bad data (exit code 2)
// from a failing writer.
var ErrInvalid = errors.New("invalid value")

// FieldError says which field of a Report or Point holds an invalid value. Path uses the JSON
// names: "acc_mean" for a Point, "points[3].acc_mean" or "breakdowns[0].layers[2].energy_pj" for
// a Report. It wraps ErrInvalid.
type FieldError struct {
	Path string
	Msg  string
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Msg }

// Unwrap returns ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

func fieldErr(path, format string, args ...any) *FieldError {
	return &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)}
}

func prefixed(prefix string, err *FieldError) *FieldError {
	if err == nil {
		return nil
	}
	return &FieldError{Path: prefix + "." + err.Path, Msg: err.Msg}
}

// Slack is the rounding tolerance Validate allows in order relations between statistics that
// were computed separately (a mean of identical float64 values can differ from them in the last
// bits): a relative 1e-9 of x.
func Slack(x float64) float64 { return 1e-9 * math.Max(1, math.Abs(x)) }

// Validate checks one point and returns a *FieldError naming the first bad field, or nil.
// The rules: every number finite; Model not empty; strings valid UTF-8 without control
// characters (so strings survive CSV and JSON round trips); VddV > 0; 0 <= BER <= 1; EnergyPJ >= 0;
// 0 <= AccMin <= AccMean <= AccMax <= 100; 0 <= AccStd <= (AccMax-AccMin)/2 (the largest
// population std of values in [AccMin, AccMax]); CILow <= AccMean <= CIHigh; Trials >= 1;
// Images >= 0; ChipAccs, if any, has Trials entries within [AccMin, AccMax]. Nothing else ties the CI to the other statistics (an estimator may report a CI
// that is not a plain t-interval of the trials). Order relations between statistics allow a
// relative rounding slack of 1e-9.
func (p Point) Validate() error {
	if err := p.check(); err != nil {
		return err
	}
	return nil
}

func (p Point) check() *FieldError {
	if err := checkText("model", p.Model, true); err != nil {
		return err
	}
	if err := checkText("method", p.Method, false); err != nil {
		return err
	}
	if err := checkText("protocol", p.Protocol, false); err != nil {
		return err
	}
	nums := []struct {
		name string
		v    float64
	}{
		{"vdd_v", p.VddV}, {"ber", p.BER}, {"energy_pj", p.EnergyPJ},
		{"acc_mean", p.AccMean}, {"acc_std", p.AccStd}, {"acc_min", p.AccMin}, {"acc_max", p.AccMax},
		{"ci_low", p.CILow}, {"ci_high", p.CIHigh},
	}
	for _, n := range nums {
		if math.IsNaN(n.v) || math.IsInf(n.v, 0) {
			return fieldErr(n.name, "%v is not a finite number", n.v)
		}
	}
	switch {
	case p.VddV <= 0:
		return fieldErr("vdd_v", "supply voltage %v V is not positive", p.VddV)
	case p.BER < 0 || p.BER > 1:
		return fieldErr("ber", "bit error rate %v is outside [0, 1]", p.BER)
	case p.EnergyPJ < 0:
		return fieldErr("energy_pj", "energy %v pJ is negative", p.EnergyPJ)
	case p.AccMin < 0:
		return fieldErr("acc_min", "accuracy %v%% is below 0", p.AccMin)
	case p.AccMax > 100:
		return fieldErr("acc_max", "accuracy %v%% is above 100", p.AccMax)
	case p.AccMin > p.AccMax:
		return fieldErr("acc_min", "minimum accuracy %v%% is above the maximum %v%%", p.AccMin, p.AccMax)
	case p.AccMean < p.AccMin-Slack(p.AccMin) || p.AccMean > p.AccMax+Slack(p.AccMax):
		return fieldErr("acc_mean", "mean accuracy %v%% is outside [acc_min, acc_max] = [%v, %v]%%", p.AccMean, p.AccMin, p.AccMax)
	case p.AccStd < 0:
		return fieldErr("acc_std", "standard deviation %v is negative", p.AccStd)
	case p.AccStd > (p.AccMax-p.AccMin)/2+Slack(p.AccMax):
		return fieldErr("acc_std", "standard deviation %v%% exceeds half the range (acc_max-acc_min)/2 = %v%%", p.AccStd, (p.AccMax-p.AccMin)/2)
	case p.CILow > p.AccMean+Slack(p.AccMean):
		return fieldErr("ci_low", "confidence bound %v%% is above the mean %v%%", p.CILow, p.AccMean)
	case p.CIHigh < p.AccMean-Slack(p.AccMean):
		return fieldErr("ci_high", "confidence bound %v%% is below the mean %v%%", p.CIHigh, p.AccMean)
	case p.Trials < 1:
		return fieldErr("trials", "trial count %d is below 1", p.Trials)
	case p.Images < 0:
		return fieldErr("images", "image count %d is negative", p.Images)
	case len(p.ChipAccs) != 0 && len(p.ChipAccs) != p.Trials:
		return fieldErr("chip_accs", "%d chip accuracies for %d trials", len(p.ChipAccs), p.Trials)
	}
	for i, a := range p.ChipAccs {
		if math.IsNaN(a) || a < p.AccMin-Slack(p.AccMin) || a > p.AccMax+Slack(p.AccMax) {
			return fieldErr(fmt.Sprintf("chip_accs[%d]", i), "accuracy %v%% is outside [acc_min, acc_max] = [%v, %v]%%", a, p.AccMin, p.AccMax)
		}
	}
	return nil
}

// checkText rejects invalid UTF-8 and control characters (tab excepted), and an empty string when
// required.
func checkText(path, s string, required bool) *FieldError {
	if required && s == "" {
		return fieldErr(path, "is empty")
	}
	if !utf8.ValidString(s) {
		return fieldErr(path, "%q is not valid UTF-8", s)
	}
	for _, r := range s {
		if r != '\t' && unicode.IsControl(r) {
			return fieldErr(path, "%q contains control character %U", s, r)
		}
	}
	return nil
}

// CheckLabel checks a model or method label as a report will: non-empty,
// valid UTF-8, no control characters but tab.
func CheckLabel(s string) error {
	if err := checkText("label", s, true); err != nil {
		return err
	}
	return nil
}

func checkFinite(path string, v float64) *FieldError {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fieldErr(path, "%v is not a finite number", v)
	}
	return nil
}

// Validate checks the whole report and returns a *FieldError naming the first bad field, or nil.
// Points follow Point.Validate; BER curve points need VddV > 0 and 0 <= BER <= 1; breakdowns need
// a model name, VddV > 0, and named shares with finite energy >= 0; curves need a title, a valid
// and unique ID if any (see Curve.ID), and series with a unique, non-empty name and as many finite
// X as Y values; every string (title, arch, notes, labels, captions, names) must be valid UTF-8
// without control characters.
func (r Report) Validate() error {
	if err := r.check(); err != nil {
		return err
	}
	return nil
}

func (r Report) check() *FieldError {
	if err := checkText("title", r.Title, false); err != nil {
		return err
	}
	if err := checkText("arch", r.Arch, false); err != nil {
		return err
	}
	for i, n := range r.Notes {
		if err := checkText(fmt.Sprintf("notes[%d]", i), n, false); err != nil {
			return err
		}
	}
	for _, list := range []struct {
		key       string
		pts       []BERPoint
		zeroValid bool // a BER(V) curve may reach 0; a measured BER is positive
	}{{"ber_curve", r.BERCurve, true}, {"ber_measured", r.BERMeasured, false}} {
		for i, b := range list.pts {
			pre := fmt.Sprintf("%s[%d]", list.key, i)
			if err := checkFinite(pre+".vdd_v", b.VddV); err != nil {
				return err
			}
			if err := checkFinite(pre+".ber", b.BER); err != nil {
				return err
			}
			if b.VddV <= 0 {
				return fieldErr(pre+".vdd_v", "supply voltage %v V is not positive", b.VddV)
			}
			if b.BER < 0 || b.BER > 1 || (b.BER == 0 && !list.zeroValid) {
				return fieldErr(pre+".ber", "bit error rate %v is outside %s", b.BER, map[bool]string{true: "[0, 1]", false: "(0, 1]"}[list.zeroValid])
			}
		}
	}
	for i, p := range r.Points {
		if err := prefixed(fmt.Sprintf("points[%d]", i), p.check()); err != nil {
			return err
		}
	}
	seenNominal := map[[2]string]bool{}
	for i, n := range r.Nominal {
		pre := fmt.Sprintf("nominal[%d]", i)
		if err := checkText(pre+".model", n.Model, true); err != nil {
			return err
		}
		if err := checkText(pre+".method", n.Method, false); err != nil {
			return err
		}
		if seenNominal[[2]string{n.Model, n.Method}] {
			return fieldErr(pre+".model", "a second nominal energy for %s %s", n.Model, n.Method)
		}
		seenNominal[[2]string{n.Model, n.Method}] = true
		if err := checkFinite(pre+".vdd_v", n.VddV); err != nil {
			return err
		}
		if err := checkFinite(pre+".energy_pj", n.EnergyPJ); err != nil {
			return err
		}
		if n.VddV <= 0 || n.EnergyPJ <= 0 {
			return fieldErr(pre, "voltage %v V and energy %v pJ must be positive", n.VddV, n.EnergyPJ)
		}
	}
	for i, b := range r.Breakdowns {
		pre := fmt.Sprintf("breakdowns[%d]", i)
		if err := checkText(pre+".model", b.Model, true); err != nil {
			return err
		}
		if err := checkText(pre+".label", b.Label, false); err != nil {
			return err
		}
		if err := checkFinite(pre+".vdd_v", b.VddV); err != nil {
			return err
		}
		if b.VddV <= 0 {
			return fieldErr(pre+".vdd_v", "supply voltage %v V is not positive", b.VddV)
		}
		for _, list := range []struct {
			name   string
			shares []Share
		}{{"components", b.Components}, {"layers", b.Layers}} {
			for j, s := range list.shares {
				sp := fmt.Sprintf("%s.%s[%d]", pre, list.name, j)
				if err := checkText(sp+".name", s.Name, true); err != nil {
					return err
				}
				if err := checkFinite(sp+".energy_pj", s.PJ); err != nil {
					return err
				}
				if s.PJ < 0 {
					return fieldErr(sp+".energy_pj", "energy %v pJ is negative", s.PJ)
				}
				for _, part := range []struct {
					key string
					v   float64
				}{{"dynamic_pj", s.DynamicPJ}, {"leakage_pj", s.LeakagePJ}} {
					if err := checkFinite(sp+"."+part.key, part.v); err != nil {
						return err
					}
					if part.v < 0 {
						return fieldErr(sp+"."+part.key, "energy %v pJ is negative", part.v)
					}
				}
				if s.Split() && math.Abs(s.DynamicPJ+s.LeakagePJ-s.PJ) > 1e-9*math.Max(1, s.PJ) {
					return fieldErr(sp+".energy_pj", "dynamic %v pJ + leakage %v pJ differ from the total %v pJ", s.DynamicPJ, s.LeakagePJ, s.PJ)
				}
			}
		}
	}
	if r.Yield != (YieldSpec{}) {
		if err := r.Yield.check(); err != nil {
			return prefixed("yield", err)
		}
		if _, err := ChipGroups(r.Points); err != nil {
			return fieldErr("yield", "%v", err)
		}
	}
	ids := map[string]int{}
	for i, c := range r.Curves {
		pre := fmt.Sprintf("curves[%d]", i)
		if c.ID != "" {
			if !validCurveID(c.ID) {
				return fieldErr(pre+".id", "%q is not an ID: want an ASCII letter, then ASCII letters, digits, '-' or '_', at most %d in all", c.ID, maxCurveID)
			}
			if j, dup := ids[c.ID]; dup {
				return fieldErr(pre+".id", "%q is also the ID of curves[%d]", c.ID, j)
			}
			ids[c.ID] = i
		}
		for _, t := range []struct {
			key, s   string
			required bool
		}{{"title", c.Title, true}, {"caption", c.Caption, false}, {"x_label", c.XLabel, false}, {"y_label", c.YLabel, false}} {
			if err := checkText(pre+"."+t.key, t.s, t.required); err != nil {
				return err
			}
		}
		names := map[string]int{}
		for j, s := range c.Series {
			sp := fmt.Sprintf("%s.series[%d]", pre, j)
			if err := checkText(sp+".name", s.Name, true); err != nil {
				return err
			}
			if k, dup := names[s.Name]; dup {
				return fieldErr(sp+".name", "%q is also the name of series[%d]", s.Name, k)
			}
			names[s.Name] = j
			if len(s.X) != len(s.Y) {
				return fieldErr(sp+".y", "%d values for %d x values", len(s.Y), len(s.X))
			}
			for k := range s.X {
				if err := checkFinite(fmt.Sprintf("%s.x[%d]", sp, k), s.X[k]); err != nil {
					return err
				}
				if err := checkFinite(fmt.Sprintf("%s.y[%d]", sp, k), s.Y[k]); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// maxCurveID is the longest Curve.ID accepted.
const maxCurveID = 64

// validCurveID reports whether id is an ASCII letter followed by ASCII letters, digits, '-' or
// '_', at most maxCurveID bytes: safe in an HTML id and a chart element name.
func validCurveID(id string) bool {
	if id == "" || len(id) > maxCurveID {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '-' || c == '_')) {
			return false
		}
	}
	return true
}
