package dnn

// Model is a trainable classifier. Inputs are batches of images laid out
// [N][C][H][W] (float32, already normalised); outputs are logits [N][Classes].
type Model interface {
	// Arch names the architecture, e.g. "mlp-784-100-10" or "resnet20".
	Arch() string
	// InputShape is the (channels, height, width) of one input image.
	InputShape() (c, h, w int)
	// Classes is the number of output classes.
	Classes() int
	// Params lists the learnable parameters in a fixed order.
	Params() []*Param
	// Buffers lists the non-learnable state (batch-norm running statistics).
	Buffers() []*Param
	// Forward computes the logits of n images. With train set, layers keep
	// what Backward needs and batch norm uses (and updates) batch statistics.
	// The returned slice is owned by the model and valid until the next call.
	Forward(x []float32, n int, train bool) []float32
	// Backward propagates dLoss/dLogits of the last training Forward and
	// accumulates every parameter's Grad.
	Backward(dlogits []float32)
	// Clone returns an independent deep copy (parameters and buffers), for
	// running several fault realisations in parallel.
	Clone() Model
}

// QuantWeights returns the parameters of m that a weight quantizer acts on
// and the weight SRAM holds: every convolution and linear weight.
func QuantWeights(m Model) []*Param {
	var ws []*Param
	for _, p := range m.Params() {
		if p.Kind == KindWeight {
			ws = append(ws, p)
		}
	}
	return ws
}

// ZeroGrads clears the gradients of every parameter of m.
func ZeroGrads(m Model) {
	for _, p := range m.Params() {
		p.ZeroGrad()
	}
}

// grow returns buf resized to n elements, reusing its memory when possible.
func grow(buf []float32, n int) []float32 {
	if cap(buf) >= n {
		return buf[:n]
	}
	return make([]float32, n)
}
