package accel

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"cosim/arch"
	"cosim/sram"
	"cosim/workload"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// fixedCounts is a test Accelerator that returns counts given by the test,
// so the pricing arithmetic can be checked on its own.
type fixedCounts struct {
	spec   *arch.Spec
	counts map[string]Counts
}

func (f fixedCounts) Name() string     { return "fixed counts (test)" }
func (f fixedCounts) Spec() *arch.Spec { return f.spec }
func (f fixedCounts) Map(l workload.Layer) (Counts, error) {
	return f.counts[l.Name], nil
}

func tinySpec(t testing.TB) *arch.Spec { return tinySpecWith(t, "") }

// tinySpecWith is testdata/tiny.yaml with the default energy(V) model set
// to model ("" keeps the file's, the paper's).
func tinySpecWith(t testing.TB, model string) *arch.Spec {
	t.Helper()
	data, err := os.ReadFile("testdata/tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if model != "" {
		data = bytes.Replace(data, []byte("    nominal-v: 0.8\n"), []byte("    nominal-v: 0.8\n    energy-model: "+model+"\n"), 1)
	}
	s, err := arch.Parse("testdata/tiny.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tinyReport prices two layers with hand-chosen counts on testdata/tiny.yaml.
func tinyReport(t testing.TB) *EnergyReport { return tinyReportWith(t, "dynamic-only") }

func tinyReportWith(t testing.TB, model string) *EnergyReport {
	t.Helper()
	a := fixedCounts{spec: tinySpecWith(t, model), counts: map[string]Counts{
		"a": {Layer: "a", Cycles: 10, Access: map[string]Access{
			"wmem": {Reads: 2}, "buf": {Reads: 4, Writes: 1}, "spad": {Reads: 24, Writes: 4, Updates: 6}, "mac": {Ops: 8}}},
		"b": {Layer: "b", Cycles: 5, Access: map[string]Access{
			"wmem": {Reads: 1}, "buf": {Reads: 2, Writes: 1}, "spad": {Reads: 18, Writes: 8}, "mac": {Ops: 6}}},
	}}
	w := workload.Workload{Name: "two-fc", Layers: []workload.Layer{workload.FC("a", 1, 4, 2, 4), workload.FC("b", 1, 2, 3, 4)}}
	r, err := Price(a, w)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func near(got, want float64) bool { return math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want)) }

func TestCosts(t *testing.T) {
	costs, err := Costs(tinySpec(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []ComponentCost{
		// CACTI 7 rows of sram/cacti/sram_cacti.csv, 65 nm itrs-lop (Vdd 0.8 V = nominal).
		{"wmem", arch.SRAM, 1, arch.Scaled, 0.659038, 0.904762, 0, 0, 0.0363625, sram.EnergyModel{Kind: sram.Paper}, "CACTI 7 row 65nm/itrs-lop/512B/16b"},
		{"buf", arch.SRAM, 1, arch.Nominal, 1.25244, 1.88928, 0, 0, 0.0324279, sram.EnergyModel{}, "CACTI 7 row 65nm/itrs-lop/512B/64b"},
		// The YAML override beats CACTI (which would give about 0.26 pJ for 32 B/16 b)
		// and says so; leakage 0.001 mW per instance × 4 PEs.
		{"spad", arch.Regfile, 4, arch.Nominal, 0.1, 0.2, 0, 0, 0.004, sram.EnergyModel{}, "YAML testdata/tiny.yaml:30:25 (not CACTI): test override"},
		{"mac", arch.MAC, 4, "", 0, 0, 0.5, 0, 0, sram.EnergyModel{}, "YAML testdata/tiny.yaml:35:25 (not CACTI): test value"},
	}
	if len(costs) != len(want) {
		t.Fatalf("%d costs", len(costs))
	}
	for i, w := range want {
		if costs[i] != w {
			t.Errorf("cost %d:\n got  %+v\n want %+v", i, costs[i], w)
		}
	}
}

// TestPriceHand checks Price against the arithmetic written out below.
//
// Costs (TestCosts): wmem read 0.659038 pJ, leak 0.0363625 mW (scaled);
// buf read 1.25244, write 1.88928 pJ, leak 0.0324279 mW; spad read 0.1,
// write 0.2 pJ, leak 4 × 0.001 mW; mac 0.5 pJ/op. At 100 MHz a cycle is
// 10 ns, so leakage costs mW × cycles × 10 pJ. An update is priced as a
// write (layer a's spad: 4 writes + 6 updates = 10 writes' worth).
//
// workload.Layer a (10 cycles):
//
//	wmem 2 × 0.659038                  = 1.318076
//	buf  4 × 1.25244 + 1 × 1.88928     = 6.89904
//	spad 24 × 0.1 + (4 + 6) × 0.2       = 4.4
//	mac  8 × 0.5                       = 4
//	leak (0.0363625 + 0.0324279 + 0.004) × 100 = 3.63625 + 3.24279 + 0.4
//	total                              = 23.896156
//
// workload.Layer b (5 cycles):
//
//	wmem 1 × 0.659038                  = 0.659038
//	buf  2 × 1.25244 + 1 × 1.88928     = 4.39416
//	spad 18 × 0.1 + 8 × 0.2            = 3.4
//	mac  6 × 0.5                       = 3
//	leak (…) × 50 = 1.818125 + 1.621395 + 0.2
//	total                              = 15.092718
//
// Total at 0.8 V: 38.988874 pJ, of which the scaled wmem dynamic energy is
// 1.977114 pJ. With the dynamic-only model, at 0.4 V it becomes 1.977114 ×
// (0.4/0.8)² = 0.4942785, so the total is 38.988874 − 1.977114 + 0.4942785
// = 37.5060385 pJ; wmem's leakage (5.454375 pJ) does not scale (see
// TestEnergyModelsHand for the other models).
func TestPriceHand(t *testing.T) {
	r := tinyReport(t)
	for _, c := range []struct {
		v, want float64
	}{{0.8, 38.988874}, {0.4, 37.5060385}, {0.6, 38.988874 - 1.977114*(1-0.5625)}} {
		if got := r.TotalPJ(c.v); !near(got, c.want) {
			t.Errorf("TotalPJ(%g) = %.9g, want %.9g", c.v, got, c.want)
		}
		b := r.At(c.v)
		if !near(b.TotalPJ, c.want) || !near(b.DynamicPJ+b.LeakagePJ, c.want) {
			t.Errorf("At(%g): total %.9g, dynamic+leakage %.9g, want %.9g", c.v, b.TotalPJ, b.DynamicPJ+b.LeakagePJ, c.want)
		}
		var sumLayers, sumComps float64
		for _, l := range b.Layers {
			sumLayers += l.TotalPJ
		}
		for _, ce := range b.Components {
			sumComps += ce.TotalPJ
		}
		if !near(sumLayers, c.want) || !near(sumComps, c.want) {
			t.Errorf("At(%g): layers sum %.9g, components sum %.9g", c.v, sumLayers, sumComps)
		}
	}
	if dyn, leak := r.ScaledPJ(); !near(dyn, 1.977114) || !near(leak, 5.454375) {
		t.Errorf("ScaledPJ = %.9g, %.9g, want 1.977114, 5.454375", dyn, leak)
	}
	nom, low := r.At(0.8), r.At(0.4)
	if !near(nom.Layers[0].TotalPJ, 23.896156) || !near(nom.Layers[1].TotalPJ, 15.092718) {
		t.Errorf("layers at 0.8 V: %.9g, %.9g", nom.Layers[0].TotalPJ, nom.Layers[1].TotalPJ)
	}
	wantNom := []struct{ dyn, leak float64 }{
		{1.977114, 5.454375}, // wmem
		{11.2932, 4.864185},  // buf: 6.89904 + 4.39416; 3.24279 + 1.621395
		{7.8, 0.6},           // spad
		{7, 0},               // mac
	}
	for i, w := range wantNom {
		n, l := nom.Components[i], low.Components[i]
		if !near(n.DynamicPJ, w.dyn) || !near(n.LeakagePJ, w.leak) {
			t.Errorf("%s at 0.8 V: dynamic %.9g leakage %.9g, want %.9g %.9g", n.Name, n.DynamicPJ, n.LeakagePJ, w.dyn, w.leak)
		}
		// Only the scaled memory's dynamic energy moves with V; no leakage does.
		wantDyn := w.dyn
		if i == 0 {
			wantDyn = w.dyn * 0.25
		}
		if !near(l.DynamicPJ, wantDyn) || !near(l.LeakagePJ, w.leak) {
			t.Errorf("%s at 0.4 V: dynamic %.9g leakage %.9g, want %.9g %.9g", l.Name, l.DynamicPJ, l.LeakagePJ, wantDyn, w.leak)
		}
	}
	if nom.Components[2].Access != (Access{Reads: 42, Writes: 12, Updates: 6}) || nom.Cycles != 15 || r.Cycles() != 15 {
		t.Errorf("spad access %+v, cycles %d", nom.Components[2].Access, nom.Cycles)
	}
	if got := LeakagePJ(1, 200, 200); got != 1000 { // 1 mW for 1 µs = 1 nJ
		t.Errorf("LeakagePJ(1 mW, 200 cycles, 200 MHz) = %g, want 1000", got)
	}
}

// TestEnergyModelsHand: the report of TestPriceHand at 0.4 V under each
// energy(V) model. wmem holds 1.977114 pJ dynamic and 5.454375 pJ leakage
// at 0.8 V (r = 0.5).
//
//	paper:        38.988874 − 0.75·(1.977114 + 5.454375)           = 33.41525725
//	dynamic-only: 38.988874 − 0.75·1.977114                        = 37.5060385
//	physical:     38.988874 − 0.75·1.977114 − 5.454375·(1 − f),
//	              f = s/2⁵ + (1 − s)/2 with k = 5 (65 nm) and s = 0.0255154/0.0363625,
//	              the subthreshold share of CACTI row 65nm/itrs-lop/512B/16b
func TestEnergyModelsHand(t *testing.T) {
	s := 0.0255154 / 0.0363625
	f := s/32 + (1-s)/2
	for _, c := range []struct {
		model string
		want  float64
	}{
		{"", 33.41525725},
		{"paper", 33.41525725},
		{"dynamic-only", 37.5060385},
		{"physical", 38.988874 - 0.75*1.977114 - 5.454375*(1-f)},
	} {
		r := tinyReportWith(t, c.model)
		if got := r.TotalPJ(0.4); !near(got, c.want) {
			t.Errorf("%q: TotalPJ(0.4) = %.9g, want %.9g", c.model, got, c.want)
		}
		if b := r.At(0.4); !near(b.TotalPJ, c.want) || !near(b.DynamicPJ+b.LeakagePJ, c.want) {
			t.Errorf("%q: At(0.4) total %.9g, dynamic+leakage %.9g", c.model, b.TotalPJ, b.DynamicPJ+b.LeakagePJ)
		}
		if got, want := r.SavingPct(0.4), 100*(38.988874-c.want)/38.988874; !near(got, want) || r.SavingPct(0.8) != 0 {
			t.Errorf("%q: SavingPct(0.4) = %.9g, want %.9g (and 0 at V_nom)", c.model, got, want)
		}
	}
}

func TestPriceErrors(t *testing.T) {
	s := tinySpec(t)
	w := workload.Workload{Name: "w", Layers: []workload.Layer{workload.FC("a", 1, 4, 2, 4)}}
	cases := []struct {
		name string
		c    Counts
		want string
	}{
		{"unknown component", Counts{Access: map[string]Access{"dram": {Reads: 1}}},
			`accel: fixed counts (test): layer "a": counts for "dram", which is not a component of tiny`},
		{"ops on a memory", Counts{Access: map[string]Access{"buf": {Ops: 1}}},
			`accel: fixed counts (test): layer "a": operations counted on memory buf`},
		{"reads on a mac", Counts{Access: map[string]Access{"mac": {Reads: 1}}},
			`accel: fixed counts (test): layer "a": reads, writes or updates counted on mac mac`},
		{"updates on a mac", Counts{Access: map[string]Access{"mac": {Updates: 1}}},
			`accel: fixed counts (test): layer "a": reads, writes or updates counted on mac mac`},
		{"negative", Counts{Access: map[string]Access{"buf": {Writes: -1}}},
			`accel: fixed counts (test): layer "a": negative counts {Reads:0 Writes:-1 Updates:0 Ops:0} for buf`},
		{"negative cycles", Counts{Cycles: -1},
			`accel: fixed counts (test): layer "a": bad cycle counts -1 (stalls 0)`},
		{"stalls above cycles", Counts{Cycles: 3, StallCycles: 4},
			`accel: fixed counts (test): layer "a": bad cycle counts 3 (stalls 4)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Price(fixedCounts{spec: s, counts: map[string]Counts{"a": c.c}}, w)
			if err == nil || err.Error() != c.want {
				t.Errorf("got %v\nwant %s", err, c.want)
			}
		})
	}
	bad := workload.Workload{Name: "w", Layers: []workload.Layer{workload.FC("a", 1, 0, 2, 4)}}
	if _, err := Price(fixedCounts{spec: s}, bad); err == nil || !strings.Contains(err.Error(), "C = 0") {
		t.Errorf("invalid workload: %v", err)
	}
}

func TestCountsAdd(t *testing.T) {
	var c Counts
	c.Add("x", Access{Reads: 1, Writes: 2})
	c.Add("x", Access{Reads: 3, Updates: 5, Ops: 4})
	if c.Access["x"] != (Access{Reads: 4, Writes: 2, Updates: 5, Ops: 4}) {
		t.Errorf("%+v", c.Access["x"])
	}
}

// TestWriteReportGolden checks every report format against its golden
// file (rerun with -update after checking a change by eye).
func TestWriteReportGolden(t *testing.T) {
	r := tinyReport(t)
	r.Layers[0].Mapping, r.Layers[0].ActivePEs, r.Layers[0].StallCycles = "test mapping a", 4, 2
	for _, format := range ReportFormats {
		var buf bytes.Buffer
		if err := WriteReport(&buf, r, 0.4, format); err != nil {
			t.Fatal(err)
		}
		golden := "testdata/report." + format + ".golden"
		if *update {
			if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if buf.String() != string(want) {
			t.Errorf("%s report differs from %s (rerun with -update after checking):\n%s", format, golden, buf.String())
		}
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, r, 0.4); err != nil {
		t.Fatal(err)
	}
	if want, _ := os.ReadFile("testdata/report.table.golden"); buf.String() != string(want) {
		t.Error("WriteTable differs from WriteReport(…, \"table\")")
	}
	if err := WriteReport(&buf, r, 0.4, "csv"); err == nil || err.Error() != `accel: unknown report format "csv" (want table, json, yaml)` {
		t.Errorf("bad format: %v", err)
	}
}

// TestSummarizeConsistent checks that the summary's per-layer and
// per-component numbers add up to its totals, and that the JSON and YAML
// reports decode to the same summary.
func TestSummarizeConsistent(t *testing.T) {
	r := tinyReport(t)
	s := r.Summarize(0.4)
	var layers, comps float64
	for _, l := range s.Layers {
		layers += l.TotalPJ
		var inLayer float64
		for _, c := range l.Components {
			inLayer += c.TotalPJ
		}
		if !near(inLayer, l.TotalPJ) {
			t.Errorf("layer %s: components sum to %g, total %g", l.Name, inLayer, l.TotalPJ)
		}
	}
	for _, c := range s.Components {
		comps += c.TotalPJ
	}
	if !near(layers, s.TotalPJ) || !near(comps, s.TotalPJ) || !near(s.TotalPJ, 37.5060385) || s.MACs != 14 || s.Cycles != 15 ||
		!near(s.LatencyUS, 0.15) || !near(s.Utilization, 14.0/(15*4)) || len(s.ScaledMemories) != 1 || s.ScaledMemories[0] != "wmem" {
		t.Errorf("summary %+v", s)
	}
	var fromJSON, fromYAML Summary
	var jb, yb bytes.Buffer
	if err := WriteReport(&jb, r, 0.4, "json"); err != nil {
		t.Fatal(err)
	}
	if err := WriteReport(&yb, r, 0.4, "yaml"); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(jb.Bytes(), &fromJSON); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(yb.Bytes(), &fromYAML); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromJSON, s) || !reflect.DeepEqual(fromYAML, s) {
		t.Errorf("decoded reports differ from the summary:\n%+v\n%+v\n%+v", s, fromJSON, fromYAML)
	}
}

// TestRescaleCACTIAndOverheads checks `rescale-cacti` (CACTI's 0.8 V
// energies taken to a nominal 1.0 V: dynamic × 1.5625, leakage by the
// physical model's rule) and the pricing of overheads: cycle energy over
// every cycle of a layer, stall cycles included, transfers per word.
func TestRescaleCACTIAndOverheads(t *testing.T) {
	data, err := os.ReadFile("testdata/tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	plain := bytes.Replace(data, []byte("    nominal-v: 0.8\n"), []byte("    nominal-v: 1.0\n"), 1)
	rescaled := bytes.Replace(data, []byte("    nominal-v: 0.8\n"), []byte("    nominal-v: 1.0\n    rescale-cacti: true\n"), 1)
	rescaled = bytes.Replace(rescaled, []byte("  subtree:\n    - name: chip\n      local:\n"), []byte("  subtree:\n    - name: chip\n      local:\n"+
		"        - {name: clk, class: overhead, attributes: {energy: {cycle-pj: 20, source: test clock}}}\n"+
		"        - {name: net, class: overhead, attributes: {energy: {transfer-pj: 0.5, cycle-pj: 1, source: test network}}}\n"), 1)
	sp, err := arch.Parse("plain.yaml", plain)
	if err != nil {
		t.Fatal(err)
	}
	sr, err := arch.Parse("rescaled.yaml", rescaled)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := Costs(sp)
	if err != nil {
		t.Fatal(err)
	}
	cr, err := Costs(sr)
	if err != nil {
		t.Fatal(err)
	}
	byName := func(cs []ComponentCost, name string) ComponentCost {
		for _, c := range cs {
			if c.Name == name {
				return c
			}
		}
		t.Fatalf("no %s", name)
		return ComponentCost{}
	}
	est, err := sp.Component("wmem").CACTI()
	if err != nil {
		t.Fatal(err)
	}
	s := est.SubthresholdMW / est.LeakageMW
	wantLeak := s*math.Pow(1.25, 5) + (1-s)*1.25
	for _, name := range []string{"wmem", "buf"} {
		p, r := byName(cp, name), byName(cr, name)
		if !strings.Contains(p.Provenance, "CACTI supply 0.8 V taken as the nominal 1 V, not rescaled") {
			t.Errorf("%s plain: %s", name, p.Provenance)
		}
		if !near(r.ReadPJ, p.ReadPJ*1.5625) || !near(r.WritePJ, p.WritePJ*1.5625) || !strings.Contains(r.Provenance, "rescaled from CACTI's supply 0.8 V to the nominal 1 V") {
			t.Errorf("%s: read %g write %g, want %g %g (%s)", name, r.ReadPJ, r.WritePJ, p.ReadPJ*1.5625, p.WritePJ*1.5625, r.Provenance)
		}
		if name == "wmem" && !near(r.LeakageMW, p.LeakageMW*wantLeak) {
			t.Errorf("wmem leakage %g, want %g × %g", r.LeakageMW, p.LeakageMW, wantLeak)
		}
	}
	// Explicit energies are never rescaled.
	if p, r := byName(cp, "spad"), byName(cr, "spad"); p.ReadPJ != r.ReadPJ || p.LeakageMW != r.LeakageMW {
		t.Errorf("spad rescaled: %+v vs %+v", r, p)
	}
	if c := byName(cr, "clk"); c.CyclePJ != 20 || c.OpPJ != 0 || c.Class != arch.Overhead {
		t.Errorf("clk %+v", c)
	}
	// 10 cycles, 4 of them stalls: the clock costs 10 × 20 pJ, the network
	// 7 words × 0.5 pJ + 10 × 1 pJ.
	a := fixedCounts{spec: sr, counts: map[string]Counts{"a": {Layer: "a", Cycles: 10, StallCycles: 4, Access: map[string]Access{
		"mac": {Ops: 8}, "net": {Ops: 7}}}}}
	rep, err := Price(a, workload.Workload{Name: "w", Layers: []workload.Layer{workload.FC("a", 1, 4, 2, 4)}})
	if err != nil {
		t.Fatal(err)
	}
	b := rep.At(1.0)
	for i, c := range rep.Components {
		switch c.Name {
		case "clk":
			if !near(b.Components[i].DynamicPJ, 200) || b.Components[i].LeakagePJ != 0 {
				t.Errorf("clk %+v", b.Components[i])
			}
		case "net":
			if !near(b.Components[i].DynamicPJ, 13.5) || b.Components[i].Access.Ops != 7 {
				t.Errorf("net %+v", b.Components[i])
			}
		}
	}
	// Counting reads on an overhead is an error.
	a.counts["a"].Access["clk"] = Access{Reads: 1}
	if _, err := Price(a, workload.Workload{Name: "w", Layers: []workload.Layer{workload.FC("a", 1, 4, 2, 4)}}); err == nil || !strings.Contains(err.Error(), "reads, writes or updates counted on overhead clk") {
		t.Errorf("reads on an overhead: %v", err)
	}
}
