// Package eyeriss maps conv and fully connected layers onto an Eyeriss-like
// architecture spec (Chen et al., JSSC 2017) and counts memory accesses,
// MAC operations and cycles for package accel to price.
//
// # Roles
//
// Roles finds, from the spec alone, the one mac (its instance count is the
// number of PEs) and, for each data type, exactly two levels on the path
// from the mac to the root: a per-PE spad in the mac's node (width =
// word-bits: one datum per access) and one shared memory in an ancestor node
// (weights: the weight memory; inputs and outputs: usually one global
// buffer). Any other memory holding a data type is an error.
//
// # Counting (this version: "simple count v1")
//
// The full row-stationary mapping (logical PE sets, folding onto the 12×14
// array, spad capacities, the JSSC Table III parameters, a mapping search)
// is a later version; it will replace SimpleCounts and keep Roles. This
// version counts each layer as if every 1-D row primitive of row-stationary
// dataflow (one filter row × one ifmap row of one (n, k, c) → one psum row,
// i.e. one logical PE per (k, c, r, p)) had its own PE, with no folding:
//
//   - MAC: one operation per MAC, M = N·K·C·R·S·P·Q (positions on the zero
//     padding included; no zero skipping).
//   - Weight spad: M reads (one weight per MAC). Writes K·C·R·S·P: each
//     filter row is written into the spads of the P PEs that compute the P
//     output rows (horizontal multicast), once per inference; the batch
//     reuses it (weight-stationary in the spad).
//   - Weight memory: ⌈K·C·R·S·WeightBits / width⌉ word reads: every weight
//     leaves the weight memory exactly once per inference, packed at the
//     layer's WeightBits in width-bit words (as the sweep stores them). The
//     weights are assumed already resident; loading them is not counted.
//   - Ifmap spad: M reads (one activation per MAC; padding zeros are made in
//     the PE). Writes N·K·C·V_h·U_w, where V_h is the number of (r, p) with
//     input row h = p·stride − padding + r inside 0..H−1 and U_w the number
//     of input columns any window touches: each PE receives the in-bounds
//     part of the one ifmap row its (r, p) needs.
//   - Input memory (global buffer): ⌈N·K·C·U_h·U_w · word-bits / width⌉
//     word reads, U_h the number of input rows any window touches. Reuse
//     assumed: within one (n, k, c) channel plane each ifmap row is read
//     once and multicast diagonally to the PEs of all filter rows that use
//     it (filter-row reuse), and slides through the ifmap spad for the S
//     columns of the filter row (sliding-window reuse). No reuse across
//     output channels: each of the K filters fetches its own copy, which is
//     pessimistic, worst for fc layers (each input is read K times).
//   - Psum spad: M reads and M writes (every MAC reads and updates one
//     partial sum). Accumulation across filter rows and input channels is
//     assumed to happen in the array: no psum traffic to the global buffer,
//     and PE-to-PE transfers are not counted (optimistic).
//   - Output memory (global buffer): ⌈N·K·P·Q · word-bits / width⌉ word
//     writes, each output written once. The next layer reads it back as its
//     input; the network's input image is assumed to be in the buffer
//     already.
//   - Cycles: ⌈M / PEs⌉, i.e. full utilisation, no bandwidth stalls and no
//     fill/drain: an optimistic lower bound on latency, hence on leakage
//     energy.
//
// Spad and buffer capacities are not checked in this version.
package eyeriss

import (
	"fmt"
	"strings"

	"cosim/accel"
	"cosim/arch"
)

// Hierarchy is the role of each component of the spec in the model.
type Hierarchy struct {
	MAC *arch.Component
	PEs int // instances of MAC

	WeightSpad, IfmapSpad, PsumSpad *arch.Component // per PE, in MAC's node
	WeightMem, InputMem, OutputMem  *arch.Component // shared, in an ancestor of MAC's node
}

