//go:build goexperiment.simd && amd64

package kernels

import (
	"fmt"
	"testing"
)

// BenchmarkMicroKernel measures the micro-kernels alone on L1-resident
// operands (kc = blockK): the ceiling for the GEMM driver.
func BenchmarkMicroKernel(b *testing.B) {
	im := registry["avx512"]
	if im == nil {
		b.Skip("no avx512")
	}
	benchPeak()
	kc := 90 // whole 3×3 channels, as Conv2D blocks them
	for _, direct := range []bool{false, true} {
		for mr := 1; mr <= maxMR; mr++ {
			b.Run(fmt.Sprintf("direct=%v/mr%d", direct, mr), func(b *testing.B) {
				ap := alignedFloats(kc * mr * 16)
				bp := alignedFloats(kc * 32)
				x := alignedFloats(kc*34 + 64)
				// 3×3 filters over a padded 34-wide image: unaligned rows.
				walk := convWalk{nch: kc / 9, r: 3, s: 3, plane: 34 * 3, row: 34, ds: 1, kc: kc}
				walk.span = (walk.nch-1)*walk.plane + 2*walk.row + 2
				c := alignedFloats(mr * 32)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if direct {
						im.kernelDirect(mr, walk, ap, x, 1, 17, c, 32, true)
					} else {
						im.kernel(mr, kc, ap, bp, c, 32, true)
					}
				}
				g := 2 * float64(mr*32*kc) * float64(b.N) / b.Elapsed().Seconds() / 1e9
				b.ReportMetric(g, "GFLOPS")
				b.ReportMetric(100*g/peak1(), "%peak")
			})
		}
	}
}
