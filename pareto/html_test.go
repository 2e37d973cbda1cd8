package pareto

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"html"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// echartsStandIn replaces the 1 MB ECharts library in the golden file.
const echartsStandIn = "/* echarts.min.js is inlined here by WriteHTML */"

func renderHTML(t *testing.T, r Report, src string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := writeHTML(&buf, r, src); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestHTMLGolden compares the page (with a stand-in for the ECharts library) with
// testdata/report.golden.html; run with -update to rewrite it after an intended change.
func TestHTMLGolden(t *testing.T) {
	got := renderHTML(t, sampleReport(), echartsStandIn)
	golden := filepath.Join("testdata", "report.golden.html")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./pareto -run Golden -update to create it)", err)
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
	if err := WriteHTML(&buf, sampleReport()); err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(renderHTML(t, sampleReport(), echartsStandIn), echartsStandIn, echartsJS, 1)
	if buf.String() != want {
		t.Error("WriteHTML output is not the golden page with echarts.min.js inlined")
	}
}

func TestHTMLDeterministic(t *testing.T) {
	r := sampleReport()
	first := renderHTML(t, r, echartsStandIn)
	rng := rand.New(rand.NewPCG(7, 8))
	for range 10 {
		s := sampleReport()
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
	if err := WriteHTML(&buf, sampleReport()); err != nil {
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
func nastyReport() Report {
	const s1, s2 = "<script>alert(1)</script>", "</script><b>x"
	r := sampleReport()
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
	r.Breakdowns[0].Model = s2
	r.Breakdowns[0].Components[0].Name = s1
	r.Breakdowns[0].Layers[0].Name = s2
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
	// Text outside scripts is HTML-escaped and decodes back to the original.
	for _, want := range []string{
		"<title>" + html.EscapeString(r.Title) + "</title>",
		"<h1>" + html.EscapeString(r.Title) + "</h1>",
		"<li>" + html.EscapeString("<script>alert(1)</script>") + "</li>",
		"<td>" + html.EscapeString("</script><b>x") + "</td>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestWriteHTMLRejectsInvalid(t *testing.T) {
	r := sampleReport()
	r.Points[0].Trials = 0
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r); !errors.Is(err, ErrInvalid) || buf.Len() != 0 {
		t.Errorf("WriteHTML(invalid) = %v, %d bytes", err, buf.Len())
	}
}

func TestHTMLEmptyReport(t *testing.T) {
	out := renderHTML(t, Report{}, echartsStandIn)
	if !strings.Contains(out, "<title>cosim report</title>") || !strings.Contains(out, "The report has no operating points.") {
		t.Errorf("empty report page lacks its default title or empty-state text:\n%s", out)
	}
	if strings.Contains(out, `class="chart"`) {
		t.Error("empty report draws a chart")
	}
}

func TestHTMLFrontierTable(t *testing.T) {
	out := renderHTML(t, sampleReport(), echartsStandIn)
	rows := regexp.MustCompile(`<tr><td>`).FindAllStringIndex(out, -1)
	if want := len(Frontier(sampleReport().Points)); len(rows) != want {
		t.Errorf("frontier table has %d rows, want %d", len(rows), want)
	}
	for _, unit := range []string{"energy per inference (µJ)", "V<sub>DD</sub> (V)", "mean accuracy (%)", "95% CI of mean (%)"} {
		if !strings.Contains(out, "<th>"+unit+"</th>") {
			t.Errorf("table header lacks %q", unit)
		}
	}
	// resnet20/wcat at 0.44 V: 21.5e6 + 14e6·0.44²/0.64 pJ = 25.735 µJ, 90.4 %.
	if !strings.Contains(out, `<td>resnet20</td><td>wcat</td><td class="num">0.44</td><td class="num">3.85e-04</td><td class="num">25.735</td><td class="num">90.40</td>`) {
		t.Error("table lacks the resnet20/wcat 0.44 V row")
	}
}
