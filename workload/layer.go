package workload

import (
	"errors"
	"fmt"
	"math/bits"
)

// Kind is the type of a layer.
type Kind string

// The layer kinds.
const (
	KindConv Kind = "conv" // 2-D convolution (no groups, no dilation)
	KindFC   Kind = "fc"   // fully connected: a 1×1 convolution of a 1×1 input
)

// Layer is the workload shape of one conv or fully connected layer, in the
// Eyeriss/Timeloop notation: a batch of N inputs of C channels of H×W, K
// filters of C×R×S, outputs of K channels of P×Q. Stride and Padding apply to
// both spatial dimensions. WeightBits is the precision the weights are
// stored at (the quantized code width).
type Layer struct {
	Name string
	Kind Kind
	N    int // batch
	C    int // input channels
	K    int // output channels
	R, S int // filter height, width
	H, W int // input height, width (without padding)
	P, Q int // output height, width

	Stride, Padding int
	WeightBits      int
	// IfmapZeroFrac is the fraction of the layer's input activations that
	// are zero, in [0, 1) (0: dense, the default). Architectures that gate
	// zeros (arch.Component.ZeroGating) skip that fraction of the MACs and
	// of the ifmap- and filter-spad reads; cycles do not change.
	IfmapZeroFrac float64
}

// OutDim is the output size of a convolution along one dimension:
// ⌊(in + 2·padding − filter)/stride⌋ + 1 (PyTorch's Conv2d), or 0 when the
// padded input is smaller than the filter.
func OutDim(in, filter, stride, padding int) int {
	if stride <= 0 || in+2*padding < filter {
		return 0
	}
	return (in+2*padding-filter)/stride + 1
}

// Conv returns a conv layer of a batch of n inputs of c×h×w, k filters of
// c×r×s, with P and Q from OutDim. Call Validate before use.
func Conv(name string, n, c, h, w, k, r, s, stride, padding, weightBits int) Layer {
	return Layer{Name: name, Kind: KindConv, N: n, C: c, K: k, R: r, S: s, H: h, W: w,
		P: OutDim(h, r, stride, padding), Q: OutDim(w, s, stride, padding),
		Stride: stride, Padding: padding, WeightBits: weightBits}
}

// FC returns a fully connected layer of n inputs of c features to k outputs.
func FC(name string, n, c, k, weightBits int) Layer {
	return Layer{Name: name, Kind: KindFC, N: n, C: c, K: k, R: 1, S: 1, H: 1, W: 1, P: 1, Q: 1,
		Stride: 1, WeightBits: weightBits}
}

// MACs is the number of multiply-accumulates, N·K·C·R·S·P·Q (positions that
// fall on padding included).
func (l Layer) MACs() int64 {
	return int64(l.N) * int64(l.K) * int64(l.C) * int64(l.R) * int64(l.S) * int64(l.P) * int64(l.Q)
}

// Weights is the number of weights, K·C·R·S (biases are not stored in the
// weight memory: WCAT keeps them in floating point).
func (l Layer) Weights() int64 { return int64(l.K) * int64(l.C) * int64(l.R) * int64(l.S) }

// Inputs is the number of input activations, N·C·H·W.
func (l Layer) Inputs() int64 { return int64(l.N) * int64(l.C) * int64(l.H) * int64(l.W) }

// Outputs is the number of output activations, N·K·P·Q.
func (l Layer) Outputs() int64 { return int64(l.N) * int64(l.K) * int64(l.P) * int64(l.Q) }

// maxCount bounds every product of layer dimensions so int64 counts of
// accesses (a small multiple of MACs) cannot overflow.
const maxCount = 1 << 56

