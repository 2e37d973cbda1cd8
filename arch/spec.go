package arch

import (
	"cosim/internal/yamlspec"
	"fmt"
	"math"
	"slices"

	"cosim/ecc"
	"cosim/sram"
)

// Version is the only schema version this package reads (`architecture.version`).
const Version = "cosim/1"

// Class is the kind of a component.
type Class string

// The component classes of the schema.
const (
	SRAM    Class = "SRAM"    // on-chip SRAM array, priced with CACTI unless overridden
	Regfile Class = "regfile" // small register file, priced with CACTI as an SRAM array unless overridden
	DRAM    Class = "DRAM"    // off-chip memory; energies must be given in the YAML
	MAC     Class = "mac"     // multiply-accumulate unit; energy must be given in the YAML
	// Overhead is energy that is neither a memory access nor a MAC: the
	// clock network, the on-chip network, control. It is priced per clock
	// cycle of a layer and per word the mapping model counts on the on-chip
	// network; energy must be given in the YAML.
	Overhead Class = "overhead"
)

// IsMemory reports whether components of class c store data (SRAM, regfile, DRAM).
func (c Class) IsMemory() bool { return c == SRAM || c == Regfile || c == DRAM }

// Datatype is a tensor a memory can hold.
type Datatype string

// The data types of a DNN layer.
const (
	Weights Datatype = "weights"
	Inputs  Datatype = "inputs"
	Outputs Datatype = "outputs"
)

// Domain is the voltage domain of a memory.
type Domain string

// The voltage domains. A Scaled memory runs at the swept supply voltage: its
// dynamic energy scales with V²/V_nom² and its bits flip at BER(V). A Nominal
// memory always runs at the nominal voltage and is reliable.
const (
	Nominal Domain = "nominal"
	Scaled  Domain = "scaled"
)

// Pos is a position in a spec file (1-based line and column).
type Pos = yamlspec.Pos

// Spec is a validated architecture spec. Parse fills and checks every field;
// callers must treat it as read-only.
type Spec struct {
	File     string      `fingerprint:"-"` // the file name used in messages (a path, or arch/specs/NAME.yaml for built-ins)
	Version  string      // always Version
	Name     string      // architecture.name
	TechNM   int         // architecture.technology [nm], the default node for SRAM pricing
	Device   sram.Device // architecture.device, the default CACTI device type
	ClockMHz float64     // architecture.clock-mhz
	NominalV float64     // architecture.voltage.nominal-v [V]
	// BER is the bit error rate model of the scaled memories,
	// architecture.voltage.ber; when that key is absent it is the WCAT
	// appendix C model (sram.PaperBER) and BERFromYAML is false.
	BER         sram.BERModel
	BERFromYAML bool
	// BERFit is set when the YAML gives measured (V, BER) points instead of
	// coefficients: BER is then their least-squares fit.
	BERFit *BERFit
	// EnergyModel is the default energy(V) model of the scaled memories,
	// architecture.voltage.energy-model (sram.Paper when absent).
	EnergyModel sram.EnergyModelKind
	// RescaleCACTI is architecture.voltage.rescale-cacti (default false):
	// CACTI-priced memories whose CACTI supply differs from NominalV are
	// rescaled to NominalV (accel.Costs: dynamic × (V_nom/V_CACTI)²,
	// leakage by the physical model's rule). When false CACTI's energies
	// are taken as the energies at NominalV.
	RescaleCACTI bool
	Subtree      []*Node // top-level nodes

	components []*Component // pre-order: a node's local components, then its subtree
}

// BERFit is a BER(V) model fitted to measured points by least squares on
// ln BER (sram.FitBER, or sram.FitBERLinear for `fit: linear`).
type BERFit struct {
	Form      string    // "quadratic" (a + bV + cV²) or "linear" (c = 0)
	V, BER    []float64 // the measured points, as written
	Residuals []float64 // ln BER_fit(V_i) − ln BER_i; NaN for points at or above saturation (not fitted)
	Pos       Pos       `fingerprint:"-"` // position of `points`
}

