package arch

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"cosim/ecc"
	"cosim/internal/fileio"
	"cosim/sram"
)

// Error is a problem in a spec file. Its message starts with the file name,
// then the line and column when known: "file:line:col: message" (yaml.v3
// reports only a line for syntax errors: "file:line: message"; a problem with
// the file as a whole has neither: "file: message").
type Error struct {
	Pos Pos    // Line 0: no position; Col 0: line only
	Msg string // what is wrong, naming the field
	Err error  // underlying cause, or nil
}

// Error formats e as described on the type.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Pos.File)
	if e.Pos.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Pos.Line)
		if e.Pos.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Pos.Col)
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// maxInstances bounds the total number of copies of any component, so that
// instance products cannot overflow.
const maxInstances = 1 << 30

// Options change how a spec is read.
type Options struct {
	// EnergyModel, when set, replaces the spec's default energy(V) model
	// (voltage.energy-model); memories with their own energy-model keep it.
	EnergyModel sram.EnergyModelKind
	// Protection, when set, replaces the faulty weight memory's protection.
	Protection *ecc.Protection
}

// Load reads and parses the spec file at path; messages name path.
func Load(path string) (*Spec, error) { return load(path, Options{}) }

func load(path string, o Options) (*Spec, error) {
	data, err := fileio.ReadFile(path, fileio.SpecLimit)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &Error{Pos: Pos{File: path}, Msg: "cannot read architecture spec", Err: err}
	}
	return ParseWith(path, data, o)
}

// Parse parses and validates one spec; filename is used only in messages.
// Every error is an *Error whose message starts with filename.
func Parse(filename string, data []byte) (*Spec, error) { return ParseWith(filename, data, Options{}) }

// ParseWith is Parse with options.
func ParseWith(filename string, data []byte, o Options) (*Spec, error) {
	if o.EnergyModel != "" {
		if err := o.EnergyModel.Validate(); err != nil {
			return nil, &Error{Pos: Pos{File: filename}, Msg: "energy model override", Err: err}
		}
	}
	p := &parser{file: filename, opts: o, names: map[string]Pos{}, energyModelNodes: map[*Component]*yaml.Node{}}
	doc, err := p.document(data)
	if err != nil {
		return nil, err
	}
	if err := p.noAnchors(doc); err != nil {
		return nil, err
	}
	return p.spec(doc)
}

type parser struct {
	file  string
	out   *Spec
	names map[string]Pos // component name → first position
	opts  Options
	// energyModelNodes holds each memory's `energy-model` value, resolved
	// once every component is known.
	energyModelNodes map[*Component]*yaml.Node
}

func (p *parser) pos(n *yaml.Node) Pos { return Pos{File: p.file, Line: n.Line, Col: n.Column} }

func (p *parser) errAt(n *yaml.Node, format string, args ...any) error {
	return &Error{Pos: p.pos(n), Msg: fmt.Sprintf(format, args...)}
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlErr turns a yaml.v3 error ("yaml: line 3: …") into an *Error at that line.
func (p *parser) yamlErr(err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		if line, perr := strconv.Atoi(m[1]); perr == nil {
			return &Error{Pos: Pos{File: p.file, Line: line}, Msg: "YAML syntax: " + m[2]}
		}
	}
	return &Error{Pos: Pos{File: p.file}, Msg: "YAML syntax: " + strings.TrimPrefix(msg, "yaml: ")}
}

// document decodes exactly one YAML document and returns its root node.
func (p *parser) document(data []byte) (root *yaml.Node, err error) {
	defer func() { // yaml.v3 is not our code: never let it panic through Parse
		if r := recover(); r != nil {
			root, err = nil, &Error{Pos: Pos{File: p.file}, Msg: fmt.Sprintf("YAML parser failed: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{Pos: Pos{File: p.file}, Msg: "empty document: want a mapping with the key \"architecture\""}
		}
		return nil, p.yamlErr(err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		at := &extra
		if len(extra.Content) > 0 {
			at = extra.Content[0]
		}
		return nil, p.errAt(at, "a second YAML document: a spec file holds exactly one")
	case !errors.Is(err, io.EOF):
		return nil, p.yamlErr(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, &Error{Pos: Pos{File: p.file}, Msg: "empty document: want a mapping with the key \"architecture\""}
	}
	root = doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil, &Error{Pos: Pos{File: p.file}, Msg: "empty document: want a mapping with the key \"architecture\""}
	}
	return root, nil
}

// noAnchors rejects anchors, aliases and merge keys anywhere in the tree:
// a spec is written out in full, so each field has exactly one position.
func (p *parser) noAnchors(n *yaml.Node) error {
	if n.Kind == yaml.AliasNode {
		return p.errAt(n, "alias *%s: anchors and aliases are not supported in architecture specs", n.Value)
	}
	if n.Anchor != "" {
		return p.errAt(n, "anchor &%s: anchors and aliases are not supported in architecture specs", n.Anchor)
	}
	for _, c := range n.Content {
		if err := p.noAnchors(c); err != nil {
			return err
		}
	}
	return nil
}

// describe names a node's kind or value for "got …" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a sequence"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "nothing (null)"
		}
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "…"
		}
		return strconv.Quote(v)
	}
	return "an unexpected node"
}

