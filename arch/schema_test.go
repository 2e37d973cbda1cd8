package arch

import (
	"os"
	"path/filepath"
	"testing"

	"cosim/ecc"
	"cosim/internal/schematest"
	"cosim/sram"
)

// Every built-in spec and every test spec the parser accepts conforms.
func TestSchemaAcceptsSpecs(t *testing.T) {
	specs := map[string][]byte{}
	for _, name := range BuiltinNames() {
		src, err := BuiltinSource(name)
		if err != nil {
			t.Fatal(err)
		}
		specs["built-in "+name] = src
	}
	files, _ := filepath.Glob("testdata/*.yaml")
	if len(files) == 0 {
		t.Fatal("no testdata/*.yaml")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(f, data); err == nil {
			specs[f] = data
		}
	}
	// Variants of tiny.yaml for the branches the files above leave out.
	scaled := "            voltage-domain: scaled\n"
	for _, v := range [][3]string{
		{"measured BER points", "ber: {a: 22.12, b: -68.14, c: 0}", "ber: {fit: linear, points: [[0.4, 0.01], [0.5, 0.001], [0.6, 0.0001]]}"},
		{"physical energy model", scaled, scaled + "            energy-model: {model: physical, leakage-points: [[0.8, 10], [0.6, 5.859375], [0.5, 4.345703125], [0.4, 3.125]]}\n"},
		{"msb protection", scaled, scaled + "            protection: {scheme: msb, msb-fraction: 0.5}\n"},
		{"secded with codec energies", "            width: 16\n            word-bits: 16\n            datatypes: [weights]\n" + scaled,
			"            width: 64\n            word-bits: 16\n            datatypes: [weights]\n" + scaled + "            protection: {scheme: secded, uncorrectable: zero, encoder-pj: 1, decoder-pj: 2, source: gate count}\n"},
		{"energy-only scaled memory", scaled, scaled + "            faults: none\n            energy-model: dynamic-only\n"},
	} {
		y := mutate(t, tinyYAML(t), v[1], v[2])
		if _, err := Parse("tiny.yaml", []byte(y)); err != nil {
			t.Fatalf("%s: %v", v[0], err)
		}
		specs[v[0]] = []byte(y)
	}
	schematest.Accepts(t, "arch.schema.json", Schema, specs)
}

// Malformed specs are rejected by the parser and by the schema alike.
func TestSchemaRejectsMalformed(t *testing.T) {
	s := schematest.MustCompile(t, "arch.schema.json", Schema)
	parse := func(y []byte) error { _, err := Parse("bad.yaml", y); return err }
	schematest.Rejects(t, s, parse, tinyYAML(t), [][4]string{
		{"unknown top-level key", "architecture:\n", "extra: 1\narchitecture:\n", `unknown key "extra"`},
		{"unknown architecture key", "clock-mhz: 100\n", "clock-mhz: 100\n  clock-ghz: 0.1\n", `unknown key "clock-ghz"`},
		{"unknown attribute", "depth: 256\n", "depth: 256\n            widht: 16\n", `unknown key "widht"`},
		{"attribute of another class", "datawidth: 16\n", "datawidth: 16\n                banks: 2\n", `key "banks" does not apply to class mac`},
		{"unknown energy key", "op-pj: 0.5,", "op-pj: 0.5, cycle-pj: 1,", `unknown key "cycle-pj"`},
		{"unknown voltage key", "nominal-v: 0.8\n", "nominal-v: 0.8\n    vmin: 0.3\n", `unknown key "vmin"`},
		{"unknown ber key", "c: 0}", "c: 0, d: 1}", `unknown key "d"`},
		{"unknown mesh key", "meshY: 2}", "meshY: 2, meshZ: 1}", `unknown key "meshZ"`},
		{"string for a number", "clock-mhz: 100", "clock-mhz: fast", "want a number"},
		{"float for an integer", "depth: 256", "depth: 256.5", "want an integer"},
		{"string for an integer", "depth: 256", `depth: "256"`, "want an integer"},
		{"number for a string", "name: tiny", "name: 7", "want a string"},
		{"mapping for a sequence", "datatypes: [weights]", "datatypes: {weights: 1}", "want a sequence"},
		{"string for a boolean", "energy: {op-pj", "zero-gating: yes please\n                energy: {op-pj", "want true or false"},
		{"bad version", "cosim/1", "cosim/2", "unsupported version"},
		{"bad device", "itrs-lop", "itrs-xx", "is not one of"},
		{"bad class", "class: SRAM", "class: sram", "is not one of"},
		{"bad datatype", "[weights]", "[weight]", "is not one of weights, inputs, outputs"},
		{"bad voltage domain", "voltage-domain: scaled", "voltage-domain: scaled-down", "is not one of"},
		{"bad energy model", "nominal-v: 0.8\n", "nominal-v: 0.8\n    energy-model: cubic\n", "is not one of"},
		{"bad technology", "technology: 65nm", "technology: 65 mm", "want a technology node"},
		{"bad protection scheme", "voltage-domain: scaled\n", "voltage-domain: scaled\n            protection: parity\n", "is not one of"},
		{"msb without fraction", "voltage-domain: scaled\n", "voltage-domain: scaled\n            protection: msb\n", "needs msb-fraction"},
		{"faults on a nominal memory", "voltage-domain: scaled\n", "voltage-domain: nominal\n            faults: none\n", "applies only to a memory with voltage-domain: scaled"},
		{"codec energy without a code", "voltage-domain: scaled\n", "voltage-domain: scaled\n            protection: {scheme: msb, msb-fraction: 0.5, encoder-pj: 1, source: x}\n", "codec energies apply only to secded and zero-space"},
		{"bad faults", "voltage-domain: scaled\n", "voltage-domain: scaled\n            faults: all\n", "is not one of"},
		{"negative energy", "op-pj: 0.5", "op-pj: -0.5", "must not be negative"},
		{"zero supply", "nominal-v: 0.8", "nominal-v: 0", "must be positive"},
		{"supply above the bound", "nominal-v: 0.8", "nominal-v: 8", "want 0 < V"},
		{"zero mesh", "meshX: 2", "meshX: 0", "must be positive"},
		{"partial ber", "ber: {a: 22.12, b: -68.14, c: 0}", "ber: {a: 22.12, b: -68.14}", `missing key "c"`},
		{"missing source", `op-pj: 0.5, source: "test value"`, "op-pj: 0.5", `missing key "source"`},
		{"blank source", `source: "test value"`, `source: " "`, "must say where"},
		{"bad node name", "PE[0..3]", "PE[0..3 ]", "is not a name"},
	})
}