// NewBERFit fits form ("quadratic" or "linear") to the points (v, ber) and
// returns the model and the fit with its residuals.
func NewBERFit(form string, v, ber []float64) (sram.BERModel, *BERFit, error) {
	var m sram.BERModel
	var err error
	switch form {
	case "quadratic":
		m, err = sram.FitBER(v, ber)
	case "linear":
		m, err = sram.FitBERLinear(v, ber)
	default:
		return m, nil, fmt.Errorf("unknown fit %q (want quadratic or linear)", form)
	}
	if err != nil {
		return m, nil, err
	}
	f := &BERFit{Form: form, V: slices.Clone(v), BER: slices.Clone(ber)}
	for i := range v {
		r := math.NaN()
		if ber[i] < sram.BERSaturation {
			r = math.Log(m.BER(v[i])) - math.Log(ber[i])
		}
		f.Residuals = append(f.Residuals, r)
	}
	return m, f, nil
}

// RMS is the root mean square of the fitted points' residuals.
func (f *BERFit) RMS() float64 {
	sum, n := 0.0, 0
	for _, r := range f.Residuals {
		if !math.IsNaN(r) {
			sum += r * r
			n++
		}
	}
	return math.Sqrt(sum / float64(n))
}

// Node is one level of the hardware tree, possibly replicated (`PE[0..167]`).
type Node struct {
	Name      string // as written, e.g. "PE[0..167]"
	Base      string // without the instance range, e.g. "PE"
	Instances int    // copies of this node per copy of its parent (hi−lo+1 for NAME[lo..hi], else 1)
	// MeshX·MeshY = Instances: the given mesh, or Instances×1 when the YAML gives none.
	MeshX, MeshY int
	Level        int   // 0 for top-level nodes
	Parent       *Node `fingerprint:"-"` // nil for top-level nodes
	Local        []*Component
	Subtree      []*Node
	Pos          Pos `fingerprint:"-"`
}

// Path is the node's position in the tree, e.g. "chip/PE[0..167]".
func (n *Node) Path() string {
	if n.Parent == nil {
		return n.Name
	}
	return n.Parent.Path() + "/" + n.Name
}

// Component is one component of the flattened hardware tree. Memory fields
// are zero for a mac, MAC fields zero for memories.
type Component struct {
	Name  string // unique over the spec
	Class Class
	Node  *Node `fingerprint:"-"` // the node whose `local` lists it
	// Instances is the total number of copies on the chip: the product of the
	// instance counts of its node and all the node's ancestors.
	Instances int
	Pos       Pos `fingerprint:"-"` // position of the component's mapping in the file

	// Memories.
	DepthWords int // words per instance; 0 only for a DRAM without depth (unbounded)
	WidthBits  int // bits per access
	WordBits   int // bits of one datum (activations, partial sums); width is a multiple of it
	Banks      int // ≥ 1; an access touches one bank of DepthWords/Banks words
	// TechNM and Device are the CACTI node and device type (the component's
	// override or the spec default); zero for DRAM.
	TechNM    int
	Device    sram.Device
	Datatypes []Datatype // in the order written
	Domain    Domain     // Nominal unless `voltage-domain: scaled`
	// Faulty reports whether the memory's bits flip at BER(V): a Scaled
	// memory holding weights, unless the YAML says `faults: none`.
	Faulty bool
	// Protection is the Faulty memory's protection (`protection`, defaults
	// filled; scheme none for every other memory).
	Protection ecc.Protection
	// VoltageModel is how a Scaled memory's energy depends on its supply
	// (the `energy-model` attribute, else the spec's default), with every
	// parameter resolved; the zero value (sram.Paper) for other components.
	VoltageModel sram.EnergyModel
	// LeakageFit is the fit of `energy-model.leakage-points`, or nil.
	LeakageFit *sram.LeakageFit
	// ReadBandwidth and WriteBandwidth are the words (of WordBits) one
	// instance can read, respectively write, per clock cycle; 0 when the
	// YAML gives none (unlimited).
	ReadBandwidth, WriteBandwidth float64

	// MAC.
	DatawidthBits int
	// ZeroGating is the mac attribute `zero-gating`: the PE skips the
	// multiply-accumulate and the filter (weight) spad read when the ifmap
	// operand is zero (Eyeriss's data gating, JSSC 2017); mapping models
	// apply it with workload.Layer.IfmapZeroFrac.
	ZeroGating bool

	// Energy holds the energies written in the YAML: always for DRAM and mac,
	// for SRAM/regfile only when the component overrides CACTI; nil otherwise.
	Energy *Energy
}

