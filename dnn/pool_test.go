package dnn

import (
	"fmt"
	"math"
	"testing"

	"cosim/internal/seed"
)

func TestMaxPoolWorkedExamples(t *testing.T) {
	nan := float32(math.NaN())
	tests := []struct {
		name    string
		x       []float32 // one 4×4 plane
		want    []float32 // 2×2
		wantArg []int32
	}{
		// All negative: the zero padding must never win.
		{"negative", []float32{
			-1, -2, -3, -4,
			-5, -6, -7, -8,
			-9, -10, -11, -12,
			-13, -14, -15, -16},
			[]float32{-1, -2, -5, -6}, []int32{0, 1, 4, 5}},
		{"positive", []float32{
			1, 2, 3, 4,
			5, 6, 7, 8,
			9, 10, 11, 12,
			13, 14, 15, 16},
			[]float32{6, 8, 14, 16}, []int32{5, 7, 13, 15}},
		// Ties: the first in row-major order wins.
		{"ties", []float32{
			7, 7, 7, 7,
			7, 7, 7, 7,
			7, 7, 7, 7,
			7, 7, 7, 7},
			[]float32{7, 7, 7, 7}, []int32{0, 1, 4, 5}},
		// A NaN wins its windows (the last NaN of a window, as PyTorch).
		{"nan", []float32{
			0, 0, 0, 0,
			0, nan, 9, 0,
			0, 0, 0, nan,
			0, 0, 0, 0},
			[]float32{nan, nan, nan, nan}, []int32{5, 5, 5, 11}},
	}
	for _, tc := range tests {
		mp := &MaxPool2d{Kernel: 3, Stride: 2, Pad: 1}
		y := make([]float32, 4)
		p, q := mp.Forward(y, tc.x, 1, 4, 4, true)
		if p != 2 || q != 2 || fmt.Sprint(y) != fmt.Sprint(tc.want) || fmt.Sprint(mp.arg) != fmt.Sprint(tc.wantArg) {
			t.Errorf("%s: %d×%d %v arg %v, want 2×2 %v arg %v", tc.name, p, q, y, mp.arg, tc.want, tc.wantArg)
		}
		dx := make([]float32, 16)
		mp.Backward(dx, []float32{1, 2, 3, 4})
		want := make([]float32, 16)
		for i, a := range tc.wantArg {
			want[a] += float32(i + 1)
		}
		if fmt.Sprint(dx) != fmt.Sprint(want) {
			t.Errorf("%s: dx %v, want %v", tc.name, dx, want)
		}
	}
}

func TestMaxPoolGradient(t *testing.T) {
	const planes, h, w = 3, 7, 6
	r := seed.Stream(41)
	mp := &MaxPool2d{Kernel: 3, Stride: 2, Pad: 1}
	// Distinct values at least 0.01 apart, so no step of 1e−3 changes a
	// window's winner.
	x := make([]float32, planes*h*w)
	for i, v := range r.Perm(len(x)) {
		x[i] = float32(v)*0.01 - 0.5
	}
	p, q := mp.OutSize(h, w)
	if p != 4 || q != 3 {
		t.Fatalf("out %d×%d, want 4×3", p, q)
	}
	y := make([]float32, planes*p*q)
	dy := randFill(make([]float32, len(y)), 0, 1, r)
	loss := func() float64 {
		mp.Forward(y, x, planes, h, w, false)
		return dotLoss(y, dy)
	}
	mp.Forward(y, x, planes, h, w, true)
	dx := make([]float32, len(x))
	mp.Backward(dx, dy)
	checkGrad(t, "input", x, dx, loss, len(x), 1e-3, 1e-3, 1e-3)
}

func TestGlobalAvgPool(t *testing.T) {
	// c = 2, n = 2, s = 3: x[c][n][s]; output [n][c].
	x := []float32{1, 2, 3, 10, 20, 30, -3, 0, 0, 6, 6, 9}
	var g GlobalAvgPool
	y := make([]float32, 4)
	g.Forward(y, x, 2, 2, 3)
	if want := []float32{2, -1, 20, 7}; fmt.Sprint(y) != fmt.Sprint(want) {
		t.Fatalf("y = %v, want %v", y, want)
	}
	dx := make([]float32, 12)
	g.Backward(dx, []float32{3, 6, 9, 12}, 2, 2, 3)
	if want := []float32{1, 1, 1, 3, 3, 3, 2, 2, 2, 4, 4, 4}; fmt.Sprint(dx) != fmt.Sprint(want) {
		t.Fatalf("dx = %v, want %v", dx, want)
	}

	r := seed.Stream(42)
	const c, n, s = 3, 2, 5
	xs := randFill(make([]float32, c*n*s), 0, 1, r)
	ys := make([]float32, n*c)
	dy := randFill(make([]float32, n*c), 0, 1, r)
	loss := func() float64 {
		g.Forward(ys, xs, c, n, s)
		return dotLoss(ys, dy)
	}
	dxs := make([]float32, len(xs))
	g.Backward(dxs, dy, c, n, s)
	checkGrad(t, "input", xs, dxs, loss, len(xs), 1e-2, 1e-3, 1e-3)
}
