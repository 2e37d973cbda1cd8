package dnn

import (
	"fmt"
	"math"

	"cosim/dnn/kernels"
)

// MaxPool2d is PyTorch's MaxPool2d (floor mode, no dilation) over planes of
// h×w pixels: the stem of ResNet-18 uses Kernel 3, Stride 2, Pad 1. Padding
// never wins (it acts as −∞); the first maximum of a window in row-major
// order wins ties, and the last NaN of a window wins over every number, as
// in PyTorch's CPU kernel.
type MaxPool2d struct {
	Kernel, Stride, Pad int

	arg          []int32 // per output: index of the winning input in its plane
	planes, h, w int
}

// OutSize is the output height and width for an h×w input.
func (m *MaxPool2d) OutSize(h, w int) (p, q int) {
	return (h+2*m.Pad-m.Kernel)/m.Stride + 1, (w+2*m.Pad-m.Kernel)/m.Stride + 1
}

// Forward pools x (planes×h×w, planes = C·N) into dst (planes×P×Q) and
// returns P and Q. With train set it remembers the winners for Backward.
func (m *MaxPool2d) Forward(dst, x []float32, planes, h, w int, train bool) (p, q int) {
	p, q = m.OutSize(h, w)
	if m.Kernel < 1 || m.Stride < 1 || m.Pad < 0 || 2*m.Pad > m.Kernel || p < 1 || q < 1 {
		panic(fmt.Sprintf("dnn: max pool kernel %d stride %d pad %d on %d×%d input", m.Kernel, m.Stride, m.Pad, h, w))
	}
	if len(x) < planes*h*w || len(dst) < planes*p*q {
		panic(fmt.Sprintf("dnn: max pool: len(x)=%d, len(dst)=%d for %d planes of %d×%d → %d×%d", len(x), len(dst), planes, h, w, p, q))
	}
	var arg []int32
	if train {
		m.arg = growInt32(m.arg, planes*p*q)
		arg = m.arg
		m.planes, m.h, m.w = planes, h, w
	}
	forRows(planes, h*w, func(c0, c1 int) {
		for c := c0; c < c1; c++ {
			src := x[c*h*w : (c+1)*h*w]
			out := dst[c*p*q : (c+1)*p*q]
			for pi := range p {
				y0 := pi*m.Stride - m.Pad
				for qi := range q {
					x0 := qi*m.Stride - m.Pad
					// PyTorch's CPU kernel: start from −∞ at the first valid
					// input; a later input wins if it is larger or NaN.
					dy0, dx0 := max(0, -y0), max(0, -x0)
					best, at := float32(math.Inf(-1)), (y0+dy0)*w+x0+dx0
					for dy := dy0; dy < m.Kernel && y0+dy < h; dy++ {
						row := (y0 + dy) * w
						for dx := dx0; dx < m.Kernel && x0+dx < w; dx++ {
							if v := src[row+x0+dx]; v > best || v != v {
								best, at = v, row+x0+dx
							}
						}
					}
					out[pi*q+qi] = best
					if arg != nil {
						arg[c*p*q+pi*q+qi] = int32(at)
					}
				}
			}
		}
	})
	return p, q
}

// Backward writes dLoss/dx (planes×h×w) into dx from dy (planes×P×Q): each
// output's gradient goes to the input that won its window.
func (m *MaxPool2d) Backward(dx, dy []float32) {
	if m.arg == nil {
		panic("dnn: max pool Backward without a training Forward")
	}
	p, q := m.OutSize(m.h, m.w)
	hw, pq := m.h*m.w, p*q
	forRows(m.planes, hw, func(c0, c1 int) {
		for c := c0; c < c1; c++ {
			d := dx[c*hw : (c+1)*hw]
			clear(d)
			for i, g := range dy[c*pq : (c+1)*pq] {
				d[m.arg[c*pq+i]] += g
			}
		}
	})
}

func growInt32(buf []int32, n int) []int32 {
	if cap(buf) >= n {
		return buf[:n]
	}
	return make([]int32, n)
}

// GlobalAvgPool averages each channel of each image (AdaptiveAvgPool2d(1)
// followed by flatten) and transposes to the layout of the classifier:
// [C][N][H·W] in, [N][C] out.
type GlobalAvgPool struct {
	means []float32 // [C][N]
}

// Forward writes the means of x ([c][n][s]) into dst ([n][c]).
func (g *GlobalAvgPool) Forward(dst, x []float32, c, n, s int) {
	if len(x) < c*n*s || len(dst) < n*c {
		panic(fmt.Sprintf("dnn: global average pool: len(x)=%d, len(dst)=%d for %d×%d×%d", len(x), len(dst), c, n, s))
	}
	g.means = grow(g.means, c*n)
	kernels.RowMeans(g.means, x, c*n, s)
	for ci := range c {
		for ni := range n {
			dst[ni*c+ci] = g.means[ci*n+ni]
		}
	}
}

// Backward writes dLoss/dx ([c][n][s]) into dx from dy ([n][c]): every
// pixel of a channel gets dy/s.
func (g *GlobalAvgPool) Backward(dx, dy []float32, c, n, s int) {
	if len(dx) < c*n*s || len(dy) < n*c {
		panic(fmt.Sprintf("dnn: global average pool: len(dx)=%d, len(dy)=%d for %d×%d×%d", len(dx), len(dy), c, n, s))
	}
	div := float32(s)
	forRows(c*n, s, func(r0, r1 int) {
		for r := r0; r < r1; r++ {
			ci, ni := r/n, r%n
			v := dy[ni*c+ci] / div
			d := dx[r*s : (r+1)*s]
			for i := range d {
				d[i] = v
			}
		}
	})
}
