package kernels

import (
	"fmt"
	"sync"
)

// Weight-gradient blocking. A task reduces a segment of about
// wgSegPositions positions (whole images) for a block of input channels
// whose planes take at most about wgXBlockBytes, against every output
// channel.
const (
	wgSegPositions = 8192
	wgXBlockBytes  = 512 << 10
	wgLanes        = 16 // lane structure of the reduction, in every implementation
)

// ConvWeightGrad computes the weight gradient of a convolution,
//
//	dw[k][(c·R+r)·S+s] = Σ_{n,p,q} dy[k][n][p][q] · x[c][n][p·StrideH−PadH+r][q·StrideW−PadW+s]
//
// (zero outside the input), or adds it to dw when accumulate is true: the
// product dY·Im2col(x)ᵀ with dy laid out [K][N][P][Q], x [C][N][H][W] and
// dw [K][C·R·S], without materialising the im2col matrix.
//
// A strided convolution is handled as the stride-1 convolution of the same
// input whose output gradient is dy spread out with zeros (to positions
// p·StrideH, q·StrideW of the P₁×Q₁ stride-1 output). Both operands are
// copied into one long zero-padded run per channel in which the images
// follow each other every Ry = max(H+PadH, P₁) rows of wp = W + 2·PadW
// values, sharing their zero padding rows: x row y of image n at row
// n·Ry + PadH + y, column PadW; dy row p of image n at row n·Ry. Every tap
// (r, s) of the filter is then the constant shift r·wp + s between the two
// runs, and the sum over a block of images is the dot product of two
// contiguous runs (a dy entry in the padding is zero, so the x value it
// meets does not matter).
//
// Summation order (the same in every implementation, and independent of
// GOMAXPROCS): the images are cut into fixed segments of whole images whose
// runs are multiples of 16 long; position j of a segment's run is
// accumulated in float32 into lane j mod 16, in order, each product
// rounded to float32 before the add; the 16 lanes are combined by the fixed
// pairwise tree of tree16; the segment results are added in float64 in
// image order and rounded once (then added to dw when accumulating). A
// non-finite input value can meet the zero padding of dy and so make
// entries non-finite that would otherwise be finite; that only happens
// when the gradient involves non-finite values anyway.
func ConvWeightGrad(dw, dy, x []float32, g ConvGeom, accumulate bool) {
	g.mustValidate("ConvWeightGrad")
	checkLen("ConvWeightGrad", "x", len(x), g.C*g.N*g.H*g.W)
	checkLen("ConvWeightGrad", "dy", len(dy), g.K*g.ColCols())
	checkLen("ConvWeightGrad", "dw", len(dw), g.K*g.ColRows())
	im := cur()
	pl := newWGPlan(g)
	buf := wgPool.Get().(*wgBuffers)
	defer wgPool.Put(buf)
	buf.dy = growF(buf.dy, g.K*pl.ldy)
	buf.x = growF(buf.x, g.C*pl.lx)
	crs := g.ColRows()
	buf.part = growF(buf.part, pl.nseg*g.K*crs)
	pl.layoutDY(buf.dy, dy)
	pl.layoutX(buf.x, x)
	ncb := (g.C + pl.cb - 1) / pl.cb
	forChunks(pl.nseg*ncb, func(it int) {
		seg, cbi := it/ncb, it%ncb
		pl.task(im, buf, seg, cbi*pl.cb, min(g.C, (cbi+1)*pl.cb))
	})
	part := buf.part
	nseg := pl.nseg
	splitRange(g.K*crs, 16, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			s := 0.0
			for seg := 0; seg < nseg; seg++ {
				s += float64(part[seg*g.K*crs+i])
			}
			if accumulate {
				dw[i] += float32(s)
			} else {
				dw[i] = float32(s)
			}
		}
	})
}

// wgBuffers is the scratch of one ConvWeightGrad call: the padded dy and x
// runs and the per-segment results.
type wgBuffers struct{ dy, x, part []float32 }

var wgPool = sync.Pool{New: func() any { return new(wgBuffers) }}

// growF returns buf resized to n elements, reusing its memory when possible.
func growF(buf []float32, n int) []float32 {
	if cap(buf) >= n {
		return buf[:n]
	}
	return make([]float32, n)
}

