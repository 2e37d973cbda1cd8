package kernels

import (
	"fmt"
	"sync"
)

// ConvGeom is the geometry of a 2-D convolution (cross-correlation, as in
// deep-learning frameworks) over the [C][N][H][W] activation layout, with K
// filters of shape C×R×S stored [K][C][R][S], strides and zero padding.
type ConvGeom struct {
	C, N, H, W       int // input channels, batch, input height and width
	K, R, S          int // filters, filter height and width
	StrideH, StrideW int
	PadH, PadW       int
}

// P is the output height, (H + 2·PadH − R)/StrideH + 1.
func (g ConvGeom) P() int { return (g.H+2*g.PadH-g.R)/g.StrideH + 1 }

// Q is the output width, (W + 2·PadW − S)/StrideW + 1.
func (g ConvGeom) Q() int { return (g.W+2*g.PadW-g.S)/g.StrideW + 1 }

// ColRows is the number of rows of the im2col matrix, C·R·S.
func (g ConvGeom) ColRows() int { return g.C * g.R * g.S }

// ColCols is the number of columns of the im2col matrix, N·P·Q.
func (g ConvGeom) ColCols() int { return g.N * g.P() * g.Q() }

// Validate reports a geometry that has no output or a negative size.
func (g ConvGeom) Validate() error {
	switch {
	case g.C < 1 || g.N < 1 || g.H < 1 || g.W < 1 || g.K < 1 || g.R < 1 || g.S < 1:
		return fmt.Errorf("conv geometry %+v: sizes must be positive", g)
	case g.StrideH < 1 || g.StrideW < 1:
		return fmt.Errorf("conv geometry %+v: strides must be positive", g)
	case g.PadH < 0 || g.PadW < 0:
		return fmt.Errorf("conv geometry %+v: padding must not be negative", g)
	case g.H+2*g.PadH < g.R || g.W+2*g.PadW < g.S:
		return fmt.Errorf("conv geometry %+v: filter larger than the padded input", g)
	}
	return nil
}

func (g ConvGeom) mustValidate(fn string) {
	if err := g.Validate(); err != nil {
		panic(fmt.Sprintf("kernels.%s: %v", fn, err))
	}
}

// Im2col writes the im2col matrix of src ([c][n][h][w]) into dst
// ([c·r·s][n·p·q]): dst[(ci·r+dr)·s+ds][(ni·p+pi)·q+qi] =
// src[ci][ni][pi·strideH−padH+dr][qi·strideW−padW+ds], zero outside the
// input.
func Im2col(dst, src []float32, c, n, h, w, r, s, strideH, strideW, padH, padW int) {
	g := ConvGeom{C: c, N: n, H: h, W: w, K: 1, R: r, S: s, StrideH: strideH, StrideW: strideW, PadH: padH, PadW: padW}
	g.mustValidate("Im2col")
	checkLen("Im2col", "src", len(src), c*n*h*w)
	checkLen("Im2col", "dst", len(dst), g.ColRows()*g.ColCols())
	cols := g.ColCols()
	// Input channels are independent: split them across goroutines.
	splitRows(c, r*s*cols, func(c0, c1 int) {
		sub := g
		sub.C = c1 - c0
		in0 := c0 * n * h * w
		d0 := c0 * r * s * cols
		colWalk(sub, func(row, col, in, cnt int) {
			d := dst[d0+row*cols+col:][:cnt]
			if in < 0 {
				clear(d)
				return
			}
			if g.StrideW == 1 {
				copy(d, src[in0+in:])
				return
			}
			sv := src[in0+in:]
			for i := range d {
				d[i] = sv[i*g.StrideW]
			}
		})
	})
}