// fields is a checked YAML mapping: only allowed keys, each at most once.
type fields struct {
	p     *parser
	n     *yaml.Node
	where string // e.g. "attributes of weight_sram"
	keys  map[string]*yaml.Node
	vals  map[string]*yaml.Node
	order []string // keys in document order
}

func (p *parser) fields(n *yaml.Node, where string, allowed ...string) (*fields, error) {
	if n.Kind != yaml.MappingNode {
		return nil, p.errAt(n, "%s: want a mapping, got %s", where, describe(n))
	}
	f := &fields{p: p, n: n, where: where, keys: map[string]*yaml.Node{}, vals: map[string]*yaml.Node{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, p.errAt(k, "%s: a key must be a plain string, got %s", where, describe(k))
		}
		if !slices.Contains(allowed, k.Value) {
			return nil, p.errAt(k, "unknown key %q in %s", k.Value, where)
		}
		if prev, dup := f.keys[k.Value]; dup {
			return nil, p.errAt(k, "duplicate key %q in %s (first at line %d)", k.Value, where, prev.Line)
		}
		f.keys[k.Value], f.vals[k.Value] = k, v
		f.order = append(f.order, k.Value)
	}
	return f, nil
}

func (f *fields) has(key string) bool { _, ok := f.vals[key]; return ok }

// need returns the value of a required key.
func (f *fields) need(key string) (*yaml.Node, error) {
	v, ok := f.vals[key]
	if !ok {
		return nil, f.p.errAt(f.n, "missing key %q in %s", key, f.where)
	}
	return v, nil
}

// bad reports a bad value of key.
func (f *fields) bad(key string, format string, args ...any) error {
	return f.p.errAt(f.vals[key], "%s in %s: %s", key, f.where, fmt.Sprintf(format, args...))
}

func (f *fields) str(key string) (string, error) {
	v, err := f.need(key)
	if err != nil {
		return "", err
	}
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
		return "", f.bad(key, "want a string, got %s", describe(v))
	}
	return v.Value, nil
}

// oneOf reads a string that must be one of choices.
func (f *fields) oneOf(key string, choices ...string) (string, error) {
	s, err := f.str(key)
	if err != nil {
		return "", err
	}
	if !slices.Contains(choices, s) {
		return "", f.bad(key, "%q is not one of %s", s, strings.Join(choices, ", "))
	}
	return s, nil
}

// posInt reads a required integer > 0.
func (f *fields) posInt(key string) (int, error) {
	v, err := f.need(key)
	if err != nil {
		return 0, err
	}
	var x int64
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int" || v.Decode(&x) != nil {
		return 0, f.bad(key, "want an integer, got %s", describe(v))
	}
	if x <= 0 {
		return 0, f.bad(key, "must be positive, got %d", x)
	}
	if x > math.MaxInt32 {
		return 0, f.bad(key, "%d is too large (at most %d)", x, math.MaxInt32)
	}
	return int(x), nil
}

// float reads a required finite number (integer or float).
func (f *fields) float(key string) (float64, error) {
	v, err := f.need(key)
	if err != nil {
		return 0, err
	}
	var x float64
	if v.Kind != yaml.ScalarNode || (v.ShortTag() != "!!int" && v.ShortTag() != "!!float") || v.Decode(&x) != nil {
		return 0, f.bad(key, "want a number, got %s", describe(v))
	}
	if !finite(x) {
		return 0, f.bad(key, "must be finite, got %s", describe(v))
	}
	return x, nil
}

// boolean reads a required true or false.
func (f *fields) boolean(key string) (bool, error) {
	v, err := f.need(key)
	if err != nil {
		return false, err
	}
	var b bool
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" || v.Decode(&b) != nil {
		return false, f.bad(key, "want true or false, got %s", describe(v))
	}
	return b, nil
}

// positive reads a required finite number > 0.
func (f *fields) positive(key string) (float64, error) {
	x, err := f.float(key)
	if err == nil && x <= 0 {
		err = f.bad(key, "must be positive, got %g", x)
	}
	return x, err
}

// energy reads a required finite number ≥ 0.
func (f *fields) energy(key string) (float64, error) {
	x, err := f.float(key)
	if err == nil && x < 0 {
		err = f.bad(key, "energy must not be negative, got %g", x)
	}
	return x, err
}

// seq reads a required sequence.
func (f *fields) seq(key string) ([]*yaml.Node, error) {
	v, err := f.need(key)
	if err != nil {
		return nil, err
	}
	if v.Kind != yaml.SequenceNode {
		return nil, f.bad(key, "want a sequence, got %s", describe(v))
	}
	return v.Content, nil
}

var techRE = regexp.MustCompile(`^([0-9]+) ?nm$`)

