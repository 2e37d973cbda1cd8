// Package sram models the SRAMs of an accelerator under supply-voltage
// scaling: how often a stored bit flips (BER(V) models), what an access
// costs (CACTI 7 tables and its energy as a function of V), and a faulty
// memory that stores quantized weight codes bit by bit. It knows nothing
// about layers or networks: a weight tensor is a segment of codes.
//
//   - BER: BERModel is ε(V) = min(exp(a + bV + cV²), 0.5) (WCAT, Chitsaz et
//     al., TMLR 2023, appendix C, eq. 11); PaperBER gives the paper's
//     coefficients and FitBER fits measured points by least squares on ln BER
//     (gonum QR).
//   - Energy(V): EnergyModel scales a memory's dynamic and leakage energy
//     with its supply — the paper's E = E_nom·V²/V_nom² (eq. 12) for both,
//     dynamic energy only, or a physical leakage model (subthreshold share
//     and exponent, or a Nelder–Mead fit to measured leakage, FitLeakage).
//   - Energy: CACTI looks up, interpolates (log-log) or extrapolates the
//     embedded CACTI 7 table cacti/sram_cacti.csv (cacti/PROVENANCE.md);
//     every result carries its provenance.
//   - Faults: Memory packs signed b-bit two's-complement codes into words and
//     flips physical bits, padding included; SampleFlips draws i.i.d.
//     Bernoulli(p) flips by geometric gap sampling; Chip is a fault map that
//     persists across voltages (a threshold u ~ U(0,1) per bit, failing
//     where u < p), with the same i.i.d. marginal at every p. Encode, Decode and
//     FlipBit are the code ↔ bit-pattern mapping of the WCAT reference code
//     (docs/wcat-semantics.md §1.4).
//
// Simplifications, stated exactly:
//   - Every physical bit fails independently with the same probability
//     p = BER(V); there are no per-cell, spatially correlated or
//     data-dependent (0→1 vs 1→0) failure rates, and a flip is persistent for
//     one Monte Carlo trial (one draw over the whole memory). A Chip's
//     thresholds are independent of position too; its stuck-at reading gives
//     each failing cell its own fair random stuck value.
//   - CACTI's energies and leakage are those at the device type's own Vdd;
//     EnergyModel scales them from the nominal voltage, and the physical
//     model's exponent is a per-node constant, not a device simulation.
//   - CACTI values between or beyond table points are log-log interpolations
//     or extrapolations of CACTI rows, never new CACTI runs (see CACTI).
package sram
