package sweep

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"

	"gopkg.in/yaml.v3"

	"cosim/ecc"
	"cosim/internal/fileio"
	"cosim/mc"
	"cosim/pareto"
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
//	  monte-carlo:                  # optional; defaults shown
//	    protocol: subset            # or reference (every trial on the whole set)
//	    max-trials: 500             # 50 for the reference protocol
//	    min-trials: 10
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

// Defaults of the Monte Carlo settings.
const (
	DefaultSubsetTrials    = 500
	DefaultReferenceTrials = 50
	DefaultMinTrials       = 10
	DefaultCIHalfWidth     = 0.5
	DefaultSubset          = 1000
)

// DefaultMC returns the default Monte Carlo settings of a protocol.
func DefaultMC(p mc.Protocol) mc.Options {
	o := mc.Options{Protocol: p, Trials: DefaultSubsetTrials, MinTrials: DefaultMinTrials, CIHalfWidth: DefaultCIHalfWidth, Subset: DefaultSubset}
	if p == mc.ProtocolReference {
		o.Trials = DefaultReferenceTrials
	}
	return o
}

// LoadSpec reads and checks a sweep spec file.
func LoadSpec(path string) (*Spec, error) {
	data, err := fileio.ReadFile(path, fileio.SpecLimit)
	if err != nil {
		return nil, err
	}
	return ParseSpec(path, data)
}

type specError struct {
	file      string
	line, col int
	msg       string
}

func (e *specError) Error() string {
	if e.line == 0 {
		return fmt.Sprintf("%s: %s", e.file, e.msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.file, e.line, e.col, e.msg)
}

// ParseSpec parses a sweep spec; file names it in errors and anchors
// relative paths.
func ParseSpec(file string, data []byte) (*Spec, error) {
	p := specParser{file: file}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &specError{file: file, msg: "empty sweep spec"}
		}
		return nil, &specError{file: file, msg: fmt.Sprintf("YAML: %v", err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &specError{file: file, msg: "more than one YAML document"}
	}
	s, err := p.spec(&doc)
	if err != nil {
		return nil, err
	}
	return s, nil
}

type specParser struct{ file string }

func (p *specParser) errf(n *yaml.Node, format string, a ...any) error {
	return &specError{file: p.file, line: n.Line, col: n.Column, msg: fmt.Sprintf(format, a...)}
}

// mapping returns the key → value nodes of a mapping, rejecting duplicates
// and keys not in allowed.
func (p *specParser) mapping(n *yaml.Node, what string, allowed ...string) (map[string]*yaml.Node, error) {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return nil, p.errf(n, "anchors and aliases are not supported")
	}
	if n.Kind != yaml.MappingNode {
		return nil, p.errf(n, "%s must be a mapping", what)
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, p.errf(k, "%s: keys must be plain names", what)
		}
		ok := false
		for _, a := range allowed {
			ok = ok || a == k.Value
		}
		if !ok {
			return nil, p.errf(k, "unknown key %q in %s", k.Value, what)
		}
		if _, dup := out[k.Value]; dup {
			return nil, p.errf(k, "duplicate key %q in %s", k.Value, what)
		}
		if v.Kind == yaml.AliasNode || v.Anchor != "" {
			return nil, p.errf(v, "anchors and aliases are not supported")
		}
		out[k.Value] = v
	}
	return out, nil
}

func (p *specParser) str(n *yaml.Node, field string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" || n.Value == "" {
		return "", p.errf(n, "%s must be a non-empty string", field)
	}
	return n.Value, nil
}

func (p *specParser) num(n *yaml.Node, field string) (float64, error) {
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!float" && n.Tag != "!!int") {
		return 0, p.errf(n, "%s must be a number", field)
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, p.errf(n, "%s must be a finite number", field)
	}
	return v, nil
}

func (p *specParser) integer(n *yaml.Node, field string, lo int) (int, error) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		return 0, p.errf(n, "%s must be an integer", field)
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil || v < lo {
		return 0, p.errf(n, "%s must be an integer ≥ %d", field, lo)
	}
	return v, nil
}