// Col2im is the adjoint of Im2col: it adds every entry of col
// ([c·r·s][n·p·q]) into the element of dst ([c][n][h][w]) that Im2col would
// have read it from. Entries that fall into the padding are dropped.
func Col2im(dst, col []float32, c, n, h, w, r, s, strideH, strideW, padH, padW int) {
	g := ConvGeom{C: c, N: n, H: h, W: w, K: 1, R: r, S: s, StrideH: strideH, StrideW: strideW, PadH: padH, PadW: padW}
	g.mustValidate("Col2im")
	checkLen("Col2im", "dst", len(dst), c*n*h*w)
	checkLen("Col2im", "col", len(col), g.ColRows()*g.ColCols())
	im := cur()
	cols := g.ColCols()
	// Rows of col that belong to one input channel touch only that channel
	// of dst, so channels are split across goroutines; within a channel the
	// additions happen in a fixed order.
	splitRows(c, n*h*w*r*s, func(c0, c1 int) {
		sub := g
		sub.C = c1 - c0
		base := c0 * n * h * w
		colBase := c0 * r * s * cols
		colWalk(sub, func(row, cc, in, cnt int) {
			if in < 0 {
				return
			}
			sv := col[colBase+row*cols+cc:][:cnt]
			dv := dst[base+in:]
			if g.StrideW == 1 {
				im.add(dv[:cnt], sv)
				return
			}
			for i, v := range sv {
				dv[i*g.StrideW] += v
			}
		})
	})
}

// colWalk calls f for every run of im2col entries of g that come from one
// input row: row and col locate the first entry in the im2col matrix, cnt
// is the run length, and in is the offset of the first source element in
// the [C][N][H][W] input (consecutive entries are StrideW apart), or −1 for
// a run of zeros (padding).
func colWalk(g ConvGeom, f func(row, col, in, cnt int)) {
	P, Q := g.P(), g.Q()
	for ci := 0; ci < g.C; ci++ {
		for dr := 0; dr < g.R; dr++ {
			for ds := 0; ds < g.S; ds++ {
				row := (ci*g.R+dr)*g.S + ds
				// Output columns qi with 0 ≤ qi·sw − pw + ds < W.
				qLo := ceilDiv(g.PadW-ds, g.StrideW)
				qLo = max(0, qLo)
				qHi := min(Q, ceilDiv(g.W+g.PadW-ds, g.StrideW))
				for ni := 0; ni < g.N; ni++ {
					for pi := 0; pi < P; pi++ {
						col := (ni*P + pi) * Q
						ih := pi*g.StrideH - g.PadH + dr
						if ih < 0 || ih >= g.H || qLo >= qHi {
							f(row, col, -1, Q)
							continue
						}
						if qLo > 0 {
							f(row, col, -1, qLo)
						}
						in := ((ci*g.N+ni)*g.H+ih)*g.W + qLo*g.StrideW - g.PadW + ds
						f(row, col+qLo, in, qHi-qLo)
						if qHi < Q {
							f(row, col+qHi, -1, Q-qHi)
						}
					}
				}
			}
		}
	}
}

func ceilDiv(a, b int) int {
	if a <= 0 {
		return -((-a) / b)
	}
	return (a + b - 1) / b
}

// Conv2D computes out = W ⊛ x, or out += W ⊛ x when accumulate is true:
// out ([K][N][P][Q]) = w ([K][C·R·S]) × Im2col(x) with x laid out
// [C][N][H][W]. It is the same product as Im2col followed by Gemm, with the
// same bits, without materialising the im2col matrix: the input is copied
// once into a zero-padded layout in which every im2col row segment is
// contiguous (see convB), and the GEMM reads its B operand from there —
// in place when the output width is a multiple of the vector width, else
// through the packing step.
func Conv2D(out, w, x []float32, g ConvGeom, accumulate bool) {
	g.mustValidate("Conv2D")
	checkLen("Conv2D", "x", len(x), g.C*g.N*g.H*g.W)
	checkLen("Conv2D", "w", len(w), g.K*g.ColRows())
	checkLen("Conv2D", "out", len(out), g.K*g.ColCols())
	im := cur()
	src := newConvB(g)
	if g.StrideW == 1 && g.PadH == 0 && g.PadW == 0 {
		src.x = x[:g.C*g.N*g.H*g.W]
	} else {
		buf := layoutPool.Get().(*[]float32)
		defer layoutPool.Put(buf)
		src.x = src.layout(im, buf, x)
	}
	gemm(im, g.K, g.ColCols(), g.ColRows(), w, g.ColRows(), false, src, out, g.ColCols(), accumulate)
}