// Energy is an explicit energy given in the YAML, with its source.
type Energy struct {
	ReadPJ, WritePJ float64 // per access of WidthBits bits (memories) [pJ]
	LeakageMW       float64 // leakage of one instance [mW] (memories)
	OpPJ            float64 // per operation (mac) [pJ]
	// CyclePJ and TransferPJ are an overhead's energy per clock cycle of
	// one instance and per word moved on the on-chip network [pJ].
	CyclePJ, TransferPJ float64
	Source              string // the `source` string, required
	Pos                 Pos    `fingerprint:"-"` // position of the `energy` mapping
}

// Provenance describes where the YAML energy came from, for reports.
func (e *Energy) Provenance() string {
	return fmt.Sprintf("YAML %s (not CACTI): %s", e.Pos, e.Source)
}

// IsMemory reports whether c stores data.
func (c *Component) IsMemory() bool { return c.Class.IsMemory() }

// Holds reports whether memory c holds data type dt.
func (c *Component) Holds(dt Datatype) bool { return slices.Contains(c.Datatypes, dt) }

// Path is the component's position in the tree, e.g. "chip/PE[0..167]/mac".
func (c *Component) Path() string { return c.Node.Path() + "/" + c.Name }

// CapacityBytes is the capacity of one instance, DepthWords·WidthBits/8
// (0 for an unbounded DRAM).
func (c *Component) CapacityBytes() int { return c.DepthWords * c.WidthBits / 8 }

// PricedByCACTI reports whether c's energies come from the CACTI table
// (an SRAM or regfile without an explicit `energy`).
func (c *Component) PricedByCACTI() bool {
	return (c.Class == SRAM || c.Class == Regfile) && c.Energy == nil
}

// CACTI returns the CACTI estimate of one bank of c (capacity
// DepthWords/Banks · WidthBits/8 bytes, accessed WidthBits at a time, at
// c.TechNM with c.Device). Read and write energies are per access; the
// leakage is that of one bank, so one instance leaks Banks times it. Parse
// has already checked that this succeeds for every component PricedByCACTI.
func (c *Component) CACTI() (sram.CACTIEstimate, error) {
	if !c.PricedByCACTI() {
		return sram.CACTIEstimate{}, fmt.Errorf("arch: %s: component %s is not priced by CACTI", c.Pos, c.Name)
	}
	est, err := c.cacti()
	if err != nil {
		return sram.CACTIEstimate{}, fmt.Errorf("arch: %s: component %s: %w", c.Pos, c.Name, err)
	}
	return est, nil
}

// cacti prices one bank of c (see CACTI), without checking the class.
func (c *Component) cacti() (sram.CACTIEstimate, error) {
	return sram.CACTI(c.TechNM, c.Device, c.DepthWords/c.Banks*c.WidthBits/8, c.WidthBits)
}

// Components returns every component, in pre-order (a node's local
// components in the order written, then its subtree).
func (s *Spec) Components() []*Component { return slices.Clone(s.components) }

