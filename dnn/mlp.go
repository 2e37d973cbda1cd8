package dnn

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// MLP is a multi-layer perceptron with ReLU between its linear layers, e.g.
// the 784-100-10 network of the WCAT paper's appendix A. Layer i is named
// fc<i+1>.
type MLP struct {
	Sizes   []int
	Layers  []*Linear
	relus   []ReLU
	c, h, w int
}

// NewMLP builds an MLP for c×h×w inputs with the given hidden sizes and
// classes outputs, initialised from r.
func NewMLP(c, h, w int, hidden []int, classes int, r *rand.Rand) *MLP {
	sizes := append([]int{c * h * w}, hidden...)
	sizes = append(sizes, classes)
	m := &MLP{Sizes: sizes, c: c, h: h, w: w}
	for i := 0; i+1 < len(sizes); i++ {
		m.Layers = append(m.Layers, NewLinear(fmt.Sprintf("fc%d", i+1), sizes[i], sizes[i+1], true, r))
	}
	m.relus = make([]ReLU, len(m.Layers)-1)
	return m
}

// Arch is "mlp-" followed by the layer sizes, e.g. "mlp-784-100-10".
func (m *MLP) Arch() string {
	s := make([]string, len(m.Sizes))
	for i, v := range m.Sizes {
		s[i] = fmt.Sprint(v)
	}
	return "mlp-" + strings.Join(s, "-")
}

// InputShape returns the image shape the MLP flattens.
func (m *MLP) InputShape() (int, int, int) { return m.c, m.h, m.w }

// Classes is the output width.
func (m *MLP) Classes() int { return m.Sizes[len(m.Sizes)-1] }

// Params lists fc1.weight, fc1.bias, fc2.weight, ...
func (m *MLP) Params() []*Param {
	var ps []*Param
	for _, l := range m.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// Buffers is empty: an MLP has no running statistics.
func (m *MLP) Buffers() []*Param { return nil }

// Forward computes the logits of n flattened images.
func (m *MLP) Forward(x []float32, n int, train bool) []float32 {
	for i, l := range m.Layers {
		x = l.Forward(x, n)
		if i < len(m.relus) {
			x = m.relus[i].Forward(x)
		}
	}
	return x
}

// Backward back-propagates dlogits through every layer.
func (m *MLP) Backward(dlogits []float32) {
	dy := dlogits
	for i := len(m.Layers) - 1; i >= 0; i-- {
		if i < len(m.relus) {
			dy = m.relus[i].Backward(dy)
		}
		dy = m.Layers[i].Backward(dy, i > 0)
	}
}

// Clone deep-copies the parameters; activation buffers are not shared.
func (m *MLP) Clone() Model {
	c := &MLP{Sizes: append([]int(nil), m.Sizes...), c: m.c, h: m.h, w: m.w}
	for _, l := range m.Layers {
		nl := &Linear{In: l.In, Out: l.Out, W: l.W.Clone()}
		if l.B != nil {
			nl.B = l.B.Clone()
		}
		c.Layers = append(c.Layers, nl)
	}
	c.relus = make([]ReLU, len(c.Layers)-1)
	return c
}
