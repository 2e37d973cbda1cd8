package dnn

import (
	"math"
	"math/rand/v2"
)

// Linear is a fully connected layer y = x·Wᵀ + b with W stored [out][in]
// (PyTorch's layout) and inputs/outputs laid out [N][features].
type Linear struct {
	In, Out int
	W, B    *Param // B is nil for a layer without bias
	x       []float32
	n       int
	y, dx   []float32
}

// NewLinear makes a linear layer named name (parameters name.weight and
// name.bias) with PyTorch's default initialisation: weight and bias uniform
// in ±1/√in.
func NewLinear(name string, in, out int, bias bool, r *rand.Rand) *Linear {
	l := &Linear{In: in, Out: out, W: NewParam(name+".weight", KindWeight, out, in)}
	bound := 1 / math.Sqrt(float64(in))
	uniform(l.W.Data(), bound, r)
	if bias {
		l.B = NewParam(name+".bias", KindBias, out)
		uniform(l.B.Data(), bound, r)
	}
	return l
}

func uniform(d []float32, bound float64, r *rand.Rand) {
	for i := range d {
		d[i] = float32((2*r.Float64() - 1) * bound)
	}
}

// Forward computes y[n][out] for x[n][in]; x is kept for Backward.
func (l *Linear) Forward(x []float32, n int) []float32 {
	l.x, l.n = x, n
	l.y = grow(l.y, n*l.Out)
	gemmTB(n, l.Out, l.In, x, l.W.Effective(), l.y, false)
	if l.B != nil {
		b := l.B.Effective()
		for i := 0; i < n; i++ {
			row := l.y[i*l.Out : (i+1)*l.Out]
			for j := range row {
				row[j] += b[j]
			}
		}
	}
	return l.y
}

// Backward accumulates dW and db from dy[n][out] and, when needDX, returns
// dx[n][in].
func (l *Linear) Backward(dy []float32, needDX bool) []float32 {
	n := l.n
	gemmTA(l.Out, l.In, n, dy, l.x, l.W.Grad, true)
	if l.B != nil {
		for i := 0; i < n; i++ {
			row := dy[i*l.Out : (i+1)*l.Out]
			for j, v := range row {
				l.B.Grad[j] += v
			}
		}
	}
	if !needDX {
		return nil
	}
	l.dx = grow(l.dx, n*l.In)
	gemm(n, l.In, l.Out, dy, l.W.Effective(), l.dx, false)
	return l.dx
}

// Params lists W then B.
func (l *Linear) Params() []*Param {
	if l.B == nil {
		return []*Param{l.W}
	}
	return []*Param{l.W, l.B}
}

// ReLU applies max(x, 0) in place and remembers the mask for Backward.
type ReLU struct{ y []float32 }

// Forward clamps x at zero in place and returns it.
func (r *ReLU) Forward(x []float32) []float32 {
	for i, v := range x {
		if v < 0 {
			x[i] = 0
		}
	}
	r.y = x
	return x
}

// Backward zeroes dy where the output was zero, in place.
func (r *ReLU) Backward(dy []float32) []float32 {
	for i, v := range r.y {
		if v <= 0 {
			dy[i] = 0
		}
	}
	return dy
}
