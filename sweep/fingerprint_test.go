package sweep

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"cosim/arch"
	"cosim/internal/fingerprint"
	"cosim/internal/testenv"
	"cosim/mc"
	"cosim/wcat"
)

// mutations returns other values for a YAML scalar, most plausible first.
func mutations(v string) []string {
	var out []string
	if i, err := strconv.Atoi(v); err == nil {
		for _, j := range []int{i * 2, i + 1, i - 1} {
			if j != i {
				out = append(out, strconv.Itoa(j))
			}
		}
	} else if f, err := strconv.ParseFloat(v, 64); err == nil {
		for _, g := range []float64{f * 1.1, f * 0.9, f + 0.5} {
			if g != f {
				out = append(out, strconv.FormatFloat(g, 'g', -1, 64))
			}
		}
	}
	switch v {
	case "true":
		return []string{"false"}
	case "false":
		return []string{"true"}
	}
	for _, e := range []string{"SRAM", "regfile", "itrs-hp", "itrs-lop", "scaled", "nominal", "paper", "physical",
		"dynamic-only", "none", "22nm", "32nm", "45nm", "65nm", "inputs", "outputs", "weights", "linear", "quadratic"} {
		if e != v {
			out = append(out, e)
		}
	}
	return append(out, v+"2", "x"+v)
}

// scalars lists the value scalars of a YAML document (not mapping keys).
func scalars(n *yaml.Node, out []*yaml.Node) []*yaml.Node {
	switch n.Kind {
	case yaml.ScalarNode:
		return append(out, n)
	case yaml.MappingNode:
		for i := 1; i < len(n.Content); i += 2 {
			out = scalars(n.Content[i], out)
		}
	default:
		for _, c := range n.Content {
			out = scalars(c, out)
		}
	}
	return out
}

// Every value of every built-in architecture spec, changed one at a time to
// another value the parser accepts, changes the sweep's fingerprint, and
// the difference names a field: so --resume cannot mix results of an edited
// architecture, whatever the field.
func TestFingerprintCoversEveryArchitectureValue(t *testing.T) {
	w, d := tiny(t, wcat.WCAT)
	for _, name := range []string{"eyeriss-onchip", "eyeriss", "eyeriss-like-timeloop"} {
		raw, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "arch", "specs", name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		fp := func(s *arch.Spec) fingerprint.Set {
			return Config{Accel: specOnly{s}, Voltages: []float64{0.5}, MC: mc.Options{Trials: 1}, Test: d,
				Models: []Model{{Name: "mlp", Method: "wcat", Q: w}}}.Fingerprint()
		}
		base, err := arch.Parse(name+".yaml", raw)
		if err != nil {
			t.Fatal(err)
		}
		baseFP := fp(base).Map()
		var doc yaml.Node
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		leaves := scalars(&doc, nil)
		changed, refused := 0, 0
		for _, leaf := range leaves {
			orig := leaf.Value
			accepted := false
			for _, m := range mutations(orig) {
				leaf.Value = m
				edited, err := yaml.Marshal(&doc)
				if err != nil {
					t.Fatal(err)
				}
				s, err := arch.Parse(name+".yaml", edited)
				if err != nil {
					continue
				}
				accepted = true
				diff := fp(s).Diff(baseFP)
				if len(diff) == 0 {
					t.Errorf("%s:%d:%d: %q → %q is accepted but leaves the sweep fingerprint unchanged", name, leaf.Line, leaf.Column, orig, m)
				}
				break
			}
			leaf.Value = orig
			if accepted {
				changed++
			} else {
				refused++
			}
		}
		t.Logf("%s: %d values changed one at a time (%d others have no accepted alternative)", name, changed, refused)
		if changed < len(leaves)*3/4 {
			t.Errorf("%s: only %d of %d values could be changed; the mutations are too weak", name, changed, len(leaves))
		}
	}
}

// Every field of the sweep configuration (voltages, Monte Carlo settings,
// seed, model labels, quantizer, tensors, data), changed one at a time,
// changes the fingerprint, and the difference names that field; the
// worker count does not.
func TestFingerprintCoversEverySweepField(t *testing.T) {
	w, d := tiny(t, wcat.WCAT)
	base := func() Config {
		return Config{Accel: eyerissOf(t, builtinYAML(t, nil)), Voltages: []float64{0.4, 0.5}, Seed: 3, Test: d,
			MC:     mc.Options{Protocol: mc.ProtocolSubset, Trials: 10, MinTrials: 5, CIHalfWidth: 1, Subset: 100, Workers: 1},
			Models: []Model{{Name: "mlp", Method: "wcat", Q: w}}}
	}
	baseFP := base().Fingerprint().Map()
	w2, _ := tiny(t, wcat.Normal)
	d2 := *d
	d2.Labels = append([]uint8{1 - d.Labels[0]}, d.Labels[1:]...)
	edits := []struct {
		key  string
		edit func(*Config)
	}{
		{"sweep.Voltages[1]", func(c *Config) { c.Voltages[1] = 0.51 }},
		{"sweep.Voltages[2]", func(c *Config) { c.Voltages = append(c.Voltages, 0.6) }},
		{"sweep.MC.Protocol", func(c *Config) { c.MC.Protocol = mc.ProtocolReference }},
		{"sweep.MC.Trials", func(c *Config) { c.MC.Trials = 11 }},
		{"sweep.MC.MinTrials", func(c *Config) { c.MC.MinTrials = 6 }},
		{"sweep.MC.CIHalfWidth", func(c *Config) { c.MC.CIHalfWidth = 0.5 }},
		{"sweep.MC.Subset", func(c *Config) { c.MC.Subset = 200 }},
		{"sweep.MC.Seed", func(c *Config) { c.MC.Seed = 1 }},
		{"sweep.Seed", func(c *Config) { c.Seed = 4 }},
		{"sweep.Models[0].Name", func(c *Config) { c.Models[0].Name = "mlp2" }},
		{"sweep.Models[0].Method", func(c *Config) { c.Models[0].Method = "wcat (run 2)" }},
		{"sweep.Models[0].Quantizer.Method", func(c *Config) { c.Models[0].Q = w2 }},
		{"sweep.Models[0].Tensors", func(c *Config) {
			q := *w
			q.Cfg.BFN = 0.01
			c.Models[0].Q = &q
		}},
		{"sweep.Test", func(c *Config) { c.Test = &d2 }},
	}
	for _, e := range edits {
		c := base()
		e.edit(&c)
		diff := c.Fingerprint().Diff(baseFP)
		if len(diff) == 0 || !strings.Contains(fingerprint.Summary(diff, 3), strings.TrimSuffix(e.key, ".Tensors")) {
			t.Errorf("editing %s: diff %q does not name it", e.key, diff)
		}
	}
	c := base()
	c.MC.Workers = 7
	if diff := c.Fingerprint().Diff(baseFP); len(diff) != 0 {
		t.Errorf("the worker count changes the fingerprint: %v", diff)
	}
	// Every exported field of Config and mc.Options is either fingerprinted
	// or marked as not affecting results.
	for _, typ := range []reflect.Type{reflect.TypeFor[Config](), reflect.TypeFor[mc.Options](), reflect.TypeFor[Model]()} {
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			if f.Tag.Get("fingerprint") == "-" {
				continue
			}
			found := false
			for k := range baseFP {
				if strings.Contains(k, "."+f.Name) {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("%s.%s is not in the fingerprint", typ.Name(), f.Name)
			}
		}
	}
}
