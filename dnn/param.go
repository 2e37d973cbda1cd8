package dnn

import (
	"fmt"

	"gorgonia.org/tensor"
)

// Kind says what role a parameter plays; quantizers act on KindWeight only.
type Kind int

const (
	// KindWeight is a convolution or linear weight: quantized and stored in the weight SRAM.
	KindWeight Kind = iota
	// KindBias is a linear bias (kept float, never perturbed).
	KindBias
	// KindBNScale is a batch-norm γ.
	KindBNScale
	// KindBNShift is a batch-norm β.
	KindBNShift
	// KindQuant is a quantizer parameter (WCAT's α, LSQ's step).
	KindQuant
	// KindBuffer is non-learnable state (batch-norm running statistics).
	KindBuffer
)

var kindNames = [...]string{"weight", "bias", "bn-scale", "bn-shift", "quant", "buffer"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Param is a named float32 tensor of a model. Value holds the latent
// (trainable) values; the forward pass reads Effective(), which is the same
// memory unless a quantizer or a fault injector has installed other values
// (for example the dequantized, possibly bit-flipped, weights). Grad is the
// gradient of the loss with respect to the effective values.
type Param struct {
	Name  string
	Kind  Kind
	Value *tensor.Dense
	Grad  []float32
	data  []float32
	eff   []float32
}

// NewParam allocates a zeroed parameter of the given shape.
func NewParam(name string, kind Kind, shape ...int) *Param {
	n := 1
	for _, d := range shape {
		n *= d
	}
	data := make([]float32, n)
	p := &Param{Name: name, Kind: kind, data: data,
		Value: tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))}
	if kind != KindBuffer {
		p.Grad = make([]float32, p.Len())
	}
	return p
}

// Data returns the latent values (the tensor's backing slice; a scalar
// parameter has one element).
func (p *Param) Data() []float32 { return p.data }

// Shape returns the tensor shape.
func (p *Param) Shape() []int { return []int(p.Value.Shape()) }

// Len is the number of elements.
func (p *Param) Len() int { return len(p.Data()) }

// Effective returns the values the forward pass uses.
func (p *Param) Effective() []float32 {
	if p.eff != nil {
		return p.eff
	}
	return p.Data()
}

// SetEffective makes the forward pass use e (of the same length) instead of
// the latent values; nil restores the latent values.
func (p *Param) SetEffective(e []float32) {
	if e != nil && len(e) != p.Len() {
		panic(fmt.Sprintf("dnn: effective values for %s have %d elements, want %d", p.Name, len(e), p.Len()))
	}
	p.eff = e
}

// ZeroGrad clears the gradient.
func (p *Param) ZeroGrad() { clear(p.Grad) }

// Clone deep-copies the parameter (latent values, gradient, effective values).
func (p *Param) Clone() *Param {
	q := NewParam(p.Name, p.Kind, p.Shape()...)
	copy(q.Data(), p.Data())
	copy(q.Grad, p.Grad)
	if p.eff != nil {
		q.eff = append([]float32(nil), p.eff...)
	}
	return q
}
