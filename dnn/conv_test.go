package dnn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"cosim/internal/seed"
)

// randFill fills d with N(mean, std²) values.
func randFill(d []float32, mean, std float64, r *rand.Rand) []float32 {
	for i := range d {
		d[i] = float32(mean + std*r.NormFloat64())
	}
	return d
}

// dotLoss is the float64 loss Σ y·r used by the layer gradient checks:
// dLoss/dy = r.
func dotLoss(y, r []float32) float64 {
	var s float64
	for i, v := range r {
		s += float64(y[i]) * float64(v)
	}
	return s
}

// checkGrad compares grad, the analytic gradient of loss with respect to
// vals, with central differences of step h at up to samples coordinates
// (all of them when there are fewer): |num − analytic| ≤ atol + rtol·|num|.
func checkGrad(t *testing.T, what string, vals, grad []float32, loss func() float64, samples int, h, atol, rtol float64) {
	t.Helper()
	idx := make([]int, 0, len(vals))
	if samples >= len(vals) {
		for i := range vals {
			idx = append(idx, i)
		}
	} else {
		r := seed.Stream(11, uint64(len(vals)))
		for range samples {
			idx = append(idx, r.IntN(len(vals)))
		}
	}
	bad := 0
	for _, i := range idx {
		old := vals[i]
		vals[i] = old + float32(h)
		lp := loss()
		vals[i] = old - float32(h)
		lm := loss()
		vals[i] = old
		// The perturbation actually applied (float32 rounding of old ± h).
		step := float64(old+float32(h)) - float64(old-float32(h))
		num := (lp - lm) / step
		got := float64(grad[i])
		if math.Abs(num-got) > atol+rtol*math.Abs(num) {
			if bad++; bad <= 5 {
				t.Errorf("%s[%d]: analytic %.7g, numerical %.7g", what, i, got, num)
			}
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d of %d coordinates wrong", what, bad, len(idx))
	}
}

// directConv is the textbook convolution in float64: x [C][N][H][W], w
// [K][C][R][R] → [K][N][P][Q].
func directConv(x, w []float32, c, n, h, wd, k, r, stride, pad int) []float64 {
	p, q := (h+2*pad-r)/stride+1, (wd+2*pad-r)/stride+1
	out := make([]float64, k*n*p*q)
	for ki := range k {
		for ni := range n {
			for pi := range p {
				for qi := range q {
					var s float64
					for ci := range c {
						for dr := range r {
							for ds := range r {
								y, xx := pi*stride-pad+dr, qi*stride-pad+ds
								if y < 0 || y >= h || xx < 0 || xx >= wd {
									continue
								}
								s += float64(w[((ki*c+ci)*r+dr)*r+ds]) * float64(x[((ci*n+ni)*h+y)*wd+xx])
							}
						}
					}
					out[((ki*n+ni)*p+pi)*q+qi] = s
				}
			}
		}
	}
	return out
}

var convCases = []struct {
	name                          string
	c, k, n, h, w, r, stride, pad int
}{
	{"3x3 stride 1 pad 1", 3, 4, 2, 5, 5, 3, 1, 1},
	{"3x3 stride 2 pad 1", 3, 4, 2, 6, 6, 3, 2, 1},
	{"3x3 stride 2 pad 1 odd", 2, 3, 2, 7, 5, 3, 2, 1},
	{"3x3 no padding", 3, 2, 2, 5, 6, 3, 1, 0},
	{"1x1 stride 2", 4, 5, 2, 6, 6, 1, 2, 0},
	{"1x1 stride 1", 4, 3, 3, 3, 4, 1, 1, 0},
	{"7x7 stride 2 pad 3", 3, 2, 1, 9, 9, 7, 2, 3},
	{"7x7 stride 1 pad 3", 2, 3, 2, 8, 8, 7, 1, 3},
	{"1x1 stride 1 pad 1", 2, 3, 2, 3, 3, 1, 1, 1}, // padding beyond the filter
}

func TestConvForwardMatchesDirect(t *testing.T) {
	for i, tc := range convCases {
		t.Run(tc.name, func(t *testing.T) {
			r := seed.Stream(21, uint64(i))
			cv := NewConv2d("c", tc.c, tc.k, tc.r, tc.stride, tc.pad, r)
			x := randFill(make([]float32, tc.c*tc.n*tc.h*tc.w), 0, 1, r)
			p, q := cv.OutSize(tc.h, tc.w)
			y := make([]float32, tc.k*tc.n*p*q)
			gp, gq := cv.Forward(y, x, tc.n, tc.h, tc.w, false)
			if gp != p || gq != q {
				t.Fatalf("Forward returned %d×%d, OutSize %d×%d", gp, gq, p, q)
			}
			want := directConv(x, cv.W.Data(), tc.c, tc.n, tc.h, tc.w, tc.k, tc.r, tc.stride, tc.pad)
			for j, v := range want {
				if math.Abs(float64(y[j])-v) > 1e-5*(1+math.Abs(v)) {
					t.Fatalf("y[%d] = %v, direct %v", j, y[j], v)
				}
			}
		})
	}
}

// TestConvWorkedExample: one 3×3 image, a 2×2 filter of ones, stride 1, no
// padding: each output is the sum of a 2×2 window.
func TestConvWorkedExample(t *testing.T) {
	cv := NewConv2d("c", 1, 1, 2, 1, 0, seed.Stream(1))
	copy(cv.W.Data(), []float32{1, 1, 1, 1})
	x := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}
	y := make([]float32, 4)
	cv.Forward(y, x, 1, 3, 3, false)
	if want := []float32{12, 16, 24, 28}; fmt.Sprint(y) != fmt.Sprint(want) {
		t.Fatalf("y = %v, want %v", y, want)
	}
}

