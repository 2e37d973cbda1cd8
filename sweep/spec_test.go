package sweep

import (
	"path/filepath"
	"strings"
	"testing"

	"cosim/mc"
	"cosim/sram"
)

const goodSpec = `# figure 7
sweep:
  arch: eyeriss-onchip
  data: ../data/cifar10
  models:
    - checkpoint: models/resnet20-wcat.ckpt
    - checkpoint: /abs/normal.ckpt
      label: normal
  voltages: {from: 0.30, to: 0.80, step: 0.05}
  monte-carlo:
    protocol: reference
    ci-half-width: 0.25
  seed: 7
  out: reports/fig7
`

func TestParseSpec(t *testing.T) {
	s, err := ParseSpec("exp/fig7.yaml", []byte(goodSpec))
	if err != nil {
		t.Fatal(err)
	}
	if s.Arch != "eyeriss-onchip" || s.Data != filepath.Join("data", "cifar10") || s.Out != filepath.Join("exp", "reports", "fig7") || s.Seed != 7 {
		t.Fatalf("spec %+v", s)
	}
	if len(s.Models) != 2 || s.Models[0].Checkpoint != filepath.Join("exp", "models", "resnet20-wcat.ckpt") || s.Models[1].Checkpoint != "/abs/normal.ckpt" || s.Models[1].Label != "normal" {
		t.Fatalf("models %+v", s.Models)
	}
	if len(s.Voltages) != 11 || s.Voltages[10] != 0.8 {
		t.Fatalf("voltages %v", s.Voltages)
	}
	want := mc.Options{Protocol: mc.ProtocolReference, Trials: 50, MinTrials: 10, CIHalfWidth: 0.25, Subset: 1000}
	if !sameMC(s.MC, want) {
		t.Fatalf("monte carlo %+v, want %+v", s.MC, want)
	}
	s, err = ParseSpec("s.yaml", []byte("sweep:\n  arch: my/arch.yaml\n  models: [{checkpoint: a.ckpt}]\n  voltages: [0.4, 0.5]\n"))
	if err != nil || s.Arch != filepath.Join("my", "arch.yaml") || !sameMC(s.MC, mc.DefaultOptions(mc.ProtocolSubset)) || len(s.Voltages) != 2 {
		t.Fatalf("%+v, %v", s, err)
	}
}

func TestParseSpecEnergyModel(t *testing.T) {
	s, err := ParseSpec("s.yaml", []byte("sweep:\n  models: [{checkpoint: a}]\n  voltages: [0.4]\n  energy-model: physical\n"))
	if err != nil || s.EnergyModel != sram.Physical {
		t.Fatalf("spec %+v, %v", s, err)
	}
}

