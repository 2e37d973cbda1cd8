package dnn

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// gemm computes C[m×n] = A[m×k]·B[k×n] (+ C when acc), row-major.
func gemm(m, n, k int, a, b, c []float32, acc bool) {
	gemm32(blas.NoTrans, blas.NoTrans, m, n, k, a, k, b, n, c, acc)
}

// gemmTA computes C[m×n] = Aᵀ·B with A stored k×m (+ C when acc).
func gemmTA(m, n, k int, a, b, c []float32, acc bool) {
	gemm32(blas.Trans, blas.NoTrans, m, n, k, a, m, b, n, c, acc)
}

// gemmTB computes C[m×n] = A·Bᵀ with B stored n×k (+ C when acc).
func gemmTB(m, n, k int, a, b, c []float32, acc bool) {
	gemm32(blas.NoTrans, blas.Trans, m, n, k, a, k, b, k, c, acc)
}

func gemm32(ta, tb blas.Transpose, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, acc bool) {
	ar, ac := m, k
	if ta == blas.Trans {
		ar, ac = k, m
	}
	br, bc := k, n
	if tb == blas.Trans {
		br, bc = n, k
	}
	beta := float32(0)
	if acc {
		beta = 1
	}
	blas32.Gemm(ta, tb, 1,
		blas32.General{Rows: ar, Cols: ac, Stride: lda, Data: a},
		blas32.General{Rows: br, Cols: bc, Stride: ldb, Data: b},
		beta,
		blas32.General{Rows: m, Cols: n, Stride: n, Data: c})
}
