// Package eyeriss maps conv and fully connected layers onto an Eyeriss-like
// architecture spec with the row-stationary (RS) dataflow of Chen et al.
// (ISCA 2016; JSSC 2017), searches the legal mappings for the best one, and
// counts memory accesses per level and action, MAC operations and cycles
// for package accel to price.
//
// # Roles
//
// Roles finds, from the spec alone, the one mac (the PE array is its node:
// MeshY rows × MeshX columns) and, for each data type, the memories on the
// path from the mac to the root: a per-PE spad in the mac's node, then for
// ifmaps and psums an optional global buffer (GLB), then the backing store,
// the outermost memory (DRAM, or an on-chip SRAM holding the whole tensor).
// Weights have no GLB: as in the Eyeriss chip, filters go from the backing
// store straight to the filter spads. Any other memory holding a data type
// is an error. So eyeriss.yaml (spads → glb → DRAM, weights spads → DRAM),
// eyeriss-like-timeloop.yaml (the same) and eyeriss-onchip.yaml (spads →
// glb for activations, spads → weight_sram for weights) all fit.
//
// # The mapping (JSSC 2017, Table III)
//
// A layer has N images of C×H×W, M filters of C×R×S, outputs M×E×F, stride
// U. A PE set is R×e PEs: PE (i, j) convolves filter row i with ifmap row
// U·j + i (one 1-D row convolution, sliding along the row), and the R PEs of
// a column accumulate their psums into ofmap row j. Each PE holds p filters
// × q channels of its filter row (p·q·S weights), q·S ifmaps (the sliding
// windows) and p psums. A set wider than the array's columns is folded into
// ⌈e/cols⌉ strips stacked vertically (JSSC CONV2: 5×27 → 10×14, 135 PEs);
// sets narrower than it may sit side by side (CONV1: two 11×7 sets). r sets
// take different channels (their psums accumulate: one chain of R·r PEs per
// column) and t sets different filters, r·t ≤ the sets that fit. One
// processing pass computes p·t filters × q·r channels × e ofmap rows (full
// width F) of n images; the GLB holds the psums of m ofmap channels (m a
// multiple of p·t, or M) × e rows × F × n images, plus, double-buffered, the
// ifmap rows of one pass. Passes run in the order of the JSSC paper
// (innermost first): the m/(p·t) filter groups, then channel chunks of q·r,
// then ofmap-row chunks of e, then the M/m GLB passes, then image chunks of
// n. Legal: q·S ≤ ifmap spad, p ≤ psum spad, p·q·S ≤ filter spad (in data:
// depth × width/word-bits), R·⌈e/cols⌉ ≤ rows, r·t ≤ sets that fit, the
// GLB tiles ≤ its capacity (inputs and outputs summed when they share it),
// and a finite backing store must hold the layer's tensors. Not modelled
// (an error): filters taller than the array (R > rows), filter rows longer
// than a spad.
//
// Chunks need not divide the dimension: the last is smaller, and a pass
// over f < p·t filters gives each of the t sets ⌈f/t⌉ (the sets in use and
// the PE time follow from that), likewise for channels. All counts are
// closed-form sums over the chunks, exact for any remainder.
//
// # Counts
//
// Per layer (every count summed over instances; MACs = N·M·C·R·S·E·F,
// positions on the zero padding included, no zero skipping):
//
//   - mac: one operation per MAC.
//   - filter spad: a read per MAC; writes: each pass's filters go to the e
//     PEs of their set row, so N/n·M·C·R·S·E (reused by the n images).
//   - ifmap spad: a read per MAC; writes: each PE receives the in-input
//     part of its ifmap row for each of its q channels (ifmap values inside
//     the padding are made in the PE), once per filter group and set: N·C ·
//     Σ_groups t' · V_h · U_w, V_h the (filter row, ofmap row) pairs whose
//     input row is inside the input, U_w the input columns some window
//     covers.
//   - psum spad: a read and an update per MAC and per psum received: a PE
//     adds the psum of the PE below it (R·r' − 1 per chain) and the bottom PE
//     adds the GLB's partial sum for every channel chunk but the first; the
//     first write of each psum is counted as an update too, and the read that
//     sends a psum up replaces the read-modify-write read the first MAC does
//     not need, so reads = updates = MACs + psums received.
//   - weights backing store: the filters of every pass, packed at the
//     layer's WeightBits (as the sweep stores them): N/n · E/e · all weights.
//   - ifmaps: every pass reads the input rows its sets touch (inside the
//     input), once, multicast to its t sets: N·C·(M/(p·t) groups)·Σ_chunks
//     U_h·U_w words from the GLB (or from the backing store without one);
//     with a GLB they are brought from the backing store once per GLB pass
//     of m channels (⌈M/m⌉ times).
//   - psums: every pass writes its e·F·n psums of p·t filters to the GLB
//     (or the backing store) and, for every channel chunk but the first,
//     reads them first; with a GLB the final ofmaps are then read from it and
//     written to the backing store (once).
//
// Data occupy one word of the memory's word-bits (activations and psums
// everywhere, weights in the spads), weights outside the PEs occupy
// WeightBits; a memory's accesses are ⌈bits / width⌉ per action, i.e. a
// width-bit access carries width/word-bits data (Timeloop's vector access:
// a scalar costs 1/block-size of an access). Traffic between PEs and on the
// networks on chip is not priced (the specs have no NoC component).
//
// # Cycles
//
// A pass takes n·F·p'·(q'·S + 1) cycles: per ofmap column and filter a PE
// spends q'·S MAC cycles, plus one cycle in which its single adder adds the
// psum it receives (dropped for a lone PE starting from zero). This
// accumulation cycle is the model's assumption about the Eyeriss PE
// datapath; with it the JSSC Table III mappings land within −8 % … +7 % of
// the chip's measured AlexNet latencies (without it: −4 % … −16 %). Every
// memory with a read-bandwidth or write-bandwidth (words per cycle per
// instance) needs its words / bandwidth cycles; the layer takes the maximum
// of the compute cycles and those (transfers are overlapped with compute,
// as Timeloop assumes; the GLB's ifmap tile is double-buffered for that),
// and Counts.StallCycles is the excess. There is no fill/drain or
// configuration time.
//
// # Search
//
// Search enumerates e = ⌈E/k⌉ for k = 1…E (the balanced widths: any other e
// gives the same number of row chunks with a worse split), n = ⌈N/k⌉, every
// p, q allowed by the spads, every t ≤ ⌈M/p⌉ and r ≤ ⌈C/q⌉ whose sets fit,
// and, for each, the largest m that fits the GLB (a larger m only saves
// ifmap refetches). It keeps the minimum of the objective (energy at the
// nominal voltage with leakage, delay or EDP; ties broken by the other
// quantity, then by enumeration order). The search is exhaustive over this
// space, so it is never worse than a given mapping of the space (such as
// Table III's). Each candidate costs O(1); a CIFAR ResNet-56 is mapped and
// priced in well under a second (BenchmarkPriceResNet56).
package eyeriss