// path resolves a path relative to the spec file's directory.
func (p *specParser) path(v string) string {
	if filepath.IsAbs(v) {
		return v
	}
	return filepath.Join(filepath.Dir(p.file), v)
}

func (p *specParser) spec(doc *yaml.Node) (*Spec, error) {
	if len(doc.Content) != 1 {
		return nil, &specError{file: p.file, msg: "empty sweep spec"}
	}
	top, err := p.mapping(doc.Content[0], "the document", "sweep")
	if err != nil {
		return nil, err
	}
	body, ok := top["sweep"]
	if !ok {
		return nil, p.errf(doc.Content[0], "missing key \"sweep\"")
	}
	f, err := p.mapping(body, "sweep", "arch", "energy-model", "data", "models", "voltages", "monte-carlo", "faults", "seed", "out")
	if err != nil {
		return nil, err
	}
	s := &Spec{File: p.file, Arch: "eyeriss-onchip", Seed: 1337, MC: DefaultMC(mc.ProtocolSubset)}
	if n, ok := f["arch"]; ok {
		if s.Arch, err = p.str(n, "arch"); err != nil {
			return nil, err
		}
		if ext := filepath.Ext(s.Arch); ext == ".yaml" || ext == ".yml" || filepath.Base(s.Arch) != s.Arch {
			s.Arch = p.path(s.Arch)
		}
	}
	if n, ok := f["energy-model"]; ok {
		v, err := p.str(n, "energy-model")
		if err != nil {
			return nil, err
		}
		s.EnergyModel = sram.EnergyModelKind(v)
		if err := s.EnergyModel.Validate(); err != nil {
			return nil, p.errf(n, "energy-model: %v", err)
		}
	}
	if n, ok := f["data"]; ok {
		v, err := p.str(n, "data")
		if err != nil {
			return nil, err
		}
		s.Data = p.path(v)
	}
	if n, ok := f["out"]; ok {
		v, err := p.str(n, "out")
		if err != nil {
			return nil, err
		}
		s.Out = p.path(v)
	}
	if n, ok := f["seed"]; ok {
		v, err := p.integer(n, "seed", 0)
		if err != nil {
			return nil, err
		}
		s.Seed = uint64(v)
	}
	n, ok := f["models"]
	if !ok {
		return nil, p.errf(body, "missing key \"models\"")
	}
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return nil, p.errf(n, "models must be a non-empty list")
	}
	for _, it := range n.Content {
		m, err := p.mapping(it, "a models entry", "checkpoint", "label", "protection")
		if err != nil {
			return nil, err
		}
		c, ok := m["checkpoint"]
		if !ok {
			return nil, p.errf(it, "missing key \"checkpoint\" in a models entry")
		}
		var sm SpecModel
		if sm.Checkpoint, err = p.str(c, "checkpoint"); err != nil {
			return nil, err
		}
		sm.Checkpoint = p.path(sm.Checkpoint)
		if l, ok := m["label"]; ok {
			if sm.Label, err = p.str(l, "label"); err != nil {
				return nil, err
			}
			if err := pareto.CheckLabel(sm.Label); err != nil {
				return nil, p.errf(l, "%v", err)
			}
		}
		if pn, ok := m["protection"]; ok {
			items := []*yaml.Node{pn}
			if pn.Kind == yaml.SequenceNode {
				items = pn.Content
				if len(items) == 0 {
					return nil, p.errf(pn, "protection must be a protection or a non-empty list of them")
				}
			}
			for _, in := range items {
				v, err := p.str(in, "protection")
				if err != nil {
					return nil, err
				}
				pr, err := ecc.ParseProtection(v)
				if err != nil {
					return nil, p.errf(in, "protection: %v", err)
				}
				sm.Protections = append(sm.Protections, pr)
			}
		}
		s.Models = append(s.Models, sm)
	}
	if s.Voltages, err = p.voltages(f["voltages"], body); err != nil {
		return nil, err
	}
	if n, ok := f["monte-carlo"]; ok {
		if err := p.monteCarlo(n, s); err != nil {
			return nil, err
		}
	}
	if err := p.faults(f["faults"], f["monte-carlo"], s); err != nil {
		return nil, err
	}
	return s, nil
}

