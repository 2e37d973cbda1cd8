package dnn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"cosim/dnn/kernels"
)

// Conv2d is a 2-D convolution (cross-correlation, as in PyTorch) without
// bias over activations laid out [C][N][H][W]: K square filters of size R×R
// over C input channels, one stride and one zero padding for both axes. The
// weight is stored [K][C][R][R] (PyTorch's layout), so the convolution is
// the GEMM out[K][N·P·Q] = W[K][C·R·R] × im2col(x)[C·R·R][N·P·Q].
type Conv2d struct {
	In, Out     int // input channels C, filters K
	Kernel      int // R (= S)
	Stride, Pad int
	W           *Param

	ws      *workspace // scratch, shared by the convolutions of one model
	x       []float32  // input of the last training forward
	n, h, w int
}

// workspace is scratch memory shared by the layers of one model (never by
// two models, so Clones can run concurrently).
type workspace struct {
	col []float32 // im2col-shaped input gradient (strided convolutions)
	wf  []float32 // flipped, transposed weights (input gradient, stride 1)
}

// NewConv2d makes a convolution named name (parameter name.weight) with
// in→out channels, k×k filters, the given stride and zero padding, and
// Kaiming-normal weights in fan-out mode with the ReLU gain, as the
// torchvision and CIFAR ResNets initialise them: N(0, 2/(out·k·k)).
func NewConv2d(name string, in, out, k, stride, pad int, r *rand.Rand) *Conv2d {
	if in < 1 || out < 1 || k < 1 || stride < 1 || pad < 0 {
		panic(fmt.Sprintf("dnn: conv %s: bad geometry in=%d out=%d k=%d stride=%d pad=%d", name, in, out, k, stride, pad))
	}
	c := &Conv2d{In: in, Out: out, Kernel: k, Stride: stride, Pad: pad,
		W: NewParam(name+".weight", KindWeight, out, in, k, k)}
	std := math.Sqrt(2 / float64(out*k*k))
	for i := range c.W.Data() {
		c.W.Data()[i] = float32(r.NormFloat64() * std)
	}
	return c
}

// OutSize is the output height and width for an h×w input.
func (c *Conv2d) OutSize(h, w int) (p, q int) {
	return (h+2*c.Pad-c.Kernel)/c.Stride + 1, (w+2*c.Pad-c.Kernel)/c.Stride + 1
}

func (c *Conv2d) geom(n, h, w int) kernels.ConvGeom {
	g := kernels.ConvGeom{C: c.In, N: n, H: h, W: w, K: c.Out, R: c.Kernel, S: c.Kernel,
		StrideH: c.Stride, StrideW: c.Stride, PadH: c.Pad, PadW: c.Pad}
	if err := g.Validate(); err != nil {
		panic(fmt.Sprintf("dnn: conv %s: %v", c.W.Name, err))
	}
	return g
}

// Forward writes the convolution of x ([In][n][h][w]) into dst
// ([Out][n][P][Q], see OutSize) and returns P and Q. With train set, x is
// kept for Backward and must not change until then.
func (c *Conv2d) Forward(dst, x []float32, n, h, w int, train bool) (p, q int) {
	g := c.geom(n, h, w)
	if len(x) < c.In*n*h*w {
		panic(fmt.Sprintf("dnn: conv %s: input has %d values, want %d·%d·%d·%d", c.W.Name, len(x), c.In, n, h, w))
	}
	x = x[:c.In*n*h*w]
	kernels.Conv2D(dst, c.W.Effective(), x, g, false)
	if train {
		c.x, c.n, c.h, c.w = x, n, h, w
	}
	return g.P(), g.Q()
}

// Backward accumulates dLoss/dW from dy ([Out][n][P][Q]) of the last
// training Forward and, when dx is not nil, writes dLoss/dx ([In][n][h][w])
// into dx, or adds it to dx when accumulate is set. dy is not modified.
//
// dW = dY·im2col(x)ᵀ runs on kernels.ConvWeightGrad without materialising
// im2col(x). With stride 1, dx is itself a convolution and runs on the
// implicit-GEMM kernel: dy (padded by R−1−Pad) convolved with the weights
// flipped in space and with in and out channels swapped. With a larger
// stride dx = col2im(Wᵀ·dY).
func (c *Conv2d) Backward(dx, dy []float32, accumulate bool) {
	if c.x == nil {
		panic(fmt.Sprintf("dnn: conv %s: Backward without a training Forward", c.W.Name))
	}
	g := c.geom(c.n, c.h, c.w)
	rows, cols := g.ColRows(), g.ColCols()
	if len(dy) < c.Out*cols {
		panic(fmt.Sprintf("dnn: conv %s: dy has %d values, want %d", c.W.Name, len(dy), c.Out*cols))
	}
	dy = dy[:c.Out*cols]
	inLen := c.In * c.n * c.h * c.w
	if dx != nil && len(dx) < inLen {
		panic(fmt.Sprintf("dnn: conv %s: dx has %d values, want %d", c.W.Name, len(dx), inLen))
	}
	// dW[K][CRS] += dY[K][NPQ] · im2col(x)ᵀ
	kernels.ConvWeightGrad(c.W.Grad, dy, c.x, g, true)
	if dx == nil {
		return
	}
	ws := c.workspace()
	if k := c.Kernel; c.Stride == 1 && c.Pad <= k-1 {
		// dx: dy convolved with the flipped, transposed weights
		// wf[c][k][r][s] = W[k][c][R−1−r][S−1−s].
		kk := k * k
		ws.wf = grow(ws.wf, c.W.Len())
		w := c.W.Effective()
		for ko := range c.Out {
			for ci := range c.In {
				src := w[(ko*c.In+ci)*kk:][:kk]
				dst := ws.wf[(ci*c.Out+ko)*kk:][:kk]
				for i := range dst {
					dst[i] = src[kk-1-i]
				}
			}
		}
		kernels.Conv2D(dx[:inLen], ws.wf, dy, kernels.ConvGeom{C: c.Out, N: c.n, H: g.P(), W: g.Q(),
			K: c.In, R: k, S: k, StrideH: 1, StrideW: 1, PadH: k - 1 - c.Pad, PadW: k - 1 - c.Pad}, accumulate)
		return
	}
	// dcol[CRS][NPQ] = Wᵀ · dY, then scattered back (col2im).
	ws.col = grow(ws.col, rows*cols)
	col := ws.col
	kernels.GemmTA(rows, cols, c.Out, c.W.Effective(), rows, dy, cols, col, cols, false)
	dx = dx[:inLen]
	if !accumulate {
		clear(dx)
	}
	kernels.Col2im(dx, col, c.In, c.n, c.h, c.w, c.Kernel, c.Kernel, c.Stride, c.Stride, c.Pad, c.Pad)
}

// workspace returns the shared scratch, or the layer's own.
func (c *Conv2d) workspace() *workspace {
	if c.ws == nil {
		c.ws = new(workspace)
	}
	return c.ws
}

// clone deep-copies the weight; the copy uses workspace ws.
func (c *Conv2d) clone(ws *workspace) *Conv2d {
	return &Conv2d{In: c.In, Out: c.Out, Kernel: c.Kernel, Stride: c.Stride, Pad: c.Pad, W: c.W.Clone(), ws: ws}
}
