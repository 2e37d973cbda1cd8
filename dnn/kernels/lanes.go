package kernels

import (
	"fmt"
	"sync"
	"unsafe"
)

// LaneWidth is the number of images a lane tensor holds side by side.
const LaneWidth = 16

// LaneShape is the shape of a lane tensor, the activation layout of the
// inference engine: C channels of H×W pixels surrounded by Pad pixels of
// zeros, every pixel LaneWidth float32 values (one per image of a group),
// stored [C][H+2·Pad][W+2·Pad][LaneWidth]. Every arithmetic operation on a
// lane tensor is the same for each image, lane by lane, so a lane's result
// does not depend on the other images of its group.
type LaneShape struct{ C, H, W, Pad int }

// Hp is the padded height.
func (s LaneShape) Hp() int { return s.H + 2*s.Pad }

// Wp is the padded width.
func (s LaneShape) Wp() int { return s.W + 2*s.Pad }

// Plane is the number of values of one channel, padding included.
func (s LaneShape) Plane() int { return s.Hp() * s.Wp() * LaneWidth }

// Len is the number of values of the tensor, padding included.
func (s LaneShape) Len() int { return s.C * s.Plane() }

// At is the offset of pixel (y, x) of channel c, with y and x counted from
// the first interior pixel (the padding is at −Pad … −1 and H … H+Pad−1).
func (s LaneShape) At(c, y, x int) int {
	return ((c*s.Hp()+y+s.Pad)*s.Wp() + x + s.Pad) * LaneWidth
}

func (s LaneShape) valid() bool { return s.C > 0 && s.H > 0 && s.W > 0 && s.Pad >= 0 }

// LaneConv is the geometry of a convolution between lane tensors: R×S
// filters over In.C channels, one stride and one zero padding Pad for both
// axes (Pad ≤ In.Pad: the padding is read from the tensor), Out.C filters.
type LaneConv struct {
	In, Out     LaneShape
	R, S        int
	Stride, Pad int
}

// Validate reports a geometry whose output shape does not follow from the
// input, or whose padding the input tensor does not hold.
func (cv LaneConv) Validate() error {
	switch {
	case !cv.In.valid() || !cv.Out.valid() || cv.R < 1 || cv.S < 1 || cv.Stride < 1 || cv.Pad < 0:
		return fmt.Errorf("lane conv %+v: sizes must be positive", cv)
	case cv.Pad > cv.In.Pad:
		return fmt.Errorf("lane conv %+v: padding %d exceeds the input tensor's %d", cv, cv.Pad, cv.In.Pad)
	case cv.In.H+2*cv.Pad < cv.R || cv.In.W+2*cv.Pad < cv.S:
		return fmt.Errorf("lane conv %+v: filter larger than the padded input", cv)
	case cv.Out.H != (cv.In.H+2*cv.Pad-cv.R)/cv.Stride+1 || cv.Out.W != (cv.In.W+2*cv.Pad-cv.S)/cv.Stride+1:
		return fmt.Errorf("lane conv %+v: output %d×%d does not follow from the input", cv, cv.Out.H, cv.Out.W)
	}
	return nil
}

// laneScratch is one call's packed weights, edge tile and plan.
type laneScratch struct {
	panel, tile []float32
	tiles       []laneTile
	walks       []convWalk
	plan        []int
}

// laneTile is one row tile of a lane convolution: rows [i0, i0+mr), its
// reduction blocks walks[b0:b1], its packed panel at off.
type laneTile struct {
	i0, mr, off, b0, b1 int
}

// LaneScratch holds the working memory of the lane kernels (packed
// weights, Winograd tiles). A caller that runs many lane convolutions, such
// as one worker of the inference engine, keeps one and passes it to every
// call, so that nothing is allocated once it has grown; nil takes one from
// a shared pool for the call. A LaneScratch must not be used by two calls
// at once.
type LaneScratch struct {
	lane laneScratch
	wino winoScratch
}

var laneScratchPool = sync.Pool{New: func() any { return new(LaneScratch) }}

