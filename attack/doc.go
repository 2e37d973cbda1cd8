// Package attack runs adversarial bit-flip attacks on a quantized network
// whose weights are stored as b-bit two's-complement codes: the progressive
// bit search (BFA, Rakin et al., ICCV 2019, as the WCAT authors' code runs
// it) and its targeted variant (T-BFA, Rakin et al., TPAMI 2021).
//
// # The weights under attack
//
// The attack acts on the clean codes q and the step s of every quantized
// layer as wcat.Model.Quantize computes them, which is what the weight
// memory holds (sram.Memory): flipping bit j of a weight turns q into
// sram.FlipBit(q, j, b), and the weight becomes s·q′ (wcat.Dequantize) with
// the layer's clean step, exactly as a fault in the memory does. For a
// Normal model this is the reference's intended fixed α = max|W| (its codes
// are those of the model's own quantizer); for PLClip the range α_l the
// model computes from its clean weights (docs/wcat-semantics.md §6.1 asks for
// max|W_l|, which for PLClip would requantize a different network).
//
// # Progressive bit search (docs/wcat-semantics.md §6.2)
//
// One iteration computes, on the fixed attack batch with the batch norms in
// evaluation mode, the cross-entropy L0 and its gradient g with respect to
// the dequantized weights. In every layer it takes the KTop weights of
// largest |g| (ties to the lower index) and scores each bit j of their
// codes by G = g·v_j, v = (−2^(b−1), 2^(b−2), …, 1) MSB first: the
// first-order change of the loss, in units of s, when bit j goes from 0 to
// 1. A flip can raise the loss to first order only if the bit is 0 and
// G > 0, or it is 1 and G < 0; the others are masked to 0. With n = 1, 2, …
// the n entries of largest masked |G| (ties to the lower index in the
// b × KTop matrix, MSB row first, weights in rank order) are flipped in
// every layer in turn, the attack batch's loss L_ℓ is measured with the
// flips in place, and the layer of largest L_ℓ is kept as soon as
// L_ℓ > L0. A layer whose masked matrix is all zero flips one random bit of
// the b·KTop candidates (the WCAT code; Rakin's flips nothing). The attack
// stops when the accuracy on the evaluation set is at most the threshold
// (100/C + 1/C percent: 10.1% on CIFAR-10); N_flip counts the bits flipped.
//
// T-BFA minimises instead: the loss is the cross-entropy of the source-class
// attack images against the target label plus that of the other attack
// images against their own labels, the sign of the search is reversed, one
// bit is flipped per iteration (the layer of lowest loss), and the attack
// stops when the attack success rate on held-out source images (predicted
// as the target) reaches the goal or the flip budget is spent.
//
// # Early-stopped accuracy check
//
// The loop only needs to know whether the accuracy on the N evaluation
// images exceeds the threshold T, that is whether the number c of correct
// images satisfies 100·c > T·N. Let need be the least such count (Need).
// Scoring the images in a fixed order, after k of them with c_k correct the
// final count lies in [c_k, c_k + (N − k)], so the answer is already known
// once c_k ≥ need (above, whatever the rest) or c_k + (N − k) < need (not
// above, even if every remaining image is correct); before that both
// answers are still possible. Decide stops at the first chunk of images at
// which one of the two holds, which gives exactly the answer of the full
// count, so the sequence of flips and N_flip do not change (tested against
// Settings.FullCheck). The order only decides how soon: the images last
// seen correct come first, then the others by their last margin, largest
// first, and chunks shrink to the count still missing, so a check that
// ends "above" scores little more than need images, even near the
// threshold where a few images that were wrong have turned correct.
//
// # Incremental forward passes
//
// Trying a flip in layer ℓ changes only the steps from ℓ on: the attack
// batch's activations before every layer are recorded once per iteration
// (dnn.Prefix) and each try recomputes from its layer, bit for bit the
// full forward pass. The accuracy recorded after a flip is then that of
// the scored prefix (a uniformly random subset of the evaluation set: the
// order is a random permutation per trial) with its size; the last check of
// a trial, which ends it, scores the whole set.
//
// # Randomness
//
// Trial t draws its attack batch and evaluation order from
// seed.Stream(Seed, t, 0) and its random bits from seed.Stream(Seed, t, 1),
// and nothing else: each trial is self-contained, every model meets the
// same attack batches, and the results do not depend on the number of
// threads (the compiled engine and the gradient are thread-independent).
package attack
