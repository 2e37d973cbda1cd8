package sweep

import (
	"os"
	"path/filepath"
	"testing"

	"cosim/ecc"
	"cosim/internal/schematest"
	"cosim/mc"
	"cosim/sram"
)

// Every sweep spec in experiments/ and the test spec conform.
func TestSchemaAcceptsSpecs(t *testing.T) {
	specs := map[string][]byte{"goodSpec": []byte(goodSpec)}
	files, _ := filepath.Glob("../experiments/*.yaml")
	if len(files) == 0 {
		t.Fatal("no experiments/*.yaml")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseSpec(f, data); err != nil {
			t.Errorf("parser: %v", err)
		}
		specs[f] = data
	}
	schematest.Accepts(t, "sweep.schema.json", Schema, specs)
}

// Malformed specs are rejected by the parser and by the schema alike.
func TestSchemaRejectsMalformed(t *testing.T) {
	s := schematest.MustCompile(t, "sweep.schema.json", Schema)
	parse := func(y []byte) error { _, err := ParseSpec("bad.yaml", y); return err }
	schematest.Rejects(t, s, parse, goodSpec, [][4]string{
		{"unknown top-level key", "sweep:\n", "sweeps: 1\nsweep:\n", `unknown key "sweeps"`},
		{"unknown sweep key", "seed: 7\n", "seed: 7\n  trials: 5\n", `unknown key "trials"`},
		{"unknown model key", "label: normal\n", "label: normal\n      bits: 4\n", `unknown key "bits"`},
		{"unknown grid key", "step: 0.05}", "step: 0.05, count: 3}", `unknown key "count"`},
		{"unknown monte-carlo key", "protocol: reference\n", "protocol: reference\n    trials: 5\n", `unknown key "trials"`},
		{"string for a number", "from: 0.30", "from: low", "want a number"},
		{"float for an integer", "seed: 7", "seed: 7.5", "want an integer"},
		{"string for an integer", "ci-half-width: 0.25\n", "ci-half-width: 0.25\n    subset: many\n", "want an integer"},
		{"mapping for a string", "arch: eyeriss-onchip", "arch: {name: eyeriss-onchip}", "want a string"},
		{"empty string", "arch: eyeriss-onchip", `arch: ""`, "must not be empty"},
		{"mapping for a list", "models:\n    - checkpoint: models/resnet20-wcat.ckpt\n", "models:\n    checkpoint: models/resnet20-wcat.ckpt\n    extra:\n", "want a sequence"},
		{"bad protocol", "protocol: reference", "protocol: exact", "unknown Monte Carlo protocol"},
		{"bad faults", "seed: 7\n", "seed: 7\n  faults: burst\n", "unknown fault model"},
		{"bad energy model", "seed: 7\n", "seed: 7\n  energy-model: cubic\n", "energy-model"},
		{"bad protection", "label: normal\n", "label: normal\n      protection: parity\n", "unknown protection"},
		{"msb without fraction", "label: normal\n", "label: normal\n      protection: [none, msb]\n", "msb:FRACTION"},
		{"empty protection list", "label: normal\n", "label: normal\n      protection: []\n", "non-empty list"},
		{"negative seed", "seed: 7", "seed: -7", "must be at least 0"},
		{"one min trial", "ci-half-width: 0.25\n", "ci-half-width: 0.25\n    min-trials: 1\n", "min-trials in monte-carlo: must be at least 2"},
		{"negative half-width", "ci-half-width: 0.25", "ci-half-width: -1", "want ≥ 0"},
		{"voltage above the bound", "voltages: {from: 0.30, to: 0.80, step: 0.05}", "voltages: [0.4, 50]", "want 0 < V"},
		{"repeated voltage", "voltages: {from: 0.30, to: 0.80, step: 0.05}", "voltages: [0.4, 0.4]", "appears twice"},
		{"empty voltages", "voltages: {from: 0.30, to: 0.80, step: 0.05}", "voltages: []", "must list at least one voltage"},
		{"incomplete grid", "voltages: {from: 0.30, to: 0.80, step: 0.05}", "voltages: {from: 0.30, to: 0.80}", `missing key "step"`},
		{"missing checkpoint", "- checkpoint: /abs/normal.ckpt\n      label: normal", "- label: normal", `missing key "checkpoint"`},
		{"label with a newline", "label: normal", `label: "nor\nmal"`, "control character"},
	})
}

// The schema's closed objects have exactly the keys of the parser's
// mappings, read from spec.go's Mapping(…) calls.
func TestSchemaKeysMatchParser(t *testing.T) {
	schematest.KeysMatch(t, Schema, "spec.go", "Mapping", 2)
}

// The schema's closed vocabularies are the Go packages' own.
func TestSchemaEnums(t *testing.T) {
	schematest.EnumsMatch(t, Schema, []schematest.EnumWant{
		{Path: []string{"$defs", "sweep", "properties", "energy-model"}, Want: schematest.Strings(sram.EnergyModelKinds)},
		{Path: []string{"$defs", "sweep", "properties", "faults"}, Want: schematest.Strings([]mc.Faults{mc.FaultsIID, mc.FaultsChip, mc.FaultsChipStuck})},
		{Path: []string{"$defs", "monteCarlo", "properties", "protocol"}, Want: schematest.Strings([]mc.Protocol{mc.ProtocolSubset, mc.ProtocolReference})},
	})
	// Every scheme's short forms (ecc.ParseProtection) pass both.
	sch := schematest.MustCompile(t, "sweep.schema.json", Schema)
	var forms []string
	for _, sc := range ecc.Schemes {
		switch sc {
		case ecc.MSB:
			forms = append(forms, "msb:0.5", "msb:1")
		case ecc.SECDED, ecc.ZeroSpace:
			forms = append(forms, string(sc), string(sc)+":zero", string(sc)+":keep")
		default:
			forms = append(forms, string(sc))
		}
	}
	for _, form := range forms {
		spec := "sweep:\n  models: [{checkpoint: a, protection: " + form + "}]\n  voltages: [0.5]\n"
		if _, err := ParseSpec("s.yaml", []byte(spec)); err != nil {
			t.Errorf("%s: parser: %v", form, err)
		}
		if err := schematest.Validate(sch, []byte(spec)); err != nil {
			t.Errorf("%s: schema: %v", form, err)
		}
	}
}