// tilePlan appends to out the split of m output rows (channels) into
// micro-tile heights of 5 and 4 where possible (taller tiles reuse each B
// load more, and a 4-row tile runs almost as fast as a 5-row one while a
// 3-row one does not), else appendRowPlan's. Every GEMM-like routine uses
// it; the split does not change any result.
func tilePlan(out []int, m int) []int {
	for a := m / maxMR; a >= 0; a-- {
		if rest := m - a*maxMR; rest%4 == 0 {
			for i := 0; i < a; i++ {
				out = append(out, maxMR)
			}
			for i := 0; i < rest/4; i++ {
				out = append(out, 4)
			}
			return out
		}
	}
	return appendRowPlan(out, m)
}

// LaneConvForward computes, for every lane l, output channel k and output
// pixel (p, q) of the interior of out,
//
//	out[k][p][q][l] = act(Σ_{c,r,s} w[k][(c·R+r)·S+s] · in[c][p·Stride−Pad+r][q·Stride−Pad+s][l] + bias[k] + res[k][p][q][l])
//
// with w laid out [Out.C][In.C·R·S]. The sum runs in ascending (c, r, s)
// order, every product rounded to float32 before its add (as Conv2D), then
// bias is added, then res (nil: none, else a tensor of out's shape), then
// act is ReLU when relu is set (negative values become +0, NaN stays).
// The padding of out is not written. The call runs on the calling
// goroutine (the inference engine parallelises over groups of images), in
// the working memory of scratch (see LaneScratch).
func LaneConvForward(out, in, w, bias, res []float32, cv LaneConv, relu bool, scratch *LaneScratch) {
	if err := cv.Validate(); err != nil {
		panic("kernels.LaneConvForward: " + err.Error())
	}
	crs := cv.In.C * cv.R * cv.S
	checkLen("LaneConvForward", "in", len(in), cv.In.Len())
	checkLen("LaneConvForward", "out", len(out), cv.Out.Len())
	checkLen("LaneConvForward", "w", len(w), cv.Out.C*crs)
	checkLen("LaneConvForward", "bias", len(bias), cv.Out.C)
	if res != nil {
		checkLen("LaneConvForward", "res", len(res), cv.Out.Len())
	}
	im := cur()
	rs := cv.R * cv.S
	if scratch == nil {
		scratch = laneScratchPool.Get().(*LaneScratch)
		defer laneScratchPool.Put(scratch)
	}
	sc := &scratch.lane
	if sc.tile == nil {
		sc.tile = alignedFloats(maxMR * 32)
	}
	inPlane, outPlane := cv.In.Plane(), cv.Out.Plane()
	pps := im.nr / LaneWidth // pixels per strip
	P, Q := cv.Out.H, cv.Out.W
	// Every row tile's weights are packed once, block by block:
	// [tile][block][kc][mr][lanes]. A block is whole input channels, split
	// evenly so that one block's panel stays within laneMaxKC (it must stay
	// in L1 next to the input rows the strips stream).
	sc.plan = tilePlan(sc.plan[:0], cv.Out.C)
	sc.tiles, sc.walks = sc.tiles[:0], sc.walks[:0]
	off := 0
	for i0, ti := 0, 0; i0 < cv.Out.C; i0, ti = i0+sc.plan[ti], ti+1 {
		mr := sc.plan[ti]
		t := laneTile{i0: i0, mr: mr, off: off, b0: len(sc.walks)}
		maxCh := max(1, laneMaxKC(mr, im.lanes)/rs)
		nb := (cv.In.C + maxCh - 1) / maxCh
		for b, c0 := 0, 0; b < nb; b++ {
			nch := (cv.In.C - c0 + nb - b - 1) / (nb - b)
			wk := convWalk{nch: nch, r: cv.R, s: cv.S, plane: inPlane, row: cv.In.Wp() * LaneWidth, ds: LaneWidth, kc: nch * rs}
			wk.span = (wk.nch-1)*wk.plane + (wk.r-1)*wk.row + (wk.s-1)*wk.ds
			sc.walks = append(sc.walks, wk)
			c0 += nch
		}
		t.b1 = len(sc.walks)
		sc.tiles = append(sc.tiles, t)
		off += mr * crs * im.lanes
	}
	if len(sc.panel) < off {
		sc.panel = alignedFloats(off)
	}
	for _, t := range sc.tiles {
		pc := 0
		for _, wk := range sc.walks[t.b0:t.b1] {
			im.packA(sc.panel[t.off+pc*t.mr*im.lanes:][:wk.kc*t.mr*im.lanes], w, crs, false, t.i0, t.mr, pc, wk.kc)
			pc += wk.kc
		}
	}
	// Loop order: bands of output rows (whose input rows stay in L2 across
	// the row tiles), row tiles, reduction blocks (whose panel stays in L1
	// across the band's strips), strips. The tiles of out hold the partial
	// sums between blocks; the epilogue runs after the last block.
	bh := laneBand(cv)
	for p0 := 0; p0 < P; p0 += bh {
		p1 := min(P, p0+bh)
		for _, t := range sc.tiles {
			i0, mr := t.i0, t.mr
			pc := 0
			for b, wk := range sc.walks[t.b0:t.b1] {
				last := b == t.b1-t.b0-1
				panel := sc.panel[t.off+pc*mr*im.lanes:]
				x := in[(pc/rs)*inPlane:]
				for p := p0; p < p1; p++ {
					y := p*cv.Stride - cv.Pad
					for q := 0; q < Q; q += pps {
						np := min(pps, Q-q)
						var srcs [2]int
						for k := range srcs {
							srcs[k] = cv.In.At(0, y, (q+min(k, np-1))*cv.Stride-cv.Pad)
						}
						dst := cv.Out.At(i0, p, q)
						width := np * LaneWidth
						if np < pps {
							// A lone pixel: run the tile in scratch.
							for i := 0; i < mr && pc > 0; i++ {
								copy(sc.tile[i*im.nr:][:width], out[dst+i*outPlane:])
							}
							im.laneDirect(mr, wk, panel, x, srcs, sc.tile, im.nr, pc > 0)
							for i := 0; i < mr; i++ {
								copy(out[dst+i*outPlane:][:width], sc.tile[i*im.nr:])
							}
						} else {
							im.laneDirect(mr, wk, panel, x, srcs, out[dst:], outPlane, pc > 0)
						}
						if last {
							var rt []float32
							if res != nil {
								rt = res[dst:]
							}
							im.laneEpilogue(out[dst:], outPlane, mr, width, bias[i0:i0+mr], rt, relu)
						}
					}
				}
				pc += wk.kc
			}
		}
	}
}

