package sweep

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"cosim/mc"
	"cosim/results"
	"cosim/wcat"
)

// TestRunChips: under chip faults every point carries one accuracy per
// chip; the results are the same for any number of workers and when
// resumed from a journal; both models meet the same chips (the same error
// counts); a chip with no error at a voltage scores the clean accuracy.
func TestRunChips(t *testing.T) {
	w, d := tiny(t, wcat.WCAT)
	n, _ := tiny(t, wcat.Normal)
	vs := []float64{0.42, 0.36, 0.39, 0.8}
	cfg := Config{Accel: eyerissOf(t, builtinYAML(t, nil)), Voltages: vs, Faults: mc.FaultsChip, Seed: 5, Test: d,
		MC:     mc.Options{Protocol: mc.ProtocolSubset, Trials: 6, Subset: 120, Workers: 1},
		Models: []Model{{Name: "mlp", Method: "wcat", Q: w}, {Name: "mlp", Method: "normal", Q: n}}}
	rep, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Points) != 8 {
		t.Fatalf("%d points", len(rep.Points))
	}
	for _, p := range rep.Points {
		if len(p.ChipAccs) != 6 || p.Trials != 6 || p.Validate() != nil {
			t.Fatalf("point %+v", p)
		}
		if p.VddV == 0.8 && (p.AccMin != p.AccMax || p.CILow != p.AccMean) {
			t.Fatalf("0.8 V has no faults, yet %+v", p)
		}
	}
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "chip faults: 6 chips, each scored at every voltage") {
		t.Errorf("notes do not describe the chips:\n%s", strings.Join(rep.Notes, "\n"))
	}
	cfg.MC.Workers = 3
	again, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rep.Points, again.Points) {
		t.Fatal("3 workers give other chips than 1")
	}
	// Resumed with the first model's points done: the same report.
	cfg.Done = rep.Points[:4]
	var computed []results.Point
	cfg.OnPoint = func(p results.Point) error { computed = append(computed, p); return nil }
	res, err := Run(context.Background(), cfg, nil)
	if err != nil || len(computed) != 4 || !reflect.DeepEqual(res.Points, rep.Points) {
		t.Fatalf("resumed: %v, %d computed", err, len(computed))
	}
	// The same chips for every model: at the lowest voltage every chip has
	// the same errors whatever the weights (flipped-value reads).
	e1, err := mc.NewEngine(w, 64, d, 0)
	if err != nil {
		t.Fatal(err)
	}
	e2, _ := mc.NewEngine(n, 64, d, 0)
	bers := []float64{cfg.spec().BER.BER(0.36)}
	opt := mc.Options{Trials: 6, Seed: 5, Key: chipKey, Subset: 120}
	s1, _ := e1.RunChips(context.Background(), bers, mc.FaultsChip, opt)
	s2, _ := e2.RunChips(context.Background(), bers, mc.FaultsChip, opt)
	if !slices.Equal(s1[0].Flips, s2[0].Flips) || !slices.Equal(s1[0].Accs, rep.Points[0].ChipAccs) {
		t.Fatalf("chips differ between models: %v vs %v errors", s1[0].Flips, s2[0].Flips)
	}
}

func TestChipFaultsRefuseAdaptiveStopping(t *testing.T) {
	w, d := tiny(t, wcat.WCAT)
	cfg := Config{Accel: eyerissOf(t, builtinYAML(t, nil)), Voltages: []float64{0.4}, Faults: mc.FaultsChip, Seed: 5, Test: d,
		MC: mc.Options{Trials: 4, CIHalfWidth: 0.5}, Models: []Model{{Name: "mlp", Method: "wcat", Q: w}}}
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "cannot stop a point early") {
		t.Fatalf("chip faults with a CI half-width: %v", err)
	}
	cfg.Faults = "weak"
	if err := cfg.Validate(); err == nil {
		t.Fatal("fault model \"weak\" accepted")
	}
}

func TestParseSpecFaults(t *testing.T) {
	base := "sweep:\n  models: [{checkpoint: a.ckpt}]\n  voltages: [0.4, 0.5]\n"
	s, err := ParseSpec("s.yaml", []byte(base))
	if err != nil || s.Faults != mc.FaultsIID || s.MC.CIHalfWidth != mc.DefaultCIHalfWidth {
		t.Fatalf("default: %+v, %v", s, err)
	}
	s, err = ParseSpec("s.yaml", []byte(base+"  faults: chip-stuck\n  monte-carlo: {max-trials: 40}\n"))
	if err != nil || s.Faults != mc.FaultsChipStuck || s.MC.CIHalfWidth != 0 || s.MC.Trials != 40 {
		t.Fatalf("chip-stuck: %+v, %v", s, err)
	}
	if _, err := ParseSpec("s.yaml", []byte(base+"  faults: chip\n  monte-carlo: {ci-half-width: 0}\n")); err != nil {
		t.Fatalf("an explicit 0 half-width refused: %v", err)
	}
	for _, c := range []struct{ extra, want string }{
		{"  faults: weak\n", "s.yaml:4:11: faults in sweep: unknown fault model \"weak\""},
		{"  faults: chip\n  monte-carlo: {ci-half-width: 0.5}\n", "s.yaml:5:32: ci-half-width in monte-carlo: 0.5: chip faults score every chip"},
		{"  faults: [chip]\n", "s.yaml:4:11: faults in sweep: want a string, got a sequence"},
	} {
		if _, err := ParseSpec("s.yaml", []byte(base+c.extra)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.extra, err, c.want)
		}
	}
}
