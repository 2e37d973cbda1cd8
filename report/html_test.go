package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"cosim/internal/resultstest"
	"cosim/pareto"
	"cosim/results"
)

// echartsStandIn replaces the 1 MB ECharts library in the golden file.
const echartsStandIn = "/* echarts.min.js is inlined here by WriteHTML */"

func renderHTML(t *testing.T, r results.Report, src string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := writeHTML(&buf, r, src); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestHTMLGolden compares the page (with a stand-in for the ECharts library) with
// testdata/report.golden.html; run with -update to rewrite it after an intended change.
func TestHTMLGolden(t *testing.T) {
	got := renderHTML(t, resultstest.Sample(), echartsStandIn)
	golden := filepath.Join("testdata", "report.golden.html")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./report -run Golden -update to create it)", err)
	}
	if got != string(want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		lo := max(0, i-80)
		t.Errorf("HTML differs from %s at byte %d:\n got …%s…\nwant …%s…\n(run with -update if the change is intended)",
			golden, i, got[lo:min(len(got), i+80)], string(want[lo:min(len(want), i+80)]))
	}
}

// TestWriteHTMLInlinesECharts checks that WriteHTML is the golden page with the real library in
// place of the stand-in, byte for byte.
func TestWriteHTMLInlinesECharts(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, resultstest.Sample()); err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(renderHTML(t, resultstest.Sample(), echartsStandIn), echartsStandIn, echartsJS, 1)
	if buf.String() != want {
		t.Error("WriteHTML output is not the golden page with echarts.min.js inlined")
	}
}

func TestHTMLDeterministic(t *testing.T) {
	r := resultstest.Sample()
	first := renderHTML(t, r, echartsStandIn)
	rng := rand.New(rand.NewPCG(7, 8))
	for range 10 {
		s := resultstest.Sample()
		rng.Shuffle(len(s.Points), func(i, j int) { s.Points[i], s.Points[j] = s.Points[j], s.Points[i] })
		rng.Shuffle(len(s.BERCurve), func(i, j int) { s.BERCurve[i], s.BERCurve[j] = s.BERCurve[j], s.BERCurve[i] })
		if got := renderHTML(t, s, echartsStandIn); got != first {
			t.Fatal("HTML depends on the order of points or BER curve entries, or is not deterministic")
		}
	}
}

func TestEChartsAsset(t *testing.T) {
	sum := sha256.Sum256([]byte(echartsJS))
	if got := hex.EncodeToString(sum[:]); got != echartsSHA256 {
		t.Errorf("assets/echarts.min.js sha256 %s, PROVENANCE.md says %s", got, echartsSHA256)
	}
	prov, err := os.ReadFile(filepath.Join("assets", "PROVENANCE.md"))
	if err != nil || !strings.Contains(string(prov), echartsSHA256) {
		t.Errorf("assets/PROVENANCE.md does not record sha256 %s (%v)", echartsSHA256, err)
	}
	if !strings.Contains(echartsJS[:2000], "Licensed to the Apache Software Foundation") {
		t.Error("echarts.min.js lost its license header")
	}
	// Inline scripts must not contain sequences that end or confuse a <script> element.
	for name, src := range map[string]string{"echarts.min.js": echartsJS, "report.js": reportJS} {
		low := strings.ToLower(src)
		for _, bad := range []string{"</script", "<script", "<!--"} {
			if strings.Contains(low, bad) {
				t.Errorf("%s contains %q and cannot be inlined", name, bad)
			}
		}
	}
	for _, f := range []string{"LICENSE", "NOTICE", "LICENSE-d3"} {
		if _, err := os.Stat(filepath.Join("assets", f)); err != nil {
			t.Errorf("license file missing: %v", err)
		}
	}
}

// resourceAttr finds elements that would load something: <script src>, <link href>, <img src>, ….
var resourceAttr = regexp.MustCompile(`(?i)<(script|link|img|iframe|embed|object|source|audio|video)\b[^>]*\b(src|href|data)\s*=`)

// remoteURL finds a src or href attribute value that names a remote URL, anywhere in the page
// (also inside scripts, where a script could write such a tag).
var remoteURL = regexp.MustCompile(`(?i)\b(src|href)\s*=\s*["']?\s*(https?:)?//`)

var scriptBody = regexp.MustCompile(`(?is)(<script[^>]*>)(.*?)(</script>)`)

