package eyeriss

import (
	"fmt"

	"cosim/accel"
	"cosim/arch"
	"cosim/workload"
)

// maxSlots bounds the components the model touches: a mac, three spads and
// at most three backing stores and two global buffers.
const maxSlots = 9

// slot is one component the model counts, with what the evaluation needs
// of it.
type slot struct {
	c               *arch.Component
	cost            accel.ComponentCost
	width, wordBits int64 // 0 for the mac
	instances       int64
	readBW, writeBW float64
}

// buffer is a global buffer and the data types whose tiles it holds.
type buffer struct {
	c               *arch.Component
	capWords        int64
	inputs, outputs bool
}

// Objective is what the mapping search minimises.
type Objective int

// The search objectives. Ties are broken by the other quantity (energy by
// cycles, delay by energy), then by the first mapping found in a fixed
// enumeration order, so the search is deterministic.
const (
	MinEnergy Objective = iota // energy at the nominal voltage, leakage included
	MinDelay                   // cycles (Timeloop's optimization-metrics [delay, energy])
	MinEDP                     // energy × cycles
)

// String names the objective.
func (o Objective) String() string {
	switch o {
	case MinEnergy:
		return "energy"
	case MinDelay:
		return "delay"
	case MinEDP:
		return "EDP"
	}
	return fmt.Sprintf("Objective(%d)", int(o))
}

var _ accel.Accelerator = (*Model)(nil)

// Model is the row-stationary model of one spec; it implements
// accel.Accelerator. A Model is immutable after New and safe for
// concurrent use.
type Model struct {
	spec      *arch.Spec
	h         Hierarchy
	objective Objective

	slots    []slot
	slot     map[*arch.Component]int
	wordBits [maxSlots]int64
	// Slot of each role; InputBuf and OutputBuf are −1 when absent.
	mac, wsp, isp, psp, wmem, imem, omem, ibuf, obuf int
	buffers                                          []buffer

	weightCap, ifmapCap, psumCap int     // spad capacities in data
	leakageMW                    float64 // all components
	// Overheads (arch.Overhead): cyclePJ is their energy per clock cycle,
	// all together; network lists those with a transfer energy, which are
	// charged per word on the on-chip network (transferPJ, all together).
	cyclePJ, transferPJ float64
	network             []string
}

// New resolves the roles of s and prices its components (accel.Costs);
// the mapping search minimises energy.
func New(s *arch.Spec) (*Model, error) { return NewObjective(s, MinEnergy) }

// NewObjective is New with the given search objective.
func NewObjective(s *arch.Spec, o Objective) (*Model, error) {
	if o < MinEnergy || o > MinEDP {
		return nil, fmt.Errorf("eyeriss: unknown objective %d", int(o))
	}
	h, err := Roles(s)
	if err != nil {
		return nil, err
	}
	costs, err := accel.Costs(s)
	if err != nil {
		return nil, err
	}
	m := &Model{spec: s, h: h, objective: o, slot: map[*arch.Component]int{}}
	byName := map[string]accel.ComponentCost{}
	for _, c := range costs {
		byName[c.Name] = c
		m.leakageMW += c.LeakageMW
		if c.Class == arch.Overhead {
			m.cyclePJ += c.CyclePJ
			if c.OpPJ > 0 {
				m.transferPJ += c.OpPJ
				m.network = append(m.network, c.Name)
			}
		}
	}
	for _, c := range []*arch.Component{h.MAC, h.WeightSpad, h.IfmapSpad, h.PsumSpad, h.WeightMem, h.InputMem, h.OutputMem, h.InputBuf, h.OutputBuf} {
		if c == nil {
			continue
		}
		if _, dup := m.slot[c]; dup {
			continue
		}
		sl := slot{c: c, cost: byName[c.Name], instances: int64(c.Instances), readBW: c.ReadBandwidth, writeBW: c.WriteBandwidth}
		if c.IsMemory() {
			sl.width, sl.wordBits = int64(c.WidthBits), int64(c.WordBits)
		}
		m.slot[c] = len(m.slots)
		m.wordBits[len(m.slots)] = sl.wordBits
		m.slots = append(m.slots, sl)
	}
	idx := func(c *arch.Component) int {
		if c == nil {
			return -1
		}
		return m.slot[c]
	}
	m.mac, m.wsp, m.isp, m.psp = idx(h.MAC), idx(h.WeightSpad), idx(h.IfmapSpad), idx(h.PsumSpad)
	m.wmem, m.imem, m.omem, m.ibuf, m.obuf = idx(h.WeightMem), idx(h.InputMem), idx(h.OutputMem), idx(h.InputBuf), idx(h.OutputBuf)
	for _, c := range []*arch.Component{h.InputBuf, h.OutputBuf} {
		if c == nil || (len(m.buffers) > 0 && m.buffers[0].c == c) {
			continue
		}
		m.buffers = append(m.buffers, buffer{c: c, capWords: int64(c.DepthWords) * int64(c.WidthBits/c.WordBits),
			inputs: c == h.InputBuf, outputs: c == h.OutputBuf})
	}
	perWord := func(c *arch.Component) int { return c.DepthWords * (c.WidthBits / c.WordBits) }
	m.weightCap, m.ifmapCap, m.psumCap = perWord(h.WeightSpad), perWord(h.IfmapSpad), perWord(h.PsumSpad)
	return m, nil
}

