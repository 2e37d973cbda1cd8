// Package kernels owns the hot loops of cosim's neural-network engine:
// single-precision matrix multiplication (Gemm, GemmTA, GemmTB), convolution
// as an implicit GEMM over the activation layout used by package dnn
// (Conv2D), the explicit im2col/col2im pair, and the element-wise epilogues
// used around them (batch-norm scale/shift, ReLU, residual add, per-channel
// sums, means and variances, global average pooling).
//
// # Layout
//
// Activations are stored channel-major across the batch: a tensor of C
// channels, batch N and H×W pixels is one []float32 of length C·N·H·W laid
// out as [C][N][H][W]. A convolution with K filters of shape C×R×S is then one
// GEMM, out[K][N·P·Q] = W[K][C·R·S] × col[C·R·S][N·P·Q], where the rows of col
// are ordered (c, r, s) like the weights and its columns (n, p, q) like the
// output. Conv2D computes exactly that product without materialising col.
//
// # Implementations
//
// Three implementations exist: "avx512" and "avx2" (built only with
// GOEXPERIMENT=simd on amd64, using simd/archsimd) and "generic" (plain Go,
// always built). At start-up the best one the CPU supports is selected; the
// environment variable COSIM_KERNELS (generic, avx2, avx512, auto) or Use
// overrides the choice, and Impl reports it.
//
// Every routine gives bit-identical results in every implementation. The
// GEMM-like routines (Gemm, GemmTA, GemmTB, Conv2D) accumulate each output
// element in ascending order of the reduction index as c = c + round32(a·b)
// — the product rounded to float32, then a rounded add, no fused
// multiply-add — which the SIMD micro-kernels realise with separate vector
// multiply and add instructions (on the target this is also faster than
// VFMADD213PS through archsimd, see gen_ukernels.go). The float64 sums of
// RowSums, RowDots, RowMeans and RowMeanVar use one fixed assignment of
// elements to 16 partial sums and one fixed combination order, shared by
// all implementations.
//
// # Parallelism and determinism
//
// The GEMM-like routines split the output columns into chunks of whole
// micro-tiles, the row-wise and element-wise routines split rows or
// elements; the chunks are handed out to up to GOMAXPROCS goroutines (long-lived
// helpers that spin briefly between calls, see forChunks). Each output
// element is computed by exactly one goroutine in a fixed order, so results
// are bit-identical for any GOMAXPROCS.
//
// # Blocking
//
// A micro-tile is up to 5 rows × 2 vectors (32 columns with AVX-512): the Go
// compiler keeps at most 15 vectors in registers across a loop. A is
// pre-broadcast (one vector per element) and B packed in blocks of 96
// reduction rows (whole input channels for Conv2D) × 1024 columns; Conv2D
// copies its input once into a zero-padded layout and reads B in place from
// it when the output width is a multiple of the vector width (ResNet-20's
// 32×32 and 16×16 outputs with AVX-512), else packs B from it.
//
// # Simplifications
//
// Precondition violations (short slices, leading dimensions smaller than the
// row length, invalid convolution geometry) are programming errors and panic
// with a message naming the routine and the argument, as in BLAS. Sums of
// many terms (RowSums, RowDots, RowMeans, RowMeanVar) accumulate in float64
// and are rounded once. ReLU and the ReLU of ScaleShift and AddReLU map
// v < 0 to +0 and keep −0 and NaN. PeakGFLOPS counts one fused multiply-add
// lane as two floating-point operations.
package kernels
