package arch

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"cosim/ecc"
	"cosim/internal/yamlspec"
	"cosim/sram"
)

// Error is a problem in a spec file. Its message starts with the file name,
// then the line and column when known: "file:line:col: message" (yaml.v3
// reports only a line for syntax errors: "file:line: message"; a problem with
// the file as a whole has neither: "file: message").
type Error = yamlspec.Error

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
	data, err := yamlspec.ReadFile(path, "architecture spec")
	if err != nil {
		return nil, err
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
	p := &parser{Reader: &yamlspec.Reader{File: filename, Kind: "architecture specs"}, opts: o, names: map[string]Pos{}, energyModelNodes: map[*Component]*yaml.Node{}}
	root, err := p.Document(data, "architecture")
	if err != nil {
		return nil, err
	}
	return p.spec(root)
}

type parser struct {
	*yamlspec.Reader
	out   *Spec
	names map[string]Pos // component name → first position
	opts  Options
	// energyModelNodes holds each memory's `energy-model` value, resolved
	// once every component is known.
	energyModelNodes map[*Component]*yaml.Node
}

// energy reads a required finite number ≥ 0.
func energy(f *yamlspec.Mapping, key string) (float64, error) {
	x, err := f.Float(key)
	if err == nil && x < 0 {
		err = f.Bad(key, "energy must not be negative, got %g", x)
	}
	return x, err
}

var techRE = regexp.MustCompile(`^([0-9]+) ?nm$`)

// tech reads a technology node: "65nm", "65 nm" or the integer 65.
func tech(f *yamlspec.Mapping, key string) (int, error) {
	v, err := f.Need(key)
	if err != nil {
		return 0, err
	}
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!int" {
		return f.PosInt(key)
	}
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!str" {
		if m := techRE.FindStringSubmatch(v.Value); m != nil {
			if nm, err := strconv.Atoi(m[1]); err == nil && nm > 0 && nm <= 1e6 {
				return nm, nil
			}
		}
	}
	return 0, f.Bad(key, "want a technology node such as 65nm or 65, got %s", yamlspec.Describe(v))
}

func device(f *yamlspec.Mapping, key string) (sram.Device, error) {
	s, err := f.OneOf(key, string(sram.HP), string(sram.LOP))
	return sram.Device(s), err
}