// Name identifies the model, its counting method and its objective.
func (m *Model) Name() string {
	return fmt.Sprintf("eyeriss row-stationary v2 (minimum %s)", m.objective)
}

// Spec returns the architecture.
func (m *Model) Spec() *arch.Spec { return m.spec }

// Hierarchy returns the resolved roles.
func (m *Model) Hierarchy() Hierarchy { return m.h }

// Objective returns the search objective.
func (m *Model) Objective() Objective { return m.objective }

// Map validates l, searches the best legal mapping and returns its counts.
func (m *Model) Map(l workload.Layer) (accel.Counts, error) {
	r, err := m.Search(l)
	if err != nil {
		return accel.Counts{}, err
	}
	return r.Counts, nil
}

// prepare validates l against the model's fixed constraints and returns its
// geometry.
func (m *Model) prepare(l workload.Layer) (shape, error) {
	if err := l.Validate(); err != nil {
		return shape{}, err
	}
	h := &m.h
	switch {
	case l.WeightBits > h.WeightSpad.WordBits || l.WeightBits > h.MAC.DatawidthBits:
		return shape{}, fmt.Errorf("eyeriss: layer %q: %d-bit weights exceed the %d-bit words of %s or the %d-bit datawidth of %s",
			l.Name, l.WeightBits, h.WeightSpad.WordBits, h.WeightSpad.Name, h.MAC.DatawidthBits, h.MAC.Name)
	case l.R > h.Rows:
		return shape{}, fmt.Errorf("eyeriss: layer %q: filter height R = %d exceeds the %d rows of the PE array (folding filter rows is not modelled)", l.Name, l.R, h.Rows)
	case l.S > m.ifmapCap || l.S > m.weightCap:
		return shape{}, fmt.Errorf("eyeriss: layer %q: a filter row of S = %d does not fit %s (%d) or %s (%d)", l.Name, l.S, h.IfmapSpad.Name, m.ifmapCap, h.WeightSpad.Name, m.weightCap)
	}
	sh := newShape(l)
	// Backing stores with a depth must hold the layer's tensors.
	need := map[*arch.Component]int64{}
	need[h.WeightMem] += l.Weights() * int64(l.WeightBits)
	need[h.InputMem] += l.Inputs() * int64(h.InputMem.WordBits)
	need[h.OutputMem] += l.Outputs() * int64(h.OutputMem.WordBits)
	for _, c := range []*arch.Component{h.WeightMem, h.InputMem, h.OutputMem} {
		if have := int64(c.DepthWords) * int64(c.WidthBits); c.DepthWords > 0 && need[c] > have {
			return shape{}, fmt.Errorf("eyeriss: layer %q needs %d bits of %s, which holds %d", l.Name, need[c], c.Name, have)
		}
	}
	return sh, nil
}

// Evaluate counts l under the given mapping, or says why the mapping is
// not legal on this spec.
func (m *Model) Evaluate(l workload.Layer, mp Mapping) (Result, error) {
	sh, err := m.prepare(l)
	if err != nil {
		return Result{}, err
	}
	if mp.E < 1 || mp.E > l.P {
		return Result{}, fmt.Errorf("eyeriss: layer %q: mapping %v: e must be in 1..E = %d", l.Name, mp, l.P)
	}
	ro, _ := m.h.rows(&sh, mp.E)
	if why := m.check(&sh, &ro, mp); why != "" {
		return Result{}, fmt.Errorf("eyeriss: layer %q: mapping %v is not legal: %s", l.Name, mp, why)
	}
	var ev evaluation
	m.evaluate(&sh, &ro, mp, &ev)
	return m.result(&sh, mp, &ev), nil
}

// result packages an evaluation.
func (m *Model) result(sh *shape, mp Mapping, ev *evaluation) Result {
	r := Result{Mapping: mp, Strips: ev.ro.strips, SetRows: ev.ro.setRows, SetCols: ev.ro.setCols,
		ActivePEs: ev.activePEs, Passes: ev.passes, MACs: sh.macs, ComputeCycles: ev.compute, Cycles: ev.cycles,
		Bound: "compute", EnergyPJ: ev.dynamicPJ + ev.leakagePJ}
	if ev.bound >= 0 {
		r.Bound = m.slots[ev.bound].c.Name
	}
	if ev.cycles > 0 {
		r.Utilization = float64(sh.macs) / (float64(ev.cycles) * float64(m.h.PEs))
	}
	r.Counts = accel.Counts{Layer: sh.l.Name, Cycles: ev.cycles, StallCycles: ev.cycles - ev.compute,
		ActivePEs: ev.activePEs, Mapping: mp.String()}
	for i := range m.slots {
		if a := ev.access[i]; a != (accel.Access{}) {
			r.Counts.Add(m.slots[i].c.Name, a)
		}
	}
	for _, name := range m.network {
		if ev.transfers > 0 {
			r.Counts.Add(name, accel.Access{Ops: ev.transfers})
		}
	}
	return r
}
