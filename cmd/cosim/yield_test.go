package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cosim/report"
	"cosim/results"
)

// TestYieldEndToEnd trains an MNIST MLP, runs `cosim yield --spec` on a
// chip-fault spec, re-analyses its results with --in and cosim report, and
// checks that bad requests exit 2 before writing anything.
func TestYieldEndToEnd(t *testing.T) {
	needMNIST(t)
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "w.ckpt")
	copyMLP(t, ckpt)
	spec := filepath.Join(dir, "chips.yaml")
	os.WriteFile(spec, []byte("sweep:\n  models: [{checkpoint: w.ckpt}]\n  voltages: [0.36, 0.38, 0.40, 0.44]\n  faults: chip\n"+
		"  monte-carlo: {max-trials: 8, min-trials: 2, subset: 300}\n  out: chips-out\n"), 0o644)
	iidSpec := filepath.Join(dir, "iid.yaml")
	os.WriteFile(iidSpec, []byte("sweep:\n  models: [{checkpoint: w.ckpt}]\n  voltages: [0.4]\n  monte-carlo: {max-trials: 2, min-trials: 2}\n"), 0o644)
	out := filepath.Join(dir, "chips-out")

	refused := filepath.Join(dir, "refused")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"yield", "--spec", iidSpec, "--target", "90", "--yield", "0.9", "--out", refused}, "a yield needs chips"},
		{[]string{"yield", "--spec", spec, "--target", "0", "--yield", "0.9", "--out", refused}, "--target 0"},
		{[]string{"yield", "--spec", spec, "--target", "90", "--yield", "1.5", "--out", refused}, "--yield 1.5"},
		{[]string{"yield", "--spec", spec, "--in", spec, "--target", "90", "--yield", "0.9"}, "exactly one of --spec and --in"},
		{[]string{"yield", "--in", spec, "--target", "90", "--yield", "0.9", "--workers", "2"}, "--workers applies to --spec"},
		{[]string{"sweep", "--model", ckpt, "--faults", "chip", "--ci", "0.5", "--out", refused}, "no adaptive stopping"},
		{[]string{"sweep", "--model", ckpt, "--faults", "weak", "--out", refused}, "unknown fault model"},
		{[]string{"sweep", "--spec", spec, "--faults", "iid", "--out", refused}, "--faults cannot be combined with --spec"},
	} {
		if code, _, errs := cosim(t, c.args...); code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want exit 2 and %q", c.args, code, errs, c.want)
		}
		if _, err := os.Stat(refused); !os.IsNotExist(err) {
			t.Fatalf("%v: the refused command created %s", c.args, refused)
		}
	}

	code, stdout, errs := cosim(t, "yield", "--spec", spec, "--target", "90", "--yield", "0.75", "--quiet")
	if code != 0 {
		t.Fatalf("yield: exit %d\n%s\n%s", code, stdout, errs)
	}
	for _, want := range []string{"4 points (1 models × 4 voltages)", "mlp-784-100-10  wcat    8", "only with at least 13 chips", "section \"Lowest supply voltage at a yield\""} {
		if !strings.Contains(stdout, want) {
			t.Errorf("yield output lacks %q:\n%s", want, stdout)
		}
	}
	raw, err := os.ReadFile(filepath.Join(out, report.JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := results.ReadJSON(bytes.NewReader(raw), "sweep.json")
	if err != nil || rep.Yield.TargetPct != 90 || len(rep.Points) != 4 || len(rep.Points[0].ChipAccs) != 8 {
		t.Fatalf("sweep.json: %v, yield %+v, %d points", err, rep.Yield, len(rep.Points))
	}
	html, _ := os.ReadFile(filepath.Join(out, report.HTMLFile))
	if !bytes.Contains(html, []byte(`id="vmin-yield"`)) || !bytes.Contains(html, []byte(`id="acc-energy-yield"`)) {
		t.Fatal("the report has no yield sections")
	}
	// The same analysis from the results, without rerunning; and in cosim report.
	code, again, errs := cosim(t, "yield", "--in", filepath.Join(out, report.JSONFile), "--target", "90", "--yield", "0.75")
	if code != 0 || !strings.Contains(stdout, strings.Split(again, "note:")[0]) {
		t.Fatalf("yield --in: exit %d %s\n%s\nvs\n%s", code, errs, again, stdout)
	}
	rdir := filepath.Join(dir, "report")
	if code, _, errs := cosim(t, "report", "--in", filepath.Join(out, report.JSONFile), "--out", rdir, "--target", "90", "--yield", "0.5"); code != 0 {
		t.Fatalf("report --yield: exit %d %s", code, errs)
	}
	// Results without chips cannot give a yield.
	iidOut := filepath.Join(dir, "iid-out")
	if code, _, errs := cosim(t, "sweep", "--spec", iidSpec, "--out", iidOut, "--quiet"); code != 0 {
		t.Fatalf("iid sweep: exit %d %s", code, errs)
	}
	for _, c := range [][]string{
		{"yield", "--in", filepath.Join(iidOut, report.JSONFile), "--target", "90", "--yield", "0.9"},
		{"report", "--in", filepath.Join(iidOut, report.JSONFile), "--out", refused, "--target", "90", "--yield", "0.9"},
	} {
		if code, _, errs := cosim(t, c...); code != 2 || !strings.Contains(errs, "chip accuracies") {
			t.Errorf("%v: exit %d %q; want exit 2 naming the missing chip accuracies", c, code, errs)
		}
	}
}