// Component returns the component named name, or nil.
func (s *Spec) Component(name string) *Component {
	for _, c := range s.components {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (s *Spec) filter(keep func(*Component) bool) []*Component {
	var out []*Component
	for _, c := range s.components {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// Memories returns the SRAM, regfile and DRAM components, in Components order.
func (s *Spec) Memories() []*Component { return s.filter((*Component).IsMemory) }

// Overheads returns the overhead components, in Components order.
func (s *Spec) Overheads() []*Component {
	return s.filter(func(c *Component) bool { return c.Class == Overhead })
}

// MACs returns the mac components, in Components order.
func (s *Spec) MACs() []*Component {
	return s.filter(func(c *Component) bool { return c.Class == MAC })
}

// WeightMemories returns the memories that hold weights, in Components order
// (outer levels before inner ones along a path). Each carries its Domain and
// WidthBits: the sweep stores the quantized weight codes in the Scaled one,
// packed into WidthBits-bit words.
func (s *Spec) WeightMemories() []*Component {
	return s.filter(func(c *Component) bool { return c.IsMemory() && c.Holds(Weights) })
}

// WeightWordBits is the widest weight the spec's datapath carries: the
// smallest word-bits of its weight memories and datawidth of its macs (0
// when it has neither). Built-in layer sets default to it.
func (s *Spec) WeightWordBits() int {
	bits := 0
	for _, c := range s.components {
		w := 0
		switch {
		case c.IsMemory() && c.Holds(Weights):
			w = c.WordBits
		case c.Class == MAC:
			w = c.DatawidthBits
		}
		if w > 0 && (bits == 0 || w < bits) {
			bits = w
		}
	}
	return bits
}

// faultyWeightMemory returns the Faulty memory, or nil (Parse allows at
// most one).
func (s *Spec) faultyWeightMemory() *Component {
	for _, c := range s.components {
		if c.Faulty {
			return c
		}
	}
	return nil
}

// FaultyWeightMemory returns the memory whose stored weight bits flip at
// BER(V) — the scaled memory that holds the weights — or an error saying
// that the spec has none, so a fault simulation would inject nothing.
func (s *Spec) FaultyWeightMemory() (*Component, error) {
	if c := s.faultyWeightMemory(); c != nil {
		return c, nil
	}
	return nil, fmt.Errorf("%s: no memory holds weights in the scaled voltage domain, so a fault simulation would inject no faults (mark the weight memory `voltage-domain: scaled`)", s.File)
}

// EnergyOnlyMemories returns the scaled memories marked `faults: none`:
// their energy falls with the supply but no bit of theirs flips.
func (s *Spec) EnergyOnlyMemories() []*Component {
	return s.filter(func(c *Component) bool { return c.Domain == Scaled && !c.Faulty })
}

// CheckWeights checks that a network's weights, weightBits bits in all
// (what), fit in the memory that must hold them all: the faulty weight
// memory, else the outermost weight memory (no check when that is an
// unbounded DRAM). It is the one capacity check of every command.
func (s *Spec) CheckWeights(what string, weightBits int64) error {
	mem := s.faultyWeightMemory()
	if ws := s.WeightMemories(); mem == nil && len(ws) > 0 {
		mem = ws[0]
	}
	if mem == nil || mem.DepthWords == 0 {
		return nil
	}
	capBits := int64(mem.DepthWords) * int64(mem.WidthBits)
	if weightBits > capBits {
		return fmt.Errorf("%s: %s needs %s of weights, but %s (%s) holds %s: quantize to fewer bits (--bits) or give %s more depth",
			s.File, what, fmtBits(weightBits), mem.Name, mem.Pos, fmtBits(capBits), mem.Name)
	}
	return nil
}

// fmtBits formats a size in bits as KiB or MiB.
func fmtBits(bits int64) string {
	b := float64(bits) / 8
	if b >= 1<<20 {
		return fmt.Sprintf("%.2f MiB", b/(1<<20))
	}
	return fmt.Sprintf("%.1f KiB", b/(1<<10))
}

// ScaledMemories returns the memories in the Scaled voltage domain.
func (s *Spec) ScaledMemories() []*Component {
	return s.filter(func(c *Component) bool { return c.IsMemory() && c.Domain == Scaled })
}

// Levels returns the memories holding dt in from's node and its ancestors,
// innermost (from's node) first; memories of one node keep their written
// order.
func (s *Spec) Levels(from *Component, dt Datatype) []*Component {
	var out []*Component
	for n := from.Node; n != nil; n = n.Parent {
		for _, c := range n.Local {
			if c.IsMemory() && c.Holds(dt) {
				out = append(out, c)
			}
		}
	}
	return out
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
