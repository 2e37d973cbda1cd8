package accel

import (
	"cosim/arch"
	"cosim/workload"
)

// Access counts the actions of one component for one layer, summed over all
// its instances. Memories count accesses of their `width` bits: Reads and
// Writes, and Updates, the write half of a read-modify-write accumulation of
// a partial sum in place (its read half is one of the Reads). An update is
// priced as a write. A mac counts operations.
type Access struct {
	Reads   int64
	Writes  int64
	Updates int64
	Ops     int64
}

// add returns a + b.
func (a Access) add(b Access) Access {
	return Access{Reads: a.Reads + b.Reads, Writes: a.Writes + b.Writes, Updates: a.Updates + b.Updates, Ops: a.Ops + b.Ops}
}

// Counts is what mapping one layer onto an architecture yields.
type Counts struct {
	Layer string
	// Cycles is the latency of the layer in clock cycles; StallCycles is the
	// part of it spent waiting for memory bandwidth beyond the compute time.
	Cycles, StallCycles int64
	// ActivePEs is the number of MAC units busy in a full step of the
	// mapping (0 when the model does not say).
	ActivePEs int
	// Mapping describes the chosen mapping, e.g. the row-stationary
	// parameters; empty when the model has none.
	Mapping string
	Access  map[string]Access // by component name; components absent here are idle (they still leak)
}

// Add adds a to the counts of component name.
func (c *Counts) Add(name string, a Access) {
	if c.Access == nil {
		c.Access = map[string]Access{}
	}
	c.Access[name] = c.Access[name].add(a)
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
	Map(l workload.Layer) (Counts, error)
}
