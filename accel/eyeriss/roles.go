package eyeriss

import (
	"fmt"
	"slices"
	"strings"

	"cosim/arch"
)

// Hierarchy is the role of each component of the spec in the model.
type Hierarchy struct {
	MAC        *arch.Component
	PEs        int // instances of MAC
	Rows, Cols int // the PE array: MeshY rows × MeshX columns of MAC's node

	WeightSpad, IfmapSpad, PsumSpad *arch.Component // per PE, in MAC's node
	// WeightMem, InputMem and OutputMem are the backing stores: the
	// outermost memory holding each data type (DRAM, or an on-chip SRAM
	// that holds the whole tensor).
	WeightMem, InputMem, OutputMem *arch.Component
	// InputBuf and OutputBuf are the global buffer between the spads and the
	// backing store (nil when the spads talk to the backing store
	// directly, as in an all-on-chip design whose global buffer holds whole
	// activations). Weights never have one: in Eyeriss filters bypass the
	// global buffer.
	InputBuf, OutputBuf *arch.Component
}

// Roles assigns the roles of Hierarchy from the spec (see the package doc)
// and reports, with the component's position, why a spec does not fit.
func Roles(s *arch.Spec) (Hierarchy, error) {
	macs := s.MACs()
	if len(macs) != 1 {
		return Hierarchy{}, fmt.Errorf("eyeriss: %s: want exactly one mac component, found %d", s.File, len(macs))
	}
	mac := macs[0]
	h := Hierarchy{MAC: mac, PEs: mac.Instances, Rows: mac.Node.MeshY, Cols: mac.Node.MeshX}
	if mac.Node.Instances != mac.Instances {
		return Hierarchy{}, fmt.Errorf("eyeriss: %s: the PE array must be one node of %d PEs, but %s is replicated by its ancestors (%d macs)",
			mac.Pos, mac.Node.Instances, mac.Node.Path(), mac.Instances)
	}
	for _, r := range []struct {
		dt                arch.Datatype
		spad, buf, backed **arch.Component
	}{
		{arch.Weights, &h.WeightSpad, nil, &h.WeightMem},
		{arch.Inputs, &h.IfmapSpad, &h.InputBuf, &h.InputMem},
		{arch.Outputs, &h.PsumSpad, &h.OutputBuf, &h.OutputMem},
	} {
		lv := s.Levels(mac, r.dt)
		var names []string
		for _, c := range lv {
			names = append(names, c.Name)
		}
		maxLevels := 3
		want := "a spad in node %s and one or two shared memories (a global buffer and a backing store) in ancestor nodes"
		if r.buf == nil {
			maxLevels = 2
			want = "a spad in node %s and one shared memory in an ancestor node (filters bypass the global buffer)"
		}
		ok := len(lv) >= 2 && len(lv) <= maxLevels && lv[0].Node == mac.Node
		for _, c := range lv[1:] {
			ok = ok && c.Node != mac.Node
		}
		if ok && len(lv) == 3 && lv[1].Node == lv[2].Node {
			ok = false
		}
		if !ok {
			return Hierarchy{}, fmt.Errorf("eyeriss: %s: %s: want "+want+", found [%s] on the path from %s",
				mac.Pos, r.dt, mac.Node.Path(), strings.Join(names, ", "), mac.Name)
		}
		for _, c := range s.Memories() {
			if c.Holds(r.dt) && !slices.Contains(lv, c) {
				return Hierarchy{}, fmt.Errorf("eyeriss: %s: memory %s holds %s but is not on the path from %s to the root",
					c.Pos, c.Name, r.dt, mac.Name)
			}
		}
		*r.spad, *r.backed = lv[0], lv[len(lv)-1]
		if len(lv) == 3 {
			*r.buf = lv[1]
		}
		if lv[0].Class == arch.DRAM {
			return Hierarchy{}, fmt.Errorf("eyeriss: %s: spad %s is a DRAM", lv[0].Pos, lv[0].Name)
		}
	}
	for _, c := range []*arch.Component{h.InputBuf, h.OutputBuf} {
		if c != nil && c.DepthWords == 0 {
			return Hierarchy{}, fmt.Errorf("eyeriss: %s: global buffer %s has no depth", c.Pos, c.Name)
		}
	}
	return h, nil
}
