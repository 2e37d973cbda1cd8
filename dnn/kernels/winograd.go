package kernels

import "fmt"

// Winograd F(2×2, 3×3) (Lavin and Gray, "Fast Algorithms for Convolutional
// Neural Networks", 2016): a 2×2 output tile of a 3×3 convolution is
// Aᵀ·[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]·A for the 4×4 input tile d, with
//
//	Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]
//	G  = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
//	Aᵀ = [1 1 1 0; 0 1 −1 −1]
//
// so the 16 positions ξ = 4i+j of the transformed tile are 16 independent
// GEMMs, M_ξ[k][t] = Σ_c U_ξ[k][c]·V_ξ[c][t] over input channels c and
// tiles t, with 16 multiplications per 2×2 outputs instead of 36.
const winoPositions = 16

// WinogradFilter writes the transformed 3×3 filter G·g·Gᵀ of g (9 values,
// row-major) into u[ξ·stride] for ξ = 0 … 15. The operations are fixed
// (row transform, then column transform, each sum taken left to right and
// halved exactly), so the same filter always gives the same bits.
func WinogradFilter(u []float32, stride int, g []float32) {
	g = g[:9]
	var h [4][3]float32
	for j := 0; j < 3; j++ {
		g0, g1, g2 := g[j], g[3+j], g[6+j]
		h[0][j] = g0
		h[1][j] = (g0 + g1 + g2) * 0.5
		h[2][j] = (g0 - g1 + g2) * 0.5
		h[3][j] = g2
	}
	for i := 0; i < 4; i++ {
		h0, h1, h2 := h[i][0], h[i][1], h[i][2]
		u[(4*i+0)*stride] = h0
		u[(4*i+1)*stride] = (h0 + h1 + h2) * 0.5
		u[(4*i+2)*stride] = (h0 - h1 + h2) * 0.5
		u[(4*i+3)*stride] = h2
	}
}

// WinogradWeights transforms every filter of w ([K][C][3][3]) into u
// ([16][K][C]): u[ξ][k][c] is position ξ of G·w[k][c]·Gᵀ.
func WinogradWeights(u, w []float32, k, c int) {
	checkLen("WinogradWeights", "w", len(w), 9*k*c)
	checkLen("WinogradWeights", "u", len(u), winoPositions*k*c)
	for i := 0; i < k*c; i++ {
		WinogradFilter(u[i:], k*c, w[9*i:])
	}
}

// WinogradApplies reports whether LaneWinograd computes cv: a 3×3
// convolution with stride 1, padding 1 and an even output height and width.
func WinogradApplies(cv LaneConv) bool {
	return cv.Validate() == nil && cv.R == 3 && cv.S == 3 && cv.Stride == 1 && cv.Pad == 1 &&
		cv.Out.H%2 == 0 && cv.Out.W%2 == 0
}

// winoChunkTiles is the number of 2×2 tiles (of LaneWidth images) whose
// transformed inputs and products one LaneWinograd pass keeps in cache.
const winoChunkTiles = 16

// WinogradPanels holds transformed weights u ([16][K][C]) pre-broadcast
// for the GEMMs of LaneWinograd, in the layout of the kernel implementation
// that was current when Pack ran. Packing costs about as much as a
// group's GEMMs at 64 channels, so an engine packs once and keeps the
// panels up to date entry by entry (Set) when weights change.
type WinogradPanels struct {
	im   *impl
	k, c int
	data []float32
}

// Pack (re)packs u ([16][k][c]) with the current implementation.
func (p *WinogradPanels) Pack(u []float32, k, c int) {
	checkLen("WinogradPanels.Pack", "u", len(u), winoPositions*k*c)
	p.im, p.k, p.c = cur(), k, c
	n := winoPositions * k * c * p.im.lanes
	if len(p.data) < n {
		p.data = alignedFloats(n)
	}
	packWinograd(p.im, p.data, u, k, c)
}

