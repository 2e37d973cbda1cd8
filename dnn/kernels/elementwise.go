package kernels

import "fmt"

// elementwiseGrain is the number of elements below which element-wise
// routines run on the calling goroutine only; it is also about the size of
// one unit of work handed to a goroutine.
const elementwiseGrain = 1 << 16

// splitRange runs fn over [0, n) in chunks of about elementwiseGrain/2
// elements whose boundaries are multiples of align, spread over up to
// GOMAXPROCS goroutines (see forChunks).
func splitRange(n, align int, fn func(lo, hi int)) {
	if n < elementwiseGrain {
		fn(0, n)
		return
	}
	size := max(align, (elementwiseGrain/2)/align*align)
	chunks := (n + size - 1) / size
	forChunks(chunks, func(i int) { fn(i*size, min(n, (i+1)*size)) })
}

// splitRows runs fn over the rows [0, rows) of a rows×cols matrix in groups
// of whole rows of about elementwiseGrain/2 elements, spread over up to
// GOMAXPROCS goroutines (see forChunks).
func splitRows(rows, cols int, fn func(r0, r1 int)) {
	if rows*cols < elementwiseGrain || rows <= 1 {
		fn(0, rows)
		return
	}
	per := max(1, (elementwiseGrain/2)/max(cols, 1))
	chunks := (rows + per - 1) / per
	forChunks(chunks, func(i int) { fn(i*per, min(rows, (i+1)*per)) })
}

func checkLen(fn, name string, got, want int) {
	if got < want {
		panic(fmt.Sprintf("kernels.%s: len(%s) = %d, need at least %d", fn, name, got, want))
	}
}

func checkRows(fn string, rows, cols int) {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("kernels.%s: negative shape %d×%d", fn, rows, cols))
	}
}

// ScaleShift computes x[r][j] = x[r][j]·scale[r] + shift[r] for the
// row-major rows×cols matrix x (the product is rounded before the add), and
// then max(·, 0) when relu is true. With x laid out [C][N·H·W] this is an
// inference batch norm (or any per-channel affine map) fused with ReLU.
func ScaleShift(x []float32, rows, cols int, scale, shift []float32, relu bool) {
	ScaleShiftTo(x, x, rows, cols, scale, shift, relu)
}

// ScaleShiftTo is ScaleShift that reads x and writes dst (which may be x).
func ScaleShiftTo(dst, x []float32, rows, cols int, scale, shift []float32, relu bool) {
	checkRows("ScaleShift", rows, cols)
	checkLen("ScaleShift", "x", len(x), rows*cols)
	checkLen("ScaleShift", "dst", len(dst), rows*cols)
	checkLen("ScaleShift", "scale", len(scale), rows)
	checkLen("ScaleShift", "shift", len(shift), rows)
	im := cur()
	if rows == 1 {
		splitRange(cols, 64, func(lo, hi int) { im.scaleShift(dst[lo:hi], x[lo:hi], scale[0], shift[0], relu) })
		return
	}
	splitRows(rows, cols, func(r0, r1 int) {
		for r := r0; r < r1; r++ {
			im.scaleShift(dst[r*cols:(r+1)*cols], x[r*cols:(r+1)*cols], scale[r], shift[r], relu)
		}
	})
}

// ReLU sets x[i] = max(x[i], 0) in place. NaN stays NaN.
func ReLU(x []float32) {
	im := cur()
	splitRange(len(x), 64, func(lo, hi int) { im.relu(x[lo:hi]) })
}

// AddReLU sets dst[i] = max(a[i] + b[i], 0) for i < len(a): the residual
// add and ReLU at the end of a ResNet block. dst may alias a or b.
func AddReLU(dst, a, b []float32) {
	checkLen("AddReLU", "b", len(b), len(a))
	checkLen("AddReLU", "dst", len(dst), len(a))
	im := cur()
	splitRange(len(a), 64, func(lo, hi int) { im.addReLU(dst[lo:hi], a[lo:hi], b[lo:hi]) })
}

// Add sets dst[i] += a[i] for i < len(dst).
func Add(dst, a []float32) {
	checkLen("Add", "a", len(a), len(dst))
	im := cur()
	splitRange(len(dst), 64, func(lo, hi int) { im.add(dst[lo:hi], a[lo:hi]) })
}

// ReLUGrad sets dst[i] = dy[i] where y[i] > 0 and 0 elsewhere, for
// i < len(dy): the backward pass of ReLU given its output y.
func ReLUGrad(dst, dy, y []float32) {
	checkLen("ReLUGrad", "y", len(y), len(dy))
	checkLen("ReLUGrad", "dst", len(dst), len(dy))
	im := cur()
	splitRange(len(dy), 64, func(lo, hi int) { im.reluGrad(dst[lo:hi], dy[lo:hi], y[lo:hi]) })
}