func TestHTMLOffline(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, resultstest.Sample()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	// Markup outside the inline scripts loads nothing at all.
	markup := scriptBody.ReplaceAllString(out, "$1$3")
	for _, m := range resourceAttr.FindAllString(markup, -1) {
		t.Errorf("page loads an external resource: %s", m)
	}
	for _, m := range remoteURL.FindAllString(out, -1) {
		t.Errorf("page refers to a remote resource: %s", m)
	}
	for _, host := range []string{"go-echarts.github.io", "cdn.jsdelivr", "unpkg.com", "cdnjs"} {
		if strings.Contains(out, host) {
			t.Errorf("page refers to CDN %s", host)
		}
	}
	if n := strings.Count(out, "<script"); n != 3 {
		t.Errorf("%d <script> elements, want 3 (ECharts, data, page script)", n)
	}
}

// nastyReport puts script-breaking strings into every user-supplied field.
func nastyReport() results.Report {
	const s1, s2 = "<script>alert(1)</script>", "</script><b>x"
	r := resultstest.Sample()
	r.Title = s2 + ` & "title"`
	r.Arch = s1
	r.Notes = []string{s1, s2, "__f__alert(2)__f__", "\u2028line\u2029sep", "<!-- comment"}
	for i := range r.Points {
		switch i % 3 {
		case 0:
			r.Points[i].Model = s1
		case 1:
			r.Points[i].Model = s2
			r.Points[i].Method = `'quote"` + s1
		case 2:
			r.Points[i].Method = "__f__alert(3)__f__"
		}
	}
	r.Points[1].Protocol = s2 // on the frontier: shown in the table
	r.Breakdowns[0].Model = s2
	r.Breakdowns[0].Label = s1
	r.Breakdowns[0].Components[0].Name = s1
	r.Breakdowns[0].Layers[0].Name = s2
	c := &r.Curves[0]
	c.Title, c.Caption, c.XLabel, c.YLabel = s1, s2, s2+" x", "__f__alert(4)__f__"
	c.Series[0].Name, c.Series[1].Name, c.Series[2].Name = s1, s2, `'quote"`+s1
	return r
}

var cosimData = regexp.MustCompile(`(?s)<script type="application/json" id="cosim-data">(.*?)</script>`)

