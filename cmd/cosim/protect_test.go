package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cosim/ecc"
	"cosim/report"
	"cosim/results"
	"cosim/wcat"
)

// TestProtectionEndToEnd trains an 8-bit Normal MLP, fine-tunes it with WOT
// (train --from … --method wot), evaluates both under the protections and
// sweeps them as separate series: zero-space refuses the model WOT did not
// throttle, SEC-DED stores 72 bits per 64, and its energy carries its own
// components.
func TestProtectionEndToEnd(t *testing.T) {
	needMNIST(t)
	dir := t.TempDir()
	n, w := filepath.Join(dir, "n8.ckpt"), filepath.Join(dir, "wot.ckpt")
	for _, c := range [][]string{
		{"train", "--model", "mlp", "--method", "normal", "--bits", "8", "--epochs", "1", "--out", n},
		{"train", "--from", n, "--method", "wot", "--bits", "8", "--epochs", "2", "--lr", "1e-4", "--lr-schedule", "constant", "--out", w},
	} {
		if code, out, errs := cosim(t, c...); code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", c, code, out, errs)
		}
	}
	q, info, err := wcat.Load(w)
	if err != nil {
		t.Fatal(err)
	}
	z, _ := ecc.NewLayout(8)
	lo, hi := z.Range()
	for _, l := range q.Layers {
		for i, c := range l.Codes {
			if z.IsConstrained(i) && (c < lo || c > hi) {
				t.Fatalf("%s[%d] = %d after WOT", l.W.Name, i, c)
			}
		}
	}
	if info.Method != wcat.WOT || !strings.Contains(info.Command, "--from "+n) {
		t.Fatalf("WOT checkpoint info %+v", info)
	}

	eval := func(model, prot string) evalResult {
		t.Helper()
		code, out, errs := cosim(t, "eval", "--model", model, "--ber", "1e-3", "--trials", "3", "--protection", prot, "--json")
		if code != 0 {
			t.Fatalf("eval %s --protection %s: exit %d: %s", model, prot, code, errs)
		}
		var r evalResult
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	none, secded, zs := eval(n, "none"), eval(n, "secded"), eval(w, "zero-space")
	if secded.MemoryBits != none.MemoryBits/64*72 || zs.MemoryBits != none.MemoryBits || secded.Protection != "secded" {
		t.Errorf("memory bits: none %d, secded %d, zero-space %d", none.MemoryBits, secded.MemoryBits, zs.MemoryBits)
	}
	if secded.AccMean < none.AccMean || zs.AccMean < zs.CleanAcc-1 {
		t.Errorf("BER 1e-3: none %.2f%%, secded %.2f%%, zero-space %.2f%% (clean %.2f%%)", none.AccMean, secded.AccMean, zs.AccMean, zs.CleanAcc)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"eval", "--model", n, "--ber", "1e-3", "--protection", "zero-space"}, "train the model with --method wot"},
		{[]string{"eval", "--model", n, "--ber", "1e-3", "--protection", "parity"}, `--protection: unknown protection "parity"`},
		{[]string{"eval", "--model", n, "--ber", "1e-3", "--protection", "msb"}, "msb:FRACTION"},
		{[]string{"sweep", "--model", n, "--protection", "zero-space", "--vmin", "0.5", "--vmax", "0.5", "--out", filepath.Join(dir, "refused")}, "train the model with --method wot"},
		{[]string{"train", "--from", n, "--model", "mlp-784-50-10", "--out", filepath.Join(dir, "x.ckpt")}, "holds a mlp-784-100-10"},
	} {
		if code, _, errs := cosim(t, c.args...); code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want exit 2 and %q", c.args, code, errs, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "refused")); !os.IsNotExist(err) {
		t.Error("the refused sweep created its output folder")
	}

	rep := filepath.Join(dir, "rep")
	code, out, errs := cosim(t, "sweep", "--model", n, "--protection", "none,secded", "--vmin", "0.5", "--vmax", "0.6", "--vstep", "0.1", "--trials", "2", "--out", rep)
	if code != 0 {
		t.Fatalf("sweep: exit %d\n%s\n%s", code, out, errs)
	}
	jf, _ := os.ReadFile(filepath.Join(rep, report.JSONFile))
	r, err := results.ReadJSON(bytes.NewReader(jf), "sweep.json")
	if err != nil {
		t.Fatal(err)
	}
	energy := map[string]float64{}
	for _, p := range r.Points {
		if p.VddV == 0.5 {
			energy[p.Method] = p.EnergyPJ
		}
	}
	if len(r.Points) != 4 || !(energy["normal+secded"] > energy["normal"]) {
		t.Fatalf("%d points, energy at 0.5 V %v", len(r.Points), energy)
	}
	found := false
	for _, b := range r.Breakdowns {
		for _, c := range b.Components {
			found = found || (strings.HasSuffix(b.Model, "normal+secded") && c.Name == "weight_sram.ecc-codec" && c.PJ > 0)
		}
	}
	if !found {
		t.Error("no weight_sram.ecc-codec energy in the secded series' breakdown")
	}
}

// shipped8Bit are the 8-bit ResNet-20s in models/ (resnet20-8bit-METHOD),
// each with its card, written by scripts/train-8bit-models.sh.
var shipped8Bit = []wcat.Method{wcat.Normal, wcat.WOT}

// TestShipped8BitModels checks the shipped 8-bit models: they load with the
// method and width their names say, have their cards, and the range-limited
// codes of a WOT model lie in [−64, 63] (so it stores under zero-space ECC)
// while a Normal model's do not.
func TestShipped8BitModels(t *testing.T) {
	z, _ := ecc.NewLayout(8)
	lo, hi := z.Range()
	for _, m := range shipped8Bit {
		path := filepath.Join("..", "..", "models", "resnet20-8bit-"+string(m)+".ckpt")
		q, info, err := wcat.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if q.Net.Arch() != "resnet20" || q.Cfg.Bits != 8 || info.Method != m {
			t.Errorf("%s: %s %s %d-bit", path, q.Net.Arch(), info.Method, q.Cfg.Bits)
		}
		if _, err := os.Stat(strings.TrimSuffix(path, ".ckpt") + ".txt"); err != nil {
			t.Error(err)
		}
		outside := 0
		for _, l := range q.Layers {
			for i, c := range l.Codes {
				if z.IsConstrained(i) && (c < lo || c > hi) {
					outside++
				}
			}
		}
		if (outside == 0) != (m == wcat.WOT) {
			t.Errorf("%s: %d range-limited codes outside [%d, %d]", path, outside, lo, hi)
		}
	}
}