// Set re-packs entry (kk, cc) of every position of u after it changed.
func (p *WinogradPanels) Set(u []float32, kk, cc int) {
	if p.im == nil {
		return
	}
	lanes, K, C := p.im.lanes, p.k, p.c
	var planBuf [32]int
	i0 := 0
	for _, mr := range tilePlan(planBuf[:0], K) {
		if kk < i0+mr {
			for xi := 0; xi < winoPositions; xi++ {
				v := u[(xi*K+kk)*C+cc]
				d := p.data[((xi*K+i0)*C+cc*mr+kk-i0)*lanes:][:lanes]
				for l := range d {
					d[l] = v
				}
			}
			return
		}
		i0 += mr
	}
}

// Clone returns an independent copy.
func (p *WinogradPanels) Clone() *WinogradPanels {
	if p == nil {
		return nil
	}
	q := *p
	if p.data != nil {
		q.data = alignedFloats(len(p.data))
		copy(q.data, p.data)
	}
	return &q
}

// packWinograd writes the panels of u: [ξ][row tile][C][mr][lanes].
func packWinograd(im *impl, dst, u []float32, K, C int) {
	var planBuf [32]int
	plan := tilePlan(planBuf[:0], K)
	lanes := im.lanes
	for xi := 0; xi < winoPositions; xi++ {
		i0 := 0
		for _, mr := range plan {
			im.packA(dst[(xi*K+i0)*C*lanes:][:C*mr*lanes], u[xi*K*C:], C, false, i0, mr, 0, C)
			i0 += mr
		}
	}
}

// winoScratch is one LaneWinograd call's buffers.
type winoScratch struct{ panel, v, m []float32 }

