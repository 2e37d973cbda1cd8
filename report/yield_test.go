package report

import (
	"slices"
	"strings"
	"testing"

	"cosim/internal/resultstest"
	"cosim/results"
)

// TestYieldHTML: the page of a report with a yield has the
// accuracy-at-yield chart, the yield and V_min charts and the V_min table.
func TestYieldHTML(t *testing.T) {
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
}
