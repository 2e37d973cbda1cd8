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
// over x < p·t filters gives each of the t sets ⌈x/t⌉ (the sets in use and
// the PE time follow from that), likewise for channels. All counts are
// closed-form sums over the chunks, exact for any remainder.
//
// # Tiles beyond Table III: f, c and the order
//
// Three optional Mapping fields describe mappings outside the JSSC space,
// such as the ones Timeloop's mapper finds for this dataflow (see
// Validation); their zero values are the JSSC mapping above.
//
//   - f (Mapping.F): a pass computes f ofmap columns instead of the full
//     width: the rows are cut into ⌈F/f⌉ column chunks, each a separate
//     pass whose filters are loaded into the spads again and whose ifmap
//     columns (with the halo of S−1) are read again.
//   - c (Mapping.C, a multiple of q·r): a GLB tile holds the psums of c
//     channels' worth of accumulation; the channel chunks of q·r are
//     grouped into ⌈C/c⌉ channel tiles.
//   - Order: the loops over GLB tiles at the backing store, outermost
//     first, a permutation of N (image chunks of n), M (GLB passes of m
//     filters), E (row chunks of e), F (column chunks of f) and C (channel
//     tiles of c); JSSC's is NMEFC. A GLB tile is n images × m filters × e
//     rows × f columns × c channels; inside it the channel chunks run
//     outside the filter groups. Two positions matter to the counts:
//     when M is innermost the GLB keeps a tile's ifmaps (n·c·rows·cols,
//     double-buffered) over the M/m passes, so they come from the backing
//     store once, not once per GLB pass (otherwise it streams one pass's
//     ifmaps, double-buffered, as above); and when a loop with more than
//     one iteration runs inside C, the psums of a tile spill to the
//     backing store after every c channels and come back for the next
//     (⌈C/c⌉ visits instead of one). Consecutive tiles that overlap (the
//     halo rows or columns) are fetched whole, as Timeloop does for a loop
//     that is not innermost.
//
// The search (below) does not explore f, c or the order.
//
// # Counts
//
// Per layer (every count summed over instances; MACs = N·M·C·R·S·E·F,
// positions on the zero padding included):
//
//   - mac: one operation per MAC, less the gated ones: when the spec's mac
//     has zero-gating, a share Layer.IfmapZeroFrac of the MACs (rounded) is
//     skipped with its ifmap-spad and filter-spad reads, as the Eyeriss
//     chip gates a zero ifmap (JSSC 2017). The psum is still read and
//     updated and the cycle still spent.
//   - filter spad: a read per MAC not gated; writes: each pass's filters go to the e
//     PEs of their set row, so N/n·⌈F/f⌉·M·C·R·S·E (reused by the n images).
//   - ifmap spad: a read per MAC; writes: each PE receives the in-input
//     part of its ifmap row for each of its q channels (ifmap values inside
//     the padding are made in the PE), once per filter group and set: N·C ·
//     Σ_groups t' · V_h · U_w, V_h the (filter row, ofmap row) pairs whose
//     input row is inside the input, U_w the input columns some window
//     covers (summed over the column chunks when f < F).
//   - psum spad: a read and an update per MAC and per psum received: a PE
//     adds the psum of the PE below it (R·r' − 1 per chain) and the bottom PE
//     adds the GLB's partial sum for every channel chunk but the first; the
//     first write of each psum is counted as an update too, and the read that
//     sends a psum up replaces the read-modify-write read the first MAC does
//     not need, so reads = updates = MACs + psums received.
//   - weights backing store: the filters of every pass, packed at the
//     layer's WeightBits (as the sweep stores them): N/n · E/e · F/f · all
//     weights.
//   - ifmaps: every pass reads the input rows and columns its sets touch
//     (inside the input), once, multicast to its t sets and, along the
//     diagonals of a set, to the PEs that use the same row:
//     N·C·(M/(p·t) groups)·Σ_row chunks U_h·Σ_column chunks U_w words from the
//     GLB (or from the backing store without one); with a GLB they are
//     brought from the backing store once per GLB pass of m channels
//     (⌈M/m⌉ times), or once when the GLB keeps them (M innermost).
//   - psums: every pass writes its e·f·n psums of p·t filters to the GLB
//     (or the backing store) and, for every channel chunk but the first,
//     reads them first; with a GLB they are read from it and written to the
//     backing store after each of their visits (once, final, unless they
//     spill), and read back from the backing store and written to the GLB
//     for every visit but the first.
//
// Data occupy one word of the memory's word-bits (activations and psums
// everywhere, weights in the spads), weights outside the PEs occupy
// WeightBits; a memory's accesses are ⌈bits / width⌉ per action, i.e. a
// width-bit access carries width/word-bits data (Timeloop's vector access:
// a scalar costs 1/block-size of an access). Every overhead component with
// a transfer energy counts, as operations, the words on the on-chip
// networks: the filter and ifmap spad writes (each a delivery to a PE),
// the psums a PE receives (from the PE below or the GLB) and the psums
// written above the array. Overheads' cycle energy is charged over the
// layer's cycles (stalls included) and is part of the search objective.
//
// # Cycles
//
// A pass takes n·f·p'·(q'·S + 1) cycles: per ofmap column and filter a PE
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
// ifmap refetches), with full rows (f = F), all channels per GLB tile
// (c = C) and the JSSC order. It keeps the minimum of the objective (energy at the
// nominal voltage with leakage, delay or EDP; ties broken by the other
// quantity, then by enumeration order). The search is exhaustive over this
// space, so it is never worse than a given mapping of the space (such as
// Table III's). Each candidate costs O(1); a CIFAR ResNet-56 is mapped and
// priced in well under a second (BenchmarkPriceResNet56).
//
// # Validation against Timeloop
//
// Issue 4 quotes Timeloop's result for the eyeriss_like design on VGG02
// layer 5 (C 128, M 256, 3×3, 56×56, batch 1): 5,505,024 cycles, 2.989
// pJ/MAC, DRAM 1.000. Its source is the exercise
// workspace/tutorial_exercises/01_accelergy_timeloop_2020_ispass/
// timeloop+accelergy/ref-output/intmac of
// Accelergy-Project/timeloop-accelergy-exercises: inputs/input.yaml
// (commit 09545d3f) has the architecture (45 nm), the constraints (weights
// bypass the GLB; only Q and M spatial across the 14 columns, S, C and M
// across the 12 rows; the weights spad may iterate R and C, the psum spad
// M, the ifmap spad nothing) and the mapper (random-pruned, metrics
// [delay, energy], victory condition 500, timeout 15000, 8 threads).
// Four versions of its timeloop-mapper.stats.txt were published, all at
// 5,505,024 cycles and 100 % utilisation, with different mappings and
// energies: 4.056 pJ/MAC of which DRAM 1.000 (commit 2ffec693), 9.730 and
// DRAM 5.120 (09545d3f, f2320f38), 14.201 and DRAM 9.621 (bc2f6b8b). The
// constraints do not force a mapping: the mapper stops at some minimum-delay
// mapping and its energy is that mapping's. The numbers are the
// 2ffec693 run's counts priced with the 32 nm ERT of
// workspace/baseline_designs/example_designs/eyeriss_like/ref_outputs/
// default_problem/timeloop-mapper.ERT_summary.yaml (commit b47e6cf0), the
// energies of eyeriss-like-timeloop.yaml: 2.987 pJ/MAC dynamic, 2.991 with
// the ERT's leakage.
//
// That run's mapping (Timeloop's R, P are width, S, Q height) is DRAM
// Q4 C4 P7 M4, GLB M2 C4 P8, Q14 across the columns, S3 M4 across the rows,
// weights spad R3 C8, psum spad M8: row-stationary sets of 3 × 14 PEs with
// p = q = 8, t = 4, but passes of only 8 ofmap columns under a DRAM loop
// over 7 column chunks (every weight comes from DRAM 28 times: 8.26 M
// words) and the channel loop above the filter and column loops at DRAM
// (psums spill: 3.21 M DRAM writes, 2.41 M reads). That is the 1.000
// pJ/MAC of DRAM, 9.5 times the layer's minimum traffic; it was not
// expressible in the JSSC space. In this package's notation it is m 64, n 1,
// e 14, p 8, q 8, r 1, t 4, f 8, c 32, order NECFM, and the model gives
// (TestTimeloopVGG02Layer5, pJ/MAC, model vs Timeloop's counts, 32 nm): mac
// 0.208 vs 0.208, psum spad 0.490 vs 0.478, weights spad 1.106 vs 1.106,
// ifmap spad 0.106 vs 0.106, GLB 0.078 vs 0.089, DRAM 0.998 vs 1.000; total
// 2.985 (issue: 2.989, −0.1 %), and 4.049 vs 4.054 at 45 nm against
// Timeloop's published per-level energies. Cycles: 5,734,400 (+4.2 %, the
// accumulation cycle above). What remains are counting conventions, not
// traffic: Timeloop counts the zero padding as data (a 58×58 input: ifmap
// DRAM 573,440 words, the model 539,648), reads an ifmap row from the GLB
// once per PE of a set that uses it (42 row reads per pass; the model
// multicasts it along the diagonal, 16) and not for psums leaving the GLB
// for DRAM, and writes the GLB's psum into every PE of a chain while it
// counts no read for sending a psum on (the model: a read and an update per
// psum received). The model's own delay-first search finds m 128, n 1,
// e 14, p 16, q 8, r 2, t 2: as fast (5,734,400 cycles) at 2.043 pJ/MAC,
// DRAM 0.199.
package eyeriss