// spec parses the root mapping.
func (p *parser) spec(root *yaml.Node) (*Spec, error) {
	top, err := p.Mapping(root, "the top level", "architecture")
	if err != nil {
		return nil, err
	}
	an, err := top.Need("architecture")
	if err != nil {
		return nil, err
	}
	a, err := p.Mapping(an, "architecture", "version", "name", "technology", "device", "clock-mhz", "voltage", "subtree")
	if err != nil {
		return nil, err
	}
	s := &Spec{File: p.File}
	p.out = s
	if s.Version, err = a.Str("version"); err != nil {
		return nil, err
	}
	if s.Version != Version {
		return nil, a.Bad("version", "unsupported version %q (want %q)", s.Version, Version)
	}
	if s.Name, err = a.Str("name"); err != nil {
		return nil, err
	}
	if strings.TrimSpace(s.Name) == "" {
		return nil, a.Bad("name", "must not be empty")
	}
	if s.TechNM, err = tech(a, "technology"); err != nil {
		return nil, err
	}
	if s.Device, err = device(a, "device"); err != nil {
		return nil, err
	}
	if s.ClockMHz, err = a.Positive("clock-mhz"); err != nil {
		return nil, err
	}
	if err := p.voltage(a, s); err != nil {
		return nil, err
	}
	nodes, err := a.Seq("subtree")
	if err != nil {
		return nil, err
	}
	if len(nodes) == 0 {
		return nil, a.Bad("subtree", "must list at least one node")
	}
	if s.Subtree, err = p.nodes(nodes, nil, "architecture"); err != nil {
		return nil, err
	}
	if len(s.components) == 0 {
		return nil, p.Errorf(a.Vals["subtree"], "subtree in architecture: the tree has no components")
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
	var f *yamlspec.Mapping
	if n := p.energyModelNodes[c]; n != nil {
		if n.Kind == yaml.ScalarNode {
			n = &yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Column: n.Column, Content: []*yaml.Node{
				{Kind: yaml.ScalarNode, Tag: "!!str", Value: "model", Line: n.Line, Column: n.Column}, n}}
		}
		var err error
		if f, err = p.Mapping(n, "energy-model of "+c.Name, "model", "subthreshold-share", "leakage-exponent", "leakage-points"); err != nil {
			return err
		}
		k, err := f.OneOf("model", energyModelNames()...)
		if err != nil {
			return err
		}
		m.Kind = sram.EnergyModelKind(k)
		if m.Kind != sram.Physical {
			for _, key := range []string{"subthreshold-share", "leakage-exponent", "leakage-points"} {
				if f.Has(key) {
					return f.Bad(key, "applies only to model: physical")
				}
			}
		}
	}
	if m.Kind != sram.Physical {
		c.VoltageModel = m
		return nil
	}
	has := func(key string) bool { return f != nil && f.Has(key) }
	var sources []string
	if has("leakage-points") {
		if has("subthreshold-share") || has("leakage-exponent") {
			return f.Bad("leakage-points", "give either leakage-points or subthreshold-share/leakage-exponent, not both")
		}
		items, err := f.Seq("leakage-points")
		if err != nil {
			return err
		}
		var pts []sram.LeakagePoint
		for _, it := range items {
			if it.Kind != yaml.SequenceNode || len(it.Content) != 2 {
				return p.Errorf(it, "leakage-points in energy-model of %s: want [volts, milliwatts], got %s", c.Name, yamlspec.Describe(it))
			}
			var pt [2]float64
			for i, x := range it.Content {
				if x.Kind != yaml.ScalarNode || (x.ShortTag() != "!!int" && x.ShortTag() != "!!float") || x.Decode(&pt[i]) != nil || !finite(pt[i]) || pt[i] <= 0 {
					return p.Errorf(x, "leakage-points in energy-model of %s: want a positive number, got %s", c.Name, yamlspec.Describe(x))
				}
			}
			pts = append(pts, sram.LeakagePoint{V: pt[0], MW: pt[1]})
		}
		fit, err := sram.FitLeakage(pts, s.NominalV)
		if err != nil {
			return f.Bad("leakage-points", "%v", err)
		}
		c.LeakageFit = &fit
		m.SubthresholdShare, m.Exponent = fit.SubthresholdShare, fit.Exponent
		sources = append(sources, fmt.Sprintf("fitted to %d leakage points at %s, rms ln-residual %.3g", len(pts), p.Pos(f.Vals["leakage-points"]), fit.RMSLog))
	} else {
		switch {
		case has("subthreshold-share"):
			x, err := f.Float("subthreshold-share")
			if err != nil {
				return err
			}
			if x < 0 || x > 1 {
				return f.Bad("subthreshold-share", "must be in [0, 1], got %g", x)
			}
			m.SubthresholdShare = x
			sources = append(sources, "share s from "+p.Pos(f.Vals["subthreshold-share"]).String())
		case c.PricedByCACTI():
			est, err := c.cacti()
			if err != nil {
				return err
			}
			m.SubthresholdShare = est.SubthresholdMW / est.LeakageMW
			sources = append(sources, "share s = subthreshold/total leakage of "+est.Provenance)
		default:
			return p.Errorf(p.energyModelNode(c), "energy-model of %s: the physical model needs subthreshold-share (its energy is explicit, so there is no CACTI row to take it from)", c.Name)
		}
		if has("leakage-exponent") {
			x, err := f.Positive("leakage-exponent")
			if err != nil {
				return err
			}
			m.Exponent = x
			sources = append(sources, "exponent k from "+p.Pos(f.Vals["leakage-exponent"]).String())
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

func (p *parser) voltage(a *yamlspec.Mapping, s *Spec) error {
	vn, err := a.Need("voltage")
	if err != nil {
		return err
	}
	v, err := p.Mapping(vn, "voltage", "nominal-v", "ber", "energy-model", "rescale-cacti")
	if err != nil {
		return err
	}
	if s.NominalV, err = v.Positive("nominal-v"); err != nil {
		return err
	}
	if err := sram.CheckSupply(s.NominalV); err != nil {
		return v.Bad("nominal-v", "%v", err)
	}
	if v.Has("rescale-cacti") {
		if s.RescaleCACTI, err = v.Boolean("rescale-cacti"); err != nil {
			return err
		}
	}
	s.EnergyModel = sram.Paper
	if v.Has("energy-model") {
		k, err := v.OneOf("energy-model", energyModelNames()...)
		if err != nil {
			return err
		}
		s.EnergyModel = sram.EnergyModelKind(k)
	}
	if p.opts.EnergyModel != "" {
		s.EnergyModel = p.opts.EnergyModel
	}
	if !v.Has("ber") {
		s.BER = sram.PaperBER() // WCAT appendix C; see the package doc
		return nil
	}
	b, err := p.Mapping(v.Vals["ber"], "voltage.ber", "a", "b", "c", "points", "fit")
	if err != nil {
		return err
	}
	if b.Has("points") || b.Has("fit") {
		return p.berPoints(b, s)
	}
	for _, c := range []struct {
		key string
		dst *float64
	}{{"a", &s.BER.A}, {"b", &s.BER.B}, {"c", &s.BER.C}} {
		if *c.dst, err = b.Float(c.key); err != nil {
			return err
		}
	}
	if err := s.BER.Validate(); err != nil {
		return &Error{Pos: p.Pos(v.Vals["ber"]), Msg: "ber in voltage: not a usable BER model", Err: err}
	}
	s.BERFromYAML = true
	return nil
}

// berPoints fits voltage.ber's measured points: `points` is a sequence of
// [volts, BER] pairs and `fit` is quadratic (the default) or linear.
func (p *parser) berPoints(b *yamlspec.Mapping, s *Spec) error {
	for _, k := range []string{"a", "b", "c"} {
		if b.Has(k) {
			return b.Bad(k, "give either coefficients a, b, c or measured points, not both")
		}
	}
	form := "quadratic"
	if b.Has("fit") {
		var err error
		if form, err = b.OneOf("fit", "quadratic", "linear"); err != nil {
			return err
		}
	}
	items, err := b.Seq("points")
	if err != nil {
		return err
	}
	var vs, bers []float64
	for _, it := range items {
		if it.Kind != yaml.SequenceNode || len(it.Content) != 2 {
			return p.Errorf(it, "points in voltage.ber: want [volts, BER], got %s", yamlspec.Describe(it))
		}
		var pt [2]float64
		for i, x := range it.Content {
			if x.Kind != yaml.ScalarNode || (x.ShortTag() != "!!int" && x.ShortTag() != "!!float") || x.Decode(&pt[i]) != nil || !finite(pt[i]) || pt[i] <= 0 {
				return p.Errorf(x, "points in voltage.ber: want a positive number, got %s", yamlspec.Describe(x))
			}
		}
		if pt[1] > 1 {
			return p.Errorf(it.Content[1], "points in voltage.ber: BER %g is above 1", pt[1])
		}
		vs, bers = append(vs, pt[0]), append(bers, pt[1])
	}
	m, fit, err := NewBERFit(form, vs, bers)
	if err != nil {
		return b.Bad("points", "%v", err)
	}
	if err := m.Validate(); err != nil {
		return b.Bad("points", "the fitted model is not usable: %v", err)
	}
	fit.Pos = p.Pos(b.Vals["points"])
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
			return nil, p.Errorf(it, "duplicate node name %q in subtree of %s (first at line %d)", n.Base, owner, line)
		}
		seen[n.Base] = n.Pos.Line
		out = append(out, n)
	}
	return out, nil
}

func (p *parser) node(it *yaml.Node, parent *Node, where string) (*Node, error) {
	f, err := p.Mapping(it, where, "name", "attributes", "local", "subtree")
	if err != nil {
		return nil, err
	}
	n := &Node{Parent: parent, Pos: p.Pos(it), Instances: 1}
	if parent != nil {
		n.Level = parent.Level + 1
	}
	if n.Name, err = f.Str("name"); err != nil {
		return nil, err
	}
	if m := rangeRE.FindStringSubmatch(n.Name); m != nil {
		lo, err1 := strconv.Atoi(m[2])
		hi, err2 := strconv.Atoi(m[3])
		if err1 != nil || err2 != nil || hi > maxInstances {
			return nil, f.Bad("name", "instance range of %q is too large (at most %d instances)", n.Name, maxInstances)
		}
		if lo > hi {
			return nil, f.Bad("name", "empty instance range in %q (%d > %d)", n.Name, lo, hi)
		}
		n.Base, n.Instances = m[1], hi-lo+1
	} else if nameRE.MatchString(n.Name) {
		n.Base = n.Name
	} else {
		return nil, f.Bad("name", "%q is not a name (letters, digits, _ and -, optionally with an instance range NAME[lo..hi])", n.Name)
	}
	total := n.Instances
	for a := parent; a != nil; a = a.Parent {
		if total > maxInstances/a.Instances {
			return nil, f.Bad("name", "%q makes more than %d instances in total", n.Name, maxInstances)
		}
		total *= a.Instances
	}
	self := "node " + n.Name
	n.MeshX, n.MeshY = n.Instances, 1
	if f.Has("attributes") {
		at, err := p.Mapping(f.Vals["attributes"], "attributes of "+self, "meshX", "meshY")
		if err != nil {
			return nil, err
		}
		if err := meshOf(at, n); err != nil {
			return nil, err
		}
	}
	if !f.Has("local") && !f.Has("subtree") {
		return nil, p.Errorf(it, "%s has neither local nor subtree", self)
	}
	if f.Has("local") {
		items, err := f.Seq("local")
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
	if f.Has("subtree") {
		items, err := f.Seq("subtree")
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
func meshOf(at *yamlspec.Mapping, n *Node) error {
	x, y := 0, 0
	var err error
	if at.Has("meshX") {
		if x, err = at.PosInt("meshX"); err != nil {
			return err
		}
	}
	if at.Has("meshY") {
		if y, err = at.PosInt("meshY"); err != nil {
			return err
		}
	}
	switch {
	case x > 0 && y > 0:
		if int64(x)*int64(y) != int64(n.Instances) {
			return at.R.Errorf(at.N, "meshX·meshY = %d·%d = %d in %s, but %s has %d instances", x, y, int64(x)*int64(y), at.Where, n.Name, n.Instances)
		}
	case x > 0:
		if n.Instances%x != 0 {
			return at.Bad("meshX", "%d does not divide the %d instances of %s", x, n.Instances, n.Name)
		}
		y = n.Instances / x
	case y > 0:
		if n.Instances%y != 0 {
			return at.Bad("meshY", "%d does not divide the %d instances of %s", y, n.Instances, n.Name)
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
	f, err := p.Mapping(it, where, "name", "class", "attributes")
	if err != nil {
		return nil, err
	}
	c := &Component{Node: node, Instances: instances, Pos: p.Pos(it)}
	if c.Name, err = f.Str("name"); err != nil {
		return nil, err
	}
	if !nameRE.MatchString(c.Name) {
		return nil, f.Bad("name", "%q is not a component name (letters, digits, _ and -; instance ranges belong on nodes)", c.Name)
	}
	if first, dup := p.names[c.Name]; dup {
		return nil, f.Bad("name", "duplicate component name %q (first at %s)", c.Name, first)
	}
	p.names[c.Name] = c.Pos
	cls, err := f.OneOf("class", string(SRAM), string(Regfile), string(DRAM), string(MAC), string(Overhead))
	if err != nil {
		return nil, err
	}
	c.Class = Class(cls)
	an, err := f.Need("attributes")
	if err != nil {
		return nil, err
	}
	at, err := p.Mapping(an, "attributes of "+c.Name, allAttrs...)
	if err != nil {
		return nil, err
	}
	allowed := map[Class][]string{SRAM: sramAttrs, Regfile: sramAttrs, DRAM: dramAttrs, MAC: macAttrs, Overhead: overheadAttrs}[c.Class]
	for _, k := range at.Order {
		if !slices.Contains(allowed, k) {
			return nil, p.Errorf(at.Keys[k], "key %q does not apply to class %s in %s", k, c.Class, at.Where)
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
func (p *parser) protection(at *yamlspec.Mapping, c *Component) error {
	c.Protection = ecc.Protection{}.WithDefaults()
	if !at.Has("protection") {
		if p.opts.Protection != nil && c.Faulty {
			c.Protection = *p.opts.Protection
		}
		return p.checkProtection(at, c)
	}
	if !c.Faulty {
		return at.Bad("protection", "applies only to the faulty weight memory (voltage-domain: scaled, holding weights)")
	}
	n := at.Vals["protection"]
	var pr ecc.Protection
	if n.Kind == yaml.ScalarNode {
		s, err := at.OneOf("protection", "none", "secded", "zero-space", "msb")
		if err != nil {
			return err
		}
		pr.Scheme = ecc.Scheme(s)
	} else {
		f, err := p.Mapping(n, "protection of "+c.Name, "scheme", "uncorrectable", "msb-fraction", "encoder-pj", "decoder-pj", "source")
		if err != nil {
			return err
		}
		s, err := f.OneOf("scheme", "none", "secded", "zero-space", "msb")
		if err != nil {
			return err
		}
		pr.Scheme = ecc.Scheme(s)
		if f.Has("uncorrectable") {
			u, err := f.OneOf("uncorrectable", "keep", "zero")
			if err != nil {
				return err
			}
			pr.Uncorrectable = ecc.Policy(u)
		}
		if f.Has("msb-fraction") {
			if pr.Scheme != ecc.MSB {
				return f.Bad("msb-fraction", "applies only to scheme msb")
			}
			if pr.MSBFraction, err = f.Positive("msb-fraction"); err != nil {
				return err
			}
			if pr.MSBFraction > 1 {
				return f.Bad("msb-fraction", "%g is more than every weight (want (0, 1])", pr.MSBFraction)
			}
		}
		if f.Has("encoder-pj") || f.Has("decoder-pj") {
			if pr.Scheme != ecc.SECDED && pr.Scheme != ecc.ZeroSpace {
				return p.Errorf(n, "protection of %s: codec energies apply only to secded and zero-space", c.Name)
			}
			for _, k := range []struct {
				key string
				dst *float64
			}{{"encoder-pj", &pr.EncoderPJ}, {"decoder-pj", &pr.DecoderPJ}} {
				if f.Has(k.key) {
					if *k.dst, err = energy(f, k.key); err != nil {
						return err
					}
				}
			}
			if pr.Source, err = source(f); err != nil {
				return err
			}
		} else if f.Has("source") {
			return f.Bad("source", "names the source of encoder-pj and decoder-pj, which are not given")
		}
	}
	if pr.Scheme == ecc.MSB && pr.MSBFraction == 0 {
		return at.Bad("protection", "scheme msb needs msb-fraction, the fraction of weights whose MSB is reliable")
	}
	c.Protection = pr.WithDefaults()
	if p.opts.Protection != nil {
		c.Protection = *p.opts.Protection
	}
	return p.checkProtection(at, c)
}

// checkProtection checks that c's words suit its protection.
func (p *parser) checkProtection(at *yamlspec.Mapping, c *Component) error {
	if err := c.Protection.CheckWord(c.WidthBits); err != nil {
		key := "width"
		if at.Has("protection") {
			key = "protection"
		}
		return at.Bad(key, "%s: %v", c.Name, err)
	}
	return nil
}

// overhead reads an overhead's required `energy: {cycle-pj, transfer-pj,
// source}`: at least one of the two energies (the other defaults to 0).
func (p *parser) overhead(at *yamlspec.Mapping, c *Component) error {
	en, err := at.Need("energy")
	if err != nil {
		return err
	}
	e, err := p.Mapping(en, "energy of "+c.Name, "cycle-pj", "transfer-pj", "source")
	if err != nil {
		return err
	}
	if !e.Has("cycle-pj") && !e.Has("transfer-pj") {
		return p.Errorf(en, "energy of %s: an overhead needs cycle-pj, transfer-pj or both", c.Name)
	}
	c.Energy = &Energy{Pos: p.Pos(en)}
	for _, k := range []struct {
		key string
		dst *float64
	}{{"cycle-pj", &c.Energy.CyclePJ}, {"transfer-pj", &c.Energy.TransferPJ}} {
		if e.Has(k.key) {
			if *k.dst, err = energy(e, k.key); err != nil {
				return err
			}
		}
	}
	c.Energy.Source, err = source(e)
	return err
}

func (p *parser) mac(at *yamlspec.Mapping, c *Component) error {
	var err error
	if c.DatawidthBits, err = at.PosInt("datawidth"); err != nil {
		return err
	}
	if at.Has("zero-gating") {
		if c.ZeroGating, err = at.Boolean("zero-gating"); err != nil {
			return err
		}
	}
	en, err := at.Need("energy")
	if err != nil {
		return err
	}
	e, err := p.Mapping(en, "energy of "+c.Name, "op-pj", "source")
	if err != nil {
		return err
	}
	c.Energy = &Energy{Pos: p.Pos(en)}
	if c.Energy.OpPJ, err = energy(e, "op-pj"); err != nil {
		return err
	}
	c.Energy.Source, err = source(e)
	return err
}

func source(e *yamlspec.Mapping) (string, error) {
	s, err := e.Str("source")
	if err == nil && strings.TrimSpace(s) == "" {
		err = e.Bad("source", "must say where the numbers come from")
	}
	return s, err
}

func (p *parser) memory(at *yamlspec.Mapping, c *Component) error {
	var err error
	if c.Class != DRAM || at.Has("depth") {
		if c.DepthWords, err = at.PosInt("depth"); err != nil {
			return err
		}
	}
	if c.WidthBits, err = at.PosInt("width"); err != nil {
		return err
	}
	if c.WordBits, err = at.PosInt("word-bits"); err != nil {
		return err
	}
	if c.WidthBits%c.WordBits != 0 {
		return at.Bad("width", "%d bits is not a multiple of word-bits %d", c.WidthBits, c.WordBits)
	}
	c.Banks = 1
	if at.Has("banks") {
		if c.Banks, err = at.PosInt("banks"); err != nil {
			return err
		}
		if c.DepthWords%c.Banks != 0 {
			return at.Bad("banks", "%d banks do not divide depth %d", c.Banks, c.DepthWords)
		}
	}
	if bits := int64(c.DepthWords/c.Banks) * int64(c.WidthBits); bits%8 != 0 {
		return p.Errorf(at.N, "%s: one bank holds %d bits, not a whole number of bytes", at.Where, bits)
	}
	if c.Class != DRAM {
		c.TechNM, c.Device = p.out.TechNM, p.out.Device
		if at.Has("technology") {
			if c.TechNM, err = tech(at, "technology"); err != nil {
				return err
			}
		}
		if at.Has("device") {
			if c.Device, err = device(at, "device"); err != nil {
				return err
			}
		}
	}
	if at.Has("datatypes") {
		items, err := at.Seq("datatypes")
		if err != nil {
			return err
		}
		for _, it := range items {
			d := Datatype(it.Value)
			if it.Kind != yaml.ScalarNode || it.ShortTag() != "!!str" || (d != Weights && d != Inputs && d != Outputs) {
				return p.Errorf(it, "datatypes in %s: %s is not one of weights, inputs, outputs", at.Where, yamlspec.Describe(it))
			}
			if c.Holds(d) {
				return p.Errorf(it, "datatypes in %s: %q listed twice", at.Where, d)
			}
			c.Datatypes = append(c.Datatypes, d)
		}
	}
	c.Domain = Nominal
	if at.Has("voltage-domain") {
		d, err := at.OneOf("voltage-domain", string(Nominal), string(Scaled))
		if err != nil {
			return err
		}
		c.Domain = Domain(d)
		if c.Domain == Scaled && c.Class == DRAM {
			return at.Bad("voltage-domain", "a DRAM cannot be scaled (the BER model is an SRAM model)")
		}
		if c.Domain == Scaled && len(c.Datatypes) == 0 {
			return at.Bad("voltage-domain", "a scaled memory must hold at least one datatype")
		}
	}
	if c.Domain == Scaled {
		c.Faulty = c.Holds(Weights)
	}
	if at.Has("faults") {
		f, err := at.OneOf("faults", "weights", "none")
		if err != nil {
			return err
		}
		switch {
		case c.Domain != Scaled:
			return at.Bad("faults", "applies only to a memory with voltage-domain: scaled (a nominal memory is reliable)")
		case f == "weights" && !c.Holds(Weights):
			return at.Bad("faults", "%s holds no weights; cosim injects faults into weights only", c.Name)
		}
		c.Faulty = f == "weights"
	} else if c.Domain == Scaled && !c.Holds(Weights) {
		return at.Bad("voltage-domain", "%s is scaled but holds no weights: it would get the energy saving of a lower supply without any faults; add `faults: none` to accept an energy-only memory", c.Name)
	}
	if c.Faulty {
		if first := p.out.faultyWeightMemory(); first != nil {
			return at.Bad("voltage-domain", "a second scaled memory holding weights (the first is %s at %s); cosim injects faults into exactly one weight memory: add `faults: none` to the other", first.Name, first.Pos)
		}
	}
	if err := p.protection(at, c); err != nil {
		return err
	}
	if at.Has("energy-model") {
		if c.Domain != Scaled {
			return at.Bad("energy-model", "applies only to a memory with voltage-domain: scaled")
		}
		p.energyModelNodes[c] = at.Vals["energy-model"]
	}
	for _, bw := range []struct {
		key string
		dst *float64
	}{{"read-bandwidth", &c.ReadBandwidth}, {"write-bandwidth", &c.WriteBandwidth}} {
		if at.Has(bw.key) {
			if *bw.dst, err = at.Positive(bw.key); err != nil {
				return err
			}
		}
	}
	if !at.Has("energy") {
		if c.Class == DRAM {
			_, err := at.Need("energy") // DRAM has no CACTI row
			return err
		}
		return nil
	}
	en := at.Vals["energy"]
	keys := []string{"read-pj", "write-pj", "leakage-mw", "source"}
	e, err := p.Mapping(en, "energy of "+c.Name, keys...)
	if err != nil {
		return err
	}
	c.Energy = &Energy{Pos: p.Pos(en)}
	if c.Energy.ReadPJ, err = energy(e, "read-pj"); err != nil {
		return err
	}
	if c.Energy.WritePJ, err = energy(e, "write-pj"); err != nil {
		return err
	}
	if c.Class != DRAM || e.Has("leakage-mw") { // DRAM background power defaults to 0
		if c.Energy.LeakageMW, err = energy(e, "leakage-mw"); err != nil {
			return err
		}
	}
	c.Energy.Source, err = source(e)
	return err
}
