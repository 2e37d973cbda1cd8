package report

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"cosim/internal/resultstest"
	"cosim/results"
)

// TestYieldHTMLAndJSON: the page of a report with a yield has the
// accuracy-at-yield chart, the yield and V_min charts and the V_min table;
// the JSON round trip keeps the chip accuracies and the yield request.
func TestYieldHTMLAndJSON(t *testing.T) {
	r := resultstest.Chips()
	r.Yield = results.YieldSpec{TargetPct: 80, Yield: 0.75}
	page := renderHTML(t, r, "/*echarts*/")
	for _, id := range []string{"acc-energy-yield", "yield-0-0", "yield-0-1", "vmin-yield"} {
		if !slices.Contains(sectionIDs(page), id) {
			t.Errorf("no section %q in %v", id, sectionIDs(page))
		}
	}
	table := sectionHTML(t, page, "vmin-yield")
	for _, want := range []string{"<td class=\"num\">0.5</td>", "0.4 – not reached", "<td class=\"num\">30.0</td>", "at least 80% accuracy for 75% of chips", "3 of 4 ("} {
		if !strings.Contains(table, want) {
			t.Errorf("V_min table lacks %q:\n%s", want, table)
		}
	}
	var buf bytes.Buffer
	if err := results.WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	back, err := results.ReadJSON(&buf, "r.json")
	if err != nil {
		t.Fatal(err)
	}
	if back.Yield != r.Yield || !slices.Equal(back.Points[0].ChipAccs, r.Points[0].ChipAccs) {
		t.Fatalf("round trip: yield %+v, chips %v", back.Yield, back.Points[0].ChipAccs)
	}
	if _, err := results.ReadJSON(strings.NewReader(`{"title":"x","arch":"a","points":[],"yield":{"yield":0.9}}`), "y.json"); err == nil {
		t.Error("a yield without a target read back")
	}
}
