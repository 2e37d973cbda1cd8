package results_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"cosim/internal/resultstest"
	"cosim/mc/accuracy"
	"cosim/results"
)

// goodPoint is a valid point: 50 trials at 0.44 V.
func goodPoint() results.Point {
	return results.Point{Model: "resnet20", Method: "wcat", VddV: 0.44, BER: 3.85e-4, EnergyPJ: 25.7e6, Stats: accuracy.Stats{AccMean: 90.4, AccStd: 0.8, AccMin: 88.0, AccMax: 91.6, CILow: 90.18, CIHigh: 90.62, Trials: 50}}
}

func TestPointValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(p *results.Point)
		path   string // "" = valid
	}{
		{"good", func(p *results.Point) {}, ""},
		{"empty method allowed", func(p *results.Point) { p.Method = "" }, ""},
		{"single clean trial", func(p *results.Point) {
			p.BER, p.Trials, p.AccStd, p.AccMin, p.AccMax, p.CILow, p.CIHigh = 0, 1, 0, 90.4, 90.4, 90.4, 90.4
		}, ""},
		{"mean above max by rounding only", func(p *results.Point) { p.AccMax = 90.4; p.AccMean = 90.4 + 1e-12; p.CIHigh = 90.5 }, ""},
		{"BER 1 allowed", func(p *results.Point) { p.BER = 1 }, ""},
		{"empty model", func(p *results.Point) { p.Model = "" }, "model"},
		{"newline in model", func(p *results.Point) { p.Model = "a\nb" }, "model"},
		{"invalid UTF-8 in method", func(p *results.Point) { p.Method = "w\xffcat" }, "method"},
		{"NaN accuracy", func(p *results.Point) { p.AccMean = math.NaN() }, "acc_mean"},
		{"infinite energy", func(p *results.Point) { p.EnergyPJ = math.Inf(1) }, "energy_pj"},
		{"zero voltage", func(p *results.Point) { p.VddV = 0 }, "vdd_v"},
		{"negative BER", func(p *results.Point) { p.BER = -1e-9 }, "ber"},
		{"BER above 1", func(p *results.Point) { p.BER = 1.5 }, "ber"},
		{"negative energy", func(p *results.Point) { p.EnergyPJ = -1 }, "energy_pj"},
		{"accuracy as a fraction below 0", func(p *results.Point) { p.AccMin = -0.1 }, "acc_min"},
		{"accuracy above 100", func(p *results.Point) { p.AccMax = 100.5 }, "acc_max"},
		{"min above max", func(p *results.Point) { p.AccMin, p.AccMax = 92, 91 }, "acc_min"},
		{"mean below min", func(p *results.Point) { p.AccMean, p.CILow = 87, 86 }, "acc_mean"},
		{"negative std", func(p *results.Point) { p.AccStd = -0.1 }, "acc_std"},
		{"std larger than half the range", func(p *results.Point) { p.AccStd = 1.9 }, "acc_std"},
		{"CI low above mean", func(p *results.Point) { p.CILow = 90.5 }, "ci_low"},
		{"CI high below mean", func(p *results.Point) { p.CIHigh = 90.3 }, "ci_high"},
		{"zero trials", func(p *results.Point) { p.Trials = 0 }, "trials"},
		// An estimator may summarise one trial by more than one number (for example a subset
		// trial with its clean-accuracy control variate), so min < max is not tied to Trials.
		{"one trial with a spread", func(p *results.Point) { p.Trials = 1 }, ""},
		{"CI wider than a t-interval", func(p *results.Point) { p.CILow, p.CIHigh = 0, 100 }, ""},
		{"CI outside [min, max]", func(p *results.Point) { p.CILow, p.CIHigh = 87, 92 }, ""},
		{"protocol and images", func(p *results.Point) { p.Protocol, p.Images = "subset", 1000 }, ""},
		{"control char in protocol", func(p *results.Point) { p.Protocol = "sub\x7fset" }, "protocol"},
		{"negative images", func(p *results.Point) { p.Images = -1 }, "images"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := goodPoint()
			tc.modify(&p)
			err := p.Validate()
			if tc.path == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var fe *results.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Validate() = %v, want a *FieldError at %q", err, tc.path)
			}
			if fe.Path != tc.path {
				t.Errorf("error path %q, want %q (%v)", fe.Path, tc.path, err)
			}
			if !errors.Is(err, results.ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
		})
	}
}

func TestReportValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(r *results.Report)
		path   string
	}{
		{"sample", func(r *results.Report) {}, ""},
		{"empty report", func(r *results.Report) { *r = results.Report{} }, ""},
		{"tab in a note allowed", func(r *results.Report) { r.Notes = []string{"a\tb"} }, ""},
		{"control char in title", func(r *results.Report) { r.Title = "x\x00" }, "title"},
		{"control char in arch", func(r *results.Report) { r.Arch = "\x1b[1m" }, "arch"},
		{"bad note", func(r *results.Report) { r.Notes = append(r.Notes, "ok", "bad\r") }, "notes[4]"},
		{"BER curve voltage", func(r *results.Report) { r.BERCurve[2].VddV = -0.4 }, "ber_curve[2].vdd_v"},
		{"BER curve NaN", func(r *results.Report) { r.BERCurve[1].BER = math.NaN() }, "ber_curve[1].ber"},
		{"BER curve above 1", func(r *results.Report) { r.BERCurve[0].BER = 2 }, "ber_curve[0].ber"},
		{"point", func(r *results.Report) { r.Points[5].AccMax = 101 }, "points[5].acc_max"},
		{"breakdown model", func(r *results.Report) { r.Breakdowns[0].Model = "" }, "breakdowns[0].model"},
		{"breakdown voltage", func(r *results.Report) { r.Breakdowns[0].VddV = math.Inf(1) }, "breakdowns[0].vdd_v"},
		{"component name", func(r *results.Report) { r.Breakdowns[0].Components[1].Name = "" }, "breakdowns[0].components[1].name"},
		{"layer energy", func(r *results.Report) { r.Breakdowns[0].Layers[3].PJ = -5 }, "breakdowns[0].layers[3].energy_pj"},
		{"breakdown without label", func(r *results.Report) { r.Breakdowns[0].Label = "" }, ""},
		{"breakdown label", func(r *results.Report) { r.Breakdowns[0].Label = "nominal\n0.8 V" }, "breakdowns[0].label"},
		{"no curves", func(r *results.Report) { r.Curves = nil }, ""},
		{"curve without ID", func(r *results.Report) { r.Curves[0].ID = "" }, ""},
		{"curve without series", func(r *results.Report) { r.Curves[0].Series = nil }, ""},
		{"curve with empty series", func(r *results.Report) { r.Curves[0].Series[1].X, r.Curves[0].Series[1].Y = nil, nil }, ""},
		{"negative values on a linear axis", func(r *results.Report) { r.Curves[0].Series[0].Y[2] = -3 }, ""},
		{"curve ID with a space", func(r *results.Report) { r.Curves[0].ID = "alpha curve" }, "curves[0].id"},
		{"curve ID starting with a digit", func(r *results.Report) { r.Curves[0].ID = "1alpha" }, "curves[0].id"},
		{"curve ID with markup", func(r *results.Report) { r.Curves[0].ID = `a"><script>` }, "curves[0].id"},
		{"curve ID too long", func(r *results.Report) { r.Curves[0].ID = "a" + strings.Repeat("b", 64) }, "curves[0].id"},
		{"curve ID of 64 bytes", func(r *results.Report) { r.Curves[0].ID = "a" + strings.Repeat("-_9Z", 15) + "bcd" }, ""},
		{"duplicate curve ID", func(r *results.Report) { r.Curves = append(r.Curves, r.Curves[0]) }, "curves[1].id"},
		{"two curves without ID", func(r *results.Report) {
			r.Curves[0].ID = ""
			r.Curves = append(r.Curves, r.Curves[0])
		}, ""},
		{"curve without title", func(r *results.Report) { r.Curves[0].Title = "" }, "curves[0].title"},
		{"curve caption", func(r *results.Report) { r.Curves[0].Caption = "a\rb" }, "curves[0].caption"},
		{"curve x label", func(r *results.Report) { r.Curves[0].XLabel = "\xff" }, "curves[0].x_label"},
		{"curve y label", func(r *results.Report) { r.Curves[0].YLabel = "\x00" }, "curves[0].y_label"},
		{"series without name", func(r *results.Report) { r.Curves[0].Series[2].Name = "" }, "curves[0].series[2].name"},
		{"duplicate series name", func(r *results.Report) { r.Curves[0].Series[3].Name = "normal" }, "curves[0].series[3].name"},
		{"series lengths differ", func(r *results.Report) { r.Curves[0].Series[1].Y = r.Curves[0].Series[1].Y[:5] }, "curves[0].series[1].y"},
		{"series NaN x", func(r *results.Report) { r.Curves[0].Series[1].X = []float64{0, 1, math.NaN(), 3, 4, 5} }, "curves[0].series[1].x[2]"},
		{"series infinite y", func(r *results.Report) { r.Curves[0].Series[0].Y[5] = math.Inf(-1) }, "curves[0].series[0].y[5]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := resultstest.Sample()
			tc.modify(&r)
			err := r.Validate()
			if tc.path == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var fe *results.FieldError
			if !errors.As(err, &fe) || fe.Path != tc.path {
				t.Fatalf("Validate() = %v, want a *FieldError at %q", err, tc.path)
			}
		})
	}
}
