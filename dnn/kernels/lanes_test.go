package kernels

import (
	"math"
	"testing"

	"cosim/internal/seed"
)

// laneConvCases are lane convolutions: ResNet-like 3×3 and 1×1 shapes, both
// strides, odd widths (a strip with one pixel), extra input padding and
// filter counts that need every tile height.
var laneConvCases = []struct {
	cv     LaneConv
	images int
}{
	{LaneConv{In: LaneShape{3, 8, 8, 1}, Out: LaneShape{16, 8, 8, 1}, R: 3, S: 3, Stride: 1, Pad: 1}, 16},
	{LaneConv{In: LaneShape{5, 7, 9, 1}, Out: LaneShape{7, 7, 9, 1}, R: 3, S: 3, Stride: 1, Pad: 1}, 5},
	{LaneConv{In: LaneShape{4, 8, 8, 1}, Out: LaneShape{6, 4, 4, 1}, R: 3, S: 3, Stride: 2, Pad: 1}, 16},
	{LaneConv{In: LaneShape{4, 8, 8, 1}, Out: LaneShape{9, 4, 4, 1}, R: 1, S: 1, Stride: 2, Pad: 0}, 11},
	{LaneConv{In: LaneShape{2, 9, 7, 3}, Out: LaneShape{3, 5, 4, 0}, R: 7, S: 7, Stride: 2, Pad: 3}, 16},
	{LaneConv{In: LaneShape{12, 6, 6, 1}, Out: LaneShape{13, 6, 6, 1}, R: 3, S: 3, Stride: 1, Pad: 1}, 16},
	{LaneConv{In: LaneShape{1, 5, 5, 2}, Out: LaneShape{32, 3, 3, 1}, R: 3, S: 3, Stride: 1, Pad: 0}, 3},
}

// TestLaneConvMatchesConv2D checks that the raw sums of LaneConvForward
// (zero bias, no residual, no ReLU) are Conv2D's bits image by image, that
// the epilogue adds bias and residual and applies the ReLU, that the
// padding of out is untouched, and that all implementations agree.
func TestLaneConvMatchesConv2D(t *testing.T) {
	ref := map[int][]float32{}
	withImpl(t, func(t *testing.T, name string) {
		for ci, tc := range laneConvCases {
			cv := tc.cv
			r := seed.Stream(50, uint64(ci))
			n := tc.images
			x := randSlice(r, n*cv.In.C*cv.In.H*cv.In.W)
			w := randSlice(r, cv.Out.C*cv.In.C*cv.R*cv.S)
			bias := randSlice(r, cv.Out.C)
			in := make([]float32, cv.In.Len())
			LaneLoad(in, cv.In, x, n)
			// Conv2D wants [C][N][H][W].
			g := ConvGeom{C: cv.In.C, N: n, H: cv.In.H, W: cv.In.W, K: cv.Out.C, R: cv.R, S: cv.S,
				StrideH: cv.Stride, StrideW: cv.Stride, PadH: cv.Pad, PadW: cv.Pad}
			xc := make([]float32, len(x))
			hw := cv.In.H * cv.In.W
			for i := 0; i < n; i++ {
				for c := 0; c < cv.In.C; c++ {
					copy(xc[(c*n+i)*hw:(c*n+i+1)*hw], x[(i*cv.In.C+c)*hw:])
				}
			}
			want := make([]float32, g.K*g.ColCols())
			Conv2D(want, w, xc, g, false)

			const fill = 7.5 // sentinel in the padding of out
			raw := make([]float32, cv.Out.Len())
			for i := range raw {
				raw[i] = fill
			}
			LaneConvForward(raw, in, w, make([]float32, cv.Out.C), nil, cv, false, nil)
			P, Q := cv.Out.H, cv.Out.W
			for k := 0; k < cv.Out.C; k++ {
				for p := -cv.Out.Pad; p < P+cv.Out.Pad; p++ {
					for q := -cv.Out.Pad; q < Q+cv.Out.Pad; q++ {
						px := raw[cv.Out.At(k, p, q):][:LaneWidth]
						inside := p >= 0 && p < P && q >= 0 && q < Q
						for l, v := range px {
							switch {
							case !inside && v != fill:
								t.Fatalf("case %d: padding (%d,%d,%d) lane %d written: %g", ci, k, p, q, l, v)
							case inside && l < n && math.Float32bits(v) != math.Float32bits(want[((k*n+l)*P+p)*Q+q]):
								t.Fatalf("case %d: out[%d][%d][%d] lane %d = %g, Conv2D %g", ci, k, p, q, l, v, want[((k*n+l)*P+p)*Q+q])
							case inside && l >= n && v != 0:
								t.Fatalf("case %d: empty lane %d = %g, want 0", ci, l, v)
							}
						}
					}
				}
			}
			// Epilogue: bias, residual, ReLU.
			res := randSlice(r, cv.Out.Len())
			got := make([]float32, cv.Out.Len())
			LaneConvForward(got, in, w, bias, res, cv, true, nil)
			for k := 0; k < cv.Out.C; k++ {
				for p := 0; p < P; p++ {
					for q := 0; q < Q; q++ {
						o := cv.Out.At(k, p, q)
						for l := 0; l < LaneWidth; l++ {
							e := raw[o+l] + bias[k] + res[o+l]
							if e < 0 {
								e = 0
							}
							if got[o+l] != e {
								t.Fatalf("case %d: epilogue at (%d,%d,%d) lane %d = %g, want %g", ci, k, p, q, l, got[o+l], e)
							}
						}
					}
				}
			}
			if first, ok := ref[ci]; !ok {
				ref[ci] = got
			} else if j, ok := sameBits(first, got); !ok {
				t.Fatalf("case %d: %s differs from %s at %d", ci, name, Available()[0], j)
			}
		}
	})
}