// Roles assigns the roles of Hierarchy from the spec (see the package doc)
// and reports, with the component's position, why a spec does not fit.
func Roles(s *arch.Spec) (Hierarchy, error) {
	macs := s.MACs()
	if len(macs) != 1 {
		return Hierarchy{}, fmt.Errorf("eyeriss: %s: want exactly one mac component, found %d", s.File, len(macs))
	}
	h := Hierarchy{MAC: macs[0], PEs: macs[0].Instances}
	for _, r := range []struct {
		dt          arch.Datatype
		spad, inner **arch.Component
	}{
		{arch.Weights, &h.WeightSpad, &h.WeightMem},
		{arch.Inputs, &h.IfmapSpad, &h.InputMem},
		{arch.Outputs, &h.PsumSpad, &h.OutputMem},
	} {
		lv := s.Levels(h.MAC, r.dt)
		var names []string
		for _, c := range lv {
			names = append(names, c.Name)
		}
		if len(lv) != 2 || lv[0].Node != h.MAC.Node || lv[1].Node == h.MAC.Node {
			return Hierarchy{}, fmt.Errorf("eyeriss: %s: %s: want a spad in node %s and one shared memory in an ancestor node, found [%s] on the path from %s",
				h.MAC.Pos, r.dt, h.MAC.Node.Path(), strings.Join(names, ", "), h.MAC.Name)
		}
		for _, c := range s.Memories() {
			if c.Holds(r.dt) && c != lv[0] && c != lv[1] {
				return Hierarchy{}, fmt.Errorf("eyeriss: %s: memory %s holds %s but is not on the path from %s to the root",
					c.Pos, c.Name, r.dt, h.MAC.Name)
			}
		}
		if lv[0].WidthBits != lv[0].WordBits {
			return Hierarchy{}, fmt.Errorf("eyeriss: %s: spad %s: width %d b ≠ word-bits %d b; this model reads one datum per spad access",
				lv[0].Pos, lv[0].Name, lv[0].WidthBits, lv[0].WordBits)
		}
		*r.spad, *r.inner = lv[0], lv[1]
	}
	return h, nil
}

var _ accel.Accelerator = (*Model)(nil)

// Model is the Eyeriss-like accelerator on one spec; it implements
// accel.Accelerator.
type Model struct {
	spec *arch.Spec
	h    Hierarchy
}

// New resolves the roles of s.
func New(s *arch.Spec) (*Model, error) {
	h, err := Roles(s)
	if err != nil {
		return nil, err
	}
	return &Model{spec: s, h: h}, nil
}

// Name identifies the model and its counting method.
func (m *Model) Name() string { return "eyeriss (simple count v1)" }

// Spec returns the architecture.
func (m *Model) Spec() *arch.Spec { return m.spec }

// Hierarchy returns the resolved roles.
func (m *Model) Hierarchy() Hierarchy { return m.h }

// Map validates l and counts it with SimpleCounts.
func (m *Model) Map(l accel.Layer) (accel.Counts, error) {
	if err := l.Validate(); err != nil {
		return accel.Counts{}, err
	}
	return SimpleCounts(m.h, l)
}

// SimpleCounts counts one valid layer as described in the package doc.
// Weights must fit in one weight-spad word and in the mac's datawidth.
func SimpleCounts(h Hierarchy, l accel.Layer) (accel.Counts, error) {
	if l.WeightBits > h.WeightSpad.WordBits || l.WeightBits > h.MAC.DatawidthBits {
		return accel.Counts{}, fmt.Errorf("eyeriss: layer %q: %d-bit weights exceed the %d-bit words of %s or the %d-bit datawidth of %s",
			l.Name, l.WeightBits, h.WeightSpad.WordBits, h.WeightSpad.Name, h.MAC.DatawidthBits, h.MAC.Name)
	}
	n, c, k := int64(l.N), int64(l.C), int64(l.K)
	macs := l.MACs()
	uh, vh := touched(l.H, l.R, l.P, l.Stride, l.Padding)
	uw, _ := touched(l.W, l.S, l.Q, l.Stride, l.Padding)

	cnt := accel.Counts{Layer: l.Name, Cycles: ceilDiv(macs, int64(h.PEs))}
	cnt.Add(h.MAC.Name, accel.Access{Ops: macs})
	cnt.Add(h.WeightSpad.Name, accel.Access{Reads: macs, Writes: l.Weights() * int64(l.P)})
	cnt.Add(h.WeightMem.Name, accel.Access{Reads: words(l.Weights(), l.WeightBits, h.WeightMem)})
	cnt.Add(h.IfmapSpad.Name, accel.Access{Reads: macs, Writes: n * k * c * vh * uw})
	cnt.Add(h.InputMem.Name, accel.Access{Reads: words(n*k*c*uh*uw, h.InputMem.WordBits, h.InputMem)})
	cnt.Add(h.PsumSpad.Name, accel.Access{Reads: macs, Writes: macs})
	cnt.Add(h.OutputMem.Name, accel.Access{Writes: words(l.Outputs(), h.OutputMem.WordBits, h.OutputMem)})
	return cnt, nil
}

// words is the number of width-bit accesses of mem that move count data of
// bits bits each, packed: ⌈count·bits/width⌉.
func words(count int64, bits int, mem *arch.Component) int64 {
	return ceilDiv(count*int64(bits), int64(mem.WidthBits))
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// touched returns, along one dimension of an input of size in read by
// out windows of size filter at stride with padding: u, the number of input
// positions some window covers, and v, the number of (filter offset, output)
// pairs whose input position is inside the input (not on padding).
func touched(in, filter, out, stride, padding int) (u, v int64) {
	seen := make([]bool, in)
	for r := 0; r < filter; r++ {
		for p := 0; p < out; p++ {
			if x := p*stride - padding + r; x >= 0 && x < in {
				v++
				if !seen[x] {
					seen[x] = true
					u++
				}
			}
		}
	}
	return u, v
}
