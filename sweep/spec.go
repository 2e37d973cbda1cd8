package sweep

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"cosim/ecc"
	"cosim/internal/yamlspec"
	"cosim/mc"
	"cosim/results"
	"cosim/sram"
)

// Spec is a sweep described in YAML (`cosim sweep --spec FILE`):
//
//	sweep:
//	  arch: eyeriss-onchip          # a built-in architecture or a YAML file
//	  data: ../data/cifar10         # optional: the evaluation set's directory
//	  models:                       # trained checkpoints
//	    - checkpoint: models/resnet20-wcat.ckpt
//	      label: wcat               # optional; default: the checkpoint's method
//	      protection: [none, secded]  # optional: one series per protection
//	                                # (ecc.ParseProtection); default: the arch's
//	  voltages: {from: 0.30, to: 0.80, step: 0.01}   # or a list: [0.4, 0.5]
//	  monte-carlo:                  # optional; defaults (mc.DefaultOptions) shown
//	    protocol: subset            # or reference (every trial on the whole set)
//	    max-trials: 500             # 50 for the reference protocol
//	    min-trials: 10              # at most max-trials when that is given alone
//	    ci-half-width: 0.5          # accuracy points; 0 runs max-trials
//	    subset: 1000                # images per trial (subset protocol)
//	  faults: iid                   # optional: iid (default), chip or chip-stuck
//	  seed: 1337
//	  out: reports/figure7          # optional output directory
//
// Under chip or chip-stuck faults every trial is one chip scored at every
// voltage (mc.Faults): max-trials is the number of chips, and adaptive
// stopping does not apply (ci-half-width defaults to 0, and any other value
// is an error).
//
// Relative paths are relative to the spec file's directory. Unknown keys,
// wrong types and impossible values are errors naming file:line:col.
type Spec struct {
	File string
	Arch string
	// EnergyModel, when set, overrides the architecture's default energy(V)
	// model (key energy-model: paper, dynamic-only or physical).
	EnergyModel sram.EnergyModelKind
	Data        string
	Models      []SpecModel
	Voltages    []float64
	MC          mc.Options
	Faults      mc.Faults
	Seed        uint64
	Out         string
}

// SpecModel is one model entry of a sweep spec.
type SpecModel struct {
	Checkpoint string
	Label      string
	// Protections, if any, run the model once per protection of the
	// weight memory, each its own series; none: the architecture's.
	Protections []ecc.Protection
}

// LoadSpec reads and checks a sweep spec file.
func LoadSpec(path string) (*Spec, error) {
	data, err := yamlspec.ReadFile(path, "sweep spec")
	if err != nil {
		return nil, err
	}
	return ParseSpec(path, data)
}

// ParseSpec parses a sweep spec; file names it in errors and anchors
// relative paths. Every error is a *yamlspec.Error.
func ParseSpec(file string, data []byte) (*Spec, error) {
	p := specParser{&yamlspec.Reader{File: file, Kind: "sweep specs"}}
	root, err := p.Document(data, "sweep")
	if err != nil {
		return nil, err
	}
	return p.spec(root)
}

type specParser struct{ *yamlspec.Reader }

// text reads a non-empty string.
func (p *specParser) text(n *yaml.Node, label string) (string, error) {
	v, err := p.Str(n, label)
	if err == nil && v == "" {
		err = p.Errorf(n, "%s: must not be empty", label)
	}
	return v, err
}

// optText reads the non-empty string of key, if given.
func (p *specParser) optText(f *yamlspec.Mapping, key string) (string, bool, error) {
	n, ok := f.Vals[key]
	if !ok {
		return "", false, nil
	}
	v, err := p.text(n, key+" in "+f.Where)
	return v, true, err
}

// path resolves a path relative to the spec file's directory.
func (p *specParser) path(v string) string {
	if filepath.IsAbs(v) {
		return v
	}
	return filepath.Join(filepath.Dir(p.File), v)
}

