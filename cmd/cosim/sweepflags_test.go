package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cosim/report"
	"cosim/results"
)

// --label lets two checkpoints of the same network and method share a
// sweep; --trials overrides a spec's max-trials; a spec's missing
// checkpoint names the spec, the entry and the path it resolved.
func TestSweepLabelsTrialsAndSpecPaths(t *testing.T) {
	model := filepath.Join(trainedMLP(t), "mlp.ckpt")
	dir := t.TempDir()
	out := filepath.Join(dir, "r")
	code, _, errs := cosim(t, "sweep", "--quiet", "--model", model, "--label", "run A", "--model", model, "--label", "run B",
		"--vmin", "0.5", "--vmax", "0.5", "--trials", "2", "--subset", "200", "--out", out)
	if code != 0 {
		t.Fatalf("labels: exit %d: %s", code, errs)
	}
	f, err := os.Open(filepath.Join(out, report.CSVFile))
	if err != nil {
		t.Fatal(err)
	}
	pts, err := results.ReadCSV(f, "sweep.csv")
	f.Close()
	if err != nil || len(pts) != 2 || pts[0].Method == pts[1].Method || !strings.HasPrefix(pts[0].Method, "run ") {
		t.Fatalf("points %+v, %v", pts, err)
	}
	if code, _, errs := cosim(t, "sweep", "--model", model, "--model", model, "--label", "x", "--out", filepath.Join(dir, "no")); code != 2 || !strings.Contains(errs, "1 --label for 2 --model") {
		t.Errorf("label count: exit %d, %q", code, errs)
	}

	spec := filepath.Join(dir, "spec", "s.yaml")
	os.MkdirAll(filepath.Dir(spec), 0o755)
	os.WriteFile(spec, []byte("sweep:\n  models:\n    - checkpoint: "+model+"\n  voltages: [0.5]\n  monte-carlo: {max-trials: 50, min-trials: 10, ci-half-width: 0, subset: 200}\n"), 0o644)
	out2 := filepath.Join(dir, "r2")
	if code, _, errs := cosim(t, "sweep", "--quiet", "--spec", spec, "--trials", "3", "--out", out2); code != 0 {
		t.Fatalf("--trials with --spec: exit %d: %s", code, errs)
	}
	f, _ = os.Open(filepath.Join(out2, report.CSVFile))
	pts, err = results.ReadCSV(f, "sweep.csv")
	f.Close()
	if err != nil || len(pts) != 1 || pts[0].Trials != 3 {
		t.Fatalf("--trials 3 with --spec: %+v, %v", pts, err)
	}

	os.WriteFile(spec, []byte("sweep:\n  models:\n    - checkpoint: ../models/m.ckpt\n  voltages: [0.5]\n"), 0o644)
	code, _, errs = cosim(t, "sweep", "--spec", spec, "--out", filepath.Join(dir, "r3"))
	want := filepath.Join(dir, "models", "m.ckpt")
	if code != 2 || !strings.Contains(errs, "s.yaml: models[0].checkpoint") || !strings.Contains(errs, want) {
		t.Errorf("a spec's missing checkpoint: exit %d, %q; want the entry and %s", code, errs, want)
	}
}