func (p *specParser) voltages(n, parent *yaml.Node) ([]float64, error) {
	if n == nil {
		return nil, p.errf(parent, "missing key \"voltages\"")
	}
	if n.Kind == yaml.SequenceNode {
		if len(n.Content) == 0 {
			return nil, p.errf(n, "voltages must not be empty")
		}
		var vs []float64
		seen := map[float64]bool{}
		for _, it := range n.Content {
			v, err := p.num(it, "a voltage")
			if err != nil {
				return nil, err
			}
			if err := sram.CheckSupply(v); err != nil {
				return nil, p.errf(it, "%v", err)
			}
			if seen[v] {
				return nil, p.errf(it, "voltage %g V appears twice", v)
			}
			seen[v] = true
			vs = append(vs, v)
		}
		return vs, nil
	}
	m, err := p.mapping(n, "voltages", "from", "to", "step")
	if err != nil {
		return nil, err
	}
	var g [3]float64
	for i, k := range []string{"from", "to", "step"} {
		c, ok := m[k]
		if !ok {
			return nil, p.errf(n, "missing key %q in voltages", k)
		}
		if g[i], err = p.num(c, "voltages."+k); err != nil {
			return nil, err
		}
	}
	vs, err := Voltages(g[0], g[1], g[2])
	if err != nil {
		return nil, p.errf(n, "%v", err)
	}
	return vs, nil
}

// monteCarloKeys are the keys of the monte-carlo mapping.
var monteCarloKeys = []string{"protocol", "max-trials", "min-trials", "ci-half-width", "subset"}

func (p *specParser) monteCarlo(n *yaml.Node, s *Spec) error {
	m, err := p.mapping(n, "monte-carlo", monteCarloKeys...)
	if err != nil {
		return err
	}
	if c, ok := m["protocol"]; ok {
		v, err := p.str(c, "protocol")
		if err != nil {
			return err
		}
		proto, err := mc.ParseProtocol(v)
		if err != nil {
			return p.errf(c, "%v", err)
		}
		s.MC = DefaultMC(proto)
	}
	if c, ok := m["max-trials"]; ok {
		if s.MC.Trials, err = p.integer(c, "max-trials", 1); err != nil {
			return err
		}
	}
	if c, ok := m["min-trials"]; ok {
		if s.MC.MinTrials, err = p.integer(c, "min-trials", 2); err != nil {
			return err
		}
	}
	if c, ok := m["subset"]; ok {
		if s.MC.Subset, err = p.integer(c, "subset", 1); err != nil {
			return err
		}
	}
	if c, ok := m["ci-half-width"]; ok {
		v, err := p.num(c, "ci-half-width")
		if err != nil {
			return err
		}
		if v < 0 {
			return p.errf(c, "ci-half-width %g: want ≥ 0", v)
		}
		s.MC.CIHalfWidth = v
	}
	if s.MC.MinTrials > s.MC.Trials {
		return p.errf(n, "min-trials %d exceeds max-trials %d", s.MC.MinTrials, s.MC.Trials)
	}
	return nil
}

// faults reads the fault model; chips take no adaptive stopping, so their
// CI half-width is 0 unless the spec sets another value, which is an error.
func (p *specParser) faults(n, mcNode *yaml.Node, s *Spec) error {
	s.Faults = mc.FaultsIID
	if n == nil {
		return nil
	}
	v, err := p.str(n, "faults")
	if err != nil {
		return err
	}
	if s.Faults, err = mc.ParseFaults(v); err != nil {
		return p.errf(n, "faults: %v", err)
	}
	if !s.Faults.Chips() {
		return nil
	}
	if mcNode != nil {
		m, _ := p.mapping(mcNode, "monte-carlo", monteCarloKeys...)
		if c, ok := m["ci-half-width"]; ok && s.MC.CIHalfWidth != 0 {
			return p.errf(c, "ci-half-width %g: %s faults score every chip at every voltage, so there is no adaptive stopping (omit it or set 0)", s.MC.CIHalfWidth, s.Faults)
		}
	}
	s.MC.CIHalfWidth = 0
	return nil
}