// LaneWinograd is LaneConvForward for a convolution WinogradApplies to,
// computed by Winograd F(2×2, 3×3) from the transformed weights u
// ([16][Out.C][In.C], see WinogradWeights) instead of the 3×3 weights, read
// from panels when they were packed from u for the current implementation
// (else packed again from u; panels may be nil):
//
//	out[k][p][q][l] = act((Aᵀ·[U_k ⊙ Σ_c …]·A)[p][q] + bias[k] + res[k][p][q][l])
//
// The input transform, the 16 products (ascending c, each product rounded
// before its add) and the output transform use fixed operation orders, the
// same in every implementation. The result differs from the direct sum by
// rounding only. The call runs on the calling goroutine, in the working
// memory of scratch (see LaneScratch).
func LaneWinograd(out, in, u, bias, res []float32, cv LaneConv, relu bool, panels *WinogradPanels, scratch *LaneScratch) {
	if !WinogradApplies(cv) {
		panic(fmt.Sprintf("kernels.LaneWinograd: geometry %+v is not a 3×3, stride-1, padding-1 convolution with an even output", cv))
	}
	C, K := cv.In.C, cv.Out.C
	checkLen("LaneWinograd", "in", len(in), cv.In.Len())
	checkLen("LaneWinograd", "out", len(out), cv.Out.Len())
	checkLen("LaneWinograd", "u", len(u), winoPositions*K*C)
	checkLen("LaneWinograd", "bias", len(bias), K)
	if res != nil {
		checkLen("LaneWinograd", "res", len(res), cv.Out.Len())
	}
	im := cur()
	lanes, nr := im.lanes, im.nr
	pps := nr / LaneWidth // tiles per strip
	if scratch == nil {
		scratch = laneScratchPool.Get().(*LaneScratch)
		defer laneScratchPool.Put(scratch)
	}
	sc := &scratch.wino

	// Panels of U: [ξ][row tile][C][mr][lanes], prepared by the caller
	// for this implementation, or packed here.
	var planBuf [32]int
	plan := tilePlan(planBuf[:0], K)
	var panel []float32
	if panels != nil && panels.im == im && panels.k == K && panels.c == C {
		panel = panels.data
	} else {
		if n := winoPositions * K * C * lanes; len(sc.panel) < n {
			sc.panel = alignedFloats(n)
		}
		packWinograd(im, sc.panel, u, K, C)
		panel = sc.panel
	}
	tw, th := cv.Out.W/2, cv.Out.H/2
	tiles := tw * th
	chunk := winoChunkTiles
	// V: [ξ][c][chunk tiles][16]; M: [ξ][k][chunk tiles][16]. The stride
	// between positions is padded by one vector: a power of two would put
	// the 16 values one tile writes or reads into one L1 set.
	vxi, mxi := C*chunk*LaneWidth+LaneWidth, K*chunk*LaneWidth+LaneWidth
	vLen, mLen := winoPositions*vxi, winoPositions*mxi
	if len(sc.v) < vLen {
		sc.v = alignedFloats(vLen)
	}
	if len(sc.m) < mLen {
		sc.m = alignedFloats(mLen)
	}
	inRow, outRow := cv.In.Wp()*LaneWidth, cv.Out.Wp()*LaneWidth
	for t0 := 0; t0 < tiles; t0 += chunk {
		nt := min(chunk, tiles-t0)
		ns := (nt + pps - 1) / pps // strips; a lone last tile reads a stale neighbour
		// Input transform, one run of tiles of one tile row at a time.
		for c := 0; c < C; c++ {
			for j := 0; j < nt; {
				ty, tx := (t0+j)/tw, (t0+j)%tw
				run := min(nt-j, tw-tx)
				src := in[cv.In.At(c, 2*ty-1, 2*tx-1):]
				im.winoIn(sc.v[(c*chunk+j)*LaneWidth:], vxi, src, inRow, run)
				j += run
			}
		}
		// The 16 GEMMs.
		for xi := 0; xi < winoPositions; xi++ {
			v := sc.v[xi*vxi:]
			i0 := 0
			for _, mr := range plan {
				im.strips(mr, ns, C, panel[(xi*K+i0)*C*lanes:], v, chunk*LaneWidth, sc.m[xi*mxi+i0*chunk*LaneWidth:], chunk*LaneWidth)
				i0 += mr
			}
		}
		// Output transform with the epilogue.
		for k := 0; k < K; k++ {
			for j := 0; j < nt; {
				ty, tx := (t0+j)/tw, (t0+j)%tw
				run := min(nt-j, tw-tx)
				o := cv.Out.At(k, 2*ty, 2*tx)
				var rt []float32
				if res != nil {
					rt = res[o:]
				}
				im.winoOut(out[o:], outRow, sc.m[(k*chunk+j)*LaneWidth:], mxi, bias[k], rt, relu, run)
				j += run
			}
		}
	}
}

// checkStrips panics unless a strips call stays inside its operands.
func checkStrips(mr, ns, kc, lanes, nr int, ap, bp []float32, plane int, c []float32, ldc int) {
	if uint(mr-1) >= maxMR || ns < 1 || kc < 1 || plane < 0 || len(ap) < kc*mr*lanes ||
		(kc-1)*plane+ns*nr > len(bp) || len(c) < (mr-1)*ldc+ns*nr {
		badOperands("strips", mr, kc, lanes, len(ap), len(bp), len(c), ldc)
	}
}

// genericStrips is impl.strips in plain Go (nr = 16, A packed [kc][mr]).
// The ns strips are one contiguous run of ns·16 columns of bp and c, which
// register-blocked micro-kernels walk a few columns at a time (see
// genericMM in generic.go).
func genericStrips(mr, ns, kc int, ap, bp []float32, plane int, c []float32, ldc int) {
	const nr = genericNR
	checkStrips(mr, ns, kc, 1, nr, ap, bp, plane, c, ldc)
	genericGEMM(mr, kc, ap, bp, plane, c, ldc, ns*nr, false)
}

