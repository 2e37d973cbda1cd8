// Package accel is the accelerator-neutral model of cosim: it prices the
// workloads of package workload. It holds the counts a
// dataflow mapping produces (Counts: reads, writes and updates per memory,
// operations per mac, cycles and bandwidth stalls, active PEs, the mapping),
// the Accelerator interface that a mapping model (accel/eyeriss) implements,
// the energy model that prices those counts (Costs, Price, EnergyReport) and
// the reports (Summarize, WriteReport: table, JSON, YAML).
//
// Energy of one inference, per layer and per component:
//
//	E = Σ_memories (reads·E_read + (writes + updates)·E_write)·f(V)
//	    + Σ_macs ops·E_op + Σ_overheads (cycles·E_cycle + words·E_transfer)
//	    + Σ_components P_leak · cycles / f_clock
//
// where E_read, E_write and P_leak come from the CACTI table (sram.CACTI for
// the memory's bank capacity depth/banks·width/8 bytes, width, node and
// device; leakage at CACTI's 360 K, × banks × instances) unless the YAML
// gives them explicitly, E_op always comes from the YAML, f(V) = V²/V_nom²
// for memories in the scaled voltage domain and 1 otherwise (WCAT appendix
// C, eq. 12), and leakage is never scaled (see EnergyReport). With the
// spec's rescale-cacti, CACTI's energies are first taken from CACTI's
// supply to the nominal voltage (RescaleCACTI). Overheads (clock network,
// on-chip network) cost E_cycle every cycle of a layer, stall cycles
// included, and E_transfer per word the mapping model moves on the on-chip
// network. A layer's IfmapZeroFrac (zeros in its ifmaps) lets a mapping
// model skip gated MACs, ifmap reads and filter reads on specs with zero gating. An update is
// the write half of a read-modify-write (its read is one of the reads), so
// it is priced as a write. Every component's numbers carry a provenance
// string: the CACTI row or interpolation, or the YAML position and source of
// an explicit energy. An EnergyReport is priced once; TotalPJ(V) is O(1) and
// At(V) gives the per-component and per-layer breakdown. Energies are in pJ;
// printed totals in µJ.
//
// Leakage is part of the total: an inference costs the dynamic energy of its
// accesses plus the leakage of every memory over its cycles. With the WCAT on-chip design the 512 KiB weight SRAM's leakage (CACTI, 65 nm
// itrs-lop, 360 K: 23 mW) dominates that memory's energy, so lowering its
// voltage saves little: its dynamic energy is small because the
// row-stationary dataflow reads each weight from it only a few times per
// inference. The flow the WCAT paper used (Timeloop and Accelergy of
// 2021–22) priced actions only and reported no leakage; Summarize and
// the table give dynamic and leakage energy apart for that comparison.
//
// Simplifications: layers are dense 2-D convolutions or fully connected
// layers (no groups, dilation, pooling or element-wise layers; pooling,
// batch normalisation (fused), activations and residual additions cost
// nothing).
package accel
