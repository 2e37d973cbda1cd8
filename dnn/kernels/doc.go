// Package kernels owns the hot loops of cosim's neural-network engine:
// single-precision matrix multiplication (Gemm, GemmTA, GemmTB), convolution
// as an implicit GEMM over the activation layout used by package dnn
// (Conv2D), its weight gradient (ConvWeightGrad), the explicit im2col/col2im
// pair, the element-wise epilogues used around them (batch-norm scale/shift
// and its gradient, ReLU, residual add, per-channel sums, means and
// variances, global average pooling), and the lane-tensor kernels of the
// inference engine (LaneConvForward, LaneWinograd and their helpers).
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
// The inference engine uses lane tensors instead (LaneShape): a group of
// LaneWidth = 16 images interleaved pixel by pixel, [C][H+2·Pad][W+2·Pad][16],
// with the zero padding kept in place. A pixel of the group is one AVX-512
// vector (two AVX2 vectors), so a convolution reads its input in place, in
// aligned vectors, with no layout copy, and every image sees exactly the
// same arithmetic as it would alone.
//
// # Implementations
//
// Three implementations exist: "avx512" and "avx2" (built only with
// GOEXPERIMENT=simd on amd64, using simd/archsimd) and "generic" (plain Go,
// always built). At start-up the best one the CPU supports is selected; the
// environment variable COSIM_KERNELS (generic, avx2, avx512, auto) or Use
// overrides the choice, and Impl reports it. A value naming a path this CPU
// or build lacks leaves the best path selected and is reported by EnvError,
// which commands check before any work. No SIMD instruction runs before the
// dispatch: package variables and init hold plain data only (a test checks
// the source), so the package starts on any CPU.
//
// Every routine gives bit-identical results in every implementation. The
// GEMM-like routines (Gemm, GemmTA, GemmTB, Conv2D, LaneConvForward and the
// GEMMs inside LaneWinograd) accumulate each output element in ascending
// order of the reduction index as c = c + round32(a·b) — the product rounded
// to float32, then a rounded add, no fused multiply-add — which the SIMD
// micro-kernels realise with separate vector multiply and add instructions
// (on the target this is also faster than VFMADD213PS through archsimd, see
// gen_ukernels.go). ConvWeightGrad, whose reduction is long, accumulates
// into 16 fixed lanes and combines them with a fixed tree (see its doc). The
// float64 sums of RowSums, RowDots, RowMeans, RowMeanVar and
// BatchNormGradStats use one fixed assignment of elements to 16 partial sums
// and one fixed combination order, shared by all implementations. The
// Winograd transforms use one fixed operation order in every
// implementation.
//
// # Parallelism and determinism
//
// The GEMM-like routines split the output columns into chunks of whole
// micro-tiles, the row-wise and element-wise routines split rows or
// elements, ConvWeightGrad splits (image segment, input-channel block)
// pairs whose partial results are combined in a fixed order; the chunks are
// handed out to up to GOMAXPROCS goroutines (long-lived helpers that spin
// briefly between calls, see forChunks). Each output element is computed by
// exactly one goroutine in a fixed order, so results are bit-identical for
// any GOMAXPROCS. The lane kernels run on the calling goroutine only: the
// inference engine parallelises over groups of images, or runs one Monte
// Carlo trial per goroutine; a LaneScratch per goroutine keeps them free of
// allocation.
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
// LaneConvForward packs each row tile's weights once per call and walks
// bands of output rows (whose input rows stay in L2) × row tiles ×
// reduction blocks of whole channels (whose panel, at most 20 KiB, stays in
// L1) × strips of two output pixels. LaneWinograd transforms chunks of 16
// tiles into [16 positions][C][tiles] (position strides padded off powers
// of two, which put a tile's 16 values into one L1 set), runs the 16 GEMMs
// with kernels that loop over the strips of a chunk, and transforms back
// with the bias, residual and ReLU fused; WinogradPanels keep the
// pre-broadcast transformed weights across calls.
//
// # Generated code
//
// Code that differs only in the vector width or the register block is
// written by generators (go generate): gen_ukernels.go, gen_strips.go and
// gen_wgrad.go write the SIMD micro-kernels, gen_vec.go the element-wise,
// packing, peak and Winograd transform kernels of both vector widths, and
// gen_generic.go the plain-Go micro-kernels; gen_common.go holds what the
// generators share.
//
// # Simplifications
//
// Precondition violations (short slices, leading dimensions smaller than the
// row length, invalid convolution geometry) are programming errors and panic
// with a message naming the routine and the argument, as in BLAS. Sums of
// many terms (RowSums, RowDots, RowMeans, RowMeanVar, BatchNormGradStats)
// accumulate in float64 and are rounded once. ReLU and the ReLU of
// ScaleShift, AddReLU and the lane epilogues map v < 0 to +0 and keep −0
// and NaN. LaneWinograd handles only 3×3, stride-1, padding-1 convolutions
// with an even output size (LaneConvForward does the rest); its result
// differs from the direct sum by rounding. PeakGFLOPS counts one fused
// multiply-add lane as two floating-point operations.
package kernels
