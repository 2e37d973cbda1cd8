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
	checkRows("ScaleShift", rows, cols)
	checkLen("ScaleShift", "x", len(x), rows*cols)
	checkLen("ScaleShift", "scale", len(scale), rows)
	checkLen("ScaleShift", "shift", len(shift), rows)
	im := cur()
	if rows == 1 {
		splitRange(cols, 64, func(lo, hi int) { im.scaleShift(x[lo:hi], scale[0], shift[0], relu) })
		return
	}
	splitRows(rows, cols, func(r0, r1 int) {
		for r := r0; r < r1; r++ {
			im.scaleShift(x[r*cols:(r+1)*cols], scale[r], shift[r], relu)
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
	y, dst = y[:len(dy)], dst[:len(dy)]
	splitRange(len(dy), 64, func(lo, hi int) {
		yy, dd := y[lo:hi], dst[lo:hi]
		for i, g := range dy[lo:hi] {
			if !(yy[i] > 0) {
				g = 0
			}
			dd[i] = g
		}
	})
}

// RowSums sets dst[r] = Σ_j x[r][j] for the row-major rows×cols matrix x,
// accumulated in float64 and rounded once. With x laid out [C][N·H·W] these
// are the per-channel sums of batch-norm statistics.
func RowSums(dst, x []float32, rows, cols int) {
	checkRows("RowSums", rows, cols)
	checkLen("RowSums", "x", len(x), rows*cols)
	checkLen("RowSums", "dst", len(dst), rows)
	im := cur()
	splitRows(rows, cols, func(r0, r1 int) {
		for r := r0; r < r1; r++ {
			dst[r] = float32(im.sum64(x[r*cols : (r+1)*cols]))
		}
	})
}

// RowMeans sets dst[r] to the mean of row r of the rows×cols matrix x
// (float64 accumulation; 0 for cols = 0). With x laid out [C·N][H·W] it is
// global average pooling, giving [C][N].
func RowMeans(dst, x []float32, rows, cols int) {
	checkRows("RowMeans", rows, cols)
	checkLen("RowMeans", "x", len(x), rows*cols)
	checkLen("RowMeans", "dst", len(dst), rows)
	im := cur()
	splitRows(rows, cols, func(r0, r1 int) {
		for r := r0; r < r1; r++ {
			if cols == 0 {
				dst[r] = 0
				continue
			}
			dst[r] = float32(im.sum64(x[r*cols:(r+1)*cols]) / float64(cols))
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