// tech reads a technology node: "65nm", "65 nm" or the integer 65.
func (f *fields) tech(key string) (int, error) {
	v, err := f.need(key)
	if err != nil {
		return 0, err
	}
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!int" {
		return f.posInt(key)
	}
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!str" {
		if m := techRE.FindStringSubmatch(v.Value); m != nil {
			if nm, err := strconv.Atoi(m[1]); err == nil && nm > 0 && nm <= 1e6 {
				return nm, nil
			}
		}
	}
	return 0, f.bad(key, "want a technology node such as 65nm or 65, got %s", describe(v))
}

func (f *fields) device(key string) (sram.Device, error) {
	s, err := f.oneOf(key, string(sram.HP), string(sram.LOP))
	return sram.Device(s), err
}

// spec parses the root mapping.
func (p *parser) spec(root *yaml.Node) (*Spec, error) {
	top, err := p.fields(root, "the top level", "architecture")
	if err != nil {
		return nil, err
	}
	an, err := top.need("architecture")
	if err != nil {
		return nil, err
	}
	a, err := p.fields(an, "architecture", "version", "name", "technology", "device", "clock-mhz", "voltage", "subtree")
	if err != nil {
		return nil, err
	}
	s := &Spec{File: p.file}
	p.out = s
	if s.Version, err = a.str("version"); err != nil {
		return nil, err
	}
	if s.Version != Version {
		return nil, a.bad("version", "unsupported version %q (want %q)", s.Version, Version)
	}
	if s.Name, err = a.str("name"); err != nil {
		return nil, err
	}
	if strings.TrimSpace(s.Name) == "" {
		return nil, a.bad("name", "must not be empty")
	}
	if s.TechNM, err = a.tech("technology"); err != nil {
		return nil, err
	}
	if s.Device, err = a.device("device"); err != nil {
		return nil, err
	}
	if s.ClockMHz, err = a.positive("clock-mhz"); err != nil {
		return nil, err
	}
	if err := p.voltage(a, s); err != nil {
		return nil, err
	}
	nodes, err := a.seq("subtree")
	if err != nil {
		return nil, err
	}
	if len(nodes) == 0 {
		return nil, a.bad("subtree", "must list at least one node")
	}
	if s.Subtree, err = p.nodes(nodes, nil, "architecture"); err != nil {
		return nil, err
	}
	if len(s.components) == 0 {
		return nil, p.errAt(a.vals["subtree"], "subtree in architecture: the tree has no components")
	}
	for _, c := range s.components {
		if !c.PricedByCACTI() {
			continue
		}
		if _, err := c.cacti(); err != nil {
			return nil, &Error{Pos: c.Pos, Msg: fmt.Sprintf("component %s: no CACTI estimate for this memory (give an explicit energy or change its geometry)", c.Name), Err: err}
		}
	}
	for _, c := range s.components {
		if c.Domain == Scaled {
			if err := p.voltageModel(c, s); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

func energyModelNames() []string {
	var out []string
	for _, k := range sram.EnergyModelKinds {
		out = append(out, string(k))
	}
	return out
}

// voltageModel resolves the energy(V) model of the scaled memory c: the
// attribute `energy-model` (a model name, or a mapping with `model` and the
// physical model's `subthreshold-share`, `leakage-exponent` or
// `leakage-points`), else the spec's default. The physical model's share
// comes from c's CACTI row and its exponent from the node unless given.
func (p *parser) voltageModel(c *Component, s *Spec) error {
	m := sram.EnergyModel{Kind: s.EnergyModel}
	var f *fields
	if n := p.energyModelNodes[c]; n != nil {
		if n.Kind == yaml.ScalarNode {
			n = &yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Column: n.Column, Content: []*yaml.Node{
				{Kind: yaml.ScalarNode, Tag: "!!str", Value: "model", Line: n.Line, Column: n.Column}, n}}
		}
		var err error
		if f, err = p.fields(n, "energy-model of "+c.Name, "model", "subthreshold-share", "leakage-exponent", "leakage-points"); err != nil {
			return err
		}
		k, err := f.oneOf("model", energyModelNames()...)
		if err != nil {
			return err
		}
		m.Kind = sram.EnergyModelKind(k)
		if m.Kind != sram.Physical {
			for _, key := range []string{"subthreshold-share", "leakage-exponent", "leakage-points"} {
				if f.has(key) {
					return f.bad(key, "applies only to model: physical")
				}
			}
		}
	}
	if m.Kind != sram.Physical {
		c.VoltageModel = m
		return nil
	}
	has := func(key string) bool { return f != nil && f.has(key) }
	var sources []string
	if has("leakage-points") {
		if has("subthreshold-share") || has("leakage-exponent") {
			return f.bad("leakage-points", "give either leakage-points or subthreshold-share/leakage-exponent, not both")
		}
		items, err := f.seq("leakage-points")
		if err != nil {
			return err
		}
		var pts []sram.LeakagePoint
		for _, it := range items {
			if it.Kind != yaml.SequenceNode || len(it.Content) != 2 {
				return p.errAt(it, "leakage-points in energy-model of %s: want [volts, milliwatts], got %s", c.Name, describe(it))
			}
			var pt [2]float64
			for i, x := range it.Content {
				if x.Kind != yaml.ScalarNode || (x.ShortTag() != "!!int" && x.ShortTag() != "!!float") || x.Decode(&pt[i]) != nil || !finite(pt[i]) || pt[i] <= 0 {
					return p.errAt(x, "leakage-points in energy-model of %s: want a positive number, got %s", c.Name, describe(x))
				}
			}
			pts = append(pts, sram.LeakagePoint{V: pt[0], MW: pt[1]})
		}
		fit, err := sram.FitLeakage(pts, s.NominalV)
		if err != nil {
			return f.bad("leakage-points", "%v", err)
		}
		c.LeakageFit = &fit
		m.SubthresholdShare, m.Exponent = fit.SubthresholdShare, fit.Exponent
		sources = append(sources, fmt.Sprintf("fitted to %d leakage points at %s, rms ln-residual %.3g", len(pts), p.pos(f.vals["leakage-points"]), fit.RMSLog))
	} else {
		switch {
		case has("subthreshold-share"):
			x, err := f.float("subthreshold-share")
			if err != nil {
				return err
			}
			if x < 0 || x > 1 {
				return f.bad("subthreshold-share", "must be in [0, 1], got %g", x)
			}
			m.SubthresholdShare = x
			sources = append(sources, "share s from "+p.pos(f.vals["subthreshold-share"]).String())
		case c.PricedByCACTI():
			est, err := c.cacti()
			if err != nil {
				return err
			}
			m.SubthresholdShare = est.SubthresholdMW / est.LeakageMW
			sources = append(sources, "share s = subthreshold/total leakage of "+est.Provenance)
		default:
			return p.errAt(p.energyModelNode(c), "energy-model of %s: the physical model needs subthreshold-share (its energy is explicit, so there is no CACTI row to take it from)", c.Name)
		}
		if has("leakage-exponent") {
			x, err := f.positive("leakage-exponent")
			if err != nil {
				return err
			}
			m.Exponent = x
			sources = append(sources, "exponent k from "+p.pos(f.vals["leakage-exponent"]).String())
		} else {
			m.Exponent = sram.SubthresholdExponent(c.TechNM)
			sources = append(sources, fmt.Sprintf("exponent k for %d nm (CACTI-P: subthreshold current ∝ V² at 22–32 nm, V⁴ at 45–90 nm, times V)", c.TechNM))
		}
	}
	m.Source = strings.Join(sources, "; ")
	c.VoltageModel = m
	return nil
}

// energyModelNode is where c's energy model is written: its attribute, or
// the component itself when it inherits the spec's default.
func (p *parser) energyModelNode(c *Component) *yaml.Node {
	if n := p.energyModelNodes[c]; n != nil {
		return n
	}
	return &yaml.Node{Line: c.Pos.Line, Column: c.Pos.Col}
}

func (p *parser) voltage(a *fields, s *Spec) error {
	vn, err := a.need("voltage")
	if err != nil {
		return err
	}
	v, err := p.fields(vn, "voltage", "nominal-v", "ber", "energy-model", "rescale-cacti")
	if err != nil {
		return err
	}
	if s.NominalV, err = v.positive("nominal-v"); err != nil {
		return err
	}
	if err := sram.CheckSupply(s.NominalV); err != nil {
		return v.bad("nominal-v", "%v", err)
	}
	if v.has("rescale-cacti") {
		if s.RescaleCACTI, err = v.boolean("rescale-cacti"); err != nil {
			return err
		}
	}
	s.EnergyModel = sram.Paper
	if v.has("energy-model") {
		k, err := v.oneOf("energy-model", energyModelNames()...)
		if err != nil {
			return err
		}
		s.EnergyModel = sram.EnergyModelKind(k)
	}
	if p.opts.EnergyModel != "" {
		s.EnergyModel = p.opts.EnergyModel
	}
	if !v.has("ber") {
		s.BER = sram.PaperBER() // WCAT appendix C; see the package doc
		return nil
	}
	b, err := p.fields(v.vals["ber"], "voltage.ber", "a", "b", "c", "points", "fit")
	if err != nil {
		return err
	}
	if b.has("points") || b.has("fit") {
		return p.berPoints(b, s)
	}
	for _, c := range []struct {
		key string
		dst *float64
	}{{"a", &s.BER.A}, {"b", &s.BER.B}, {"c", &s.BER.C}} {
		if *c.dst, err = b.float(c.key); err != nil {
			return err
		}
	}
	if err := s.BER.Validate(); err != nil {
		return &Error{Pos: p.pos(v.vals["ber"]), Msg: "ber in voltage: not a usable BER model", Err: err}
	}
	s.BERFromYAML = true
	return nil
}

// berPoints fits voltage.ber's measured points: `points` is a sequence of
// [volts, BER] pairs and `fit` is quadratic (the default) or linear.
func (p *parser) berPoints(b *fields, s *Spec) error {
	for _, k := range []string{"a", "b", "c"} {
		if b.has(k) {
			return b.bad(k, "give either coefficients a, b, c or measured points, not both")
		}
	}
	form := "quadratic"
	if b.has("fit") {
		var err error
		if form, err = b.oneOf("fit", "quadratic", "linear"); err != nil {
			return err
		}
	}
	items, err := b.seq("points")
	if err != nil {
		return err
	}
	var vs, bers []float64
	for _, it := range items {
		if it.Kind != yaml.SequenceNode || len(it.Content) != 2 {
			return p.errAt(it, "points in voltage.ber: want [volts, BER], got %s", describe(it))
		}
		var pt [2]float64
		for i, x := range it.Content {
			if x.Kind != yaml.ScalarNode || (x.ShortTag() != "!!int" && x.ShortTag() != "!!float") || x.Decode(&pt[i]) != nil || !finite(pt[i]) || pt[i] <= 0 {
				return p.errAt(x, "points in voltage.ber: want a positive number, got %s", describe(x))
			}
		}
		if pt[1] > 1 {
			return p.errAt(it.Content[1], "points in voltage.ber: BER %g is above 1", pt[1])
		}
		vs, bers = append(vs, pt[0]), append(bers, pt[1])
	}
	m, fit, err := NewBERFit(form, vs, bers)
	if err != nil {
		return b.bad("points", "%v", err)
	}
	if err := m.Validate(); err != nil {
		return b.bad("points", "the fitted model is not usable: %v", err)
	}
	fit.Pos = p.pos(b.vals["points"])
	s.BER, s.BERFit, s.BERFromYAML = m, fit, true
	return nil
}

var (
	nameRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)
	rangeRE = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_-]*)\[([0-9]+)\.\.([0-9]+)\]$`)
)

// nodes parses a `subtree` sequence under parent (nil: top level).
func (p *parser) nodes(items []*yaml.Node, parent *Node, owner string) ([]*Node, error) {
	var out []*Node
	seen := map[string]int{} // base name → line
	for i, it := range items {
		n, err := p.node(it, parent, fmt.Sprintf("node #%d in subtree of %s", i+1, owner))
		if err != nil {
			return nil, err
		}
		if line, dup := seen[n.Base]; dup {
			return nil, p.errAt(it, "duplicate node name %q in subtree of %s (first at line %d)", n.Base, owner, line)
		}
		seen[n.Base] = n.Pos.Line
		out = append(out, n)
	}
	return out, nil
}

func (p *parser) node(it *yaml.Node, parent *Node, where string) (*Node, error) {
	f, err := p.fields(it, where, "name", "attributes", "local", "subtree")
	if err != nil {
		return nil, err
	}
	n := &Node{Parent: parent, Pos: p.pos(it), Instances: 1}
	if parent != nil {
		n.Level = parent.Level + 1
	}
	if n.Name, err = f.str("name"); err != nil {
		return nil, err
	}
	if m := rangeRE.FindStringSubmatch(n.Name); m != nil {
		lo, err1 := strconv.Atoi(m[2])
		hi, err2 := strconv.Atoi(m[3])
		if err1 != nil || err2 != nil || hi > maxInstances {
			return nil, f.bad("name", "instance range of %q is too large (at most %d instances)", n.Name, maxInstances)
		}
		if lo > hi {
			return nil, f.bad("name", "empty instance range in %q (%d > %d)", n.Name, lo, hi)
		}
		n.Base, n.Instances = m[1], hi-lo+1
	} else if nameRE.MatchString(n.Name) {
		n.Base = n.Name
	} else {
		return nil, f.bad("name", "%q is not a name (letters, digits, _ and -, optionally with an instance range NAME[lo..hi])", n.Name)
	}
	total := n.Instances
	for a := parent; a != nil; a = a.Parent {
		if total > maxInstances/a.Instances {
			return nil, f.bad("name", "%q makes more than %d instances in total", n.Name, maxInstances)
		}
		total *= a.Instances
	}
	self := "node " + n.Name
	n.MeshX, n.MeshY = n.Instances, 1
	if f.has("attributes") {
		at, err := p.fields(f.vals["attributes"], "attributes of "+self, "meshX", "meshY")
		if err != nil {
			return nil, err
		}
		if err := meshOf(at, n); err != nil {
			return nil, err
		}
	}
	if !f.has("local") && !f.has("subtree") {
		return nil, p.errAt(it, "%s has neither local nor subtree", self)
	}
	if f.has("local") {
		items, err := f.seq("local")
		if err != nil {
			return nil, err
		}
		for i, ci := range items {
			c, err := p.component(ci, n, total, fmt.Sprintf("component #%d in local of %s", i+1, self))
			if err != nil {
				return nil, err
			}
			n.Local = append(n.Local, c)
			p.out.components = append(p.out.components, c)
		}
	}
	if f.has("subtree") {
		items, err := f.seq("subtree")
		if err != nil {
			return nil, err
		}
		if n.Subtree, err = p.nodes(items, n, self); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// meshOf reads meshX/meshY: when both are given their product must be the
// instance count; when one is given it must divide it and fixes the other.
func meshOf(at *fields, n *Node) error {
	x, y := 0, 0
	var err error
	if at.has("meshX") {
		if x, err = at.posInt("meshX"); err != nil {
			return err
		}
	}
	if at.has("meshY") {
		if y, err = at.posInt("meshY"); err != nil {
			return err
		}
	}
	switch {
	case x > 0 && y > 0:
		if int64(x)*int64(y) != int64(n.Instances) {
			return at.p.errAt(at.n, "meshX·meshY = %d·%d = %d in %s, but %s has %d instances", x, y, int64(x)*int64(y), at.where, n.Name, n.Instances)
		}
	case x > 0:
		if n.Instances%x != 0 {
			return at.bad("meshX", "%d does not divide the %d instances of %s", x, n.Instances, n.Name)
		}
		y = n.Instances / x
	case y > 0:
		if n.Instances%y != 0 {
			return at.bad("meshY", "%d does not divide the %d instances of %s", y, n.Instances, n.Name)
		}
		x = n.Instances / y
	default:
		return nil
	}
	n.MeshX, n.MeshY = x, y
	return nil
}

// attribute keys per class.
var (
	sramAttrs     = []string{"depth", "width", "word-bits", "banks", "technology", "device", "datatypes", "voltage-domain", "energy-model", "faults", "protection", "read-bandwidth", "write-bandwidth", "energy"}
	dramAttrs     = []string{"depth", "width", "word-bits", "datatypes", "voltage-domain", "read-bandwidth", "write-bandwidth", "energy"}
	macAttrs      = []string{"datawidth", "zero-gating", "energy"}
	overheadAttrs = []string{"energy"}
	allAttrs      = []string{"depth", "width", "word-bits", "banks", "technology", "device", "datatypes", "voltage-domain", "energy-model", "faults", "protection", "read-bandwidth", "write-bandwidth", "energy", "datawidth", "zero-gating"}
)

func (p *parser) component(it *yaml.Node, node *Node, instances int, where string) (*Component, error) {
	f, err := p.fields(it, where, "name", "class", "attributes")
	if err != nil {
		return nil, err
	}
	c := &Component{Node: node, Instances: instances, Pos: p.pos(it)}
	if c.Name, err = f.str("name"); err != nil {
		return nil, err
	}
	if !nameRE.MatchString(c.Name) {
		return nil, f.bad("name", "%q is not a component name (letters, digits, _ and -; instance ranges belong on nodes)", c.Name)
	}
	if first, dup := p.names[c.Name]; dup {
		return nil, f.bad("name", "duplicate component name %q (first at %s)", c.Name, first)
	}
	p.names[c.Name] = c.Pos
	cls, err := f.oneOf("class", string(SRAM), string(Regfile), string(DRAM), string(MAC), string(Overhead))
	if err != nil {
		return nil, err
	}
	c.Class = Class(cls)
	an, err := f.need("attributes")
	if err != nil {
		return nil, err
	}
	at, err := p.fields(an, "attributes of "+c.Name, allAttrs...)
	if err != nil {
		return nil, err
	}
	allowed := map[Class][]string{SRAM: sramAttrs, Regfile: sramAttrs, DRAM: dramAttrs, MAC: macAttrs, Overhead: overheadAttrs}[c.Class]
	for _, k := range at.order {
		if !slices.Contains(allowed, k) {
			return nil, p.errAt(at.keys[k], "key %q does not apply to class %s in %s", k, c.Class, at.where)
		}
	}
	switch c.Class {
	case MAC:
		return c, p.mac(at, c)
	case Overhead:
		return c, p.overhead(at, c)
	}
	return c, p.memory(at, c)
}

// protection reads a memory's `protection`: a scheme name (none, secded,
// zero-space, msb) or a mapping {scheme, uncorrectable: keep|zero,
// msb-fraction, encoder-pj, decoder-pj, source} (energies per 64-bit word;
// given energies need their source). Only the faulty weight memory may be
// protected; Options.Protection replaces what the YAML says.
func (p *parser) protection(at *fields, c *Component) error {
	c.Protection = ecc.Protection{}.WithDefaults()
	if !at.has("protection") {
		if p.opts.Protection != nil && c.Faulty {
			c.Protection = *p.opts.Protection
		}
		return p.checkProtection(at, c)
	}
	if !c.Faulty {
		return at.bad("protection", "applies only to the faulty weight memory (voltage-domain: scaled, holding weights)")
	}
	n := at.vals["protection"]
	var pr ecc.Protection
	if n.Kind == yaml.ScalarNode {
		s, err := at.oneOf("protection", "none", "secded", "zero-space", "msb")
		if err != nil {
			return err
		}
		pr.Scheme = ecc.Scheme(s)
	} else {
		f, err := p.fields(n, "protection of "+c.Name, "scheme", "uncorrectable", "msb-fraction", "encoder-pj", "decoder-pj", "source")
		if err != nil {
			return err
		}
		s, err := f.oneOf("scheme", "none", "secded", "zero-space", "msb")
		if err != nil {
			return err
		}
		pr.Scheme = ecc.Scheme(s)
		if f.has("uncorrectable") {
			u, err := f.oneOf("uncorrectable", "keep", "zero")
			if err != nil {
				return err
			}
			pr.Uncorrectable = ecc.Policy(u)
		}
		if f.has("msb-fraction") {
			if pr.Scheme != ecc.MSB {
				return f.bad("msb-fraction", "applies only to scheme msb")
			}
			if pr.MSBFraction, err = f.positive("msb-fraction"); err != nil {
				return err
			}
			if pr.MSBFraction > 1 {
				return f.bad("msb-fraction", "%g is more than every weight (want (0, 1])", pr.MSBFraction)
			}
		}
		if f.has("encoder-pj") || f.has("decoder-pj") {
			if pr.Scheme != ecc.SECDED && pr.Scheme != ecc.ZeroSpace {
				return p.errAt(n, "protection of %s: codec energies apply only to secded and zero-space", c.Name)
			}
			for _, k := range []struct {
				key string
				dst *float64
			}{{"encoder-pj", &pr.EncoderPJ}, {"decoder-pj", &pr.DecoderPJ}} {
				if f.has(k.key) {
					if *k.dst, err = f.energy(k.key); err != nil {
						return err
					}
				}
			}
			if pr.Source, err = source(f); err != nil {
				return err
			}
		} else if f.has("source") {
			return f.bad("source", "names the source of encoder-pj and decoder-pj, which are not given")
		}
	}
	if pr.Scheme == ecc.MSB && pr.MSBFraction == 0 {
		return at.bad("protection", "scheme msb needs msb-fraction, the fraction of weights whose MSB is reliable")
	}
	c.Protection = pr.WithDefaults()
	if p.opts.Protection != nil {
		c.Protection = *p.opts.Protection
	}
	return p.checkProtection(at, c)
}

// checkProtection checks that c's words suit its protection.
func (p *parser) checkProtection(at *fields, c *Component) error {
	if err := c.Protection.CheckWord(c.WidthBits); err != nil {
		key := "width"
		if at.has("protection") {
			key = "protection"
		}
		return at.bad(key, "%s: %v", c.Name, err)
	}
	return nil
}

// overhead reads an overhead's required `energy: {cycle-pj, transfer-pj,
// source}`: at least one of the two energies (the other defaults to 0).
func (p *parser) overhead(at *fields, c *Component) error {
	en, err := at.need("energy")
	if err != nil {
		return err
	}
	e, err := p.fields(en, "energy of "+c.Name, "cycle-pj", "transfer-pj", "source")
	if err != nil {
		return err
	}
	if !e.has("cycle-pj") && !e.has("transfer-pj") {
		return p.errAt(en, "energy of %s: an overhead needs cycle-pj, transfer-pj or both", c.Name)
	}
	c.Energy = &Energy{Pos: p.pos(en)}
	for _, k := range []struct {
		key string
		dst *float64
	}{{"cycle-pj", &c.Energy.CyclePJ}, {"transfer-pj", &c.Energy.TransferPJ}} {
		if e.has(k.key) {
			if *k.dst, err = e.energy(k.key); err != nil {
				return err
			}
		}
	}
	c.Energy.Source, err = source(e)
	return err
}

func (p *parser) mac(at *fields, c *Component) error {
	var err error
	if c.DatawidthBits, err = at.posInt("datawidth"); err != nil {
		return err
	}
	if at.has("zero-gating") {
		if c.ZeroGating, err = at.boolean("zero-gating"); err != nil {
			return err
		}
	}
	en, err := at.need("energy")
	if err != nil {
		return err
	}
	e, err := p.fields(en, "energy of "+c.Name, "op-pj", "source")
	if err != nil {
		return err
	}
	c.Energy = &Energy{Pos: p.pos(en)}
	if c.Energy.OpPJ, err = e.energy("op-pj"); err != nil {
		return err
	}
	c.Energy.Source, err = source(e)
	return err
}

func source(e *fields) (string, error) {
	s, err := e.str("source")
	if err == nil && strings.TrimSpace(s) == "" {
		err = e.bad("source", "must say where the numbers come from")
	}
	return s, err
}

func (p *parser) memory(at *fields, c *Component) error {
	var err error
	if c.Class != DRAM || at.has("depth") {
		if c.DepthWords, err = at.posInt("depth"); err != nil {
			return err
		}
	}
	if c.WidthBits, err = at.posInt("width"); err != nil {
		return err
	}
	if c.WordBits, err = at.posInt("word-bits"); err != nil {
		return err
	}
	if c.WidthBits%c.WordBits != 0 {
		return at.bad("width", "%d bits is not a multiple of word-bits %d", c.WidthBits, c.WordBits)
	}
	c.Banks = 1
	if at.has("banks") {
		if c.Banks, err = at.posInt("banks"); err != nil {
			return err
		}
		if c.DepthWords%c.Banks != 0 {
			return at.bad("banks", "%d banks do not divide depth %d", c.Banks, c.DepthWords)
		}
	}
	if bits := int64(c.DepthWords/c.Banks) * int64(c.WidthBits); bits%8 != 0 {
		return p.errAt(at.n, "%s: one bank holds %d bits, not a whole number of bytes", at.where, bits)
	}
	if c.Class != DRAM {
		c.TechNM, c.Device = p.out.TechNM, p.out.Device
		if at.has("technology") {
			if c.TechNM, err = at.tech("technology"); err != nil {
				return err
			}
		}
		if at.has("device") {
			if c.Device, err = at.device("device"); err != nil {
				return err
			}
		}
	}
	if at.has("datatypes") {
		items, err := at.seq("datatypes")
		if err != nil {
			return err
		}
		for _, it := range items {
			d := Datatype(it.Value)
			if it.Kind != yaml.ScalarNode || it.ShortTag() != "!!str" || (d != Weights && d != Inputs && d != Outputs) {
				return p.errAt(it, "datatypes in %s: %s is not one of weights, inputs, outputs", at.where, describe(it))
			}
			if c.Holds(d) {
				return p.errAt(it, "datatypes in %s: %q listed twice", at.where, d)
			}
			c.Datatypes = append(c.Datatypes, d)
		}
	}
	c.Domain = Nominal
	if at.has("voltage-domain") {
		d, err := at.oneOf("voltage-domain", string(Nominal), string(Scaled))
		if err != nil {
			return err
		}
		c.Domain = Domain(d)
		if c.Domain == Scaled && c.Class == DRAM {
			return at.bad("voltage-domain", "a DRAM cannot be scaled (the BER model is an SRAM model)")
		}
		if c.Domain == Scaled && len(c.Datatypes) == 0 {
			return at.bad("voltage-domain", "a scaled memory must hold at least one datatype")
		}
	}
	if c.Domain == Scaled {
		c.Faulty = c.Holds(Weights)
	}
	if at.has("faults") {
		f, err := at.oneOf("faults", "weights", "none")
		if err != nil {
			return err
		}
		switch {
		case c.Domain != Scaled:
			return at.bad("faults", "applies only to a memory with voltage-domain: scaled (a nominal memory is reliable)")
		case f == "weights" && !c.Holds(Weights):
			return at.bad("faults", "%s holds no weights; cosim injects faults into weights only", c.Name)
		}
		c.Faulty = f == "weights"
	} else if c.Domain == Scaled && !c.Holds(Weights) {
		return at.bad("voltage-domain", "%s is scaled but holds no weights: it would get the energy saving of a lower supply without any faults; add `faults: none` to accept an energy-only memory", c.Name)
	}
	if c.Faulty {
		if first := p.out.faultyWeightMemory(); first != nil {
			return at.bad("voltage-domain", "a second scaled memory holding weights (the first is %s at %s); cosim injects faults into exactly one weight memory: add `faults: none` to the other", first.Name, first.Pos)
		}
	}
	if err := p.protection(at, c); err != nil {
		return err
	}
	if at.has("energy-model") {
		if c.Domain != Scaled {
			return at.bad("energy-model", "applies only to a memory with voltage-domain: scaled")
		}
		p.energyModelNodes[c] = at.vals["energy-model"]
	}
	for _, bw := range []struct {
		key string
		dst *float64
	}{{"read-bandwidth", &c.ReadBandwidth}, {"write-bandwidth", &c.WriteBandwidth}} {
		if at.has(bw.key) {
			if *bw.dst, err = at.positive(bw.key); err != nil {
				return err
			}
		}
	}
	if !at.has("energy") {
		if c.Class == DRAM {
			_, err := at.need("energy") // DRAM has no CACTI row
			return err
		}
		return nil
	}
	en := at.vals["energy"]
	keys := []string{"read-pj", "write-pj", "leakage-mw", "source"}
	e, err := p.fields(en, "energy of "+c.Name, keys...)
	if err != nil {
		return err
	}
	c.Energy = &Energy{Pos: p.pos(en)}
	if c.Energy.ReadPJ, err = e.energy("read-pj"); err != nil {
		return err
	}
	if c.Energy.WritePJ, err = e.energy("write-pj"); err != nil {
		return err
	}
	if c.Class != DRAM || e.has("leakage-mw") { // DRAM background power defaults to 0
		if c.Energy.LeakageMW, err = e.energy("leakage-mw"); err != nil {
			return err
		}
	}
	c.Energy.Source, err = source(e)
	return err
}
