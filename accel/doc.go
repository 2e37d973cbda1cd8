// Package accel is the accelerator-neutral model of cosim: layer workload
// shapes (Layer, Workload), the counts a dataflow mapping produces (Counts:
// word reads and writes per memory, operations per mac, cycles), the
// Accelerator interface that a mapping model (accel/eyeriss) implements, and
// the energy model that prices those counts (Costs, Price, EnergyReport).
//
// Energy of one inference, per layer and per component:
//
//	E = Σ_memories (reads·E_read + writes·E_write)·f(V) + Σ_macs ops·E_op
//	    + Σ_components P_leak · cycles / f_clock
//
// where E_read, E_write come from the CACTI table (sram.CACTI for the
// memory's bank capacity depth/banks·width/8 bytes, width, node and device)
// unless the YAML gives them explicitly, E_op always comes from the YAML,
// f(V) = V²/V_nom² for memories in the scaled voltage domain and 1
// otherwise, and leakage is never scaled (see EnergyReport). Every
// component's numbers carry a provenance string. An EnergyReport is priced
// once; TotalPJ(V) is O(1) and At(V) gives the per-component and per-layer
// breakdown. Energies are in pJ; printed totals in µJ (WriteTable).
//
// Simplifications: layers are dense 2-D convolutions or fully connected
// layers (no groups, dilation, pooling or element-wise layers; pooling and
// residual additions cost nothing), and a read-modify-write update is one
// read plus one write.
package accel
