package report

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"cosim/internal/resultstest"
	"cosim/results"
)

// chromiumPath is where Debian's "chromium" package installs the browser.
const chromiumPath = "/usr/bin/chromium"

func chromiumOrSkip(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("%s not found: install the Debian package \"chromium\" (apt-get install -y chromium) to render the HTML report headless", chromiumPath)
	}
	return chromiumPath
}

// runChromium loads file in headless Chromium with the given extra flags and returns stdout and
// the JavaScript console lines it logged (Chromium prints every console message and uncaught
// exception to stderr as "…:CONSOLE:…" with --enable-logging=stderr).
func runChromium(t *testing.T, bin, file string, extra ...string) (stdout string, console []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0",
		"--window-size=1200,2400",
	}
	args = append(args, extra...)
	args = append(args, "file://"+file)
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", extra, err, errOut.String())
	}
	for _, line := range strings.Split(errOut.String(), "\n") {
		if strings.Contains(line, ":CONSOLE") {
			console = append(console, line)
		}
	}
	return out.String(), console
}

// probeJS, appended to a copy of the page, calls every chart's tooltip formatter on the first
// data item of each series and writes the results, and the number of chart canvases, into the DOM.
const probeJS = `<pre id="probe"></pre><script>
(function () {
  var out = { canvases: document.querySelectorAll("div.chart canvas").length, charts: 0, tips: [] };
  document.querySelectorAll("div.chart").forEach(function (el) {
    var inst = echarts.getInstanceByDom(el);
    if (!inst) { return; }
    out.charts++;
    var opt = inst.getOption();
    var fmt = opt.tooltip[0].formatter;
    var cats = (opt.xAxis && opt.xAxis[0] && opt.xAxis[0].data) || [];
    opt.series.forEach(function (s, si) {
      var d = s.data[0];
      var v = (d && d.value !== undefined) ? d.value : d;
      out.tips.push(fmt({ seriesIndex: si, dataIndex: 0, seriesName: s.name, name: cats[0], value: v }));
    });
  });
  document.getElementById("probe").textContent = JSON.stringify(out);
})();
</script>`

var probeRE = regexp.MustCompile(`(?s)<pre id="probe">(.*?)</pre>`)

// TestHTMLInChromium renders the sample and the script-injection reports in headless Chromium:
// no console message or uncaught error, every chart drawn on a canvas, a screenshot that is not
// blank, and tooltips that show user strings escaped.
func TestHTMLInChromium(t *testing.T) {
	bin := chromiumOrSkip(t)
	for _, tc := range []struct {
		name string
		r    results.Report
	}{{"sample", resultstest.Sample()}, {"nasty", nastyReport()}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var buf bytes.Buffer
			if err := WriteHTML(&buf, tc.r); err != nil {
				t.Fatal(err)
			}
			page := filepath.Join(dir, "index.html")
			if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			nCharts := strings.Count(buf.String(), `<div class="chart"`)

			// 1. The page as written: screenshot, no console output.
			shot := filepath.Join(dir, "shot.png")
			_, console := runChromium(t, bin, page, "--screenshot="+shot)
			for _, l := range console {
				t.Errorf("console: %s", l)
			}
			checkNotBlank(t, shot)

			// 2. A copy with the probe: charts drawn, tooltips escaped.
			probed := filepath.Join(dir, "probe.html")
			// Insert before the page's own </body> (the last one: ECharts' source contains that text too).
			i := strings.LastIndex(buf.String(), "</body>")
			withProbe := buf.String()[:i] + probeJS + "\n" + buf.String()[i:]
			if err := os.WriteFile(probed, []byte(withProbe), 0o644); err != nil {
				t.Fatal(err)
			}
			dom, console := runChromium(t, bin, probed, "--dump-dom")
			for _, l := range console {
				t.Errorf("console (probe): %s", l)
			}
			m := probeRE.FindStringSubmatch(dom)
			if m == nil {
				t.Fatalf("probe output missing from the DOM:\n%.2000s", dom)
			}
			var res struct {
				Canvases, Charts int
				Tips             []string
			}
			if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &res); err != nil {
				t.Fatalf("probe output %q: %v", m[1], err)
			}
			if res.Charts != nCharts || res.Canvases < nCharts {
				t.Errorf("%d chart instances and %d canvases for %d chart elements", res.Charts, res.Canvases, nCharts)
			}
			if len(res.Tips) == 0 {
				t.Fatal("no tooltips probed")
			}
			sawEscaped := false
			for _, tip := range res.Tips {
				if tip == "" {
					t.Error("empty tooltip")
				}
				if strings.Contains(tip, "<script") || strings.Contains(tip, "<b>x") {
					t.Errorf("tooltip shows user data unescaped: %q", tip)
				}
				if strings.Contains(tip, "&lt;script&gt;alert(1)&lt;/script&gt;") || strings.Contains(tip, "&lt;/script&gt;&lt;b&gt;x") {
					sawEscaped = true
				}
			}
			if tc.name == "nasty" && !sawEscaped {
				t.Errorf("no tooltip shows the escaped model name: %q", res.Tips)
			}
			// Tooltips of the curve, of a per-model frontier and of a point with a protocol.
			wantTips := map[string][]string{
				"sample": {
					"uniform<br>bit error rate = 1.000e-5<br>α* / σ = 1.72",
					"(on the Pareto frontier of resnet32)",
					", 50 trials, protocol subset, 1000 images per trial",
				},
				"nasty": {
					"&lt;script&gt;alert(1)&lt;/script&gt;<br>&lt;/script&gt;&lt;b&gt;x x = 1.000e-5<br>__f__alert(4)__f__ = 1.72",
					"(on the Pareto frontier of &lt;/script&gt;&lt;b&gt;x)",
				},
			}
			for _, want := range wantTips[tc.name] {
				found := false
				for _, tip := range res.Tips {
					found = found || strings.Contains(tip, want)
				}
				if !found {
					t.Errorf("no tooltip contains %q: %q", want, res.Tips)
				}
			}
		})
	}
}

// checkNotBlank decodes a PNG and fails if it is (nearly) a single colour.
func checkNotBlank(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	b := img.Bounds()
	bg := img.At(b.Min.X, b.Min.Y)
	br, bgG, bb, _ := bg.RGBA()
	colours := map[[3]uint32]bool{}
	differ := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
			if r != br || g != bgG || bl != bb {
				differ++
			}
		}
	}
	total := b.Dx() * b.Dy()
	// Text and five charts cover several percent of the page; a page whose script failed shows
	// only the headings, far less than that, and a blank one shows a single colour.
	if len(colours) < 16 || differ*100 < total {
		t.Errorf("screenshot looks blank: %d colours, %d of %d pixels differ from the background", len(colours), differ, total)
	}
}