// BatchNormGradStats sets sum[r] = Σ_j m·g[r][j] and dot[r] = Σ_j
// m·g[r][j]·x[r][j] for the rows×cols matrices g and x, accumulated in
// float64 with the lane structure of RowSums, where m = 1, or, when y is
// not nil, m = 1 if y[r][j] > 0 and 0 otherwise (the gradient through a
// ReLU whose output is y). They are the per-channel sums of the batch-norm
// backward pass over activations laid out [C][N·H·W].
func BatchNormGradStats(sum, dot []float64, g, x, y []float32, rows, cols int) {
	checkRows("BatchNormGradStats", rows, cols)
	checkLen("BatchNormGradStats", "g", len(g), rows*cols)
	checkLen("BatchNormGradStats", "x", len(x), rows*cols)
	if y != nil {
		checkLen("BatchNormGradStats", "y", len(y), rows*cols)
	}
	if len(sum) < rows || len(dot) < rows {
		panic(fmt.Sprintf("kernels.BatchNormGradStats: len(sum) = %d, len(dot) = %d, need %d", len(sum), len(dot), rows))
	}
	im := cur()
	splitRows(rows, cols, func(r0, r1 int) {
		for r := r0; r < r1; r++ {
			sum[r], dot[r] = im.bnStats(g[r*cols:(r+1)*cols], x[r*cols:(r+1)*cols], maskRow(y, r, cols))
		}
	})
}

// maskRow is row r of the ReLU output y, or nil for a nil y (no mask).
func maskRow(y []float32, r, cols int) []float32 {
	if y == nil {
		return nil
	}
	return y[r*cols : (r+1)*cols]
}

// BatchNormGradApply sets dx[r][j] = m·g[r][j]·w[r] + (x[r][j]·a[r] + b[r])
// (each product rounded to float32 before its add; m as in
// BatchNormGradStats): the input gradient of a batch norm, whose per-row
// coefficients follow from BatchNormGradStats. dx may alias g.
func BatchNormGradApply(dx, g, x, y []float32, rows, cols int, w, a, b []float32) {
	checkRows("BatchNormGradApply", rows, cols)
	checkLen("BatchNormGradApply", "g", len(g), rows*cols)
	checkLen("BatchNormGradApply", "x", len(x), rows*cols)
	checkLen("BatchNormGradApply", "dx", len(dx), rows*cols)
	if y != nil {
		checkLen("BatchNormGradApply", "y", len(y), rows*cols)
	}
	checkLen("BatchNormGradApply", "w", len(w), rows)
	checkLen("BatchNormGradApply", "a", len(a), rows)
	checkLen("BatchNormGradApply", "b", len(b), rows)
	im := cur()
	splitRows(rows, cols, func(r0, r1 int) {
		for r := r0; r < r1; r++ {
			im.bnApply(dx[r*cols:(r+1)*cols], g[r*cols:(r+1)*cols], x[r*cols:(r+1)*cols], maskRow(y, r, cols), w[r], a[r], b[r])
		}
	})
}

// RowSums sets dst[r] = Σ_j x[r][j] for the row-major rows×cols matrix x,
// accumulated in float64 and rounded once. With x laid out [C][N·H·W] these
// are the per-channel sums of batch-norm statistics.
func RowSums(dst, x []float32, rows, cols int) { rowSums("RowSums", dst, x, rows, cols, 1) }

// RowMeans sets dst[r] to the mean of row r of the rows×cols matrix x
// (float64 accumulation; 0 for cols = 0). With x laid out [C·N][H·W] it is
// global average pooling, giving [C][N].
func RowMeans(dst, x []float32, rows, cols int) {
	rowSums("RowMeans", dst, x, rows, cols, float64(cols))
}

// rowSums sets dst[r] = (Σ_j x[r][j]) / div, the sum in float64 (0 for
// cols = 0); fn names the caller in panics.
func rowSums(fn string, dst, x []float32, rows, cols int, div float64) {
	checkRows(fn, rows, cols)
	checkLen(fn, "x", len(x), rows*cols)
	checkLen(fn, "dst", len(dst), rows)
	im := cur()
	splitRows(rows, cols, func(r0, r1 int) {
		for r := r0; r < r1; r++ {
			if cols == 0 {
				dst[r] = 0
				continue
			}
			dst[r] = float32(im.sum64(x[r*cols:(r+1)*cols]) / div)
		}
	})
}

// RowDots sets dst[r] = Σ_j x[r][j]·y[r][j] (float64 accumulation), for
// example Σ dy·x̂ per channel in the batch-norm backward pass.
func RowDots(dst, x, y []float32, rows, cols int) {
	checkRows("RowDots", rows, cols)
	checkLen("RowDots", "x", len(x), rows*cols)
	checkLen("RowDots", "y", len(y), rows*cols)
	checkLen("RowDots", "dst", len(dst), rows)
	im := cur()
	splitRows(rows, cols, func(r0, r1 int) {
		for r := r0; r < r1; r++ {
			dst[r] = float32(im.dot64(x[r*cols:(r+1)*cols], y[r*cols:(r+1)*cols]))
		}
	})
}

// RowMeanVar sets mean[r] and variance[r] to the mean and the population
// variance (divisor cols) of row r of x, computed in two passes in float64:
// the batch-norm training statistics of x laid out [C][N·H·W]. Rows with
// cols = 0 get 0 and 0.
func RowMeanVar(mean, variance, x []float32, rows, cols int) {
	checkRows("RowMeanVar", rows, cols)
	checkLen("RowMeanVar", "x", len(x), rows*cols)
	checkLen("RowMeanVar", "mean", len(mean), rows)
	checkLen("RowMeanVar", "variance", len(variance), rows)
	im := cur()
	splitRows(rows, cols, func(r0, r1 int) {
		for r := r0; r < r1; r++ {
			if cols == 0 {
				mean[r], variance[r] = 0, 0
				continue
			}
			row := x[r*cols : (r+1)*cols]
			mu := im.sum64(row) / float64(cols)
			mean[r] = float32(mu)
			variance[r] = float32(im.sqdev(row, mu) / float64(cols))
		}
	})
}