var layoutPool = sync.Pool{New: func() any { return new([]float32) }}

// convB is the im2col matrix of a convolution read from xs, a copy of the
// input x in which the im2col entries (c, dr, ds; n, p, q) sit at
//
//	c·plane + dr·rowStride + ds·dsStride + (n·hp + p·StrideH)·rowStride + q
//
// so that runs along q are contiguous. With StrideW = 1, xs is x with its
// zero border ([C][N][hp][wp], rowStride = wp, dsStride = 1); with a larger
// StrideW every padded row y is stored as S rows of Q,
// xs[c][n][y][ds][q] = xpad[c][n][y][q·StrideW + ds] (rowStride = S·Q,
// dsStride = Q).
type convB struct {
	g                   ConvGeom
	x                   []float32 // xs
	hp, p, q            int
	rowStride, dsStride int
	plane               int // N·hp·rowStride
}

func newConvB(g ConvGeom) convB {
	s := convB{g: g, hp: g.H + 2*g.PadH, p: g.P(), q: g.Q()}
	if g.StrideW == 1 {
		s.rowStride, s.dsStride = g.W+2*g.PadW, 1
	} else {
		s.rowStride, s.dsStride = g.S*s.q, s.q
	}
	s.plane = g.N * s.hp * s.rowStride
	return s
}

// layout builds xs in *buf (grown as needed) from x. Padded rows that no
// output reads (StrideH > R) are left unwritten.
func (s convB) layout(im *impl, buf *[]float32, x []float32) []float32 {
	g := s.g
	planeLen := s.hp * s.rowStride
	size := g.C * s.plane
	if cap(*buf) < size {
		*buf = make([]float32, size)
	}
	xs := (*buf)[:size]
	segs, segLen := 1, s.rowStride // segments per padded row
	if g.StrideW > 1 {
		segs, segLen = g.S, s.q
	}
	// Padded rows [y0, y1) hold input rows; those outside are zero.
	y0, y1 := g.PadH, g.PadH+g.H
	used := make([]bool, s.hp)
	allUsed := true
	for y := range used {
		used[y] = s.rowUsed(y)
		allUsed = allUsed && used[y]
	}
	splitRows(g.C*g.N, planeLen, func(i0, i1 int) {
		for i := i0; i < i1; i++ {
			d := xs[i*planeLen : (i+1)*planeLen]
			src := x[i*g.H*g.W:]
			for y := 0; y < y0; y++ {
				if used[y] {
					clear(d[y*s.rowStride : (y+1)*s.rowStride])
				}
			}
			for y := y1; y < s.hp; y++ {
				if used[y] {
					clear(d[y*s.rowStride : (y+1)*s.rowStride])
				}
			}
			if allUsed {
				im.layoutRows(d[y0*s.rowStride:], s.rowStride, src, g.W, g.H, segs, segLen, -g.PadW, g.StrideW, g.W)
				continue
			}
			for y := y0; y < y1; y++ {
				if used[y] {
					im.layoutRows(d[y*s.rowStride:], s.rowStride, src[(y-y0)*g.W:], g.W, 1, segs, segLen, -g.PadW, g.StrideW, g.W)
				}
			}
		}
	})
	return xs
}

// rowUsed reports whether some output row reads padded input row y.
func (s convB) rowUsed(y int) bool {
	g := s.g
	if g.StrideH <= g.R {
		return y < (s.p-1)*g.StrideH+g.R
	}
	for dr := 0; dr < g.R && dr <= y; dr++ {
		if (y-dr)%g.StrideH == 0 && (y-dr)/g.StrideH < s.p {
			return true
		}
	}
	return false
}