func TestLaneLoadAndPadding(t *testing.T) {
	s := LaneShape{C: 2, H: 2, W: 3, Pad: 1}
	x := []float32{ // two images of 2×2×3
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
		-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12,
	}
	t1 := make([]float32, s.Len())
	for i := range t1 {
		t1[i] = 99
	}
	LaneLoad(t1, s, x, 2)
	if v := t1[s.At(1, 1, 2)]; v != 12 {
		t.Fatalf("image 0, channel 1, pixel (1,2) = %g, want 12", v)
	}
	if v := t1[s.At(0, 0, 1)+1]; v != -2 {
		t.Fatalf("image 1, channel 0, pixel (0,1) = %g, want -2", v)
	}
	if v := t1[s.At(0, 0, 1)+2]; v != 0 {
		t.Fatalf("empty lane = %g, want 0", v)
	}
	if v := t1[s.At(0, -1, -1)]; v != 0 {
		t.Fatalf("padding = %g, want 0", v)
	}
	for i := range t1 {
		t1[i] = 99
	}
	LaneZeroPadding(t1, s)
	for c := 0; c < s.C; c++ {
		for y := -1; y <= s.H; y++ {
			for x := -1; x <= s.W; x++ {
				inside := y >= 0 && y < s.H && x >= 0 && x < s.W
				v := t1[s.At(c, y, x)+5]
				if inside && v != 99 || !inside && v != 0 {
					t.Fatalf("LaneZeroPadding: (%d,%d,%d) = %g", c, y, x, v)
				}
			}
		}
	}
}

func TestLaneAvgPoolAndLinear(t *testing.T) {
	s := LaneShape{C: 2, H: 2, W: 2, Pad: 1}
	tt := make([]float32, s.Len())
	for c := 0; c < 2; c++ {
		for y := 0; y < 2; y++ {
			for x := 0; x < 2; x++ {
				for l := 0; l < LaneWidth; l++ {
					tt[s.At(c, y, x)+l] = float32((c+1)*(y*2+x+1) + l)
				}
			}
		}
	}
	feat := make([]float32, 2*LaneWidth)
	LaneAvgPool(feat, tt, s)
	for l := 0; l < LaneWidth; l++ {
		// channel 0: mean of 1..4 + l; channel 1: mean of 2,4,6,8 + l
		if feat[l] != 2.5+float32(l) || feat[LaneWidth+l] != 5+float32(l) {
			t.Fatalf("lane %d: means %g, %g", l, feat[l], feat[LaneWidth+l])
		}
	}
	w := []float32{1, -1, 0.5, 2} // 2 outputs × 2 inputs
	bias := []float32{0, -100}
	withImpl(t, func(t *testing.T, _ string) {
		out := make([]float32, 2*LaneWidth)
		LaneLinear(out, w, bias, feat, 2, 2, true)
		for l := 0; l < LaneWidth; l++ {
			a, b := feat[l], feat[LaneWidth+l]
			want0 := max(0, a-b)
			want1 := max(0, float32(0.5*a)+float32(2*b)-100)
			if out[l] != want0 || out[LaneWidth+l] != want1 {
				t.Fatalf("lane %d: %g %g, want %g %g", l, out[l], out[LaneWidth+l], want0, want1)
			}
		}
	})
}

func TestLaneMaxPool(t *testing.T) {
	in := LaneShape{C: 1, H: 4, W: 4, Pad: 0}
	out := LaneShape{C: 1, H: 2, W: 2, Pad: 1}
	src := make([]float32, in.Len())
	for y := 0; y < 4; y++ {
		for x := 0; x < 4; x++ {
			for l := 0; l < LaneWidth; l++ {
				src[in.At(0, y, x)+l] = float32(y*4+x) - float32(l)
			}
		}
	}
	nan := float32(math.NaN())
	src[in.At(0, 3, 3)+1] = nan
	dst := make([]float32, out.Len())
	LaneMaxPool(dst, out, src, in, 3, 2, 1)
	// Windows: rows/cols {0,1} ∪ {1,2,3}: maxima at (1,1), (1,3), (3,1), (3,3).
	want := [4]float32{5, 7, 13, 15}
	for i, p := range [][2]int{{0, 0}, {0, 1}, {1, 0}, {1, 1}} {
		for l := 0; l < LaneWidth; l++ {
			v := dst[out.At(0, p[0], p[1])+l]
			e := want[i] - float32(l)
			if i == 3 && l == 1 {
				if v == v {
					t.Fatalf("NaN lost: %g", v)
				}
				continue
			}
			if v != e {
				t.Fatalf("window %v lane %d = %g, want %g", p, l, v, e)
			}
		}
	}
}

func TestTilePlan(t *testing.T) {
	for m := 1; m <= 70; m++ {
		sum := 0
		for _, h := range tilePlan(nil, m) {
			if h < 1 || h > maxMR {
				t.Fatalf("tilePlan(%d) has height %d", m, h)
			}
			sum += h
		}
		if sum != m {
			t.Fatalf("tilePlan(%d) covers %d rows", m, sum)
		}
	}
	if p := tilePlan(nil, 16); len(p) != 4 || p[0] != 4 {
		t.Fatalf("tilePlan(16) = %v, want four tiles of 4", p)
	}
}
