package arch

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"cosim/sram"
)

const tinyBER = "    ber: {a: 22.12, b: -68.14, c: 0}\n"

// Measured (V, BER) points replace the coefficients: the spec's model is
// their least-squares fit on ln BER, and the fit keeps its residuals.
func TestBERPoints(t *testing.T) {
	var pts []string
	for _, v := range []float64{0.36, 0.38, 0.40, 0.42, 0.44} {
		pts = append(pts, "["+strconv.FormatFloat(v, 'g', -1, 64)+", "+strconv.FormatFloat(sram.PaperBER().BER(v), 'g', -1, 64)+"]")
	}
	for _, form := range []string{"", "fit: linear, ", "fit: quadratic, "} {
		s, err := Parse("v.yaml", []byte(mutate(t, tinyYAML(t), tinyBER, "    ber: {"+form+"points: ["+strings.Join(pts, ", ")+"]}\n")))
		if err != nil {
			t.Fatal(err)
		}
		f := s.BERFit
		if f == nil || len(f.V) != 5 || f.Pos.Line != 9 || !s.BERFromYAML || f.RMS() > 1e-9 {
			t.Fatalf("%q: fit %+v", form, f)
		}
		if math.Abs(s.BER.A-22.12) > 1e-6 || math.Abs(s.BER.B+68.14) > 1e-6 || math.Abs(s.BER.C) > 1e-5 {
			t.Errorf("%q: fitted %+v, want the paper's model", form, s.BER)
		}
		if (form == "fit: linear, ") != (s.BERFit.Form == "linear") || (form == "fit: linear, " && s.BER.C != 0) {
			t.Errorf("%q: form %s, c = %g", form, s.BERFit.Form, s.BER.C)
		}
	}
	for _, c := range []struct{ ber, want string }{
		{"{a: 1, points: [[0.4, 0.01], [0.5, 0.001], [0.6, 0.0001]]}", "tiny.yaml:9:14: a in voltage.ber: give either coefficients a, b, c or measured points, not both"},
		{"{points: [[0.4, 0.01], [0.5]]}", "tiny.yaml:9:33: points in voltage.ber: want [volts, BER], got a sequence"},
		{"{points: [[0.4, 0.01], [0.5, -1]]}", "tiny.yaml:9:39: points in voltage.ber: want a positive number, got \"-1\""},
		{"{points: [[0.4, 2]]}", "tiny.yaml:9:26: points in voltage.ber: BER 2 is above 1"},
		{"{points: [[0.4, 0.01], [0.5, 0.001]]}", "tiny.yaml:9:19: points in voltage.ber: sram: FitBER: 2 usable points (BER < 0.5) out of 2, need at least 3"},
		{"{fit: cubic, points: [[0.4, 0.01]]}", "tiny.yaml:9:16: fit in voltage.ber: \"cubic\" is not one of quadratic, linear"},
		{"{points: [[0.4, 0.001], [0.5, 0.01], [0.6, 0.1]]}", "tiny.yaml:9:19: points in voltage.ber: the fitted model is not usable"},
	} {
		_, err := Parse("tiny.yaml", []byte(mutate(t, tinyYAML(t), tinyBER, "    ber: "+c.ber+"\n")))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("ber %s: err %v\nwant %s", c.ber, err, c.want)
		}
	}
}

