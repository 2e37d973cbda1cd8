// Package arch owns the architecture specs of cosim: the YAML schema, its Go
// types (Spec, Node, Component), strict parsing with file:line:col messages,
// validation, defaults, and the built-in specs embedded from arch/specs/.
//
// # Schema (version cosim/1)
//
// A spec is one YAML document, a Timeloop-like tree (see
// arch/specs/eyeriss-onchip.yaml for a complete example):
//
//	architecture:
//	  version: cosim/1          # required, exactly this string
//	  name: NAME                # required
//	  technology: 65nm          # required: "65nm", "65 nm" or 65; default CACTI node
//	  device: itrs-lop          # required: itrs-hp | itrs-lop; default CACTI device
//	  clock-mhz: 200            # required, > 0
//	  voltage:
//	    nominal-v: 0.8          # required, > 0 [V]
//	    rescale-cacti: false    # optional (default false): see below
//	    ber: {a: .., b: .., c: ..}  # optional; if given, all three are required
//	    # or ber: {points: [[V, BER], ...], fit: quadratic|linear}: fitted on ln BER
//	    energy-model: paper     # optional: paper (default) | dynamic-only | physical
//	  subtree: [NODE, ...]      # required, at least one node
//
// When the whole `ber` key is absent the BER model defaults to the WCAT
// appendix C fit (a = 22.12, b = −68.14, c = 0, sram.PaperBER) and
// Spec.BERFromYAML is false; a partial `ber` mapping is an error, never
// completed from the defaults. Measured `points` (at least three usable, at
// distinct voltages, for the quadratic fit; two for linear) replace the
// coefficients with their least-squares fit (Spec.BERFit keeps the residuals).
// Any given or fitted model must pass sram.BERModel.Validate.
//
// `energy-model` is the default energy(V) model of the scaled memories
// (sram.EnergyModel); ParseWith's Options.EnergyModel overrides it.
//
// A NODE has `name` (NAME or NAME[lo..hi], the latter meaning hi−lo+1
// instances), optional `attributes: {meshX, meshY}` (both given: their product
// must equal the instance count; one given: it must divide the count and
// fixes the other), `local` (components) and `subtree` (nodes); at least one
// of the last two. Sibling nodes have distinct names.
//
// A component has `name` (unique over the whole spec), `class` and
// `attributes`:
//
//   - SRAM and regfile: `depth` (words, > 0), `width` (bits per access, > 0),
//     `word-bits` (bits of one datum; width must be a multiple of it), optional
//     `banks` (default 1; must divide depth), `technology` and `device`
//     (override the spec defaults), `datatypes` (a subset of weights, inputs,
//     outputs), `voltage-domain` (nominal, the default, or scaled; a scaled
//     memory must hold at least one datatype; exactly one scaled memory
//     holds the faulty weights, and any other scaled memory must say
//     `faults: none`), optional `energy-model` on a scaled memory (a model
//     name, or {model: physical, subthreshold-share, leakage-exponent} or
//     {model: physical, leakage-points: [[V, mW], ...]}), optional `read-bandwidth` and
//     `write-bandwidth` (words of word-bits per cycle per instance, > 0;
//     absent: unlimited) and `energy: {read-pj, write-pj, leakage-mw,
//     source}`, all four required when `energy` is given: an explicit energy
//     overrides the CACTI estimate, and reports say so. Without
//     `energy` the memory is priced from the CACTI 7 table (sram.CACTI) as
//     one bank of depth/banks · width/8 bytes; a regfile is priced as an SRAM
//     array of the same size (CACTI has no register-file model), and Parse
//     rejects geometries the table cannot price. Leakage in `energy` is per
//     instance.
//     The faulty weight memory may say `protection` (ecc.Protection): none
//     (the default), secded, zero-space or msb, or a mapping {scheme,
//     uncorrectable: keep|zero (default keep), msb-fraction (msb: the
//     fraction of weights whose MSB is reliable, (0, 1]), encoder-pj,
//     decoder-pj (codec energy per 64-bit word; given energies need a
//     `source`, absent ones take ecc's defaults)}; secded and zero-space
//     need width 64. ParseWith's Options.Protection overrides it; the
//     accel package prices what it adds.
//   - DRAM: `width`, `word-bits`, optional `depth` (absent: unbounded),
//     `datatypes`, `voltage-domain` (nominal only: the BER model is an SRAM
//     model), optional `read-bandwidth` and `write-bandwidth`, and a
//     required `energy: {read-pj, write-pj, source}` with optional
//     `leakage-mw` (default 0: DRAM background power is not modelled).
//   - mac: `datawidth`, optional `zero-gating` (true or false, default
//     false: the PE skips the MAC, the ifmap-spad read and the filter-spad
//     read when its ifmap operand is zero, as the Eyeriss chip does; applied with
//     workload.Layer.IfmapZeroFrac) and a required `energy: {op-pj, source}`
//     (no CACTI row covers arithmetic).
//   - overhead: energy that is neither a memory access nor a MAC (clock
//     network, on-chip network, control): only a required `energy:
//     {cycle-pj, transfer-pj, source}` with at least one of the two
//     energies (the other defaults to 0). cycle-pj is spent by each
//     instance every clock cycle of a layer, the cycles stalled on memory
//     bandwidth included; transfer-pj per word the mapping model moves on
//     the on-chip network (accel/eyeriss: spad fills and psum hops).
//
// `voltage.rescale-cacti: true` rescales the CACTI-priced memories from
// CACTI's supply for their node and device (0.8 V for 65 nm itrs-lop) to
// nominal-v: dynamic energy × (V_nom/V_CACTI)², leakage power by the rule
// of the physical energy(V) model, s·r^k + (1−s)·r with r = V_nom/V_CACTI
// (accel.RescaleCACTI). Without it (the default) CACTI's energies are
// taken as the energies at nominal-v, as the WCAT paper does; explicit
// energies are never rescaled.
//
// Energies must be finite and ≥ 0; every explicit energy keeps its `source`
// and position so that reports say the number came from the YAML, not CACTI
// (Energy.Provenance).
//
// # Built-in specs
//
// BuiltinNames lists the specs embedded from arch/specs/: eyeriss (the JSSC
// 2017 chip with DRAM, CACTI-priced and rescaled to its 1.0 V, with a
// 16-bit 65 nm MAC, zero gating, clock-network and on-chip-network
// overheads and the off-chip link's bandwidth), eyeriss-onchip (the WCAT paper's
// all-on-chip variant with a voltage-scaled weight SRAM) and
// eyeriss-like-timeloop (the Timeloop/Accelergy eyeriss_like design with
// its ERT energies written out explicitly). Each file's comments give the
// sources of its numbers.
//
// # Strictness
//
// Unknown keys, keys that do not apply to the component's class, duplicate
// keys, wrong types (a string where a number is due, a float where an integer
// is due), missing required keys and impossible values are errors. Anchors,
// aliases and merge keys are rejected (each field has exactly one position),
// as are empty files and files with more than one document. Every error is
// an *Error whose message starts with the file name, usually
// "file:line:col: …" naming the field, e.g.
//
//	eyeriss.yaml:12:5: unknown key "widht" in attributes of weight_sram
//
// Syntax errors carry only the line yaml.v3 reports ("file:line: …").
package arch