func TestParseSpecErrors(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"", `s.yaml: empty document: want a mapping with the key "sweep"`},
		{"sweep: [1]\n", "s.yaml:1:8: sweep: want a mapping, got a sequence"},
		{"swep: {}\n", `s.yaml:1:1: unknown key "swep" in the top level`},
		{"sweep:\n  models: [{checkpoint: a}]\n  voltages: [0.4]\n  sed: 3\n", `s.yaml:4:3: unknown key "sed" in sweep`},
		{"sweep:\n  voltages: [0.4]\n", `s.yaml:2:3: missing key "models"`},
		{"sweep:\n  models: []\n  voltages: [0.4]\n", "s.yaml:2:11: models in sweep: must list at least one model"},
		{"sweep:\n  models: [{label: x}]\n  voltages: [0.4]\n", `s.yaml:2:12: missing key "checkpoint"`},
		{"sweep:\n  models: [{checkpoint: a}]\n", `s.yaml:2:3: missing key "voltages"`},
		{"sweep:\n  models: [{checkpoint: a}]\n  voltages: [0.4, x]\n", `s.yaml:3:19: a voltage in voltages: want a number, got "x"`},
		{"sweep:\n  models: [{checkpoint: a}]\n  voltages: [0.4, 0.4]\n", "s.yaml:3:19: voltage 0.4 V appears twice"},
		{"sweep:\n  models: [{checkpoint: a}]\n  voltages: {from: 0.8, to: 0.3, step: 0.1}\n", "s.yaml:3:13: voltage grid"},
		{"sweep:\n  models: [{checkpoint: a}]\n  voltages: {from: 0.3, to: 0.8}\n", `s.yaml:3:13: missing key "step" in voltages`},
		{"sweep:\n  models: [{checkpoint: a}]\n  voltages: [0.4]\n  monte-carlo: {protocol: magic}\n", "s.yaml:4:27: protocol in monte-carlo: unknown Monte Carlo protocol"},
		{"sweep:\n  models: [{checkpoint: a}]\n  voltages: [0.4]\n  monte-carlo: {max-trials: 0}\n", "s.yaml:4:29: max-trials in monte-carlo: must be positive, got 0"},
		{"sweep:\n  models: [{checkpoint: a}]\n  voltages: [0.4]\n  monte-carlo: {max-trials: 5, min-trials: 6}\n", "s.yaml:4:16: min-trials 6 exceeds max-trials 5"},
		{"sweep:\n  models: [{checkpoint: a}]\n  voltages: [0.4]\n  monte-carlo: {ci-half-width: -1}\n", "s.yaml:4:32: ci-half-width in monte-carlo: want ≥ 0, got -1"},
		{"sweep:\n  models: [{checkpoint: a}]\n  voltages: [0.4]\n  seed: -1\n", "s.yaml:4:9: seed in sweep: must be at least 0, got -1"},
		{"sweep:\n  models: [{checkpoint: a}]\n  voltages: [0.4]\n  energy-model: cubic\n", `s.yaml:4:17: energy-model in sweep: unknown energy model "cubic"`},
		{"sweep:\n  models: [{checkpoint: a}]\n  voltages: [0.4]\n  seed: 1\n  seed: 2\n", `s.yaml:5:3: duplicate key "seed"`},
		{"sweep: &a\n  models: [{checkpoint: a}]\n", "anchors and aliases are not supported"},
		{"sweep: {}\n---\nsweep: {}\n", "s.yaml:3:1: a second YAML document: a spec file holds exactly one"},
		{"sweep: {models: [\n", "s.yaml:1: YAML syntax:"},
	}
	for _, c := range cases {
		_, err := ParseSpec("s.yaml", []byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.yaml, err, c.want)
		}
	}
}

func FuzzParseSpec(f *testing.F) {
	f.Add([]byte(goodSpec))
	f.Add([]byte("sweep:\n  models: [{checkpoint: a}]\n  voltages: [0.4]\n"))
	f.Add([]byte("sweep: {voltages: {from: 1e308, to: 1e308, step: 1e-308}}"))
	f.Add([]byte("sweep:\n  models: [{checkpoint: a}]\n  voltages: [0.4]\n  faults: chip\n  monte-carlo: {max-trials: 20, ci-half-width: 0}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSpec("f.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		if len(s.Models) == 0 || len(s.Voltages) == 0 || s.MC.Trials < 1 || s.MC.MinTrials > s.MC.Trials || s.Faults.Chips() && s.MC.CIHalfWidth != 0 {
			t.Fatalf("accepted an incomplete spec: %+v", s)
		}
	})
}

func sameMC(a, b mc.Options) bool {
	return a.Protocol == b.Protocol && a.Trials == b.Trials && a.MinTrials == b.MinTrials && a.CIHalfWidth == b.CIHalfWidth && a.Subset == b.Subset
}

// The sweep specs shipped in experiments/ parse.
func TestShippedSpecs(t *testing.T) {
	files, err := filepath.Glob("../experiments/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no shipped specs (%v)", err)
	}
	for _, f := range files {
		s, err := LoadSpec(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Models) == 0 || len(s.Voltages) < 2 {
			t.Fatalf("%s: %+v", f, s)
		}
	}
}