// genericWinoIn is impl.winoIn in plain Go: for tile j < n, the 4×4 input
// tile at src[a·row + (2j+b)·16] (a, b < 4) becomes V_ξ at
// v[ξ·vξ + j·16], lane by lane: t = Bᵀ·d column by column, then t·B row
// by row, each value one subtraction or addition.
func genericWinoIn(v []float32, vxi int, src []float32, row int, n int) {
	type vec = [LaneWidth]float32
	var t [4][4]vec // t[i][b] = (Bᵀ·d)[i][b]
	for j := 0; j < n; j++ {
		for b := 0; b < 4; b++ {
			o := (2*j + b) * LaneWidth
			d0, d1 := (*vec)(src[o:]), (*vec)(src[row+o:])
			d2, d3 := (*vec)(src[2*row+o:]), (*vec)(src[3*row+o:])
			t0, t1, t2, t3 := &t[0][b], &t[1][b], &t[2][b], &t[3][b]
			for l := range t0 {
				t0[l], t1[l], t2[l], t3[l] = winoBt(d0[l], d1[l], d2[l], d3[l])
			}
		}
		for i := 0; i < 4; i++ {
			o := 4*i*vxi + j*LaneWidth
			v0, v1 := (*vec)(v[o:]), (*vec)(v[o+vxi:])
			v2, v3 := (*vec)(v[o+2*vxi:]), (*vec)(v[o+3*vxi:])
			r := &t[i]
			x0, x1, x2, x3 := &r[0], &r[1], &r[2], &r[3]
			for l := range v0 {
				v0[l], v1[l], v2[l], v3[l] = winoBt(x0[l], x1[l], x2[l], x3[l])
			}
		}
	}
}

// winoBt is Bᵀ·(x0, x1, x2, x3), the transform genericWinoIn applies to
// the columns of d and then to the rows of Bᵀ·d.
func winoBt(x0, x1, x2, x3 float32) (y0, y1, y2, y3 float32) {
	return x0 - x2, x1 + x2, x2 - x1, x1 - x3
}

// genericWinoOut is impl.winoOut in plain Go: for tile j < n, the 4×4
// products at m[ξ·mξ + j·16] become the 2×2 outputs
// out[a·row + (2j+b)·16] = act(Aᵀ·m·A + bias + res[…]), lane by lane:
// w = Aᵀ·m column by column, then w·A row by row, sums left to right.
func genericWinoOut(out []float32, row int, m []float32, mxi int, bias float32, res []float32, relu bool, n int) {
	type vec = [LaneWidth]float32
	var w [2][4]vec // w[a][b] = (Aᵀ·m)[a][b]
	for j := 0; j < n; j++ {
		for b := 0; b < 4; b++ {
			o := b*mxi + j*LaneWidth
			m0, m1 := (*vec)(m[o:]), (*vec)(m[o+4*mxi:])
			m2, m3 := (*vec)(m[o+8*mxi:]), (*vec)(m[o+12*mxi:])
			w0, w1 := &w[0][b], &w[1][b]
			for l := range w0 {
				x1, x2 := m1[l], m2[l]
				w0[l] = m0[l] + x1 + x2
				w1[l] = x1 - x2 - m3[l]
			}
		}
		for a := 0; a < 2; a++ {
			o := a*row + 2*j*LaneWidth
			o0, o1 := (*vec)(out[o:]), (*vec)(out[o+LaneWidth:])
			r := &w[a]
			x0, x1, x2, x3 := &r[0], &r[1], &r[2], &r[3]
			if res == nil {
				for l := range o0 {
					y1, y2 := x1[l], x2[l]
					v0 := x0[l] + y1 + y2 + bias
					v1 := y1 - y2 - x3[l] + bias
					if relu {
						v0, v1 = reluScalar(v0), reluScalar(v1)
					}
					o0[l], o1[l] = v0, v1
				}
				continue
			}
			r0, r1 := (*vec)(res[o:]), (*vec)(res[o+LaneWidth:])
			for l := range o0 {
				y1, y2 := x1[l], x2[l]
				v0 := x0[l] + y1 + y2 + bias + r0[l]
				v1 := y1 - y2 - x3[l] + bias + r1[l]
				if relu {
					v0, v1 = reluScalar(v0), reluScalar(v1)
				}
				o0[l], o1[l] = v0, v1
			}
		}
	}
}
