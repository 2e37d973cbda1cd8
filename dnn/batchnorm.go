package dnn

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"cosim/dnn/kernels"
)

// BatchNorm2d is PyTorch's BatchNorm2d over activations laid out
// [C][N·H·W] (eps 1e−5, momentum 0.1, affine, running statistics). In
// training it normalises with the batch mean and biased batch variance and
// updates running_mean and running_var with the unbiased batch variance; in
// evaluation it uses the running statistics. Like PyTorch's CPU kernel it
// applies y = x·a + b with a = γ/√(σ²+ε) and b = β − μ·a per channel.
type BatchNorm2d struct {
	C        int
	Gamma    *Param // name.weight, KindBNScale, initialised to 1
	Beta     *Param // name.bias, KindBNShift, initialised to 0
	RunMean  *Param // name.running_mean, KindBuffer, initialised to 0
	RunVar   *Param // name.running_var, KindBuffer, initialised to 1
	Eps      float64
	Momentum float64
	// Frozen makes a training Forward normalise with the running
	// statistics and leave them unchanged, as PyTorch's eval mode does
	// under autograd: the network keeps what Backward needs, and Backward
	// gives the gradients of the evaluation-mode function.
	Frozen bool

	// per-channel scratch: batch mean and 1/√(var+ε) of the last training
	// forward (kept for Backward), the batch variance, the affine map, and
	// the backward sums and coefficients
	mean, invstd, variance, scale, shift []float32
	sum, dot                             []float64
	gw, ga, gb                           []float32
	// last training forward
	x, y []float32
	cols int
	relu bool
}

// NewBatchNorm2d makes a batch norm over c channels named name with
// PyTorch's defaults.
func NewBatchNorm2d(name string, c int) *BatchNorm2d {
	b := &BatchNorm2d{C: c, Eps: 1e-5, Momentum: 0.1,
		Gamma:   NewParam(name+".weight", KindBNScale, c),
		Beta:    NewParam(name+".bias", KindBNShift, c),
		RunMean: NewParam(name+".running_mean", KindBuffer, c),
		RunVar:  NewParam(name+".running_var", KindBuffer, c),
	}
	for i := range c {
		b.Gamma.Data()[i] = 1
		b.RunVar.Data()[i] = 1
	}
	b.alloc()
	return b
}

func (b *BatchNorm2d) alloc() {
	c := b.C
	s := make([]float32, 8*c)
	b.mean, b.invstd, b.variance, b.scale, b.shift = s[:c], s[c:2*c], s[2*c:3*c], s[3*c:4*c], s[4*c:5*c]
	b.gw, b.ga, b.gb = s[5*c:6*c], s[6*c:7*c], s[7*c:]
	d := make([]float64, 2*c)
	b.sum, b.dot = d[:c], d[c:]
}

// Forward normalises x ([C][cols], cols = N·H·W) into dst and, when relu is
// set, applies max(·, 0). With train set it uses and keeps the batch
// statistics, updates the running statistics, and keeps x and dst for
// Backward (dst must not alias x then, and neither may change until
// Backward). In evaluation dst may alias x.
func (b *BatchNorm2d) Forward(dst, x []float32, cols int, train, relu bool) {
	n := b.C * cols
	if len(x) < n || len(dst) < n {
		panic(fmt.Sprintf("dnn: batch norm %s: len(x)=%d, len(dst)=%d, want %d·%d", b.Gamma.Name, len(x), len(dst), b.C, cols))
	}
	x, dst = x[:n], dst[:n]
	gamma, beta := b.Gamma.Effective(), b.Beta.Effective()
	if !train {
		rm, rv := b.RunMean.Data(), b.RunVar.Data()
		for c := range b.C {
			inv := float32(1 / math.Sqrt(float64(rv[c])+b.Eps))
			b.scale[c] = gamma[c] * inv
			b.shift[c] = beta[c] - rm[c]*b.scale[c]
		}
		kernels.ScaleShiftTo(dst, x, b.C, cols, b.scale, b.shift, relu)
		return
	}
	if b.Frozen {
		rm, rv := b.RunMean.Data(), b.RunVar.Data()
		for c := range b.C {
			b.mean[c] = rm[c]
			b.invstd[c] = float32(1 / math.Sqrt(float64(rv[c])+b.Eps))
			b.scale[c] = gamma[c] * b.invstd[c]
			b.shift[c] = beta[c] - rm[c]*b.scale[c]
		}
		kernels.ScaleShiftTo(dst, x, b.C, cols, b.scale, b.shift, relu)
		b.x, b.y, b.cols, b.relu = x, dst, cols, relu
		return
	}
	if cols < 2 {
		panic(fmt.Sprintf("dnn: batch norm %s: training needs more than one value per channel, got %d", b.Gamma.Name, cols))
	}
	kernels.RowMeanVar(b.mean, b.variance, x, b.C, cols)
	rm, rv := b.RunMean.Data(), b.RunVar.Data()
	mom := b.Momentum
	for c := range b.C {
		v := float64(b.variance[c])
		b.invstd[c] = float32(1 / math.Sqrt(v+b.Eps))
		b.scale[c] = gamma[c] * b.invstd[c]
		b.shift[c] = beta[c] - b.mean[c]*b.scale[c]
		unbiased := v * float64(cols) / float64(cols-1)
		rm[c] = float32(mom*float64(b.mean[c]) + (1-mom)*float64(rm[c]))
		rv[c] = float32(mom*unbiased + (1-mom)*float64(rv[c]))
	}
	kernels.ScaleShiftTo(dst, x, b.C, cols, b.scale, b.shift, relu)
	b.x, b.y, b.cols, b.relu = x, dst, cols, relu
}