func (p *specParser) spec(root *yaml.Node) (*Spec, error) {
	top, err := p.Mapping(root, "the top level", "sweep")
	if err != nil {
		return nil, err
	}
	body, err := top.Need("sweep")
	if err != nil {
		return nil, err
	}
	f, err := p.Mapping(body, "sweep", "arch", "energy-model", "data", "models", "voltages", "monte-carlo", "faults", "seed", "out")
	if err != nil {
		return nil, err
	}
	s := &Spec{File: p.File, Arch: "eyeriss-onchip", Seed: 1337, MC: mc.DefaultOptions(mc.DefaultProtocol)}
	if v, ok, err := p.optText(f, "arch"); err != nil {
		return nil, err
	} else if ok {
		s.Arch = v
		if ext := filepath.Ext(v); ext == ".yaml" || ext == ".yml" || filepath.Base(v) != v {
			s.Arch = p.path(v)
		}
	}
	if v, ok, err := p.optText(f, "energy-model"); err != nil {
		return nil, err
	} else if ok {
		if s.EnergyModel = sram.EnergyModelKind(v); s.EnergyModel.Validate() != nil {
			return nil, f.Bad("energy-model", "%v", s.EnergyModel.Validate())
		}
	}
	for _, o := range []struct {
		key string
		dst *string
	}{{"data", &s.Data}, {"out", &s.Out}} {
		if v, ok, err := p.optText(f, o.key); err != nil {
			return nil, err
		} else if ok {
			*o.dst = p.path(v)
		}
	}
	if f.Has("seed") {
		v, err := f.Int("seed", 0, math.MaxInt64)
		if err != nil {
			return nil, err
		}
		s.Seed = uint64(v)
	}
	items, err := f.Seq("models")
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, f.Bad("models", "must list at least one model")
	}
	for i, it := range items {
		sm, err := p.model(it, fmt.Sprintf("model #%d", i+1))
		if err != nil {
			return nil, err
		}
		s.Models = append(s.Models, sm)
	}
	if s.Voltages, err = p.voltages(f); err != nil {
		return nil, err
	}
	if f.Has("monte-carlo") {
		if err := p.monteCarlo(f.Vals["monte-carlo"], s); err != nil {
			return nil, err
		}
	}
	if err := p.faults(f, s); err != nil {
		return nil, err
	}
	return s, nil
}

func (p *specParser) model(it *yaml.Node, where string) (SpecModel, error) {
	var sm SpecModel
	m, err := p.Mapping(it, where, "checkpoint", "label", "protection")
	if err != nil {
		return sm, err
	}
	c, err := m.Need("checkpoint")
	if err != nil {
		return sm, err
	}
	if sm.Checkpoint, err = p.text(c, "checkpoint in "+where); err != nil {
		return sm, err
	}
	sm.Checkpoint = p.path(sm.Checkpoint)
	if m.Has("label") {
		if sm.Label, err = m.Str("label"); err != nil {
			return sm, err
		}
		if err := results.CheckLabel(sm.Label); err != nil {
			return sm, m.Bad("label", "%v", err)
		}
	}
	if !m.Has("protection") {
		return sm, nil
	}
	pn := m.Vals["protection"]
	prs := []*yaml.Node{pn}
	if pn.Kind == yaml.SequenceNode {
		if prs = pn.Content; len(prs) == 0 {
			return sm, m.Bad("protection", "want a protection or a non-empty list of them")
		}
	}
	for _, in := range prs {
		v, err := p.Str(in, "protection in "+where)
		if err != nil {
			return sm, err
		}
		pr, err := ecc.ParseProtection(v)
		if err != nil {
			return sm, p.Errorf(in, "protection in %s: %v", where, err)
		}
		sm.Protections = append(sm.Protections, pr)
	}
	return sm, nil
}