// The energy(V) model: the spec's default, a memory's own, and the
// physical model's parameters from CACTI, the node, the YAML or a fit.
func TestEnergyModelAttribute(t *testing.T) {
	scaled := "            voltage-domain: scaled\n"
	parse := func(t *testing.T, volt, attr string) (*Spec, error) {
		y := tinyYAML(t)
		if volt != "" {
			y = mutate(t, y, "    nominal-v: 0.8\n", "    nominal-v: 0.8\n    energy-model: "+volt+"\n")
		}
		if attr != "" {
			y = mutate(t, y, scaled, scaled+"            energy-model: "+attr+"\n")
		}
		return Parse("tiny.yaml", []byte(y))
	}
	est, err := sram.CACTI(65, sram.LOP, 512, 16)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		volt, attr string
		kind       sram.EnergyModelKind
		s, k       float64
	}{
		{"", "", sram.Paper, 0, 0},
		{"dynamic-only", "", sram.DynamicOnly, 0, 0},
		{"physical", "", sram.Physical, est.SubthresholdMW / est.LeakageMW, 5},
		{"", "physical", sram.Physical, est.SubthresholdMW / est.LeakageMW, 5},
		{"physical", "paper", sram.Paper, 0, 0},
		{"", "{model: physical, subthreshold-share: 0.6, leakage-exponent: 3.5}", sram.Physical, 0.6, 3.5},
		{"", "{model: physical, leakage-points: [[0.8, 10], [0.6, 5.859375], [0.5, 4.345703125], [0.4, 3.125]]}", sram.Physical, 0.5, 3},
	} {
		s, err := parse(t, c.volt, c.attr)
		if err != nil {
			t.Fatalf("%q/%q: %v", c.volt, c.attr, err)
		}
		m := s.Component("wmem").VoltageModel
		if m.Kind != c.kind || math.Abs(m.SubthresholdShare-c.s) > 1e-3 || math.Abs(m.Exponent-c.k) > 1e-2 {
			t.Errorf("%q/%q: model %+v, want %s s=%g k=%g", c.volt, c.attr, m, c.kind, c.s, c.k)
		}
		if c.kind == sram.Physical && m.Source == "" {
			t.Errorf("%q/%q: no provenance", c.volt, c.attr)
		}
	}
	for _, c := range []struct{ volt, attr, want string }{
		{"quadratic", "", `tiny.yaml:9:19: energy-model in voltage: "quadratic" is not one of paper, dynamic-only, physical`},
		{"", "linear", `tiny.yaml:21:27: model in energy-model of wmem: "linear" is not one of paper, dynamic-only, physical`},
		{"", "{model: paper, leakage-exponent: 3}", "leakage-exponent in energy-model of wmem: applies only to model: physical"},
		{"", "{model: physical, subthreshold-share: 1.5}", "subthreshold-share in energy-model of wmem: must be in [0, 1], got 1.5"},
		{"", "{model: physical, leakage-points: [[0.8, 10], [0.6, 4]]}", "fitting leakage(V) needs at least three points at distinct voltages"},
		{"", "{model: physical, leakage-points: [[0.8, 10], [0.6, 4], [0.5, 2]], leakage-exponent: 3}", "give either leakage-points or subthreshold-share/leakage-exponent, not both"},
	} {
		_, err := parse(t, c.volt, c.attr)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q/%q: err %v\nwant %s", c.volt, c.attr, err, c.want)
		}
	}
	// Only a scaled memory has an energy(V) model.
	y := mutate(t, tinyYAML(t), scaled, "            energy-model: physical\n")
	if _, err := Parse("tiny.yaml", []byte(y)); err == nil || !strings.Contains(err.Error(), "applies only to a memory with voltage-domain: scaled") {
		t.Errorf("energy-model on a nominal memory: %v", err)
	}
}