// Backward accumulates dγ and dβ from dy (gradient w.r.t. the output of the
// last training Forward) and writes dLoss/dx into dx, which may alias dy
// (dy is not modified otherwise). When that Forward applied ReLU, the
// gradient is taken as zero where the output was not positive. With Frozen
// the statistics are constants and dx = g·γ·invstd.
//
// With g the gradient after the ReLU mask, M = cols values per channel and
// x̂ = (x−μ)·invstd, PyTorch's form is dx = (g − mean(g) − (x−μ)·k)·invstd·γ
// with k = Σ g·(x−μ) · invstd² / M. The sums Σ g and Σ g·x are taken in
// float64 (kernels.BatchNormGradStats), Σ g·(x−μ) = Σ g·x − μ·Σ g, and dx
// is applied as g·w + (x·a + b) with w = invstd·γ, a = −k·w and
// b = (μ·k − mean(g))·w (kernels.BatchNormGradApply).
func (b *BatchNorm2d) Backward(dx, dy []float32) {
	if b.x == nil {
		panic(fmt.Sprintf("dnn: batch norm %s: Backward without a training Forward", b.Gamma.Name))
	}
	cols := b.cols
	n := b.C * cols
	if len(dy) < n || len(dx) < n {
		panic(fmt.Sprintf("dnn: batch norm %s: len(dy)=%d, len(dx)=%d, want %d", b.Gamma.Name, len(dy), len(dx), n))
	}
	var mask []float32
	if b.relu {
		mask = b.y
	}
	kernels.BatchNormGradStats(b.sum, b.dot, dy, b.x, mask, b.C, cols)
	gamma := b.Gamma.Effective()
	dg, db := b.Gamma.Grad, b.Beta.Grad
	m := float64(cols)
	for c := range b.C {
		mu, inv := float64(b.mean[c]), float64(b.invstd[c])
		sum := b.sum[c]
		dot := b.dot[c] - mu*sum // Σ g·(x−μ)
		dg[c] += float32(dot * inv)
		db[c] += float32(sum)
		w := inv * float64(gamma[c])
		b.gw[c] = float32(w)
		if b.Frozen { // μ and σ² are constants: dx = g·γ·invstd
			b.ga[c], b.gb[c] = 0, 0
			continue
		}
		k := dot * inv * inv / m
		b.ga[c] = float32(-k * w)
		b.gb[c] = float32((mu*k - sum/m) * w)
	}
	kernels.BatchNormGradApply(dx, dy, b.x, mask, b.C, cols, b.gw, b.ga, b.gb)
}

// Params lists γ then β.
func (b *BatchNorm2d) Params() []*Param { return []*Param{b.Gamma, b.Beta} }

// Buffers lists the running mean then the running variance.
func (b *BatchNorm2d) Buffers() []*Param { return []*Param{b.RunMean, b.RunVar} }

func (b *BatchNorm2d) clone() *BatchNorm2d {
	c := &BatchNorm2d{C: b.C, Eps: b.Eps, Momentum: b.Momentum, Frozen: b.Frozen,
		Gamma: b.Gamma.Clone(), Beta: b.Beta.Clone(), RunMean: b.RunMean.Clone(), RunVar: b.RunVar.Clone()}
	c.alloc()
	return c
}

// rowGrain is the number of elements below which forRows stays on the
// calling goroutine.
const rowGrain = 1 << 15

// forRows runs fn over the rows [0, rows) of a rows×cols matrix in
// contiguous groups, one per goroutine (at most GOMAXPROCS). Each row is
// handled by exactly one goroutine, so results do not depend on the split.
func forRows(rows, cols int, fn func(r0, r1 int)) {
	nw := 1
	if rows*cols >= rowGrain {
		nw = max(1, min(runtime.GOMAXPROCS(0), rows))
	}
	if nw == 1 {
		fn(0, rows)
		return
	}
	var wg sync.WaitGroup
	for w := 1; w < nw; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(w*rows/nw, (w+1)*rows/nw)
		}()
	}
	fn(0, rows/nw)
	wg.Wait()
}