// laneBandBytes bounds the input rows (all channels) one band of output
// rows of a lane convolution reads.
const laneBandBytes = 256 << 10

// laneBand is the number of output rows per band of cv.
func laneBand(cv LaneConv) int {
	rowBytes := cv.In.C * cv.In.Wp() * LaneWidth * 4
	rows := max(cv.R, laneBandBytes/rowBytes) // input rows that fit
	return max(1, min(cv.Out.H, (rows-cv.R)/cv.Stride+1))
}

// laneMaxKC is the longest reduction block of a lane convolution with
// tiles of mr rows: its pre-broadcast panel takes at most laneMaxKC·mr
// vectors of lanes floats, about laneMaxKC(…)·mr·4·lanes ≤ 20 KiB.
func laneMaxKC(mr, lanes int) int { return max(1, (20<<10)/(4*lanes*mr)) }

// genericLaneDirect is impl.laneDirect for the plain-Go implementation: a
// strip is one pixel (16 lanes) at x[srcs[0]:], ap holds A as [kc][mr].
// The k-rows' offsets into x go into a table, a block at a time, for the
// micro-kernels of genericMMt.
func genericLaneDirect(mr int, w convWalk, ap, x []float32, srcs [2]int, c []float32, ldc int, load bool) {
	const nr = genericNR
	if uint(mr-1) >= maxMR || w.kc < 1 || w.kc != w.nch*w.r*w.s || w.plane < 0 || w.row < 0 || w.ds < 0 || len(ap) < w.kc*mr || srcs[0] < 0 || srcs[0]+w.span+nr > len(x) || len(c) < (mr-1)*ldc+nr {
		badOperands("lane", mr, w.kc, 1, len(ap), len(x), len(c), ldc)
	}
	if !load {
		for i := 0; i < mr; i++ {
			clear(c[i*ldc : i*ldc+nr])
		}
	}
	var offs [256]uintptr
	pa, px, pc := unsafe.Pointer(&ap[0]), unsafe.Pointer(&x[0]), unsafe.Pointer(&c[0])
	as, cs := uintptr(mr)*4, uintptr(ldc)*4
	n, k0 := 0, 0
	for ci := 0; ci < w.nch; ci++ {
		for dr := 0; dr < w.r; dr++ {
			o := ci*w.plane + dr*w.row + srcs[0]
			for ds := 0; ds < w.s; ds++ {
				offs[n] = uintptr(o+ds*w.ds) * 4
				n++
				if n == len(offs) {
					genericMMt(mr, unsafe.Add(pa, uintptr(k0)*as), as, px, offs[:n], pc, cs, nr)
					k0 += n
					n = 0
				}
			}
		}
	}
	if n > 0 {
		genericMMt(mr, unsafe.Add(pa, uintptr(k0)*as), as, px, offs[:n], pc, cs, nr)
	}
}

