package kernels

import (
	"fmt"
	"testing"

	"cosim/internal/seed"
)

// BenchmarkGenericStrips times the plain-Go Winograd GEMM kernel alone on
// the shapes of LaneWinograd (16 strips of 16 columns, plane 256).
func BenchmarkGenericStrips(b *testing.B) {
	for _, mr := range []int{5, 4} {
		for _, kc := range []int{16, 64} {
			b.Run(fmt.Sprintf("mr%d_kc%d", mr, kc), func(b *testing.B) {
				r := seed.Stream(3)
				const ns, plane = 16, 16*16 + 16
				ap, bp := randSlice(r, kc*mr), randSlice(r, kc*plane)
				c := make([]float32, mr*plane)
				for i := 0; i < b.N; i++ {
					genericStrips(mr, ns, kc, ap, bp, plane, c, plane)
				}
				fl := 2 * float64(mr*kc*ns*16)
				b.ReportMetric(fl*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
			})
		}
	}
}
