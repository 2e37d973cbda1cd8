package arch

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cosim/sram"
)

// tinyYAML is testdata/tiny.yaml: a 2×2 PE array with a scaled weight SRAM
// (lines 13–20) and a mac per PE (lines 25–29).
func tinyYAML(t testing.TB) string {
	t.Helper()
	data, err := os.ReadFile("testdata/tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// mutate replaces the single occurrence of old in s by new.
func mutate(t testing.TB, s, old, new string) string {
	t.Helper()
	if n := strings.Count(s, old); n != 1 {
		t.Fatalf("mutate: %q occurs %d times", old, n)
	}
	return strings.Replace(s, old, new, 1)
}

// badSpec is one broken variant of tiny.yaml and the exact error it gives.
type badSpec struct {
	name     string
	old, new string // replace old by new in tiny.yaml ("" old: replace the whole file)
	want     string
}

// dramOld is the class and attributes of wmem, lines 14–20.
const dramOld = "          class: SRAM\n          attributes:\n            depth: 256\n            width: 16\n            word-bits: 16\n            datatypes: [weights]\n            voltage-domain: scaled\n"

var badSpecs = []badSpec{
	// Column of a value = indent + len("key: ") + 1, e.g. line 16 "            depth: 256": 12 + 7 + 1 = 20.
	{"unknown key", "            width: 16\n", "            widht: 16\n",
		`tiny.yaml:17:13: unknown key "widht" in attributes of wmem`},
	{"missing depth", "            depth: 256\n", "",
		`tiny.yaml:16:13: missing key "depth" in attributes of wmem`}, // the mapping now starts at width
	{"depth zero", "depth: 256", "depth: 0",
		`tiny.yaml:16:20: depth in attributes of wmem: must be positive, got 0`},
	{"depth negative", "depth: 256", "depth: -4",
		`tiny.yaml:16:20: depth in attributes of wmem: must be positive, got -4`},
	{"depth not integer", "depth: 256", "depth: 25.6",
		`tiny.yaml:16:20: depth in attributes of wmem: want an integer, got "25.6"`},
	{"depth string", "depth: 256", "depth: big",
		`tiny.yaml:16:20: depth in attributes of wmem: want an integer, got "big"`},
	{"depth null", "depth: 256", "depth:",
		`tiny.yaml:16:19: depth in attributes of wmem: want an integer, got nothing (null)`},
	{"width not multiple of word-bits", "            width: 16\n", "            width: 24\n",
		`tiny.yaml:17:20: width in attributes of wmem: 24 bits is not a multiple of word-bits 16`},
	{"banks do not divide depth", "            width: 16\n", "            width: 16\n            banks: 3\n",
		`tiny.yaml:18:20: banks in attributes of wmem: 3 banks do not divide depth 256`},
	{"duplicate key", "            width: 16\n", "            width: 16\n            width: 32\n",
		`tiny.yaml:18:13: duplicate key "width" in attributes of wmem (first at line 17)`},
	// Line 23 "          attributes: {meshX: 2, meshY: 2}": the flow mapping opens at 10 + 12 + 1 = 23.
	{"mesh product", "{meshX: 2, meshY: 2}", "{meshX: 2, meshY: 3}",
		`tiny.yaml:23:23: meshX·meshY = 2·3 = 6 in attributes of node PE[0..3], but PE[0..3] has 4 instances`},
	{"mesh does not divide", "{meshX: 2, meshY: 2}", "{meshX: 3}",
		`tiny.yaml:23:31: meshX in attributes of node PE[0..3]: 3 does not divide the 4 instances of PE[0..3]`},
	{"empty instance range", "PE[0..3]", "PE[3..0]",
		`tiny.yaml:22:17: name in node #1 in subtree of node chip: empty instance range in "PE[3..0]" (3 > 0)`},
	{"bad node name", "name: chip", "name: chip 1",
		`tiny.yaml:11:13: name in node #1 in subtree of architecture: "chip 1" is not a name (letters, digits, _ and -, optionally with an instance range NAME[lo..hi])`},
	{"scaled without datatypes", "            datatypes: [weights]\n", "",
		`tiny.yaml:19:29: voltage-domain in attributes of wmem: a scaled memory must hold at least one datatype`},
	{"bad datatype", "[weights]", "[weights, weight]",
		`tiny.yaml:19:34: datatypes in attributes of wmem: "weight" is not one of weights, inputs, outputs`},
	{"datatype twice", "[weights]", "[weights, weights]",
		`tiny.yaml:19:34: datatypes in attributes of wmem: "weights" listed twice`},
	{"bad domain", "voltage-domain: scaled", "voltage-domain: low",
		`tiny.yaml:20:29: voltage-domain in attributes of wmem: "low" is not one of nominal, scaled`},
	// Line 29 "                energy: {op-pj: 0.5, …": "{" at 16 + 8 + 1 = 25, value at 25 + 8 = 33.
	{"negative energy", "op-pj: 0.5", "op-pj: -0.5",
		`tiny.yaml:29:33: op-pj in energy of mac: energy must not be negative, got -0.5`},
	{"infinite energy", "op-pj: 0.5", "op-pj: .inf",
		`tiny.yaml:29:33: op-pj in energy of mac: must be finite, got ".inf"`},
	{"mac without energy", `                energy: {op-pj: 0.5, source: "test value"}` + "\n", "",
		`tiny.yaml:28:17: missing key "energy" in attributes of mac`},
	{"mac energy without source", `, source: "test value"`, "",
		`tiny.yaml:29:25: missing key "source" in energy of mac`},
	{"empty source", `"test value"`, `" "`,
		`tiny.yaml:29:46: source in energy of mac: must say where the numbers come from`},
	{"mac with a memory energy key", "{op-pj: 0.5,", "{op-pj: 0.5, read-pj: 1,",
		`tiny.yaml:29:38: unknown key "read-pj" in energy of mac`},
	{"key of another class", "datawidth: 16", "datawidth: 16\n                depth: 4",
		`tiny.yaml:29:17: key "depth" does not apply to class mac in attributes of mac`},
	{"unknown class", "class: mac", "class: alu",
		`tiny.yaml:26:22: class in component #1 in local of node PE[0..3]: "alu" is not one of SRAM, regfile, DRAM, mac, overhead`},
	{"duplicate component name", "- name: mac", "- name: wmem",
		`tiny.yaml:25:21: name in component #1 in local of node PE[0..3]: duplicate component name "wmem" (first at tiny.yaml:13:11)`},
	{"component name with range", "- name: mac", "- name: mac[0..3]",
		`tiny.yaml:25:21: name in component #1 in local of node PE[0..3]: "mac[0..3]" is not a component name (letters, digits, _ and -; instance ranges belong on nodes)`},
	{"nominal voltage zero", "nominal-v: 0.8", "nominal-v: 0",
		`tiny.yaml:8:16: nominal-v in voltage: must be positive, got 0`},
	{"nominal voltage negative", "nominal-v: 0.8", "nominal-v: -0.8",
		`tiny.yaml:8:16: nominal-v in voltage: must be positive, got -0.8`},
	{"missing nominal voltage", "    nominal-v: 0.8\n", "",
		`tiny.yaml:8:5: missing key "nominal-v" in voltage`},
	{"partial ber", ", c: 0}", "}",
		`tiny.yaml:9:10: missing key "c" in voltage.ber`},
	{"ber rising with voltage", "a: 22.12, b: -68.14", "a: -30, b: 10",
		`tiny.yaml:9:10: ber in voltage: not a usable BER model: sram: BER model {A:-30 B:10 C:0}: BER increases with supply voltage above 0 V (BER there 9.36e-14); a BER model must not increase with V on 0..2 V`},
	{"wrong version", "version: cosim/1", "version: cosim/2",
		`tiny.yaml:2:12: version in architecture: unsupported version "cosim/2" (want "cosim/1")`},
	{"clock not a number", "clock-mhz: 100", "clock-mhz: fast",
		`tiny.yaml:6:14: clock-mhz in architecture: want a number, got "fast"`},
	{"bad technology", "technology: 65nm", "technology: 65um",
		`tiny.yaml:4:15: technology in architecture: want a technology node such as 65nm or 65, got "65um"`},
	{"bad device", "device: itrs-lop", "device: lstp",
		`tiny.yaml:5:11: device in architecture: "lstp" is not one of itrs-hp, itrs-lop`},
	{"unknown top-level key", "architecture:\n", "architecture:\n  colour: blue\n",
		`tiny.yaml:2:3: unknown key "colour" in architecture`},
	{"second root key", "architecture:\n", "arch:\n  x: 1\narchitecture:\n",
		`tiny.yaml:1:1: unknown key "arch" in the top level`},
	{"root not a mapping", "", "- architecture\n",
		`tiny.yaml:1:1: the top level: want a mapping, got a sequence`},
	{"empty file", "", "",
		`tiny.yaml: empty document: want a mapping with the key "architecture"`},
	{"comments only", "", "# nothing here\n",
		`tiny.yaml: empty document: want a mapping with the key "architecture"`},
	{"null document", "", "---\n",
		`tiny.yaml: empty document: want a mapping with the key "architecture"`},
	{"two documents", "", "architecture: {}\n---\nfoo: 1\n",
		`tiny.yaml:3:1: a second YAML document: a spec file holds exactly one`},
	{"anchor", "ber: {a:", "ber: &b {a:",
		`tiny.yaml:9:10: anchor &b: anchors and aliases are not supported in architecture specs`},
	{"alias", "", "a: &x [1]\nb: *x\n",
		`tiny.yaml:1:4: anchor &x: anchors and aliases are not supported in architecture specs`},
	{"syntax error", "  name: tiny\n", "  name: tiny\n name: bad\n",
		`tiny.yaml:3: YAML syntax: did not find expected key`}, // the line yaml.v3 reports (the mapping's context)
	{"node without local or subtree", "          local:\n            - name: mac\n              class: mac\n              attributes:\n                datawidth: 16\n                energy: {op-pj: 0.5, source: \"test value\"}\n", "",
		`tiny.yaml:22:11: node PE[0..3] has neither local nor subtree`},
	{"subtree not a sequence", "  subtree:\n    - name: chip", "  subtree: chip\n  x:\n    - name: chip",
		`tiny.yaml:11:3: unknown key "x" in architecture`},
	{"CACTI cannot price", "            datatypes: [weights]\n", "            datatypes: [weights]\n            technology: 90nm\n",
		`tiny.yaml:13:11: component wmem: no CACTI estimate for this memory (give an explicit energy or change its geometry): sram: CACTI 90nm/itrs-lop/512B/16b: node 90 nm outside the CACTI table's [22 32 45 65] nm (no extrapolation in node)`},
	{"partial energy override", "            voltage-domain: scaled\n", "            voltage-domain: scaled\n            energy: {read-pj: 1, write-pj: 2, source: x}\n",
		`tiny.yaml:21:21: missing key "leakage-mw" in energy of wmem`},
	{"negative bandwidth", "            voltage-domain: scaled\n", "            voltage-domain: scaled\n            read-bandwidth: -2\n",
		`tiny.yaml:21:29: read-bandwidth in attributes of wmem: must be positive, got -2`},
	{"bandwidth not a number", "            voltage-domain: scaled\n", "            voltage-domain: scaled\n            write-bandwidth: fast\n",
		`tiny.yaml:21:30: write-bandwidth in attributes of wmem: want a number, got "fast"`},
	{"bandwidth on a mac", "datawidth: 16", "datawidth: 16\n                read-bandwidth: 1",
		`tiny.yaml:29:17: key "read-bandwidth" does not apply to class mac in attributes of mac`},
	{"scaled DRAM", "class: SRAM", "class: DRAM",
		`tiny.yaml:20:29: voltage-domain in attributes of wmem: a DRAM cannot be scaled (the BER model is an SRAM model)`},
	{"rescale-cacti not a boolean", "nominal-v: 0.8", "nominal-v: 0.8\n    rescale-cacti: 1",
		`tiny.yaml:9:20: rescale-cacti in voltage: want true or false, got "1"`},
	{"rescale-cacti misspelt", "nominal-v: 0.8", "nominal-v: 0.8\n    rescale_cacti: true",
		`tiny.yaml:9:5: unknown key "rescale_cacti" in voltage`},
	{"zero-gating not a boolean", "datawidth: 16", "datawidth: 16\n                zero-gating: ifmaps",
		`tiny.yaml:29:30: zero-gating in attributes of mac: want true or false, got "ifmaps"`},
	{"zero-gating on a memory", "            voltage-domain: scaled\n", "            voltage-domain: scaled\n            zero-gating: true\n",
		`tiny.yaml:21:13: key "zero-gating" does not apply to class SRAM in attributes of wmem`},
	{"overhead without energy", "            voltage-domain: scaled\n", "            voltage-domain: scaled\n" + overheadYAML("{}"),
		`tiny.yaml:23:23: missing key "energy" in attributes of clk`},
	{"overhead energy without an energy", "            voltage-domain: scaled\n", "            voltage-domain: scaled\n" + overheadYAML("{energy: {source: x}}"),
		`tiny.yaml:23:32: energy of clk: an overhead needs cycle-pj, transfer-pj or both`},
	{"overhead with a mac energy key", "            voltage-domain: scaled\n", "            voltage-domain: scaled\n" + overheadYAML("{energy: {op-pj: 1, source: x}}"),
		`tiny.yaml:23:33: unknown key "op-pj" in energy of clk`},
	{"overhead negative cycle energy", "            voltage-domain: scaled\n", "            voltage-domain: scaled\n" + overheadYAML("{energy: {cycle-pj: -1, source: x}}"),
		`tiny.yaml:23:43: cycle-pj in energy of clk: energy must not be negative, got -1`},
	{"overhead without source", "            voltage-domain: scaled\n", "            voltage-domain: scaled\n" + overheadYAML("{energy: {transfer-pj: 1}}"),
		`tiny.yaml:23:32: missing key "source" in energy of clk`},
	{"overhead with a memory key", "            voltage-domain: scaled\n", "            voltage-domain: scaled\n" + overheadYAML("{depth: 4, energy: {cycle-pj: 1, source: x}}"),
		`tiny.yaml:23:24: key "depth" does not apply to class overhead in attributes of clk`},
	{"DRAM without energy", dramOld, "          class: DRAM\n          attributes:\n            width: 16\n            word-bits: 16\n",
		`tiny.yaml:16:13: missing key "energy" in attributes of wmem`},
}

// overheadYAML is an overhead component "clk" in chip's local list, after
// wmem (lines 21–23), with the attributes given as a flow mapping at
// line 23, column 23.
func overheadYAML(attrs string) string {
	return "        - name: clk\n          class: overhead\n          attributes: " + attrs + "\n"
}

func applyBad(t testing.TB, b badSpec) string {
	if b.old == "" {
		return b.new
	}
	return mutate(t, tinyYAML(t), b.old, b.new)
}

func TestParseErrors(t *testing.T) {
	for _, b := range badSpecs {
		t.Run(b.name, func(t *testing.T) {
			_, err := Parse("tiny.yaml", []byte(applyBad(t, b)))
			if err == nil {
				t.Fatalf("no error; want %s", b.want)
			}
			if err.Error() != b.want {
				t.Errorf("got  %s\nwant %s", err, b.want)
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Errorf("error %T is not an *arch.Error", err)
			}
		})
	}
}

func TestParseTiny(t *testing.T) {
	s, err := Parse("tiny.yaml", []byte(tinyYAML(t)))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "tiny" || s.TechNM != 65 || s.Device != sram.LOP || s.ClockMHz != 100 || s.NominalV != 0.8 {
		t.Errorf("header: %+v", s)
	}
	if !s.BERFromYAML || s.BER != (sram.BERModel{A: 22.12, B: -68.14, C: 0}) {
		t.Errorf("BER %+v from YAML %v", s.BER, s.BERFromYAML)
	}
	cs := s.Components()
	if len(cs) != 2 || cs[0].Name != "wmem" || cs[1].Name != "mac" {
		t.Fatalf("components %v", cs)
	}
	w, m := cs[0], cs[1]
	if w.Instances != 1 || w.CapacityBytes() != 512 || w.Banks != 1 || w.Domain != Scaled || w.Energy != nil || !w.PricedByCACTI() {
		t.Errorf("wmem %+v", w)
	}
	if m.Instances != 4 || m.Node.MeshX != 2 || m.Node.MeshY != 2 || m.Energy.OpPJ != 0.5 || m.Energy.Source != "test value" {
		t.Errorf("mac %+v", m)
	}
	if got := m.Energy.Provenance(); got != "YAML tiny.yaml:29:25 (not CACTI): test value" {
		t.Errorf("provenance %q", got)
	}
	if m.Path() != "chip/PE[0..3]/mac" {
		t.Errorf("path %q", m.Path())
	}
	if _, err := m.CACTI(); err == nil {
		t.Error("CACTI of a mac: no error")
	}
	// 256 words × 16 b = 512 B is an exact CACTI row.
	est, err := w.CACTI()
	if err != nil || est.ReadPJ != 0.659038 || est.Provenance != "CACTI 7 row 65nm/itrs-lop/512B/16b" {
		t.Errorf("CACTI %+v %v", est, err)
	}
}

// TestParseVariants checks accepted spellings and defaults.
func TestParseVariants(t *testing.T) {
	base := tinyYAML(t)
	cases := []struct {
		name     string
		old, new string
		check    func(*Spec) bool
	}{
		{"technology as integer", "technology: 65nm", "technology: 65", func(s *Spec) bool { return s.TechNM == 65 }},
		{"technology with space", "technology: 65nm", `technology: "45 nm"`, func(s *Spec) bool { return s.TechNM == 45 }},
		{"ber absent → WCAT default", "    ber: {a: 22.12, b: -68.14, c: 0}\n", "",
			func(s *Spec) bool { return !s.BERFromYAML && s.BER == sram.PaperBER() }},
		{"meshX alone", "{meshX: 2, meshY: 2}", "{meshX: 4}", func(s *Spec) bool {
			n := s.Subtree[0].Subtree[0]
			return n.MeshX == 4 && n.MeshY == 1
		}},
		{"no mesh", "          attributes: {meshX: 2, meshY: 2}\n", "", func(s *Spec) bool {
			n := s.Subtree[0].Subtree[0]
			return n.MeshX == 4 && n.MeshY == 1 && n.Instances == 4
		}},
		{"banks and override", "            voltage-domain: scaled\n",
			"            voltage-domain: scaled\n            banks: 2\n            device: itrs-hp\n            energy: {read-pj: 1.5, write-pj: 2, leakage-mw: 0.25, source: my SPICE run}\n",
			func(s *Spec) bool {
				w := s.Component("wmem")
				return w.Banks == 2 && w.Device == sram.HP && !w.PricedByCACTI() && w.Energy.ReadPJ == 1.5 &&
					w.Energy.LeakageMW == 0.25 && w.Energy.Source == "my SPICE run"
			}},
		{"bandwidths", "            voltage-domain: scaled\n", "            voltage-domain: scaled\n            read-bandwidth: 2\n            write-bandwidth: 0.5\n",
			func(s *Spec) bool {
				w := s.Component("wmem")
				return w.ReadBandwidth == 2 && w.WriteBandwidth == 0.5
			}},
		{"no bandwidth: unlimited", "voltage-domain: scaled", "voltage-domain: scaled", func(s *Spec) bool {
			w := s.Component("wmem")
			return w.ReadBandwidth == 0 && w.WriteBandwidth == 0
		}},
		{"default nominal domain", "            voltage-domain: scaled\n", "", func(s *Spec) bool {
			return s.Component("wmem").Domain == Nominal && len(s.ScaledMemories()) == 0
		}},
		{"DRAM without depth", dramOld,
			"          class: DRAM\n          attributes:\n            width: 64\n            word-bits: 16\n            datatypes: [weights, inputs]\n            energy: {read-pj: 100, write-pj: 120, source: datasheet}\n",
			func(s *Spec) bool {
				d := s.Component("wmem")
				return d.Class == DRAM && d.DepthWords == 0 && d.Energy.LeakageMW == 0 && d.Energy.WritePJ == 120 &&
					!d.PricedByCACTI() && d.TechNM == 0 && d.Domain == Nominal && len(d.Datatypes) == 2
			}},
		{"rescale-cacti default false", "nominal-v: 0.8", "nominal-v: 0.8", func(s *Spec) bool { return !s.RescaleCACTI }},
		{"rescale-cacti true", "nominal-v: 0.8", "nominal-v: 0.8\n    rescale-cacti: true", func(s *Spec) bool { return s.RescaleCACTI }},
		{"zero-gating", "datawidth: 16", "datawidth: 16\n                zero-gating: true", func(s *Spec) bool {
			return s.Component("mac").ZeroGating
		}},
		{"zero-gating default false", "datawidth: 16", "datawidth: 16", func(s *Spec) bool { return !s.Component("mac").ZeroGating }},
		{"overheads", "            voltage-domain: scaled\n", "            voltage-domain: scaled\n" +
			overheadYAML("{energy: {cycle-pj: 548, source: clock}}") +
			"        - name: noc\n          class: overhead\n          attributes:\n            energy: {transfer-pj: 3.5, source: network}\n",
			func(s *Spec) bool {
				o := s.Overheads()
				return len(o) == 2 && o[0].Name == "clk" && o[0].Energy.CyclePJ == 548 && o[0].Energy.TransferPJ == 0 &&
					o[1].Energy.CyclePJ == 0 && o[1].Energy.TransferPJ == 3.5 && o[1].Energy.Source == "network" &&
					!o[0].IsMemory() && !o[0].PricedByCACTI() && len(s.MACs()) == 1 && len(s.Memories()) == 1
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse("v.yaml", []byte(mutate(t, base, c.old, c.new)))
			if err != nil {
				t.Fatal(err)
			}
			if !c.check(s) {
				t.Errorf("check failed: %+v", s)
			}
		})
	}
}

func TestBuiltin(t *testing.T) {
	if got := strings.Join(BuiltinNames(), " "); got != "eyeriss eyeriss-like-timeloop eyeriss-onchip" {
		t.Fatalf("BuiltinNames %v", got)
	}
	s, err := Builtin("eyeriss-onchip")
	if err != nil {
		t.Fatal(err)
	}
	if s.File != "arch/specs/eyeriss-onchip.yaml" || s.Name != "eyeriss-onchip" || s.TechNM != 65 ||
		s.Device != sram.LOP || s.ClockMHz != 200 || s.NominalV != 0.8 || s.BER != sram.PaperBER() || !s.BERFromYAML {
		t.Errorf("header %+v", s)
	}
	want := []struct {
		name      string
		class     Class
		instances int
		bytes     int
		domain    Domain
		holds     []Datatype
	}{
		{"weight_sram", SRAM, 1, 512 << 10, Scaled, []Datatype{Weights}},
		{"glb", SRAM, 1, 108 << 10, Nominal, []Datatype{Inputs, Outputs}},
		{"weights_spad", SRAM, 168, 448, Nominal, []Datatype{Weights}},
		{"ifmap_spad", Regfile, 168, 24, Nominal, []Datatype{Inputs}},
		{"psum_spad", Regfile, 168, 48, Nominal, []Datatype{Outputs}},
		{"mac", MAC, 168, 0, "", nil},
	}
	cs := s.Components()
	if len(cs) != len(want) {
		t.Fatalf("%d components, want %d", len(cs), len(want))
	}
	for i, w := range want {
		c := cs[i]
		if c.Name != w.name || c.Class != w.class || c.Instances != w.instances || c.CapacityBytes() != w.bytes ||
			c.Domain != w.domain || len(c.Datatypes) != len(w.holds) {
			t.Errorf("component %d: %+v, want %+v", i, c, w)
			continue
		}
		for j, d := range w.holds {
			if c.Datatypes[j] != d {
				t.Errorf("%s datatypes %v", c.Name, c.Datatypes)
			}
		}
		if c.PricedByCACTI() {
			if _, err := c.CACTI(); err != nil {
				t.Errorf("%s: %v", c.Name, err)
			}
		}
	}
	pe := s.Subtree[0].Subtree[0]
	if pe.Base != "PE" || pe.Instances != 168 || pe.MeshX != 14 || pe.MeshY != 12 || pe.Level != 1 {
		t.Errorf("PE node %+v", pe)
	}
	wm := s.WeightMemories()
	if len(wm) != 2 || wm[0].Name != "weight_sram" || wm[0].WidthBits != 64 || wm[1].Name != "weights_spad" {
		t.Errorf("WeightMemories %v", wm)
	}
	if sc := s.ScaledMemories(); len(sc) != 1 || sc[0].Name != "weight_sram" {
		t.Errorf("ScaledMemories %v", sc)
	}
	mac := s.MACs()
	if len(mac) != 1 {
		t.Fatalf("MACs %v", mac)
	}
	names := func(cs []*Component) string {
		var n []string
		for _, c := range cs {
			n = append(n, c.Name)
		}
		return strings.Join(n, ",")
	}
	for dt, want := range map[Datatype]string{Weights: "weights_spad,weight_sram", Inputs: "ifmap_spad,glb", Outputs: "psum_spad,glb"} {
		if got := names(s.Levels(mac[0], dt)); got != want {
			t.Errorf("Levels(%s) = %s, want %s", dt, got, want)
		}
	}
	if got := names(s.Memories()); got != "weight_sram,glb,weights_spad,ifmap_spad,psum_spad" {
		t.Errorf("Memories %s", got)
	}
	if s.Component("nope") != nil {
		t.Error("Component(nope) not nil")
	}
}

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "tiny.yaml")
	if err := os.WriteFile(file, []byte(tinyYAML(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ arg, name, errPrefix string }{
		{"eyeriss-onchip", "eyeriss-onchip", ""},
		{file, "tiny", ""},
		{"no-such-arch", "", `arch: no built-in architecture "no-such-arch" (built-ins: eyeriss, eyeriss-like-timeloop, eyeriss-onchip)`},
		{filepath.Join(dir, "missing.yaml"), "", filepath.Join(dir, "missing.yaml") + ": cannot read architecture spec: no such file or directory"},
	} {
		s, err := Resolve(c.arg)
		if c.errPrefix != "" {
			if err == nil || err.Error() != c.errPrefix {
				t.Errorf("Resolve(%q) error %v, want %s", c.arg, err, c.errPrefix)
			}
			continue
		}
		if err != nil || s.Name != c.name {
			t.Errorf("Resolve(%q) = %v, %v", c.arg, s, err)
		}
	}
}

// TestBuiltinEyerissSpecs checks the JSSC chip and the Timeloop
// eyeriss_like specs: geometry, data widths, bandwidths and, for the
// Timeloop design, the explicit ERT energies of issue 4 (pJ per access).
func TestBuiltinEyerissSpecs(t *testing.T) {
	type comp struct {
		name                  string
		class                 Class
		instances, depth      int
		width, wordBits       int
		holds                 string
		readPJ, writePJ, opPJ float64 // explicit energies (0: CACTI)
		readBW, writeBW       float64
	}
	cases := []struct {
		spec  string
		tech  int
		clock float64
		comps []comp
	}{
		{"eyeriss", 65, 200, []comp{
			{"DRAM", DRAM, 1, 0, 64, 16, "weights,inputs,outputs", 512, 512, 0, 1.2, 1.2},
			{"clock", Overhead, 1, 0, 0, 0, "", 0, 0, 0, 0, 0},
			{"noc", Overhead, 1, 0, 0, 0, "", 0, 0, 0, 0, 0},
			{"glb", SRAM, 1, 13824, 64, 16, "inputs,outputs", 0, 0, 0, 0, 0},
			{"weights_spad", SRAM, 168, 224, 16, 16, "weights", 0, 0, 0, 0, 0},
			{"ifmap_spad", Regfile, 168, 12, 16, 16, "inputs", 1.516, 1.516, 0, 0, 0},
			{"psum_spad", Regfile, 168, 24, 16, 16, "outputs", 1.516, 1.516, 0, 0, 0},
			{"mac", MAC, 168, 0, 0, 0, "", 0, 0, 1.5158, 0, 0},
		}},
		{"eyeriss-like-timeloop", 32, 1000, []comp{
			{"DRAM", DRAM, 1, 0, 64, 8, "weights,inputs,outputs", 512, 512, 0, 0, 0},
			{"shared_glb", SRAM, 1, 16384, 64, 8, "inputs,outputs", 18.183829, 14.137929, 0, 16, 16},
			{"ifmap_spad", Regfile, 168, 12, 16, 8, "inputs", 0.202442, 0.176713, 0, 2, 2},
			{"weights_spad", Regfile, 168, 192, 16, 8, "weights", 1.976602, 1.881657, 0, 2, 2},
			{"psum_spad", Regfile, 168, 16, 16, 16, "outputs", 0.2513, 0.2191, 0, 2, 2},
			{"mac", MAC, 168, 0, 0, 0, "", 0, 0, 0.207692, 0, 0},
		}},
	}
	// The JSSC chip's calibration: CACTI rescaled to its 1.0 V, zero gating,
	// the clock network and the on-chip network (arch/specs/eyeriss.yaml).
	if s, err := Builtin("eyeriss"); err != nil {
		t.Fatal(err)
	} else if clk, noc := s.Component("clock"), s.Component("noc"); !s.RescaleCACTI || s.NominalV != 1.0 || !s.Component("mac").ZeroGating ||
		clk.Energy.CyclePJ != 547.8 || clk.Energy.TransferPJ != 0 || noc.Energy.CyclePJ != 0 || noc.Energy.TransferPJ != 3.0316 {
		t.Errorf("eyeriss calibration: rescale %v, V %g, gating %v, clock %+v, noc %+v", s.RescaleCACTI, s.NominalV, s.Component("mac").ZeroGating, clk.Energy, noc.Energy)
	}
	for _, name := range []string{"eyeriss-onchip", "eyeriss-like-timeloop"} {
		if s, err := Builtin(name); err != nil || s.RescaleCACTI || len(s.Overheads()) != 0 || s.MACs()[0].ZeroGating {
			t.Errorf("%s: rescale-cacti, overheads or zero gating set (%v)", name, err)
		}
	}
	for _, c := range cases {
		s, err := Builtin(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		if s.TechNM != c.tech || s.ClockMHz != c.clock || len(s.ScaledMemories()) != 0 {
			t.Errorf("%s: header %+v", c.spec, s)
		}
		cs := s.Components()
		if len(cs) != len(c.comps) {
			t.Fatalf("%s: %d components", c.spec, len(cs))
		}
		for i, w := range c.comps {
			g := cs[i]
			var holds []string
			for _, d := range g.Datatypes {
				holds = append(holds, string(d))
			}
			var read, write, op float64
			if g.Energy != nil && g.Class != MAC {
				read, write = g.Energy.ReadPJ, g.Energy.WritePJ
			}
			if g.Class == MAC {
				op = g.Energy.OpPJ
			}
			if g.Name != w.name || g.Class != w.class || g.Instances != w.instances || g.DepthWords != w.depth || g.WidthBits != w.width ||
				g.WordBits != w.wordBits || strings.Join(holds, ",") != w.holds || read != w.readPJ || write != w.writePJ || op != w.opPJ ||
				g.ReadBandwidth != w.readBW || g.WriteBandwidth != w.writeBW {
				t.Errorf("%s: component %d = %+v (energy %+v), want %+v", c.spec, i, g, g.Energy, w)
			}
			if w.readPJ != 0 && (g.PricedByCACTI() || !strings.HasPrefix(g.Energy.Provenance(), "YAML arch/specs/"+c.spec+".yaml:")) {
				t.Errorf("%s/%s: explicit energy not reported as YAML: %s", c.spec, g.Name, g.Energy.Provenance())
			}
		}
		pe := s.MACs()[0].Node
		if pe.MeshX != 14 || pe.MeshY != 12 {
			t.Errorf("%s: PE mesh %d×%d", c.spec, pe.MeshX, pe.MeshY)
		}
	}
}
