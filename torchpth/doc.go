// Package torchpth reads and writes PyTorch checkpoints (.pth) and maps
// them to cosim's quantized models.
//
// Read decodes what torch.save writes — the zip format (PyTorch ≥ 1.6,
// 2.x included) and the legacy stream (_use_new_zipfile_serialization=
// False) — holding a state dict bare, under "state_dict" or
// "model_state_dict" of a training-checkpoint dict, with or without
// DataParallel's "module." prefix. Pickles are decoded by
// github.com/nlpodyssey/gopickle, which builds Go values and runs no code;
// only PyTorch's tensor rebuild function, its storage types and
// collections.OrderedDict may be named, and every length in a pickle is
// checked against the file before anything is allocated.
//
// Import maps a state dict in the WCAT code's key layout
// (docs/wcat-semantics.md §7.2: X.weight, X.bias, X.weight_q_range and its
// duplicate X.weight_quantize_module.q_range; weight_step_size and
// weight_zero_point for LSQ, weight_alpha for PLClip, nothing for Normal;
// the MLP's layer1, layer2, …; torchvision's names for ResNet-18) onto a
// wcat.Model. The architecture, method and which weights are quantized
// are read from the keys and shapes: the model quantizes exactly the
// weights that carry a range (20 of ResNet-20's 22 in the WCAT code, whose
// 1×1 downsample convs stay float), and a file without ranges imports as
// Normal with the downsample convs float, as the WCAT code builds them.
// The bit width is not in a state dict; it defaults to 4, the width of
// every WCAT config. Anything that does not fit the layout exactly is an
// error naming the key.
//
// Export and Write go the other way, so that import ∘ export is the
// identity on every tensor. tools/torchpth holds the clean-room PyTorch
// model of the layout and the script that made the test checkpoints.
package torchpth
