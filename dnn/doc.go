// Package dnn is cosim's neural-network engine: parameters (gorgonia.org/tensor
// as the container, float32), layers with forward and backward passes,
// models, data sets, checkpoints, and the workload shapes the accelerator
// model prices. It knows nothing about voltage: quantizers install the
// (possibly faulty) dequantized weights through Param.SetEffective.
//
//   - Layers: Linear, ReLU, Conv2d (any square kernel, stride, zero padding,
//     no bias), BatchNorm2d (PyTorch semantics: batch statistics with biased
//     variance in training, running statistics updated with the unbiased
//     variance and momentum 0.1, eps 1e−5), max and global average pooling.
//   - Models: MLP (the WCAT paper's appendix-A 784-100-10 network), the CIFAR
//     ResNet-20/32/44/56 of docs/wcat-semantics.md §7.1 (option-B 1×1 conv + BN
//     shortcut at layer2.0 and layer3.0) and the torchvision ResNet-18 shape.
//     Parameter names and shapes follow PyTorch's state_dict.
//   - Layout: models take inputs [N][C][H][W] and return logits [N][classes];
//     inside the convolutional networks activations are channel-major across
//     the batch, [C][N][H][W], so that a convolution is one GEMM (package
//     dnn/kernels holds the SIMD kernels).
//   - Data: MNIST from the GoMNIST module's IDX files, CIFAR-10 from the
//     official binary files (plain or gzipped), with the reference
//     normalisation and training augmentation (flip, then crop with 4 pixels
//     of black padding), images kept as 8-bit pixels and normalised per batch
//     (no resizing).
//   - Checkpoints: a versioned, SHA-256-checksummed container (see
//     WriteCheckpoint) of named tensors plus JSON metadata.
package dnn
