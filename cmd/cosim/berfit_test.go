package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestBERFit(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Points of the WCAT appendix C model exp(22.12 − 68.14·V), one saturated.
	var b strings.Builder
	b.WriteString("# measured\nvdd_v,ber\n")
	for _, v := range []float64{0.30, 0.36, 0.38, 0.40, 0.42, 0.44} {
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64) + "," + strconv.FormatFloat(math.Min(math.Exp(22.12-68.14*v), 0.5), 'g', -1, 64) + "\n")
	}
	good := write("good.csv", b.String())
	code, out, errs := cosim(t, "ber-fit", "--points", good, "--fit", "linear", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got struct {
		Fit     string `json:"fit"`
		A, B, C float64
		Points  []struct {
			Residual *float64 `json:"ln_residual"`
		} `json:"points"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Fit != "linear" || math.Abs(got.A-22.12) > 1e-3 || math.Abs(got.B+68.14) > 1e-3 || got.C != 0 || len(got.Points) != 6 || got.Points[0].Residual != nil || got.Points[1].Residual == nil {
		t.Fatalf("fit %+v", got)
	}
	if code, out, _ := cosim(t, "ber-fit", "--points", good); code != 0 || !strings.Contains(out, "saturated") || !strings.Contains(out, "ber: {a: ") {
		t.Fatalf("table: exit %d\n%s", code, out)
	}
	for _, c := range []struct{ body, want string }{
		{"vdd_v,ber\n0.4,abc\n", "bad.csv:2: column ber: \"abc\" is not a positive number at most 1"},
		{"volts,ber\n0.4,0.1\n", "bad.csv:1: want the header line \"vdd_v,ber\""},
		{"vdd_v,ber\n0.4,0.1,3\n", "wrong number of fields"},
		{"vdd_v,ber\n", "bad.csv: no points"},
		{"vdd_v,ber\n0.4,0.01\n0.5,0.001\n", "need at least 3"},
	} {
		p := write("bad.csv", c.body)
		if code, _, errs := cosim(t, "ber-fit", "--points", p); code != 2 || !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%q: exit %d, %q; want exit 2 and one line with %q", c.body, code, errs, c.want)
		}
	}
	if code, _, _ := cosim(t, "ber-fit", "--points", good, "--fit", "cubic"); code != 2 {
		t.Errorf("--fit cubic: exit %d", code)
	}
}
