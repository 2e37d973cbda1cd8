package kernels

import (
	"math"
	"runtime"
	"testing"

	"cosim/internal/seed"
)

// naiveWGrad is dY·Im2col(x)ᵀ in float64, with the bound Σ|dy·x| per entry.
func naiveWGrad(g ConvGeom, dy, x []float32) (val, mag []float64) {
	col := naiveIm2col(g, x)
	return refGemm(false, true, g.K, g.ColRows(), g.ColCols(), dy, g.ColCols(), col, g.ColCols(), nil, 0, false)
}

// wgradGeoms adds to convGeoms shapes with many taps (R·S > 5 groups),
// batches that span several segments, and odd filter counts.
var wgradGeoms = append(append([]ConvGeom(nil), convGeoms...),
	ConvGeom{C: 3, N: 2, H: 12, W: 12, K: 3, R: 7, S: 7, StrideH: 2, StrideW: 2, PadH: 3, PadW: 3},
	ConvGeom{C: 2, N: 40, H: 8, W: 8, K: 5, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	ConvGeom{C: 33, N: 3, H: 8, W: 8, K: 3, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	ConvGeom{C: 2, N: 3, H: 5, W: 9, K: 4, R: 2, S: 4, StrideH: 3, StrideW: 1, PadH: 0, PadW: 2},
)

// TestConvWeightGrad checks ConvWeightGrad against a float64 reference,
// with and without accumulation, and that every implementation gives the
// same bits.
func TestConvWeightGrad(t *testing.T) {
	ref := map[int][]float32{}
	withImpl(t, func(t *testing.T, name string) {
		for gi, g := range wgradGeoms {
			r := seed.Stream(40, uint64(gi))
			x := randSlice(r, g.C*g.N*g.H*g.W)
			dy := randSlice(r, g.K*g.ColCols())
			dw0 := randSlice(r, g.K*g.ColRows())
			want, mag := naiveWGrad(g, dy, x)
			for _, acc := range []bool{false, true} {
				dw := append([]float32(nil), dw0...)
				ConvWeightGrad(dw, dy, x, g, acc)
				for i := range dw {
					exp, bound := want[i], mag[i]
					if acc {
						exp += float64(dw0[i])
						bound += math.Abs(float64(dw0[i]))
					}
					// Lane sums of at most N·P·Q/16 terms, a 16-way tree
					// and the final roundings.
					tol := float64(g.ColCols()/16+8)*0x1p-23*bound + 1e-30
					if math.Abs(float64(dw[i])-exp) > tol {
						t.Fatalf("geometry %d %+v acc=%v: dw[%d] = %g, want %g ± %g", gi, g, acc, i, dw[i], exp, tol)
					}
				}
				if acc {
					continue
				}
				if first, ok := ref[gi]; !ok {
					ref[gi] = dw
				} else if j, ok := sameBits(first, dw); !ok {
					t.Fatalf("geometry %d: %s differs from %s at %d: %g vs %g", gi, name, Available()[0], j, dw[j], first[j])
				}
			}
		}
	})
}

// TestConvWeightGradWorkedExample: one 2×2 image, one 2×2 filter tap set,
// no padding: dw[r][s] = Σ dy[p][q]·x[p+r][q+s] by hand.
func TestConvWeightGradWorkedExample(t *testing.T) {
	g := ConvGeom{C: 1, N: 1, H: 3, W: 3, K: 1, R: 2, S: 2, StrideH: 1, StrideW: 1}
	x := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}
	dy := []float32{1, 0, 0, 2} // dy[0][0] = 1, dy[1][1] = 2
	// dw[r][s] = 1·x[r][s] + 2·x[1+r][1+s]
	want := []float32{1 + 2*5, 2 + 2*6, 4 + 2*8, 5 + 2*9}
	withImpl(t, func(t *testing.T, _ string) {
		dw := make([]float32, 4)
		ConvWeightGrad(dw, dy, x, g, false)
		for i := range want {
			if dw[i] != want[i] {
				t.Fatalf("dw = %v, want %v", dw, want)
			}
		}
	})
}

func TestConvWeightGradDeterministicAcrossGOMAXPROCS(t *testing.T) {
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	g := ConvGeom{C: 8, N: 24, H: 16, W: 16, K: 12, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	r := seed.Stream(41)
	x := randSlice(r, g.C*g.N*g.H*g.W)
	dy := randSlice(r, g.K*g.ColCols())
	withImpl(t, func(t *testing.T, _ string) {
		var first []float32
		for _, procs := range []int{1, 2, 3} {
			runtime.GOMAXPROCS(procs)
			dw := make([]float32, g.K*g.ColRows())
			ConvWeightGrad(dw, dy, x, g, false)
			if first == nil {
				first = dw
			} else if i, ok := sameBits(first, dw); !ok {
				t.Fatalf("GOMAXPROCS=%d differs at %d", procs, i)
			}
		}
	})
}
