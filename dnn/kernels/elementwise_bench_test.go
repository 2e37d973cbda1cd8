package kernels

import (
	"testing"

	"cosim/internal/seed"
)

// BenchmarkBatchNormGrad times the batch-norm backward kernels and the
// row statistics of every implementation on a ResNet-20 stage-1 layer at
// batch 64 (16 channels × 64·32·32 values), ReLU mask included.
func BenchmarkBatchNormGrad(b *testing.B) {
	defer Use(Impl())
	const rows, cols = 16, 64 * 32 * 32
	r := seed.Stream(5)
	g, x, y := randSlice(r, rows*cols), randSlice(r, rows*cols), randSlice(r, rows*cols)
	dx := make([]float32, rows*cols)
	sum, dot := make([]float64, rows), make([]float64, rows)
	w, a, c := randSlice(r, rows), randSlice(r, rows), randSlice(r, rows)
	mean, variance := make([]float32, rows), make([]float32, rows)
	for _, name := range Available() {
		if err := Use(name); err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/stats", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				BatchNormGradStats(sum, dot, g, x, y, rows, cols)
			}
		})
		b.Run(name+"/apply", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				BatchNormGradApply(dx, g, x, y, rows, cols, w, a, c)
			}
		})
		b.Run(name+"/rowsums", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				RowSums(mean, x, rows, cols)
			}
		})
		b.Run(name+"/meanvar", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				RowMeanVar(mean, variance, x, rows, cols)
			}
		})
	}
}