func TestConvGradients(t *testing.T) {
	for i, tc := range convCases {
		t.Run(tc.name, func(t *testing.T) {
			r := seed.Stream(22, uint64(i))
			cv := NewConv2d("c", tc.c, tc.k, tc.r, tc.stride, tc.pad, r)
			x := randFill(make([]float32, tc.c*tc.n*tc.h*tc.w), 0, 1, r)
			p, q := cv.OutSize(tc.h, tc.w)
			y := make([]float32, tc.k*tc.n*p*q)
			dy := randFill(make([]float32, len(y)), 0, 1, r)
			loss := func() float64 {
				cv.Forward(y, x, tc.n, tc.h, tc.w, false)
				return dotLoss(y, dy)
			}
			cv.Forward(y, x, tc.n, tc.h, tc.w, true)
			dx := make([]float32, len(x))
			cv.Backward(dx, dy, false)
			checkGrad(t, "weight", cv.W.Data(), cv.W.Grad, loss, 200, 0.1, 1e-3, 1e-3)
			checkGrad(t, "input", x, dx, loss, 200, 0.1, 1e-3, 1e-3)

			// A second Backward accumulates dW and, with accumulate set, dx.
			w1 := append([]float32(nil), cv.W.Grad...)
			dx2 := append([]float32(nil), dx...)
			cv.Backward(dx2, dy, true)
			for j := range dx {
				if math.Abs(float64(dx2[j]-2*dx[j])) > 1e-5*(1+math.Abs(float64(dx[j]))) {
					t.Fatalf("accumulated dx[%d] = %v, want 2·%v", j, dx2[j], dx[j])
				}
			}
			for j := range w1 {
				if math.Abs(float64(cv.W.Grad[j]-2*w1[j])) > 1e-5*(1+math.Abs(float64(w1[j]))) {
					t.Fatalf("accumulated dW[%d] = %v, want 2·%v", j, cv.W.Grad[j], w1[j])
				}
			}
			// Without dx only dW is computed.
			cv.Backward(nil, dy, false)
		})
	}
}

// TestConvEffectiveWeights: forward and the input gradient use the
// effective weights; the weight gradient is with respect to them.
func TestConvEffectiveWeights(t *testing.T) {
	cv := NewConv2d("c", 1, 1, 1, 1, 0, seed.Stream(1))
	cv.W.Data()[0] = 1
	cv.W.SetEffective([]float32{3})
	x := []float32{1, 2}
	y := make([]float32, 2)
	cv.Forward(y, x, 1, 1, 2, true)
	if y[0] != 3 || y[1] != 6 {
		t.Fatalf("y = %v, want [3 6]", y)
	}
	dx := make([]float32, 2)
	cv.Backward(dx, []float32{1, 1}, false)
	if dx[0] != 3 || dx[1] != 3 || cv.W.Grad[0] != 3 {
		t.Fatalf("dx = %v, dW = %v; want [3 3], 3", dx, cv.W.Grad[0])
	}
}

// TestConvKaimingInit: weights are N(0, 2/(K·R·S)) (fan-out, ReLU gain).
func TestConvKaimingInit(t *testing.T) {
	for _, tc := range []struct{ in, out, k int }{{16, 32, 3}, {64, 32, 1}, {3, 64, 7}} {
		cv := NewConv2d("c", tc.in, tc.out, tc.k, 1, 0, seed.Stream(5, uint64(tc.k)))
		var s, s2 float64
		for _, v := range cv.W.Data() {
			s += float64(v)
			s2 += float64(v) * float64(v)
		}
		n := float64(cv.W.Len())
		std := math.Sqrt(s2/n - (s/n)*(s/n))
		want := math.Sqrt(2 / float64(tc.out*tc.k*tc.k))
		// Relative standard error of a sample std is about 1/√(2n).
		if math.Abs(std/want-1) > 5/math.Sqrt(2*n) || math.Abs(s/n) > 5*want/math.Sqrt(n) {
			t.Errorf("%+v: mean %.4g std %.4g, want 0 and %.4g", tc, s/n, std, want)
		}
		if got := cv.W.Shape(); fmt.Sprint(got) != fmt.Sprint([]int{tc.out, tc.in, tc.k, tc.k}) || cv.W.Kind != KindWeight {
			t.Errorf("shape %v kind %v", got, cv.W.Kind)
		}
	}
}
