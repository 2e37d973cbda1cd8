package results_test

import (
	"slices"
	"strings"
	"testing"

	"cosim/internal/resultstest"
	"cosim/results"
)

// TestYieldReportChecks: a report asking for a yield must hold chip points,
// a sensible target and yield, and chip accuracies consistent with each
// point's statistics.
func TestYieldReportChecks(t *testing.T) {
	r := resultstest.Chips()
	r.Yield = results.YieldSpec{TargetPct: 80, Yield: 0.99}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(*results.Report){
		"no chips":    func(r *results.Report) { r.Points[1].ChipAccs = nil },
		"chip count":  func(r *results.Report) { r.Points[1].ChipAccs = r.Points[1].ChipAccs[:3] },
		"chip range":  func(r *results.Report) { r.Points[1].ChipAccs[0] = 99 },
		"yield":       func(r *results.Report) { r.Yield.Yield = 1.2 },
		"target":      func(r *results.Report) { r.Yield.TargetPct = 0 },
		"confidence":  func(r *results.Report) { r.Yield.Confidence = 1 },
		"no points":   func(r *results.Report) { r.Points = nil },
		"mixed chips": func(r *results.Report) { r.Points[0].ChipAccs, r.Points[0].Trials = []float64{90, 90}, 2 },
	} {
		bad := resultstest.Chips()
		bad.Yield = r.Yield
		edit(&bad)
		if bad.Validate() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestYieldJSON: the JSON round trip keeps the chip accuracies and the yield
// request, and a yield without a target does not read.
func TestYieldJSON(t *testing.T) {
	r := resultstest.Chips()
	r.Yield = results.YieldSpec{TargetPct: 80, Yield: 0.75}
	back := roundTrip(t, r)
	if back.Yield != r.Yield || !slices.Equal(back.Points[0].ChipAccs, r.Points[0].ChipAccs) {
		t.Fatalf("round trip: yield %+v, chips %v", back.Yield, back.Points[0].ChipAccs)
	}
	if _, err := results.ReadJSON(strings.NewReader(`{"title":"x","arch":"a","points":[],"yield":{"yield":0.9}}`), "y.json"); err == nil {
		t.Error("a yield without a target read back")
	}
}
