package kernels

import (
	"math"
	"testing"

	"cosim/internal/seed"
)

// TestWinogradFilterWorkedExample: G·g·Gᵀ of a filter by hand.
func TestWinogradFilterWorkedExample(t *testing.T) {
	// g = [1 2 3; 4 5 6; 7 8 9]. G·g rows: g0 = (1 2 3), (g0+g1+g2)/2 =
	// (6 7.5 9), (g0−g1+g2)/2 = (2 2.5 3), g2 = (7 8 9); then the same
	// transform along each row: (a, (a+b+c)/2, (a−b+c)/2, c).
	g := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}
	want := []float32{
		1, 3, 1, 3,
		6, 11.25, 3.75, 9,
		2, 3.75, 1.25, 3,
		7, 12, 4, 9,
	}
	u := make([]float32, 16)
	WinogradFilter(u, 1, g)
	for i := range want {
		if u[i] != want[i] {
			t.Fatalf("U = %v, want %v", u, want)
		}
	}
}

var winoCases = []LaneConv{
	{In: LaneShape{16, 8, 8, 1}, Out: LaneShape{16, 8, 8, 1}, R: 3, S: 3, Stride: 1, Pad: 1},
	{In: LaneShape{5, 6, 10, 1}, Out: LaneShape{7, 6, 10, 1}, R: 3, S: 3, Stride: 1, Pad: 1},  // 15 tiles: a lone tile
	{In: LaneShape{3, 12, 4, 2}, Out: LaneShape{13, 12, 4, 1}, R: 3, S: 3, Stride: 1, Pad: 1}, // several chunks
	{In: LaneShape{33, 2, 2, 1}, Out: LaneShape{2, 2, 2, 0}, R: 3, S: 3, Stride: 1, Pad: 1},
}

