package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cosim/dnn"
	"cosim/report"
	"cosim/results"
)

// cosim runs one command line in-process and returns its exit status and
// outputs.
func cosim(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func needMNIST(t *testing.T) {
	t.Helper()
	if _, err := dnn.MNISTDir(); err != nil {
		t.Skipf("MNIST data not available: %v", err)
	}
}

func TestHelpAndUnknown(t *testing.T) {
	code, out, _ := cosim(t, "help")
	if code != 0 {
		t.Fatalf("help exit %d", code)
	}
	for _, c := range []string{"train", "sweep", "eval", "data"} {
		if !strings.Contains(out, "  "+c+" ") {
			t.Errorf("help does not list %s:\n%s", c, out)
		}
	}
	if code, _, errs := cosim(t, "frobnicate"); code != 2 || !strings.Contains(errs, "unknown command") {
		t.Fatalf("unknown command: exit %d, %q", code, errs)
	}
	if code, _, _ := cosim(t); code != 2 {
		t.Fatalf("no command: exit %d", code)
	}
}

// Every command's --help prints its usage and its flags, and exits 0.
func TestEveryCommandHelpListsFlags(t *testing.T) {
	for name := range commands {
		args := []string{name, "--help"}
		switch name {
		case "attack":
			args = []string{name, "bfa", "--help"}
		case "arch", "schema", "version", "help", "data":
			continue // subcommands or no flags
		}
		code, _, errs := cosim(t, args...)
		if code != 0 || !strings.Contains(errs, "Usage: cosim "+name) || !strings.Contains(errs, "\n  -") {
			t.Errorf("%v: exit %d, want 0 with the usage and a flag list:\n%s", args, code, errs)
		}
		if name == "train" && !strings.Contains(errs, "resnet56") {
			t.Errorf("train --help does not list the ResNets:\n%s", errs)
		}
	}
}

// The built-in layer sets price on every built-in architecture without
// flags beyond the model (weights in DRAM are not limited).
func TestEnergyBuiltins(t *testing.T) {
	for _, c := range [][]string{
		{"energy", "--arch", "eyeriss", "--model", "alexnet", "--batch", "4"},
		{"energy", "--arch", "eyeriss-like-timeloop", "--model", "resnet20"},
		{"energy", "--arch", "eyeriss-onchip", "--model", "resnet20", "--bits", "4", "--vdd", "0.4", "--json"},
	} {
		if code, _, errs := cosim(t, c...); code != 0 {
			t.Errorf("%v: exit %d: %s", c, code, errs)
		}
	}
}

func TestBadInputExitsTwo(t *testing.T) {
	dir := t.TempDir()
	badArch := filepath.Join(dir, "bad.yaml")
	os.WriteFile(badArch, []byte("architecture:\n  version: cosim/1\n  nmae: x\n"), 0o644)
	// An explicit MAC energy of 1e308 pJ overflows the total.
	hugeArch := filepath.Join(dir, "huge.yaml")
	onchip, err := os.ReadFile(filepath.Join("..", "..", "arch", "specs", "eyeriss-onchip.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(hugeArch, []byte(strings.Replace(string(onchip), "op-pj: 0.207692", "op-pj: 1e308", 1)), 0o644)
	junk := filepath.Join(dir, "junk.ckpt")
	os.WriteFile(junk, []byte("not a checkpoint"), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"train", "--bogus"}, ""},
		{[]string{"train", "--model", "mlp", "--epochs", "0", "--out", filepath.Join(dir, "m.ckpt")}, "--epochs 0: want ≥ 1"},
		{[]string{"train", "--model", "mlp", "--epochs", "-3", "--out", filepath.Join(dir, "m.ckpt")}, "--epochs -3: want ≥ 1"},
		{[]string{"train", "--model", "mlp", "--batch", "-5", "--out", filepath.Join(dir, "m.ckpt")}, "--batch -5: want ≥ 1"},
		{[]string{"train", "--model", "mlp", "--valid", "nan", "--out", filepath.Join(dir, "m.ckpt")}, "validation fraction NaN"},
		{[]string{"train", "--model", "mlp", "--lr", "inf", "--out", filepath.Join(dir, "m.ckpt")}, "learning rate +Inf"},
		{[]string{"train", "--model", "mlp", "--out", dir}, "is a directory"},
		{[]string{"train", "--model", "mlp", "--out", filepath.Join(dir, "missing", "m.ckpt")}, "cannot write in the directory"},
		{[]string{"energy", "--arch", "eyeriss-onchip", "--model", "resnet56"}, "resnet56 (16-bit weights) needs 1.62 MiB of weights, but weight_sram"},
		{[]string{"energy", "--arch", "eyeriss-onchip", "--model", "resnet20", "--bits", "33"}, ""},
		{[]string{"energy", "--arch", "eyeriss-onchip", "--model", "resnet20", "--energy-model", "cubic"}, `unknown energy model "cubic"`},
		{[]string{"energy", "--arch", hugeArch, "--model", "resnet20", "--bits", "4"}, "the energy at 0.8 V is +Inf"},
		{[]string{"train", "--model", "mlp"}, "--out is required"},
		{[]string{"train", "--method", "magic", "--out", "x"}, "unknown quantization method"},
		{[]string{"train", "--bits", "1", "--out", "x"}, "bits = 1"},
		{[]string{"train", "--model", "vgg99", "--out", "x"}, "unknown architecture"},
		{[]string{"sweep"}, "--model"},
		{[]string{"sweep", "--model", junk}, "junk.ckpt"},
		{[]string{"sweep", "--model", junk, "--arch", badArch}, "bad.yaml:3:3"},
		{[]string{"sweep", "--model", junk, "--vmin", "0.9", "--vmax", "0.3"}, "voltage grid"},
		{[]string{"eval", "--model", junk, "--ber", "0.7"}, "--ber 0.7"},
		{[]string{"eval", "--model", filepath.Join(dir, "missing.ckpt"), "--ber", "0.01"}, "missing.ckpt"},
		{[]string{"eval", "--model", junk, "--ber", "0.01", "--protocol", "fast"}, "--protocol"},
		{[]string{"eval", "--model", junk, "--ber", "0.01", "--subset", "0"}, "--subset 0"},
		{[]string{"train", "--method", "wcat", "--lsq-reference-grad", "--out", "x"}, "method lsq"},
		{[]string{"data", "fetch"}, "--out is required"},
	}
	for _, c := range cases {
		code, _, errs := cosim(t, c.args...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 mentioning %q", c.args, code, errs, c.want)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 3 {
		t.Errorf("bad input left files behind: %v", ents)
	}
}

// The spine end to end: train two MLPs, sweep them, read the outputs back.
func TestTrainSweepEndToEnd(t *testing.T) {
	needMNIST(t)
	dir := t.TempDir()
	w, n := filepath.Join(dir, "w.ckpt"), filepath.Join(dir, "n.ckpt")
	for _, c := range [][]string{
		{"train", "--model", "mlp", "--method", "wcat", "--epochs", "2", "--out", w},
		{"train", "--model", "mlp", "--method", "normal", "--epochs", "2", "--out", n},
	} {
		if code, out, errs := cosim(t, c...); code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", c, code, out, errs)
		}
	}
	// A sweep the architecture cannot run (an energy that overflows, the
	// same model twice, too many weight bits for the memory) is refused
	// before its output folder exists.
	onchip, err := os.ReadFile(filepath.Join("..", "..", "arch", "specs", "eyeriss-onchip.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	huge, small := filepath.Join(dir, "huge.yaml"), filepath.Join(dir, "small.yaml")
	os.WriteFile(huge, []byte(strings.Replace(string(onchip), "op-pj: 0.207692", "op-pj: 1e308", 1)), 0o644)
	os.WriteFile(small, []byte(strings.Replace(string(onchip), "depth: 65536", "depth: 64", 1)), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--arch", huge, "--model", w}, "the energy at 0.8 V is +Inf"},
		{[]string{"--model", w, "--model", w}, "each (model, method) pair may appear once"},
		{[]string{"--arch", small, "--model", w}, "needs 38.8 KiB of weights, but weight_sram"},
	} {
		out := filepath.Join(dir, "refused")
		args := append([]string{"sweep", "--vmin", "0.4", "--vmax", "0.8", "--vstep", "0.4", "--trials", "2", "--out", out}, c.args...)
		if code, _, errs := cosim(t, args...); code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want exit 2 and %q", c.args, code, errs, c.want)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%v: the refused sweep created %s", c.args, out)
		}
	}
	// At BER 1e-2 the WCAT MLP is more accurate than the Normal one.
	var accs [2]float64
	for i, m := range []string{w, n} {
		code, out, errs := cosim(t, "eval", "--model", m, "--ber", "0.01", "--trials", "8", "--json")
		if code != 0 {
			t.Fatalf("eval: exit %d: %s", code, errs)
		}
		var r evalResult
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		accs[i] = r.AccMean
	}
	if !(accs[0] > accs[1]) {
		t.Errorf("BER 1e-2: WCAT %.2f%%, Normal %.2f%%; want WCAT above Normal", accs[0], accs[1])
	}
	t.Logf("BER 1e-2, 8 trials: WCAT %.2f%%, Normal %.2f%%", accs[0], accs[1])

	rep := filepath.Join(dir, "rep")
	code, out, errs := cosim(t, "sweep", "--model", w, "--model", n, "--vmin", "0.36", "--vmax", "0.44", "--vstep", "0.04", "--trials", "3", "--out", rep)
	if code != 0 {
		t.Fatalf("sweep: exit %d\n%s\n%s", code, out, errs)
	}
	f, err := os.Open(filepath.Join(rep, report.CSVFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pts, err := results.ReadCSV(f, "sweep.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 6 {
		t.Fatalf("%d points, want 2 models × 3 voltages", len(pts))
	}
	for _, p := range pts {
		if p.Trials != 3 || p.EnergyPJ <= 0 || p.Model != "mlp-784-100-10" || (p.Method != "wcat" && p.Method != "normal") {
			t.Fatalf("bad point %+v", p)
		}
	}
	// Lower voltage: higher BER, lower energy.
	if !(pts[0].VddV < pts[2].VddV && pts[0].BER > pts[2].BER && pts[0].EnergyPJ < pts[2].EnergyPJ) {
		t.Fatalf("points not ordered by voltage with falling energy: %+v", pts[:3])
	}
	jf, _ := os.ReadFile(filepath.Join(rep, report.JSONFile))
	r, err := results.ReadJSON(bytes.NewReader(jf), "sweep.json")
	if err != nil || len(r.Points) != 6 || len(r.BERCurve) != 3 {
		t.Fatalf("sweep.json: %v, %d points", err, len(r.Points))
	}
	html, _ := os.ReadFile(filepath.Join(rep, report.HTMLFile))
	if !bytes.Contains(html, []byte("mlp-784-100-10")) {
		t.Fatal("report does not name the model")
	}

	// cosim report re-renders from the results files.
	again := filepath.Join(dir, "again")
	if code, out, errs := cosim(t, "report", "--in", filepath.Join(rep, report.JSONFile), "--out", again, "--title", "re-rendered"); code != 0 {
		t.Fatalf("report: exit %d\n%s\n%s", code, out, errs)
	}
	jf, _ = os.ReadFile(filepath.Join(again, report.JSONFile))
	r2, err := results.ReadJSON(bytes.NewReader(jf), "again.json")
	if err != nil || r2.Title != "re-rendered" || len(r2.Points) != len(r.Points) || len(r2.Breakdowns) != len(r.Breakdowns) {
		t.Fatalf("re-rendered report: %v, %+v", err, r2)
	}
	if code, _, errs := cosim(t, "report", "--in", filepath.Join(rep, report.JSONFile), "--in", filepath.Join(rep, report.CSVFile), "--out", again); code != 2 || !strings.Contains(errs, "both hold") {
		t.Fatalf("overlapping inputs: exit %d %s", code, errs)
	}
	if code, _, _ := cosim(t, "report", "--in", w, "--out", again); code != 2 {
		t.Fatalf("a checkpoint as results file: exit %d", code)
	}
}

func TestAlphaCurveCommand(t *testing.T) {
	code, out, errs := cosim(t, "alpha-curve", "--ber", "0,1e-2", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var pts []struct {
		Dist  string  `json:"distribution"`
		BER   float64 `json:"ber"`
		Alpha float64 `json:"alpha"`
	}
	if err := json.Unmarshal([]byte(out), &pts); err != nil || len(pts) != 8 {
		t.Fatalf("%v: %s", err, out)
	}
	for i := 0; i < 8; i += 2 {
		if !(pts[i+1].Alpha < pts[i].Alpha) {
			t.Errorf("%s: α* does not fall with BER: %+v", pts[i].Dist, pts[i:i+2])
		}
	}
	if code, _, _ := cosim(t, "alpha-curve", "--ber", "0,x"); code != 2 {
		t.Fatalf("bad --ber: exit %d", code)
	}
}

func TestEnergyCommand(t *testing.T) {
	code, out, errs := cosim(t, "energy", "--model", "resnet20", "--bits", "4", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	code, lo, _ := cosim(t, "energy", "--model", "resnet20", "--bits", "4", "--vdd", "0.5")
	_, hi, _ := cosim(t, "energy", "--model", "resnet20", "--bits", "4")
	if code != 0 || lo == hi || !strings.Contains(lo, "0.500 V") {
		t.Fatalf("--vdd 0.5 did not change the report:\n%s", lo)
	}
	for _, bad := range [][]string{
		{"energy"},
		{"energy", "--model", "alexnet9"},
		{"energy", "--model", "resnet20", "--vdd", "-1"},
		{"energy", "--model", "resnet20", "--objective", "speed"},
		{"energy", "--model", "resnet20", "--json", "--yaml"},
	} {
		if code, _, _ := cosim(t, bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
}
