package accel

import "cosim/arch"

// Access counts the actions of one component for one layer, summed over all
// its instances. Memories count word accesses of their `width`; a
// read-modify-write update counts as one read and one write. A mac counts
// operations.
type Access struct {
	Reads  int64
	Writes int64
	Ops    int64
}

// Counts is what mapping one layer onto an architecture yields.
type Counts struct {
	Layer  string
	Cycles int64             // latency of the layer in clock cycles
	Access map[string]Access // by component name; components absent here are idle (they still leak)
}

// Add adds a to the counts of component name.
func (c *Counts) Add(name string, a Access) {
	if c.Access == nil {
		c.Access = map[string]Access{}
	}
	old := c.Access[name]
	c.Access[name] = Access{Reads: old.Reads + a.Reads, Writes: old.Writes + a.Writes, Ops: old.Ops + a.Ops}
}

// Accelerator maps layers onto one architecture spec. Implementations count
// accesses and cycles; pricing them is Price's job, so every accelerator
// model shares one energy model.
type Accelerator interface {
	// Name identifies the model and its counting method, for provenance.
	Name() string
	// Spec is the architecture the model maps onto.
	Spec() *arch.Spec
	// Map counts the accesses and cycles of one validated layer.
	Map(l Layer) (Counts, error)
}
