package kernels

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"cosim/internal/seed"
)

var convGeoms = []ConvGeom{
	{C: 3, N: 2, H: 8, W: 8, K: 4, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	{C: 2, N: 3, H: 9, W: 7, K: 5, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
	{C: 4, N: 2, H: 8, W: 8, K: 6, R: 1, S: 1, StrideH: 2, StrideW: 2},
	{C: 2, N: 2, H: 6, W: 5, K: 3, R: 5, S: 3, StrideH: 1, StrideW: 2, PadH: 2, PadW: 1},
	{C: 3, N: 4, H: 16, W: 16, K: 7, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	{C: 5, N: 3, H: 32, W: 32, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	{C: 2, N: 5, H: 4, W: 4, K: 3, R: 4, S: 4, StrideH: 1, StrideW: 1},
	{C: 1, N: 1, H: 3, W: 3, K: 1, R: 3, S: 3, StrideH: 3, StrideW: 3, PadH: 2, PadW: 2},
	// Stride-2 shapes of ResNet-20 (fast layout paths), small batch.
	{C: 3, N: 2, H: 32, W: 32, K: 6, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
	{C: 3, N: 3, H: 16, W: 16, K: 7, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
	{C: 4, N: 2, H: 32, W: 32, K: 5, R: 1, S: 1, StrideH: 2, StrideW: 2},
	{C: 4, N: 3, H: 16, W: 16, K: 9, R: 1, S: 1, StrideH: 2, StrideW: 2},
	{C: 2, N: 2, H: 16, W: 16, K: 17, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	{C: 2, N: 4, H: 8, W: 8, K: 33, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
}

// naiveIm2col follows the definition element by element.
func naiveIm2col(g ConvGeom, x []float32) []float32 {
	P, Q := g.P(), g.Q()
	out := make([]float32, g.ColRows()*g.ColCols())
	for c := 0; c < g.C; c++ {
		for dr := 0; dr < g.R; dr++ {
			for ds := 0; ds < g.S; ds++ {
				row := (c*g.R+dr)*g.S + ds
				for n := 0; n < g.N; n++ {
					for p := 0; p < P; p++ {
						for q := 0; q < Q; q++ {
							ih, iw := p*g.StrideH-g.PadH+dr, q*g.StrideW-g.PadW+ds
							var v float32
							if ih >= 0 && ih < g.H && iw >= 0 && iw < g.W {
								v = x[((c*g.N+n)*g.H+ih)*g.W+iw]
							}
							out[row*g.ColCols()+(n*P+p)*Q+q] = v
						}
					}
				}
			}
		}
	}
	return out
}

func TestIm2colMatchesDefinition(t *testing.T) {
	for gi, g := range convGeoms {
		x := randSlice(seed.Stream(4, uint64(gi)), g.C*g.N*g.H*g.W)
		want := naiveIm2col(g, x)
		got := make([]float32, len(want))
		for i := range got {
			got[i] = float32(math.NaN()) // every entry must be written
		}
		Im2col(got, x, g.C, g.N, g.H, g.W, g.R, g.S, g.StrideH, g.StrideW, g.PadH, g.PadW)
		if i, ok := sameBits(want, got); !ok {
			t.Fatalf("geometry %d %+v: entry %d = %g, want %g", gi, g, i, got[i], want[i])
		}
	}
}

// TestIm2colWorkedExample: a 1-channel 3×3 image, 2×2 filter, no padding.
func TestIm2colWorkedExample(t *testing.T) {
	x := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}
	got := make([]float32, 4*4)
	Im2col(got, x, 1, 1, 3, 3, 2, 2, 1, 1, 0, 0)
	want := "[1 2 4 5 2 3 5 6 4 5 7 8 5 6 8 9]"
	if fmt.Sprint(got) != want {
		t.Errorf("Im2col = %v, want %s", got, want)
	}
	back := make([]float32, 9)
	Col2im(back, got, 1, 1, 3, 3, 2, 2, 1, 1, 0, 0)
	// Each pixel comes back times the number of windows that cover it:
	// corners 1, edges 2, the centre 4.
	if fmt.Sprint(back) != "[1 4 3 8 20 12 7 16 9]" {
		t.Errorf("Col2im(Im2col(x)) = %v", back)
	}
}

// TestCol2imIsAdjoint checks ⟨Im2col(x), y⟩ = ⟨x, Col2im(y)⟩ and that
// Col2im accumulates into dst, in every implementation.
func TestCol2imIsAdjoint(t *testing.T) {
	withImpl(t, func(t *testing.T, _ string) {
		for gi, g := range convGeoms {
			r := seed.Stream(5, uint64(gi))
			x := randSlice(r, g.C*g.N*g.H*g.W)
			y := randSlice(r, g.ColRows()*g.ColCols())
			d0 := randSlice(r, len(x))
			col := naiveIm2col(g, x)
			var lhs, mag float64
			for i := range col {
				lhs += float64(col[i]) * float64(y[i])
				mag += math.Abs(float64(col[i]) * float64(y[i]))
			}
			d := append([]float32(nil), d0...)
			Col2im(d, y, g.C, g.N, g.H, g.W, g.R, g.S, g.StrideH, g.StrideW, g.PadH, g.PadW)
			var rhs float64
			for i := range x {
				rhs += float64(x[i]) * (float64(d[i]) - float64(d0[i]))
			}
			if math.Abs(lhs-rhs) > 1e-5*mag {
				t.Fatalf("geometry %d: <im2col x, y> = %g, <x, col2im y> = %g", gi, lhs, rhs)
			}
		}
	})
}

// naiveConv computes the convolution in float64 with the error bound.
func naiveConv(g ConvGeom, w, x []float32) (val, mag []float64) {
	col := naiveIm2col(g, x)
	val, mag = refGemm(false, false, g.K, g.ColCols(), g.ColRows(), w, g.ColRows(), col, g.ColCols(), nil, 0, false)
	return val, mag
}

// TestConv2D checks Conv2D against a float64 reference and against
// Im2col+Gemm bit for bit, in every implementation, with and without
// accumulation.
func TestConv2D(t *testing.T) {
	var ref [][]float32
	withImpl(t, func(t *testing.T, name string) {
		for gi, g := range convGeoms {
			r := seed.Stream(6, uint64(gi))
			x := randSlice(r, g.C*g.N*g.H*g.W)
			w := randSlice(r, g.K*g.ColRows())
			out0 := randSlice(r, g.K*g.ColCols())
			want, mag := naiveConv(g, w, x)
			for _, acc := range []bool{false, true} {
				out := append([]float32(nil), out0...)
				Conv2D(out, w, x, g, acc)
				for i := range out {
					exp, bound := want[i], mag[i]
					if acc {
						exp += float64(out0[i])
						bound += math.Abs(float64(out0[i]))
					}
					tol := float64(g.ColRows()+2)*0x1p-23*bound + 1e-30
					if math.Abs(float64(out[i])-exp) > tol {
						t.Fatalf("geometry %d %+v acc=%v: out[%d] = %g, want %g ± %g", gi, g, acc, i, out[i], exp, tol)
					}
				}
				col := make([]float32, g.ColRows()*g.ColCols())
				Im2col(col, x, g.C, g.N, g.H, g.W, g.R, g.S, g.StrideH, g.StrideW, g.PadH, g.PadW)
				viaGemm := append([]float32(nil), out0...)
				Gemm(g.K, g.ColCols(), g.ColRows(), w, g.ColRows(), col, g.ColCols(), viaGemm, g.ColCols(), acc)
				if i, ok := sameBits(viaGemm, out); !ok {
					t.Fatalf("geometry %d acc=%v: Conv2D and Im2col+Gemm differ at %d: %g vs %g", gi, acc, i, out[i], viaGemm[i])
				}
				if !acc {
					k := gi
					if name == Available()[0] {
						ref = append(ref, out)
					} else if j, ok := sameBits(ref[k], out); !ok {
						t.Fatalf("geometry %d: %s differs from %s at %d", gi, name, Available()[0], j)
					}
				}
			}
		}
	})
}

func TestConv2DDeterministicAcrossGOMAXPROCS(t *testing.T) {
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	g := ConvGeom{C: 8, N: 4, H: 32, W: 32, K: 12, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	r := seed.Stream(7)
	x := randSlice(r, g.C*g.N*g.H*g.W)
	w := randSlice(r, g.K*g.ColRows())
	withImpl(t, func(t *testing.T, _ string) {
		var first []float32
		for _, procs := range []int{1, 2, 4} {
			runtime.GOMAXPROCS(procs)
			out := make([]float32, g.K*g.ColCols())
			Conv2D(out, w, x, g, false)
			if first == nil {
				first = out
			} else if i, ok := sameBits(first, out); !ok {
				t.Fatalf("GOMAXPROCS=%d differs at %d", procs, i)
			}
		}
	})
}

// TestConv2DLargeFilter covers filters with more taps than the GEMM's
// reduction block (R·S > blockK = 96), which once overflowed the packing
// buffers, on one and on several goroutines.
func TestConv2DLargeFilter(t *testing.T) {
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	g := ConvGeom{C: 2, N: 16, H: 24, W: 24, K: 3, R: 11, S: 11, StrideH: 1, StrideW: 2, PadH: 5, PadW: 5}
	r := seed.Stream(42)
	x := randSlice(r, g.C*g.N*g.H*g.W)
	w := randSlice(r, g.K*g.ColRows())
	want, mag := naiveConv(g, w, x)
	withImpl(t, func(t *testing.T, _ string) {
		for _, procs := range []int{1, 2} {
			runtime.GOMAXPROCS(procs)
			out := make([]float32, g.K*g.ColCols())
			Conv2D(out, w, x, g, false)
			for i := range out {
				if tol := float64(g.ColRows()+2) * 0x1p-23 * mag[i]; math.Abs(float64(out[i])-want[i]) > tol {
					t.Fatalf("GOMAXPROCS=%d: out[%d] = %g, want %g ± %g", procs, i, out[i], want[i], tol)
				}
			}
		}
	})
}

func TestConvGeomValidate(t *testing.T) {
	good := ConvGeom{C: 1, N: 1, H: 4, W: 4, K: 1, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	if good.P() != 4 || good.Q() != 4 || good.ColRows() != 9 || good.ColCols() != 16 {
		t.Errorf("derived sizes wrong: P=%d Q=%d rows=%d cols=%d", good.P(), good.Q(), good.ColRows(), good.ColCols())
	}
	for _, bad := range []ConvGeom{
		{C: 1, N: 1, H: 2, W: 2, K: 1, R: 3, S: 3, StrideH: 1, StrideW: 1},
		{C: 1, N: 1, H: 4, W: 4, K: 1, R: 3, S: 3, StrideH: 0, StrideW: 1},
		{C: 0, N: 1, H: 4, W: 4, K: 1, R: 3, S: 3, StrideH: 1, StrideW: 1},
		{C: 1, N: 1, H: 4, W: 4, K: 1, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: -1},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}