// genericLaneEpilogue is impl.laneEpilogue in plain Go: for i < mr and
// j < width, c[i·ldc+j] = act(c + bias[i] + res[i·ldc+j]).
func genericLaneEpilogue(c []float32, ldc, mr, width int, bias, res []float32, relu bool) {
	for i := 0; i < mr; i++ {
		row := c[i*ldc:][:width]
		var rr []float32
		if res != nil {
			rr = res[i*ldc:][:width]
		}
		b := bias[i]
		for j, v := range row {
			v += b
			if rr != nil {
				v += rr[j]
			}
			if relu {
				v = reluScalar(v)
			}
			row[j] = v
		}
	}
}

// LaneLoad writes n ≤ LaneWidth images x ([n][C][H][W]) into the lane
// tensor dst of shape s: image i in lane i, zeros in the padding and in the
// lanes n … LaneWidth−1.
func LaneLoad(dst []float32, s LaneShape, x []float32, n int) {
	if !s.valid() || n < 0 || n > LaneWidth {
		panic(fmt.Sprintf("kernels.LaneLoad: shape %+v with %d images", s, n))
	}
	checkLen("LaneLoad", "dst", len(dst), s.Len())
	checkLen("LaneLoad", "x", len(x), n*s.C*s.H*s.W)
	dst = dst[:s.Len()]
	clear(dst)
	hw := s.H * s.W
	for c := 0; c < s.C; c++ {
		for y := 0; y < s.H; y++ {
			row := dst[s.At(c, y, 0):][:s.W*LaneWidth]
			for i := 0; i < n; i++ {
				src := x[(i*s.C+c)*hw+y*s.W:][:s.W]
				for xx, v := range src {
					row[xx*LaneWidth+i] = v
				}
			}
		}
	}
}

// LaneZeroPadding sets the padding pixels of every channel of t (shape s)
// to zero, leaving the interior alone: a buffer reused for a new shape
// then reads as zero-padded.
func LaneZeroPadding(t []float32, s LaneShape) {
	checkLen("LaneZeroPadding", "t", len(t), s.Len())
	if s.Pad == 0 {
		return
	}
	wp := s.Wp() * LaneWidth
	for c := 0; c < s.C; c++ {
		for y := -s.Pad; y < s.H+s.Pad; y++ {
			row := t[s.At(c, y, -s.Pad):][:wp]
			if y < 0 || y >= s.H {
				clear(row)
				continue
			}
			clear(row[:s.Pad*LaneWidth])
			clear(row[(s.Pad+s.W)*LaneWidth:])
		}
	}
}