// TestLaneWinograd checks LaneWinograd against the direct LaneConvForward
// (same epilogue) within the rounding of both, and that every
// implementation gives the same bits.
func TestLaneWinograd(t *testing.T) {
	ref := map[int][]float32{}
	withImpl(t, func(t *testing.T, name string) {
		for ci, cv := range winoCases {
			if !WinogradApplies(cv) {
				t.Fatalf("case %d: WinogradApplies = false", ci)
			}
			r := seed.Stream(60, uint64(ci))
			in := make([]float32, cv.In.Len())
			LaneLoad(in, cv.In, randSlice(r, LaneWidth*cv.In.C*cv.In.H*cv.In.W), LaneWidth)
			w := randSlice(r, cv.Out.C*cv.In.C*9)
			bias := randSlice(r, cv.Out.C)
			res := randSlice(r, cv.Out.Len())
			u := make([]float32, 16*cv.Out.C*cv.In.C)
			WinogradWeights(u, w, cv.Out.C, cv.In.C)
			want := make([]float32, cv.Out.Len())
			LaneConvForward(want, in, w, bias, res, cv, false, nil)
			const fill = -3.25
			got := make([]float32, cv.Out.Len())
			for i := range got {
				got[i] = fill
			}
			LaneWinograd(got, in, u, bias, res, cv, false, nil, nil)
			// Bound: Σ|w·x| over the window, plus |bias| and |res|.
			for k := 0; k < cv.Out.C; k++ {
				for p := -cv.Out.Pad; p < cv.Out.H+cv.Out.Pad; p++ {
					for q := -cv.Out.Pad; q < cv.Out.W+cv.Out.Pad; q++ {
						o := cv.Out.At(k, p, q)
						inside := p >= 0 && p < cv.Out.H && q >= 0 && q < cv.Out.W
						for l := 0; l < LaneWidth; l++ {
							if !inside {
								if got[o+l] != fill {
									t.Fatalf("case %d: padding written at (%d,%d,%d)", ci, k, p, q)
								}
								continue
							}
							mag := math.Abs(float64(bias[k])) + math.Abs(float64(res[o+l]))
							for c := 0; c < cv.In.C; c++ {
								for dr := 0; dr < 3; dr++ {
									for ds := 0; ds < 3; ds++ {
										mag += math.Abs(float64(w[((k*cv.In.C+c)*3+dr)*3+ds]) * float64(in[cv.In.At(c, p-1+dr, q-1+ds)+l]))
									}
								}
							}
							tol := 16 * float64(cv.In.C+4) * 0x1p-23 * mag
							if d := math.Abs(float64(got[o+l]) - float64(want[o+l])); d > tol {
								t.Fatalf("case %d: (%d,%d,%d) lane %d = %g, direct %g (|Δ| %g > %g)", ci, k, p, q, l, got[o+l], want[o+l], d, tol)
							}
						}
					}
				}
			}
			// ReLU variant: the same values clamped.
			relu := make([]float32, cv.Out.Len())
			LaneWinograd(relu, in, u, bias, res, cv, true, nil, nil)
			for k := 0; k < cv.Out.C; k++ {
				for p := 0; p < cv.Out.H; p++ {
					for q := 0; q < cv.Out.W; q++ {
						o := cv.Out.At(k, p, q)
						for l := 0; l < LaneWidth; l++ {
							if e := max(got[o+l], 0); relu[o+l] != e {
								t.Fatalf("case %d: ReLU output %g, want %g", ci, relu[o+l], e)
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

func TestWinogradApplies(t *testing.T) {
	ok := LaneConv{In: LaneShape{4, 8, 8, 1}, Out: LaneShape{4, 8, 8, 1}, R: 3, S: 3, Stride: 1, Pad: 1}
	odd := LaneConv{In: LaneShape{4, 7, 7, 1}, Out: LaneShape{4, 7, 7, 1}, R: 3, S: 3, Stride: 1, Pad: 1}
	strided := LaneConv{In: LaneShape{4, 8, 8, 1}, Out: LaneShape{4, 4, 4, 1}, R: 3, S: 3, Stride: 2, Pad: 1}
	oneByOne := LaneConv{In: LaneShape{4, 8, 8, 0}, Out: LaneShape{4, 8, 8, 1}, R: 1, S: 1, Stride: 1, Pad: 0}
	for _, tc := range []struct {
		cv   LaneConv
		want bool
	}{{ok, true}, {odd, false}, {strided, false}, {oneByOne, false}} {
		if got := WinogradApplies(tc.cv); got != tc.want {
			t.Errorf("WinogradApplies(%+v) = %v, want %v", tc.cv, got, tc.want)
		}
	}
}

// TestWinogradPanels: panels packed once and updated entry by entry give
// the bits of packing from scratch; panels of another implementation or
// shape are ignored.
func TestWinogradPanels(t *testing.T) {
	cv := LaneConv{In: LaneShape{7, 4, 6, 1}, Out: LaneShape{13, 4, 6, 1}, R: 3, S: 3, Stride: 1, Pad: 1}
	withImpl(t, func(t *testing.T, name string) {
		r := seed.Stream(61)
		in := make([]float32, cv.In.Len())
		LaneLoad(in, cv.In, randSlice(r, LaneWidth*cv.In.C*cv.In.H*cv.In.W), LaneWidth)
		w := randSlice(r, cv.Out.C*cv.In.C*9)
		bias := randSlice(r, cv.Out.C)
		u := make([]float32, 16*cv.Out.C*cv.In.C)
		WinogradWeights(u, w, cv.Out.C, cv.In.C)
		var p WinogradPanels
		p.Pack(u, cv.Out.C, cv.In.C)
		// Change some filters and update only their entries.
		for _, f := range [][2]int{{0, 0}, {12, 6}, {5, 3}, {9, 0}} {
			k, c := f[0], f[1]
			for i := 0; i < 9; i++ {
				w[(k*cv.In.C+c)*9+i] = float32(r.NormFloat64())
			}
			WinogradFilter(u[k*cv.In.C+c:], cv.Out.C*cv.In.C, w[(k*cv.In.C+c)*9:])
			p.Set(u, k, c)
		}
		want := make([]float32, cv.Out.Len())
		LaneWinograd(want, in, u, bias, nil, cv, true, nil, nil)
		got := make([]float32, cv.Out.Len())
		LaneWinograd(got, in, u, bias, nil, cv, true, &p, nil)
		if i, ok := sameBits(want, got); !ok {
			t.Fatalf("updated panels differ from fresh packing at %d", i)
		}
		c := p.Clone()
		c.Pack(make([]float32, len(u)), cv.Out.C, cv.In.C)
		LaneWinograd(got, in, u, bias, nil, cv, true, &p, nil)
		if i, ok := sameBits(want, got); !ok {
			t.Fatalf("packing a clone changed the original at %d", i)
		}
		// Panels of a different shape are not used.
		var q WinogradPanels
		q.Pack(make([]float32, 16*cv.Out.C*(cv.In.C+1)), cv.Out.C, cv.In.C+1)
		LaneWinograd(got, in, u, bias, nil, cv, true, &q, nil)
		if i, ok := sameBits(want, got); !ok {
			t.Fatalf("panels of another shape were used (differs at %d)", i)
		}
	})
}