func TestHTMLEscaping(t *testing.T) {
	r := nastyReport()
	out := renderHTML(t, r, echartsStandIn)
	for _, bad := range []string{"<script>alert", "</script><b>", "<b>x", "<!-- comment"} {
		if strings.Contains(out, bad) {
			t.Errorf("output contains unescaped %q", bad)
		}
	}
	// U+2028 and U+2029 are fine in HTML text but end a line inside JavaScript source.
	for _, m := range scriptBody.FindAllStringSubmatch(out, -1) {
		if strings.ContainsAny(m[2], "\u2028\u2029") {
			t.Errorf("a script contains a raw U+2028 or U+2029")
		}
	}
	if n, m := strings.Count(out, "<script"), strings.Count(out, "</script"); n != 3 || m != 3 {
		t.Errorf("%d <script and %d </script, want 3 each: user data opened or closed a script", n, m)
	}
	// The data block is intact JSON and carries the strings unchanged.
	match := cosimData.FindStringSubmatch(out)
	if match == nil {
		t.Fatal("no data block")
	}
	var data struct {
		Charts []struct {
			ID     string         `json:"id"`
			Option map[string]any `json:"option"`
			Meta   struct {
				Series []struct {
					Points []struct{ Model, Method string } `json:"points"`
				} `json:"series"`
			} `json:"meta"`
		} `json:"charts"`
	}
	if err := json.Unmarshal([]byte(match[1]), &data); err != nil {
		t.Fatalf("data block is not valid JSON: %v", err)
	}
	var models []string
	for _, c := range data.Charts {
		for _, s := range c.Meta.Series {
			for _, p := range s.Points {
				models = append(models, p.Model, p.Method)
			}
		}
	}
	for _, want := range []string{"<script>alert(1)</script>", "</script><b>x", `'quote"<script>alert(1)</script>`, "__f__alert(3)__f__"} {
		if !slices.Contains(models, want) {
			t.Errorf("data block lost the name %q", want)
		}
	}
	// The curve's series names and axis labels reach the data block unchanged too.
	var curve map[string]any
	for _, c := range data.Charts {
		if c.ID == "cosim_curve_alpha" {
			curve = c.Option
		}
	}
	if curve == nil {
		t.Fatal("no curve chart in the data block")
	}
	var seriesNames []string
	for _, s := range curve["series"].([]any) {
		seriesNames = append(seriesNames, s.(map[string]any)["name"].(string))
	}
	if want := []string{"<script>alert(1)</script>", "</script><b>x", `'quote"<script>alert(1)</script>`, "student-t"}; !slices.Equal(seriesNames, want) {
		t.Errorf("curve series names %q, want %q", seriesNames, want)
	}
	if !strings.Contains(match[1], `"y_label":"__f__alert(4)__f__"`) || !strings.Contains(match[1], `"x_label":"\u003c/script\u003e\u003cb\u003ex x"`) {
		t.Error("curve axis labels missing from the tooltip metadata, or not JSON-escaped")
	}
	// Text outside scripts is HTML-escaped and decodes back to the original.
	for _, want := range []string{
		"<title>" + html.EscapeString(r.Title) + "</title>",
		"<h1>" + html.EscapeString(r.Title) + "</h1>",
		"<li>" + html.EscapeString("<script>alert(1)</script>") + "</li>",
		"<td>" + html.EscapeString("</script><b>x") + "</td>",
		"<h2>" + html.EscapeString("<script>alert(1)</script>") + "</h2>",        // curve title
		`<p class="caption">` + html.EscapeString("</script><b>x") + " 4 points", // curve caption
		`<option value="0">Energy per component: ` + html.EscapeString("</script><b>x at 0.44 V (<script>alert(1)</script>)") + "</option>",
		"<td>" + html.EscapeString("</script><b>x") + "</td><td class=\"num\">1000</td>", // protocol
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestWriteHTMLRejectsInvalid(t *testing.T) {
	r := resultstest.Sample()
	r.Points[0].Trials = 0
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r); !errors.Is(err, results.ErrInvalid) || buf.Len() != 0 {
		t.Errorf("WriteHTML(invalid) = %v, %d bytes", err, buf.Len())
	}
}

func TestHTMLEmptyReport(t *testing.T) {
	out := renderHTML(t, results.Report{}, echartsStandIn)
	if !strings.Contains(out, "<title>cosim report</title>") || !strings.Contains(out, "The report has no operating points.") {
		t.Errorf("empty report page lacks its default title or empty-state text:\n%s", out)
	}
	if strings.Contains(out, `class="chart"`) {
		t.Error("empty report draws a chart")
	}
}

// section returns the HTML of the <section id="id"> of a page.
func sectionHTML(t *testing.T, page, id string) string {
	t.Helper()
	start := strings.Index(page, `<section id="`+id+`">`)
	if start < 0 {
		t.Fatalf("page has no section %q", id)
	}
	end := strings.Index(page[start:], "</section>")
	return page[start : start+end]
}

// sectionIDs lists the ids of the page's sections, in order.
func sectionIDs(page string) []string {
	var ids []string
	for _, m := range regexp.MustCompile(`<section id="([^"]*)">`).FindAllStringSubmatch(page, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

func TestHTMLFrontierTable(t *testing.T) {
	out := sectionHTML(t, renderHTML(t, resultstest.Sample(), echartsStandIn), "frontier")
	rows := regexp.MustCompile(`<tr><td>`).FindAllStringIndex(out, -1)
	if want := len(pareto.Frontier(resultstest.Sample().Points)); len(rows) != want {
		t.Errorf("frontier table has %d rows, want %d", len(rows), want)
	}
	for _, unit := range []string{"energy per inference (µJ)", "V<sub>DD</sub> (V)", "mean accuracy (%)", "95% CI of mean (%)",
		"trials used", "protocol", "images per trial"} {
		if !strings.Contains(out, "<th>"+unit+"</th>") {
			t.Errorf("table header lacks %q", unit)
		}
	}
	// resnet20/wcat at 0.44 V: 21.5e6 + 14e6·0.44²/0.64 pJ = 25.735 µJ, 90.4 %; 50 trials of the
	// subset protocol on 1000 images.
	if !strings.Contains(out, `<td>resnet20</td><td>wcat</td><td class="num">0.44</td><td class="num">3.85e-04</td><td class="num">25.735</td><td class="num">90.40</td>`+
		`<td class="num">90.18 – 90.62</td><td class="num">88.80 / 91.60</td><td class="num">0.80</td><td class="num">50</td><td>subset</td><td class="num">1000</td></tr>`) {
		t.Error("table lacks the resnet20/wcat 0.44 V row")
	}
	// Without protocol or image counts, the two columns are left out.
	r := resultstest.Sample()
	for i := range r.Points {
		r.Points[i].Protocol, r.Points[i].Images = "", 0
	}
	out = sectionHTML(t, renderHTML(t, r, echartsStandIn), "frontier")
	if strings.Contains(out, "<th>protocol</th>") || strings.Contains(out, "images per trial") {
		t.Error("protocol columns shown for points without protocol or images")
	}
	if !strings.Contains(out, `<td class="num">50</td></tr>`) {
		t.Error("rows do not end with the trials column")
	}
}

// TestHTMLMethodTable checks the iso-accuracy table against worked rows of the sample: for
// resnet20/normal the best mean is 91.6 % (0.8 V); the cheapest point within 1 point of it is
// 0.48 V at 91.2 % (0.46 V has 90.1 %), 21.5 + 14·0.48²/0.64 = 26.54 µJ, 25.2 % below the
// 35.5 µJ at 0.8 V.
func TestHTMLMethodTable(t *testing.T) {
	out := sectionHTML(t, renderHTML(t, resultstest.Sample(), echartsStandIn), "methods")
	if !strings.Contains(out, "within 1 percentage point of that best") {
		t.Error("caption does not state the iso-accuracy rule")
	}
	rows := regexp.MustCompile(`<tr><td>([^<]*)</td><td>([^<]*)</td>`).FindAllStringSubmatch(out, -1)
	var pairs []string
	for _, m := range rows {
		pairs = append(pairs, m[1]+"/"+m[2])
	}
	if want := []string{"resnet20/normal", "resnet20/wcat", "resnet32/wcat"}; !slices.Equal(pairs, want) {
		t.Errorf("method table rows %v, want %v", pairs, want)
	}
	for _, want := range []string{
		`<tr><td>resnet20</td><td>normal</td><td class="num">7</td><td class="num">91.60</td><td class="num">0.8</td><td class="num">0.48</td><td class="num">2.52e-05</td><td class="num">26.54</td><td class="num">91.20</td><td class="num">90.98 – 91.42</td><td class="num">50</td><td class="num">–</td><td class="num">25.2 (vs 0.8 V)</td></tr>`,
		`<tr><td>resnet32</td><td>wcat</td><td class="num">7</td><td class="num">92.40</td><td class="num">0.5</td><td class="num">0.46</td>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("method table lacks %s", want)
		}
	}
	// With its nominal energy recorded (50 µJ), resnet20/normal saves 1 − 26.54/50 = 46.9 %.
	r := resultstest.Sample()
	r.Nominal = []results.NominalEnergy{{Model: "resnet20", Method: "normal", VddV: 0.9, EnergyPJ: 50e6}}
	withNominal := sectionHTML(t, renderHTML(t, r, echartsStandIn), "methods")
	if want := `<td class="num">50</td><td class="num">46.9</td><td class="num">25.2 (vs 0.8 V)</td></tr>`; !strings.Contains(withNominal, want) {
		t.Errorf("method table with a nominal energy lacks %s", want)
	}
	for _, unit := range []string{"energy per inference (µJ)", "iso-accuracy V<sub>DD</sub> (V)", "mean accuracy (%)", "trials used"} {
		if !strings.Contains(out, "<th>"+unit+"</th>") {
			t.Errorf("method table header lacks %q", unit)
		}
	}
}

// chartData decodes the page's JSON data block.
func chartData(t *testing.T, page string) []pageChartJSON {
	t.Helper()
	m := cosimData.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no data block")
	}
	var data struct {
		Charts []pageChartJSON `json:"charts"`
	}
	if err := json.Unmarshal([]byte(m[1]), &data); err != nil {
		t.Fatal(err)
	}
	return data.Charts
}

type pageChartJSON struct {
	ID     string         `json:"id"`
	Kind   string         `json:"kind"`
	Option map[string]any `json:"option"`
	Meta   struct {
		Series []struct {
			Frontier   bool        `json:"frontier"`
			FrontierOf string      `json:"frontier_of"`
			Points     []pointMeta `json:"points"`
		} `json:"series"`
		XLabel string          `json:"x_label"`
		Views  []breakdownView `json:"views"`
	} `json:"meta"`
}

func TestHTMLPerModelFrontiers(t *testing.T) {
	r := resultstest.Sample()
	page := renderHTML(t, r, echartsStandIn)
	ids := sectionIDs(page)
	if want := []string{"acc-energy", "acc-energy-model-0", "acc-energy-model-1", "ber-vdd"}; !slices.Equal(ids[:4], want) {
		t.Errorf("first sections %v, want %v", ids[:4], want)
	}
	for i, model := range []string{"resnet20", "resnet32"} {
		sec := sectionHTML(t, page, fmt.Sprintf("acc-energy-model-%d", i))
		if !strings.Contains(sec, "<h2>Accuracy vs energy per inference: "+model+"</h2>") {
			t.Errorf("section %d is not headed with %s:\n%s", i, model, sec)
		}
	}
	byModel := pareto.FrontierBy(r.Points, func(p results.Point) string { return p.Model })
	charts := map[string]pageChartJSON{}
	for _, c := range chartData(t, page) {
		charts[c.ID] = c
	}
	for id, want := range map[string]struct {
		model    string
		frontier []results.Point
		series   int
	}{
		"cosim_acc_energy":         {"", pareto.Frontier(r.Points), 3},
		"cosim_acc_energy_model_0": {"resnet20", byModel["resnet20"], 2},
		"cosim_acc_energy_model_1": {"resnet32", byModel["resnet32"], 1},
	} {
		c, ok := charts[id]
		if !ok {
			t.Fatalf("no chart %s", id)
		}
		// Each (model, method) has its points and their error bars, then the frontier.
		if len(c.Meta.Series) != 2*want.series+1 {
			t.Fatalf("%s: %d series, want %d pairs of points and error bars and the frontier", id, len(c.Meta.Series), want.series)
		}
		for _, s := range c.Meta.Series[:2*want.series] {
			for _, p := range s.Points {
				if want.model != "" && p.Model != want.model {
					t.Errorf("%s shows a point of %s", id, p.Model)
				}
			}
		}
		f := c.Meta.Series[2*want.series]
		if !f.Frontier || f.FrontierOf != want.model || len(f.Points) != len(want.frontier) {
			t.Errorf("%s: frontier series %v of %q with %d points, want the frontier of %q with %d",
				id, f.Frontier, f.FrontierOf, len(f.Points), want.model, len(want.frontier))
			continue
		}
		for i, p := range want.frontier {
			if f.Points[i] != toMeta(p) {
				t.Errorf("%s: frontier point %d = %+v, want %+v", id, i, f.Points[i], toMeta(p))
			}
		}
	}
	// A model's frontier is not the global one restricted to the model: globally, resnet20's
	// cheaper points dominate resnet32 below 0.46 V, but within resnet32 those points are on
	// its own frontier (0.40 … 0.50 V: 6 points, against 3 on the global one).
	if len(byModel["resnet32"]) <= 3 {
		t.Errorf("resnet32 frontier has %d points; the fixture should make it longer than its 3 global frontier points", len(byModel["resnet32"]))
	}

	// One model: no per-model charts.
	var one results.Report
	one.Points = slices.DeleteFunc(slices.Clone(r.Points), func(p results.Point) bool { return p.Model != "resnet20" })
	for _, id := range sectionIDs(renderHTML(t, one, echartsStandIn)) {
		if strings.HasPrefix(id, "acc-energy-model") {
			t.Errorf("a single-model report has the per-model section %s", id)
		}
	}
}

func TestHTMLCurves(t *testing.T) {
	r := resultstest.Sample()
	sq := results.Curve{Title: "squares", XLabel: "x", YLabel: "y", LogY: true, Series: []results.Series{
		{Name: "a", X: []float64{-1, 0, 1, 2}, Y: []float64{1, 0, 1, 4}},
		{Name: "b", X: []float64{1, 2}, Y: []float64{-2, 3}},
	}}
	both := results.Curve{ID: "both", Title: "log-log", Caption: "Two decades.", LogX: true, LogY: true, Series: []results.Series{
		{Name: "a", X: []float64{-1, 0, 1, 10}, Y: []float64{1, 1, 0, 100}},
	}}
	lin := results.Curve{ID: "lin", Title: "linear", Series: []results.Series{{Name: "a", X: []float64{-1, 0}, Y: []float64{-5, 0}}}}
	none := results.Curve{Title: "nothing to draw", LogX: true, Series: []results.Series{{Name: "a", X: []float64{0}, Y: []float64{1}}}}
	empty := results.Curve{Title: "no series"}
	r.Curves = append(r.Curves, sq, both, lin, none, empty)
	page := renderHTML(t, r, echartsStandIn)

	ids := sectionIDs(page)
	want := []string{"acc-energy", "acc-energy-model-0", "acc-energy-model-1", "ber-vdd", "acc-ber",
		"breakdown",
		"curve-alpha", "curve-1", "curve-both", "curve-lin", "curve-4", "curve-5", "frontier", "methods"}
	if !slices.Equal(ids, want) {
		t.Errorf("sections %v\nwant %v", ids, want)
	}
	for id, caption := range map[string]string{
		"curve-1":    "2 points with y ≤ 0 are not drawn on the logarithmic y axis.",
		"curve-both": "Two decades. 3 points with x ≤ 0 or y ≤ 0 are not drawn on the logarithmic axes.",
		"curve-4":    "1 point with x ≤ 0 is not drawn on the logarithmic x axis.",
	} {
		if sec := sectionHTML(t, page, id); !strings.Contains(sec, `<p class="caption">`+caption+"</p>") {
			t.Errorf("%s lacks the caption %q:\n%s", id, caption, sec)
		}
	}
	for _, id := range []string{"curve-lin", "curve-5"} {
		if strings.Contains(sectionHTML(t, page, id), `class="caption"`) {
			t.Errorf("%s has a caption, but nothing was left out", id)
		}
	}
	for _, id := range []string{"curve-4", "curve-5"} {
		sec := sectionHTML(t, page, id)
		if strings.Contains(sec, `class="chart"`) || !strings.Contains(sec, "This curve has no point to draw.") {
			t.Errorf("%s draws a chart without points:\n%s", id, sec)
		}
	}
	charts := map[string]pageChartJSON{}
	for _, c := range chartData(t, page) {
		charts[c.ID] = c
	}
	for _, id := range []string{"cosim_curve_4", "cosim_curve_5"} {
		if _, ok := charts[id]; ok {
			t.Errorf("chart %s is in the data block but has no element", id)
		}
	}
	// The drawn points, per series, and the axis types.
	type xy = [][2]float64
	for id, tc := range map[string]struct {
		x, y   string
		series map[string]xy
	}{
		"cosim_curve_1":    {"value", "log", map[string]xy{"a": {{-1, 1}, {1, 1}, {2, 4}}, "b": {{2, 3}}}},
		"cosim_curve_both": {"log", "log", map[string]xy{"a": {{10, 100}}}},
		"cosim_curve_lin":  {"value", "value", map[string]xy{"a": {{-1, -5}, {0, 0}}}},
		"cosim_curve_alpha": {"log", "value", map[string]xy{
			"uniform": {{1e-5, 1.72}, {1e-4, 1.70}, {1e-3, 1.61}, {1e-2, 1.35}, {1e-1, 0.92}}}},
	} {
		c, ok := charts[id]
		if !ok {
			t.Fatalf("no chart %s", id)
		}
		if c.Kind != "curve" {
			t.Errorf("%s: kind %q", id, c.Kind)
		}
		x := c.Option["xAxis"].([]any)[0].(map[string]any)["type"]
		y := c.Option["yAxis"].([]any)[0].(map[string]any)["type"]
		if x != tc.x || y != tc.y {
			t.Errorf("%s: axes %v/%v, want %s/%s", id, x, y, tc.x, tc.y)
		}
		for _, s := range c.Option["series"].([]any) {
			sm := s.(map[string]any)
			want, ok := tc.series[sm["name"].(string)]
			if !ok {
				continue
			}
			var got xy
			for _, d := range sm["data"].([]any) {
				v := d.(map[string]any)["value"].([]any)
				got = append(got, [2]float64{v[0].(float64), v[1].(float64)})
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s series %v: points %v, want %v", id, sm["name"], got, want)
			}
		}
	}
	if got := len(charts["cosim_curve_alpha"].Option["series"].([]any)); got != 4 {
		t.Errorf("alpha curve has %d series, want 4", got)
	}
}

// TestHTMLCurvesOnly: a report of curves alone (the α* analysis) shows its curves and none of the
// built-in sections' empty-state messages; an entirely empty report still shows them.
func TestHTMLCurvesOnly(t *testing.T) {
	r := results.Report{Title: "α*", Curves: resultstest.Sample().Curves}
	page := renderHTML(t, r, echartsStandIn)
	if ids := sectionIDs(page); !slices.Equal(ids, []string{"curve-alpha"}) {
		t.Errorf("sections %v, want only curve-alpha", ids)
	}
	if strings.Contains(page, "The report has no") {
		t.Error("a curves-only report shows empty-state messages")
	}
	// With a BER curve too, its chart is shown, still without the empty point sections.
	r.BERCurve = resultstest.Sample().BERCurve
	if ids := sectionIDs(renderHTML(t, r, echartsStandIn)); !slices.Equal(ids, []string{"ber-vdd", "curve-alpha"}) {
		t.Errorf("sections %v, want ber-vdd, curve-alpha", ids)
	}
	if ids := sectionIDs(renderHTML(t, results.Report{}, echartsStandIn)); !slices.Equal(ids, []string{"acc-energy", "ber-vdd", "acc-ber", "frontier"}) {
		t.Errorf("empty report sections %v", ids)
	}
}

// TestHTMLBreakdownSelector: every breakdown list is one view of the single breakdown chart,
// labelled with its model, voltage and label; a breakdown without layers has no layer view; the
// chart shows the first view, its bars split into dynamic and leakage energy where given.
func TestHTMLBreakdownSelector(t *testing.T) {
	r := resultstest.Sample()
	r.Breakdowns = append(r.Breakdowns, results.Breakdown{Model: "resnet32", VddV: 0.8,
		Components: []results.Share{{Name: "MAC", PJ: 3e6, DynamicPJ: 2e6, LeakagePJ: 1e6}}})
	page := renderHTML(t, r, echartsStandIn)
	sec := sectionHTML(t, page, "breakdown")
	var labels []string
	for _, m := range regexp.MustCompile(`<option value="(\d+)">([^<]*)</option>`).FindAllStringSubmatch(sec, -1) {
		labels = append(labels, m[1]+" "+m[2])
	}
	want := []string{
		"0 Energy per component: resnet20 at 0.44 V (lowest-energy frontier point)",
		"1 Energy per layer: resnet20 at 0.44 V (lowest-energy frontier point)",
		"2 Energy per component: resnet32 at 0.8 V",
	}
	if !slices.Equal(labels, want) {
		t.Errorf("selector %q\nwant %q", labels, want)
	}
	var c pageChartJSON
	for _, ch := range chartData(t, page) {
		if ch.ID == "cosim_breakdown" {
			c = ch
		}
	}
	if c.ID == "" || c.Kind != "shares" {
		t.Fatalf("no breakdown chart: %+v", c)
	}
	meta := c.Meta
	if len(meta.Views) != 3 {
		t.Fatalf("%d views", len(meta.Views))
	}
	v := meta.Views[2]
	if !slices.Equal(v.Names, []string{"MAC"}) || v.Dynamic[0] != 2 || v.Leakage[0] != 1 || v.Other[0] != 0 || v.TotalUJ != 3 {
		t.Errorf("split view %+v", v)
	}
	if u := meta.Views[0]; u.Dynamic[0] != 0 || u.Other[0] != 12.1 {
		t.Errorf("unsplit view %+v", u)
	}
	bad := resultstest.Sample()
	bad.Breakdowns[0].Components[0].DynamicPJ = 1
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "differ from the total") {
		t.Errorf("inconsistent split accepted: %v", err)
	}
}

// A logarithmic BER axis spans whole decades with a tick per decade.
func TestDecades(t *testing.T) {
	for _, c := range []struct {
		values []float64
		lo, hi int
		ok     bool
	}{
		{[]float64{3e-15, 0.5, 0, -1}, -15, 0, true},
		{[]float64{2e-3, 4e-3}, -3, -2, true},
		{[]float64{1e-3}, -3, -2, true},
		{[]float64{0}, 0, 0, false},
	} {
		if lo, hi, ok := decades(c.values); lo != c.lo || hi != c.hi || ok != c.ok {
			t.Errorf("decades(%v) = %d, %d, %v; want %d, %d, %v", c.values, lo, hi, ok, c.lo, c.hi, c.ok)
		}
	}
	// The axis is over log10 of the BER, one unit (decade) per tick.
	a := decadeAxisY("bit error rate", []float64{3e-15, 0.5})
	if a.Type != "value" || a.Min != -15 || a.Max != 0 || a.MinInterval != 1 || a.MaxInterval != 1 {
		t.Errorf("axis %+v", a)
	}
}