// Validate checks that the shape is consistent: every dimension ≥ 1,
// stride ≥ 1, 0 ≤ padding ≤ filter/2 in both dimensions (PyTorch's rule),
// P and Q equal to OutDim of H and W, an FC layer is 1×1 everywhere with
// stride 1 and no padding, 1 ≤ WeightBits ≤ 32, 0 ≤ IfmapZeroFrac < 1, and
// MACs stays below 2^56.
func (l Layer) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("accel: layer %q: %s", l.Name, fmt.Sprintf(format, args...))
	}
	if l.Name == "" {
		return errors.New("accel: layer without a name")
	}
	if l.Kind != KindConv && l.Kind != KindFC {
		return bad("unknown kind %q (want conv or fc)", l.Kind)
	}
	dims := []struct {
		name string
		v    int
	}{{"N", l.N}, {"C", l.C}, {"K", l.K}, {"R", l.R}, {"S", l.S}, {"H", l.H}, {"W", l.W}, {"P", l.P}, {"Q", l.Q}, {"stride", l.Stride}}
	prod := uint64(1)
	for _, d := range dims {
		if d.v < 1 {
			return bad("%s = %d, must be ≥ 1", d.name, d.v)
		}
		hi, lo := bits.Mul64(prod, uint64(d.v))
		if hi != 0 || lo > maxCount {
			return bad("dimensions too large (product above 2^56)")
		}
		prod = lo
	}
	if l.Padding < 0 || 2*l.Padding > l.R || 2*l.Padding > l.S {
		return bad("padding %d outside 0..min(R, S)/2 for a %d×%d filter", l.Padding, l.R, l.S)
	}
	if p := OutDim(l.H, l.R, l.Stride, l.Padding); l.P != p {
		return bad("P = %d, but H = %d, R = %d, stride %d, padding %d give %d", l.P, l.H, l.R, l.Stride, l.Padding, p)
	}
	if q := OutDim(l.W, l.S, l.Stride, l.Padding); l.Q != q {
		return bad("Q = %d, but W = %d, S = %d, stride %d, padding %d give %d", l.Q, l.W, l.S, l.Stride, l.Padding, q)
	}
	if l.Kind == KindFC && (l.R != 1 || l.S != 1 || l.H != 1 || l.W != 1 || l.Stride != 1 || l.Padding != 0) {
		return bad("an fc layer has R = S = H = W = P = Q = 1, stride 1, padding 0")
	}
	if l.WeightBits < 1 || l.WeightBits > 32 {
		return bad("WeightBits = %d outside 1..32", l.WeightBits)
	}
	if !(l.IfmapZeroFrac >= 0 && l.IfmapZeroFrac < 1) {
		return bad("IfmapZeroFrac = %v outside [0, 1)", l.IfmapZeroFrac)
	}
	return nil
}

// Workload is a named sequence of layers, run once per inference.
type Workload struct {
	Name   string
	Layers []Layer
}

// Validate checks every layer and that layer names are distinct.
func (w Workload) Validate() error {
	if len(w.Layers) == 0 {
		return fmt.Errorf("accel: workload %q has no layers", w.Name)
	}
	seen := map[string]bool{}
	for _, l := range w.Layers {
		if err := l.Validate(); err != nil {
			return fmt.Errorf("workload %q: %w", w.Name, err)
		}
		if seen[l.Name] {
			return fmt.Errorf("accel: workload %q: two layers named %q", w.Name, l.Name)
		}
		seen[l.Name] = true
	}
	return nil
}

// MACs is the total number of multiply-accumulates of one inference.
func (w Workload) MACs() int64 { return w.sum(Layer.MACs) }

// WeightBits is the storage of all weights, each at its layer's WeightBits.
func (w Workload) WeightBits() int64 {
	return w.sum(func(l Layer) int64 { return l.Weights() * int64(l.WeightBits) })
}

// Weights is the total number of weights.
func (w Workload) Weights() int64 { return w.sum(Layer.Weights) }

// sum adds f over the layers.
func (w Workload) sum(f func(Layer) int64) int64 {
	var n int64
	for _, l := range w.Layers {
		n += f(l)
	}
	return n
}