func (p *specParser) voltages(f *yamlspec.Mapping) ([]float64, error) {
	n, err := f.Need("voltages")
	if err != nil {
		return nil, err
	}
	if n.Kind == yaml.SequenceNode {
		if len(n.Content) == 0 {
			return nil, f.Bad("voltages", "must list at least one voltage")
		}
		var vs []float64
		seen := map[float64]bool{}
		for _, it := range n.Content {
			v, err := p.Float(it, "a voltage in voltages")
			if err != nil {
				return nil, err
			}
			if err := sram.CheckSupply(v); err != nil {
				return nil, p.Errorf(it, "%v", err)
			}
			if seen[v] {
				return nil, p.Errorf(it, "voltage %g V appears twice", v)
			}
			seen[v] = true
			vs = append(vs, v)
		}
		return vs, nil
	}
	m, err := p.Mapping(n, "voltages", "from", "to", "step")
	if err != nil {
		return nil, err
	}
	var g [3]float64
	for i, k := range []string{"from", "to", "step"} {
		if g[i], err = m.Float(k); err != nil {
			return nil, err
		}
	}
	vs, err := Voltages(g[0], g[1], g[2])
	if err != nil {
		return nil, p.Errorf(n, "%v", err)
	}
	return vs, nil
}

// monteCarloKeys are the keys of the monte-carlo mapping.
var monteCarloKeys = []string{"protocol", "max-trials", "min-trials", "ci-half-width", "subset"}

func (p *specParser) monteCarlo(n *yaml.Node, s *Spec) error {
	m, err := p.Mapping(n, "monte-carlo", monteCarloKeys...)
	if err != nil {
		return err
	}
	if v, ok, err := p.optText(m, "protocol"); err != nil {
		return err
	} else if ok {
		proto, err := mc.ParseProtocol(v)
		if err != nil {
			return m.Bad("protocol", "%v", err)
		}
		s.MC = mc.DefaultOptions(proto)
	}
	for _, k := range []struct {
		key string
		lo  int64
		set func(int)
	}{
		{"max-trials", 1, func(v int) { s.MC = s.MC.WithTrials(v) }},
		{"min-trials", 2, func(v int) { s.MC.MinTrials = v }},
		{"subset", 1, func(v int) { s.MC.Subset = v }},
	} {
		if m.Has(k.key) {
			v, err := m.Int(k.key, k.lo, mc.MaxTrials)
			if err != nil {
				return err
			}
			k.set(int(v))
		}
	}
	if m.Has("ci-half-width") {
		v, err := m.Float("ci-half-width")
		if err != nil {
			return err
		}
		if v < 0 {
			return m.Bad("ci-half-width", "want ≥ 0, got %g", v)
		}
		s.MC.CIHalfWidth = v
	}
	if err := s.MC.Validate(mc.KeyNames); err != nil {
		return p.Errorf(n, "%v", err)
	}
	return nil
}

// faults reads the fault model; chips take no adaptive stopping, so their
// CI half-width is 0 unless the spec sets another value, which is an error.
func (p *specParser) faults(f *yamlspec.Mapping, s *Spec) error {
	s.Faults = mc.FaultsIID
	v, ok, err := p.optText(f, "faults")
	if err != nil || !ok {
		return err
	}
	if s.Faults, err = mc.ParseFaults(v); err != nil {
		return f.Bad("faults", "%v", err)
	}
	var m *yamlspec.Mapping
	if mcn, ok := f.Vals["monte-carlo"]; ok {
		m, _ = p.Mapping(mcn, "monte-carlo", monteCarloKeys...)
	}
	ciSet := m != nil && m.Has("ci-half-width")
	if s.MC, err = s.MC.ForFaults(s.Faults, ciSet, mc.KeyNames); err != nil {
		var oe *mc.OptionError
		if errors.As(err, &oe) && ciSet {
			return m.Bad(oe.Name, "%s", oe.Problem)
		}
		return p.Errorf(f.Vals["faults"], "%v", err)
	}
	return nil
}