// The schema's closed objects have exactly the keys of the parser's
// mappings, read from parse.go: one per Mapping(…) call (the call with
// allAttrs reads the attributes of every class), and the schema's per-class
// narrowing (propertyNames) lists exactly sramAttrs, dramAttrs, macAttrs
// and overheadAttrs.
func TestSchemaKeysMatchParser(t *testing.T) {
	src := schematest.KeysMatch(t, Schema, "parse.go", "Mapping", 2)
	var classSets [][]string
	var union []string
	for _, name := range []string{"sramAttrs", "dramAttrs", "macAttrs", "overheadAttrs"} {
		l, ok := src.List(name)
		if !ok {
			t.Fatalf("parse.go has no []string %s", name)
		}
		classSets = append(classSets, l)
		union = append(union, l...)
	}
	all, _ := src.List("allAttrs")
	if d := schematest.Diff("allAttrs", [][]string{all}, "the classes' union", [][]string{union}); d != "" {
		t.Errorf("allAttrs is not the union of the class attributes:\n%s", d)
	}
	narrowed, err := schematest.SchemaNameEnums(Schema)
	if err != nil {
		t.Fatal(err)
	}
	if d := schematest.Diff("parse.go", classSets, "schema.json", narrowed); d != "" {
		t.Errorf("attributes per class differ:\n%s", d)
	}
}

// The schema's closed vocabularies are the Go packages' own.
func TestSchemaEnums(t *testing.T) {
	schematest.EnumsMatch(t, Schema, []schematest.EnumWant{
		{Path: []string{"$defs", "energyModelName"}, Want: schematest.Strings(sram.EnergyModelKinds)},
		{Path: []string{"$defs", "scheme"}, Want: schematest.Strings(ecc.Schemes)},
		{Path: []string{"$defs", "device"}, Want: schematest.Strings([]sram.Device{sram.HP, sram.LOP})},
		{Path: []string{"$defs", "component", "properties", "class"}, Want: schematest.Strings([]Class{SRAM, Regfile, DRAM, MAC, Overhead})},
		{Path: []string{"$defs", "attributes", "properties", "datatypes", "items"}, Want: schematest.Strings([]Datatype{Weights, Inputs, Outputs})},
		{Path: []string{"$defs", "attributes", "properties", "voltage-domain"}, Want: schematest.Strings([]Domain{Nominal, Scaled})},
		{Path: []string{"$defs", "protection", "properties", "uncorrectable"}, Want: schematest.Strings([]ecc.Policy{ecc.Keep, ecc.Zero})},
	})
}