// LaneAvgPool writes the mean of every channel's interior pixels of t
// (shape s) into dst ([C][LaneWidth]): the sum in float32 over the pixels
// in row-major order, divided by H·W.
func LaneAvgPool(dst, t []float32, s LaneShape) {
	checkLen("LaneAvgPool", "t", len(t), s.Len())
	checkLen("LaneAvgPool", "dst", len(dst), s.C*LaneWidth)
	div := float32(s.H * s.W)
	for c := 0; c < s.C; c++ {
		var acc [LaneWidth]float32
		for y := 0; y < s.H; y++ {
			row := t[s.At(c, y, 0):][:s.W*LaneWidth]
			for x := 0; x < s.W; x++ {
				px := (*[LaneWidth]float32)(row[x*LaneWidth:])
				for l := range acc {
					acc[l] += px[l]
				}
			}
		}
		d := (*[LaneWidth]float32)(dst[c*LaneWidth:])
		for l := range acc {
			d[l] = acc[l] / div
		}
	}
}

// LaneMaxPool writes into the interior of dst (shape out) the maximum of
// every kernel×kernel window (stride, padding pad) of the interior of src
// (shape in, same channels), per lane. Positions outside the interior never
// win; the first maximum in row-major window order wins ties, and a NaN
// wins over every number (PyTorch's CPU rule).
func LaneMaxPool(dst []float32, out LaneShape, src []float32, in LaneShape, kernel, stride, pad int) {
	if out.C != in.C || kernel < 1 || stride < 1 || pad < 0 || 2*pad > kernel ||
		out.H != (in.H+2*pad-kernel)/stride+1 || out.W != (in.W+2*pad-kernel)/stride+1 {
		panic(fmt.Sprintf("kernels.LaneMaxPool: %+v → %+v with kernel %d stride %d pad %d", in, out, kernel, stride, pad))
	}
	checkLen("LaneMaxPool", "src", len(src), in.Len())
	checkLen("LaneMaxPool", "dst", len(dst), out.Len())
	for c := 0; c < in.C; c++ {
		for p := 0; p < out.H; p++ {
			y0 := p*stride - pad
			for q := 0; q < out.W; q++ {
				x0 := q*stride - pad
				d := (*[LaneWidth]float32)(dst[out.At(c, p, q):])
				first := true
				for dy := max(0, -y0); dy < kernel && y0+dy < in.H; dy++ {
					for dx := max(0, -x0); dx < kernel && x0+dx < in.W; dx++ {
						v := (*[LaneWidth]float32)(src[in.At(c, y0+dy, x0+dx):])
						if first {
							*d = *v
							first = false
							continue
						}
						for l := range d {
							if v[l] > d[l] || v[l] != v[l] {
								d[l] = v[l]
							}
						}
					}
				}
			}
		}
	}
}

// LaneLinear computes a fully connected layer on LaneWidth images at once:
// dst[j][l] = act(Σ_c w[j][c]·x[c][l] + bias[j]) for j < out, with w laid
// out [out][in], x [in][LaneWidth] and dst [out][LaneWidth]; the sum runs
// in ascending c with every product rounded to float32 before its add, and
// act is ReLU when relu is set. bias may be nil.
func LaneLinear(dst, w, bias, x []float32, in, out int, relu bool) {
	checkLen("LaneLinear", "w", len(w), in*out)
	checkLen("LaneLinear", "x", len(x), in*LaneWidth)
	checkLen("LaneLinear", "dst", len(dst), out*LaneWidth)
	if bias != nil {
		checkLen("LaneLinear", "bias", len(bias), out)
	}
	cur().laneLinear(dst, w, bias, x, in, out, relu)
}

func genericLaneLinear(dst, w, bias, x []float32, in, out int, relu bool) {
	for j := 0; j < out; j++ {
		var acc [LaneWidth]float32
		row := w[j*in : (j+1)*in]
		for c, a := range row {
			xv := (*[LaneWidth]float32)(x[c*LaneWidth:])
			for l := range acc {
				acc[l] += float32(a * xv[l])
			}
		}
		d := (*[LaneWidth]float32)(dst[j*LaneWidth:])
		for l := range acc {
			v := acc[l]
			if bias != nil {
				v += bias[j]
			}
			if relu {
				v = reluScalar(v)
			}
			d[l] = v
		}
	}
}