// The one architecture check every command shares: which memory is faulty,
// which scaled memories are energy-only, and whether the weights fit.
func TestFaultsAndCapacity(t *testing.T) {
	scaled := "            voltage-domain: scaled\n"
	s, err := Parse("tiny.yaml", []byte(tinyYAML(t)))
	if err != nil {
		t.Fatal(err)
	}
	if m, err := s.FaultyWeightMemory(); err != nil || m.Name != "wmem" || !m.Faulty || len(s.EnergyOnlyMemories()) != 0 {
		t.Fatalf("faulty memory %v, %v", m, err)
	}
	// wmem: 256 words × 16 bits = 4096 bits = 0.5 KiB.
	if err := s.CheckWeights("net", 4096); err != nil {
		t.Errorf("4096 bits rejected: %v", err)
	}
	if err := s.CheckWeights("net (16-bit)", 4097); err == nil || !strings.Contains(err.Error(), "net (16-bit) needs 0.5 KiB of weights, but wmem (tiny.yaml:13:11) holds 0.5 KiB: quantize to fewer bits (--bits) or give wmem more depth") {
		t.Errorf("4097 bits: %v", err)
	}
	none, err := Parse("tiny.yaml", []byte(mutate(t, tinyYAML(t), scaled, scaled+"            faults: none\n")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := none.FaultyWeightMemory(); err == nil || !strings.Contains(err.Error(), "no memory holds weights in the scaled voltage domain") {
		t.Errorf("faults: none still faulty: %v", err)
	}
	if e := none.EnergyOnlyMemories(); len(e) != 1 || e[0].Name != "wmem" {
		t.Errorf("energy-only memories %v", e)
	}
	if err := none.CheckWeights("net", 4097); err == nil {
		t.Error("an energy-only weight memory is not checked for capacity")
	}
	second := "        - name: wmem2\n          class: SRAM\n          attributes: {depth: 256, width: 16, word-bits: 16, datatypes: [%s], voltage-domain: scaled%s}\n      subtree:\n"
	for _, c := range []struct{ dt, extra, want string }{
		{"weights", "", "tiny.yaml:23:100: voltage-domain in attributes of wmem2: a second scaled memory holding weights (the first is wmem at tiny.yaml:13:11)"},
		{"inputs", "", "wmem2 is scaled but holds no weights: it would get the energy saving of a lower supply without any faults; add `faults: none`"},
		{"inputs", ", faults: weights", "faults in attributes of wmem2: wmem2 holds no weights"},
		{"weights", ", faults: maybe", `faults in attributes of wmem2: "maybe" is not one of weights, none`},
		{"inputs", ", faults: none", ""},
		{"weights", ", faults: none", ""},
	} {
		y := mutate(t, tinyYAML(t), "      subtree:\n", fmt.Sprintf(second, c.dt, c.extra))
		s, err := Parse("tiny.yaml", []byte(y))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s%s: %v", c.dt, c.extra, err)
		case c.want == "" && (len(s.EnergyOnlyMemories()) != 1 || s.EnergyOnlyMemories()[0].Name != "wmem2"):
			t.Errorf("%s%s: energy-only %v", c.dt, c.extra, s.EnergyOnlyMemories())
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s%s: err %v\nwant %s", c.dt, c.extra, err, c.want)
		}
	}
	y := mutate(t, tinyYAML(t), scaled, "            faults: none\n")
	if _, err := Parse("tiny.yaml", []byte(y)); err == nil || !strings.Contains(err.Error(), "faults in attributes of wmem: applies only to a memory with voltage-domain: scaled") {
		t.Errorf("faults on a nominal memory: %v", err)
	}
}

// An override replaces the spec's default energy(V) model, not a memory's own.
func TestEnergyModelOverride(t *testing.T) {
	s, err := ParseWith("tiny.yaml", []byte(tinyYAML(t)), Options{EnergyModel: sram.DynamicOnly})
	if err != nil || s.EnergyModel != sram.DynamicOnly || s.Component("wmem").VoltageModel.Kind != sram.DynamicOnly {
		t.Fatalf("override: %v", err)
	}
	own := mutate(t, tinyYAML(t), "            voltage-domain: scaled\n", "            voltage-domain: scaled\n            energy-model: paper\n")
	if s, err := ParseWith("tiny.yaml", []byte(own), Options{EnergyModel: sram.Physical}); err != nil || s.Component("wmem").VoltageModel.Kind != sram.Paper {
		t.Fatalf("a memory's own model was overridden: %v", err)
	}
	if _, err := ParseWith("tiny.yaml", []byte(tinyYAML(t)), Options{EnergyModel: "cubic"}); err == nil || !strings.Contains(err.Error(), `unknown energy model "cubic"`) {
		t.Fatalf("bad override: %v", err)
	}
}