// convRun is a run of im2col columns that read one row of xs: dst is the
// offset in the packed block of its first element (strip and lane, k-row
// 0), src the offset in xs (for c = dr = ds = 0), n the length.
type convRun struct {
	dst, src, n int
}

// rowOffset is the offset in xs of im2col row k at column 0.
func (s convB) rowOffset(k int) int {
	g := s.g
	ci, rs := k/(g.R*g.S), k%(g.R*g.S)
	return ci*s.plane + (rs/g.S)*s.rowStride + (rs%g.S)*s.dsStride
}

// colOffset is the offset in xs of im2col column j at row 0.
func (s convB) colOffset(j int) int {
	pq := s.p * s.q
	ni, rem := j/pq, j%pq
	pi, qi := rem/s.q, rem%s.q
	return (ni*s.hp+pi*s.g.StrideH)*s.rowStride + qi
}

// kBlock is the reduction block of the GEMM: whole input channels, so that
// the direct kernels walk (c, dr, ds) with nested loops.
func (s convB) kBlock() int {
	rs := s.g.R * s.g.S
	return rs * max(1, blockK/rs)
}

func (s convB) pack(im *impl, dst []float32, pc, kc, jc, nc, n int, sc *scratch) {
	nr := im.nr
	// Runs of this block: walk its columns once, without divisions.
	runs := sc.runs[:0]
	pq := s.p * s.q
	ni, rem := jc/pq, jc%pq
	pi, qi := rem/s.q, rem%s.q
	for j := 0; j < nc; {
		t, lane := j/nr, j%nr
		cnt := min(s.q-qi, nr-lane, nc-j)
		runs = append(runs, convRun{
			dst: t*kc*nr + lane,
			src: (ni*s.hp+pi*s.g.StrideH)*s.rowStride + qi,
			n:   cnt,
		})
		j += cnt
		if qi += cnt; qi == s.q {
			qi = 0
			if pi++; pi == s.p {
				pi, ni = 0, ni+1
			}
		}
	}
	sc.runs = runs
	// Zero the padding columns of a partial last strip.
	ns := (nc + nr - 1) / nr
	if w := nc - (ns-1)*nr; w < nr {
		d := dst[(ns-1)*kc*nr:]
		for p := 0; p < kc; p++ {
			clear(d[p*nr+w : (p+1)*nr])
		}
	}
	im.packRuns(dst, s.x[s.rowOffset(pc):], runs, s.walk(kc), nr)
}

// walk describes the k-rows of a reduction block of kc rows (whole
// channels).
func (s convB) walk(kc int) convWalk {
	w := convWalk{nch: kc / (s.g.R * s.g.S), r: s.g.R, s: s.g.S, plane: s.plane, row: s.rowStride, ds: s.dsStride}
	if w.nch < 1 || w.nch*w.r*w.s != kc || w.plane < 0 || w.row < 0 || w.ds < 0 {
		panic(fmt.Sprintf("kernels: reduction block of %d rows is not whole channels of %+v", kc, s.g))
	}
	w.kc = kc
	w.span = (w.nch-1)*w.plane + (w.r-1)*w.row + (w.s-1)*w.ds
	return w
}

// direct reports whether the GEMM may read B in place: every vector of
// every strip must be one contiguous segment of an output row.
func (s convB) direct(im *impl) bool {
	return im.kernelDirect != nil && s.q%im.lanes == 0 && (s.g.N*s.p*s.q)%im.nr == 0
}

// convWalk describes, for a direct kernel, the k-rows of one reduction
// block: nch whole input channels of r·s rows each, at element offsets
// c·plane + dr·row + ds·ds from the block's first row.
type convWalk struct {
	nch, r, s      int
	plane, row, ds int
	kc, span       int // rows, and the largest k-row offset
}