// wgPlan is the run geometry of one ConvWeightGrad call.
type wgPlan struct {
	g       ConvGeom
	p1      int   // stride-1 output height
	wp      int   // padded row length
	ry      int   // rows per image in a run
	img     int   // values per image in a run, ry·wp
	ldy, lx int   // run length (with slack) of one dy and one x channel
	segImgs int   // images per segment (the last one may have fewer)
	nseg    int   // segments
	cb      int   // input channels per task
	offs    []int // tap (r, s) → r·wp + s
}

func newWGPlan(g ConvGeom) *wgPlan {
	pl := &wgPlan{g: g, wp: g.W + 2*g.PadW}
	pl.p1 = g.H + 2*g.PadH - g.R + 1
	pl.ry = max(g.H+g.PadH, pl.p1)
	pl.img = pl.ry * pl.wp
	// Segments are whole images whose runs are multiples of 16 long.
	unit := wgLanes / gcd(pl.img, wgLanes)
	pl.segImgs = max(unit, wgSegPositions/pl.img/unit*unit)
	pl.segImgs = min(pl.segImgs, (g.N+unit-1)/unit*unit)
	pl.nseg = (g.N + pl.segImgs - 1) / pl.segImgs
	// The last segment's run is rounded up to 16 with zeros; x is read up to
	// (R−1)·wp + S−1 further.
	pl.ldy = (g.N*pl.img+wgLanes-1)/wgLanes*wgLanes + 16
	pl.lx = max(pl.ldy+(g.R-1)*pl.wp+g.S+16, (g.N*pl.ry+g.PadH+g.H)*pl.wp)
	pl.cb = max(1, min(g.C, wgXBlockBytes/(4*pl.segImgs*pl.img)))
	for r := 0; r < g.R; r++ {
		for s := 0; s < g.S; s++ {
			pl.offs = append(pl.offs, r*pl.wp+s)
		}
	}
	return pl
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// image returns the segment of image i%N in run i/N of dst (runs ld
// apart); with the run's last image it clears the run's padding after its
// N images.
func (pl *wgPlan) image(dst []float32, ld, i int) []float32 {
	N, img := pl.g.N, pl.img
	k, n := i/N, i%N
	run := dst[k*ld : (k+1)*ld]
	if n == N-1 {
		clear(run[N*img:])
	}
	return run[n*img : (n+1)*img]
}

// layoutDY writes the runs of dy, spread to the stride-1 output positions.
// Every value of a run is written once.
func (pl *wgPlan) layoutDY(dst, dy []float32) {
	g := pl.g
	P, Q := g.P(), g.Q()
	N, img, wp := g.N, pl.img, pl.wp
	splitRows(g.K*N, img, func(r0, r1 int) {
		for i := r0; i < r1; i++ {
			d := pl.image(dst, pl.ldy, i)
			src := dy[i*P*Q : (i+1)*P*Q]
			y := 0 // rows of d written so far
			for p := 0; p < P; p++ {
				yy := p * g.StrideH
				clear(d[y*wp : yy*wp])
				row := d[yy*wp : (yy+1)*wp]
				s := src[p*Q : (p+1)*Q]
				if g.StrideW == 1 {
					copy(row, s)
					clear(row[Q:])
				} else {
					clear(row)
					for q, v := range s {
						row[q*g.StrideW] = v
					}
				}
				y = yy + 1
			}
			clear(d[y*wp:])
		}
	})
}

// layoutX writes the zero-padded runs of x.
func (pl *wgPlan) layoutX(dst, x []float32) {
	g := pl.g
	N, img, wp := g.N, pl.img, pl.wp
	splitRows(g.C*N, img, func(r0, r1 int) {
		for i := r0; i < r1; i++ {
			d := pl.image(dst, pl.lx, i)
			src := x[i*g.H*g.W : (i+1)*g.H*g.W]
			clear(d[:g.PadH*wp])
			for y := 0; y < g.H; y++ {
				row := d[(y+g.PadH)*wp : (y+g.PadH+1)*wp]
				clear(row[:g.PadW])
				copy(row[g.PadW:], src[y*g.W:(y+1)*g.W])
				clear(row[g.PadW+g.W:])
			}
			clear(d[(g.H+g.PadH)*wp:])
		}
	})
}

// task reduces segment seg for input channels [c0, c1) against every
// output channel, writing the segment's results into buf.part.
func (pl *wgPlan) task(im *impl, buf *wgBuffers, seg, c0, c1 int) {
	g := pl.g
	n0 := seg * pl.segImgs
	chunks := ((min(g.N, n0+pl.segImgs)-n0)*pl.img + wgLanes - 1) / wgLanes
	rs := g.R * g.S
	crs := g.C * rs
	part := buf.part[seg*g.K*crs : (seg+1)*g.K*crs]
	var out [10]float32
	var offs [5]int
	for k := 0; k < g.K; k += im.wgMK {
		mk := min(im.wgMK, g.K-k)
		for c := c0; c < c1; c++ {
			for s0 := 0; s0 < rs; s0 += 5 {
				mc := min(5, rs-s0)
				copy(offs[:], pl.offs[s0:s0+mc])
				im.wgrad(mk, mc, chunks, buf.dy, k*pl.ldy+n0*pl.img, pl.ldy, buf.x, c*pl.lx+n0*pl.img, &offs, &out)
				for a := 0; a < mk; a++ {
					copy(part[(k+a)*crs+c*rs+s0:][:mc], out[a*mc:(a+1)*mc])
				}
			}
		}
	}
}

// checkWGrad panics unless every vector a weight-gradient kernel reads lies
// inside dy and x. The failure path is out of line.
func checkWGrad(mk, mc, maxMK, chunks int, dy []float32, dyOff, dyRow int, x []float32, xOff int, offs *[5]int) {
	hi := 0
	for _, o := range offs[:max(0, min(mc, 5))] {
		hi = max(hi, o)
		if o < 0 {
			hi = -1 << 40
		}
	}
	if mk < 1 || mk > maxMK || mc < 1 || mc > 5 || chunks < 1 || dyOff < 0 || xOff < 0 || dyRow < 0 || hi < 0 ||
		dyOff+(mk-1)*dyRow+chunks*wgLanes > len(dy) || xOff+hi+chunks*wgLanes > len(x) {
		badWGrad(mk, mc, chunks, len(dy), len(x))
	}
}

//go:noinline
func badWGrad(mk, mc, chunks, ldy, lx int) {
	panic(fmt.Sprintf("kernels: weight-gradient kernel operands out of range (mk=%d mc=%d chunks=%d len(dy)=%d len(x)=%d)", mk, mc, chunks, ldy, lx))
}

// genericWGrad is impl.wgrad in plain Go, lane by lane: for a < mk and
// b < mc, lane l accumulates float32(u_a[i]·v_b[i]) for the i ≡ l mod 16
// of chunks 16-element chunks, in order, with u_a starting at
// dy[dyOff + a·dyRow] and v_b at x[xOff + offs[b]]; out[a·mc+b] is the
// tree16 of the lanes.
func genericWGrad(mk, mc, chunks int, dy []float32, dyOff, dyRow int, x []float32, xOff int, offs *[5]int, out *[10]float32) {
	checkWGrad(mk, mc, 2, chunks, dy, dyOff, dyRow, x, xOff, offs)
	for a := 0; a < mk; a++ {
		u := dy[dyOff+a*dyRow:][:chunks*wgLanes]
		for b := 0; b < mc; b++ {
			v := x[xOff+offs[b]:][:chunks*wgLanes]
			var ac [wgLanes]float32
			for i := 0; i < len(u); i += wgLanes {
				uu := (*[wgLanes]float32)(u[i:])
				vv := (*[wgLanes]float32)(v[i:])
				for l := range ac {
					ac[l] += float32(uu[l] * vv[l])
				}
			}
			out[a*mc+b] = tree16(&ac)
		}
	}
}

// tree16 adds 16 lanes pairwise in a fixed order: lane l with l+8, then
// l+4, l+2 and l+1 (the order the SIMD kernels reduce a vector in).
func tree16(a *[wgLanes]float32) float32 {
	var t [8]float32
	for l := range t {
		t[l] = a[l] + a[l+8]
	}
	for l := 0; l < 4; l++ {
		t[l] += t[l+4]
	}
	return (t[0] + t[2]) + (t[1] + t[3])
}
