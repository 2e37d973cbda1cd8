// Package wcat quantizes the weights of a network and trains it: the
// quantizers of the WCAT paper (Chitsaz et al., "Training DNNs Resilient to
// Adversarial and Random Bit-Flips by Learning Quantization Ranges", TMLR
// 2023) and its baselines, bit-flip-noise (BFN) training, α
// initialisation, SGD with Nesterov momentum and the training loop with
// resumable state. The semantics follow the authors' code as described in
// docs/wcat-semantics.md (cited as §n below).
//
// Quantizers (one per conv/linear weight tensor, §1–4):
//   - normal: s = max|w|/2^(b−1), q = round(clamp(w/s, qn, qp)), STE.
//   - wcat: c = clip(w, ±α), s = α/2^(b−1) (detached), q = clamp(round(c/s)),
//     STE for every weight; ∂L/∂α = (1/√N)(Σ_{w>α} g − Σ_{w<−α} g); α decays
//     with λ through the optimiser.
//   - plclip: α_l = c·max(0.2, max|W_l|/max_j max|W_j|), recomputed every
//     training forward; the weight gradient is zero outside ±α_l.
//   - lsq: learned step s, q = round(clamp(w/s, qn, qp)).
//
// Rounding is half to even (torch.round). The default grid is the reference
// code's two's-complement grid [−2^(b−1), 2^(b−1)−1] with step α/2^(b−1);
// GridPaper selects the paper's symmetric grid (eq. 3–4).
//
// Decisions on the reference code's quirks (§ marked [QUIRK]):
//   - Downsample convolutions (§1.3): the reference leaves the two 1×1
//     downsample convs of the CIFAR ResNets unquantized by accident. cosim
//     quantizes every conv/linear weight (all of them sit in the weight SRAM);
//     Config.SkipDownsample reproduces the reference for comparison.
//   - Re-quantization after noise (§2.1): the reference's Normal and PLClip
//     recompute the step (or α) from the perturbed weights at evaluation.
//     cosim fixes the step of every layer from the clean weights, as an
//     accelerator does (the step is a register, not data in the faulty
//     SRAM), so faulty codes are dequantized with the clean step. Fixed.
//   - p0 at evaluation (§2.1): BFN noise is applied in training forwards only
//     (Model.Quantize with a noise source); evaluation and Monte Carlo never
//     add it. Fixed, as the reference document recommends.
//   - LSQ step gradient (§4.3): fixed. The reference code's gradient (only
//     the division uses the gradient-scaled step: ∂ŵ/∂s = q − γ·w/s inside,
//     qn or qp outside) is about 1/γ = √(qp·N) times standard LSQ's q-term
//     (≈ 500 for a 36,864-weight layer at 4 bits); with the CIFAR recipe's
//     lr 0.1 from scratch it throws the steps so far that every code
//     becomes 0 and ResNet-20 stays at chance (loss ln 10 after the first
//     epoch, measured). cosim uses standard LSQ (Esser et al. 2020),
//     γ·(q − w/s) inside and γ·qn, γ·qp outside; Config.LSQReferenceGrad
//     (cosim train --lsq-reference-grad) reproduces the reference. The step
//     gets the global weight decay, as there.
//   - α initialisation on pretrained weights (§3.4): not applicable; cosim
//     initialises α from the weights present when training starts (which
//     are the random initial weights, as in the reference for CIFAR).
//   - PLClip during Monte Carlo: α_l is computed once from the clean weights
//     (see re-quantization above).
//
// Training (§5): SGD with Nesterov momentum 0.9, weight decay 5e−4 for
// every parameter but α (λ = 0.01), cosine schedule stepped per epoch, a
// seeded train/validation split (45k/5k on CIFAR-10), drop_last batches,
// random crop with 4 pixels of black padding and horizontal flips, and the
// best-validation weights kept. Every random draw derives from the recipe's
// seed and the (epoch, batch) it belongs to, so a run resumed from its
// end-of-epoch state reproduces an uninterrupted run exactly.
package wcat
