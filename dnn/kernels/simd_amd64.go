//go:build goexperiment.simd && amd64

package kernels

//go:generate go run gen_ukernels.go gen_common.go
//go:generate go run gen_wgrad.go gen_common.go
//go:generate go run gen_strips.go gen_common.go
//go:generate go run gen_vec.go gen_common.go

import (
	"simd/archsimd"
	"unsafe"
)

// simdRegistered registers the SIMD implementations during package variable
// initialisation, which precedes the init function that selects one.
var simdRegistered = registerSIMD()

func registerSIMD() bool {
	if archsimd.X86.AVX2() && archsimd.X86.FMA() {
		register(&impl{
			name: "avx2", lanes: 8, nr: 16,
			kernel: kernel256, kernelDirect: kernelDirect256, packRuns: packRuns256, packT: genericPackT, packA: packA256, packRows: packRows256, layoutRows: layoutRows256,
			scaleShift: scaleShift256, relu: relu256, reluGrad: reluGrad256, laneDirect: laneDirect256, laneEpilogue: laneEpilogue256, laneLinear: laneLinear256, winoIn: winoIn256, strips: strips256, winoOut: winoOut256, bnStats: bnStats256, bnApply: bnApply256, addReLU: addReLU256, add: add256,
			wgrad: wgrad256, wgMK: 1,
			sum64: sum64x256, dot64: dot64x256, sqdev: sqdev256,
			peak: peak256, peakFl: 12 * 8 * 2,
		})
	}
	if archsimd.X86.AVX512() && archsimd.X86.FMA() {
		register(&impl{
			name: "avx512", lanes: 16, nr: 32,
			kernel: kernel512, kernelDirect: kernelDirect512, packRuns: packRuns512, packT: packT512, packA: packA512, packRows: packRows512, layoutRows: layoutRows512,
			scaleShift: scaleShift512, relu: relu512, reluGrad: reluGrad512, laneDirect: laneDirect512, laneEpilogue: laneEpilogue512, laneLinear: laneLinear512, winoIn: winoIn512, strips: strips512, winoOut: winoOut512, bnStats: bnStats512, bnApply: bnApply512, addReLU: addReLU512, add: add512,
			wgrad: wgrad512, wgMK: 2,
			sum64: sum64x512, dot64: dot64x512, sqdev: sqdev512,
			peak: peak512, peakFl: 12 * 16 * 2,
		})
	}
	return true
}

// missing says why a SIMD implementation was not registered.
func missing(name string) string {
	switch name {
	case "avx512":
		return "this CPU lacks AVX-512 (F, CD, BW, DQ, VL) or FMA"
	case "avx2":
		return "this CPU lacks AVX2 or FMA"
	}
	return "not built"
}

// transposeIdx holds, for each stage s = 4, 2, 1 of an 8×8 transpose, the
// two-source permutations that exchange the s×s off-diagonal blocks of a
// pair of rows (i, i+s): the first result keeps row i's lanes with bit s
// clear and takes row i+s's same lanes into lanes l+s; the second the rest.
var transposeIdx = func() (idx [3][2][8]uint32) {
	for k, s := range []int{4, 2, 1} {
		lo, hi := &idx[k][0], &idx[k][1]
		for l := 0; l < 8; l++ {
			if l&s == 0 {
				lo[l], lo[l+s] = uint32(l), uint32(8+l)
				hi[l], hi[l+s] = uint32(l+s), uint32(8+l+s)
			}
		}
	}
	return idx
}()

// transpose8 transposes the 8×8 block at src (row stride ls floats) into
// dst (row stride ld floats). It is written out so that the eight rows stay
// in registers. It runs only on the AVX-512 path (packT512, chosen by the
// dispatch): its permutes need AVX-512VL, and its index vectors are loaded
// here, from the plain arrays of transposeIdx, never at package level.
func transpose8(dst []float32, ld int, src []float32, ls int) {
	r0 := archsimd.LoadFloat32x8((*[8]float32)(src[0*ls:]))
	r1 := archsimd.LoadFloat32x8((*[8]float32)(src[1*ls:]))
	r2 := archsimd.LoadFloat32x8((*[8]float32)(src[2*ls:]))
	r3 := archsimd.LoadFloat32x8((*[8]float32)(src[3*ls:]))
	r4 := archsimd.LoadFloat32x8((*[8]float32)(src[4*ls:]))
	r5 := archsimd.LoadFloat32x8((*[8]float32)(src[5*ls:]))
	r6 := archsimd.LoadFloat32x8((*[8]float32)(src[6*ls:]))
	r7 := archsimd.LoadFloat32x8((*[8]float32)(src[7*ls:]))
	lo, hi := archsimd.LoadUint32x8(&transposeIdx[0][0]), archsimd.LoadUint32x8(&transposeIdx[0][1])
	r0, r4 = r0.ConcatPermute(r4, lo), r0.ConcatPermute(r4, hi)
	r1, r5 = r1.ConcatPermute(r5, lo), r1.ConcatPermute(r5, hi)
	r2, r6 = r2.ConcatPermute(r6, lo), r2.ConcatPermute(r6, hi)
	r3, r7 = r3.ConcatPermute(r7, lo), r3.ConcatPermute(r7, hi)
	lo, hi = archsimd.LoadUint32x8(&transposeIdx[1][0]), archsimd.LoadUint32x8(&transposeIdx[1][1])
	r0, r2 = r0.ConcatPermute(r2, lo), r0.ConcatPermute(r2, hi)
	r1, r3 = r1.ConcatPermute(r3, lo), r1.ConcatPermute(r3, hi)
	r4, r6 = r4.ConcatPermute(r6, lo), r4.ConcatPermute(r6, hi)
	r5, r7 = r5.ConcatPermute(r7, lo), r5.ConcatPermute(r7, hi)
	lo, hi = archsimd.LoadUint32x8(&transposeIdx[2][0]), archsimd.LoadUint32x8(&transposeIdx[2][1])
	r0, r1 = r0.ConcatPermute(r1, lo), r0.ConcatPermute(r1, hi)
	r2, r3 = r2.ConcatPermute(r3, lo), r2.ConcatPermute(r3, hi)
	r4, r5 = r4.ConcatPermute(r5, lo), r4.ConcatPermute(r5, hi)
	r6, r7 = r6.ConcatPermute(r7, lo), r6.ConcatPermute(r7, hi)
	r0.Store((*[8]float32)(dst[0*ld:]))
	r1.Store((*[8]float32)(dst[1*ld:]))
	r2.Store((*[8]float32)(dst[2*ld:]))
	r3.Store((*[8]float32)(dst[3*ld:]))
	r4.Store((*[8]float32)(dst[4*ld:]))
	r5.Store((*[8]float32)(dst[5*ld:]))
	r6.Store((*[8]float32)(dst[6*ld:]))
	r7.Store((*[8]float32)(dst[7*ld:]))
}

// packT512 is impl.packT with 8×8 vector transposes.
func packT512(dst, b []float32, ldb, w, kc, nr int) {
	dst = dst[:kc*nr]
	j := 0
	for ; j+8 <= w; j += 8 {
		p := 0
		for ; p+8 <= kc; p += 8 {
			transpose8(dst[p*nr+j:], nr, b[j*ldb+p:], ldb)
		}
		for jj := j; jj < j+8; jj++ {
			row := b[jj*ldb:]
			for q := p; q < kc; q++ {
				dst[q*nr+jj] = row[q]
			}
		}
	}
	for ; j < w; j++ {
		for p, v := range b[j*ldb:][:kc] {
			dst[p*nr+j] = v
		}
	}
	if w < nr {
		for p := 0; p < kc; p++ {
			clear(dst[p*nr+w : (p+1)*nr])
		}
	}
}

// copyRun512 copies len(dst) elements with 16-lane moves; the last vector
// of a run that is not a multiple of 16 overlaps the one before it.
func copyRun512(dst, src []float32) {
	n := len(dst)
	src = src[:n]
	if n < 16 {
		if n >= 8 {
			archsimd.LoadFloat32x8((*[8]float32)(src)).Store((*[8]float32)(dst))
			archsimd.LoadFloat32x8((*[8]float32)(src[n-8:])).Store((*[8]float32)(dst[n-8:]))
			return
		}
		copy(dst, src)
		return
	}
	i := 0
	for ; i+16 <= n; i += 16 {
		archsimd.LoadFloat32x16((*[16]float32)(src[i:])).Store((*[16]float32)(dst[i:]))
	}
	if i < n {
		archsimd.LoadFloat32x16((*[16]float32)(src[n-16:])).Store((*[16]float32)(dst[n-16:]))
	}
}

// checkRuns panics unless every copy of packRuns stays inside dst and x.
func checkRuns(dst, x []float32, runs []convRun, w convWalk, nr int) {
	kc := w.kc
	for _, r := range runs {
		if r.n < 0 || r.n > nr || r.dst < 0 || r.src < 0 || r.dst+(kc-1)*nr+r.n > len(dst) || r.src+w.span+r.n > len(x) {
			panic("kernels: packRuns out of range")
		}
	}
}

// packRuns512 is impl.packRuns with vector moves for runs of 32, 16 and 8.
// Offsets are computed by nested loops: loading them from a table makes the
// dependent loads slow.
func packRuns512(dst, x []float32, runs []convRun, w convWalk, nr int) {
	if len(runs) == 0 {
		return
	}
	checkRuns(dst, x, runs, w, nr)
	pd, px := unsafe.Pointer(&dst[0]), unsafe.Pointer(&x[0])
	pl, rw, ds, step := uintptr(w.plane)*4, uintptr(w.row)*4, uintptr(w.ds)*4, uintptr(nr)*4
	for _, r := range runs {
		d := unsafe.Add(pd, r.dst*4)
		src := unsafe.Add(px, r.src*4)
		if r.n != 32 && r.n != 16 && r.n != 8 {
			genericPackRuns(dst, x, []convRun{r}, w, nr)
			continue
		}
		for ci := 0; ci < w.nch; ci++ {
			for dr := 0; dr < w.r; dr++ {
				o := uintptr(ci)*pl + uintptr(dr)*rw
				for k := 0; k < w.s; k++ {
					s := unsafe.Add(src, o)
					switch r.n {
					case 32:
						archsimd.LoadFloat32x16((*[16]float32)(s)).Store((*[16]float32)(d))
						archsimd.LoadFloat32x16((*[16]float32)(unsafe.Add(s, 64))).Store((*[16]float32)(unsafe.Add(d, 64)))
					case 16:
						archsimd.LoadFloat32x16((*[16]float32)(s)).Store((*[16]float32)(d))
					default:
						archsimd.LoadFloat32x8((*[8]float32)(s)).Store((*[8]float32)(d))
					}
					o += ds
					d = unsafe.Add(d, step)
				}
			}
		}
	}
}

// packRuns256 is packRuns512 with 8-lane moves.
func packRuns256(dst, x []float32, runs []convRun, w convWalk, nr int) {
	if len(runs) == 0 {
		return
	}
	checkRuns(dst, x, runs, w, nr)
	pd, px := unsafe.Pointer(&dst[0]), unsafe.Pointer(&x[0])
	pl, rw, ds, step := uintptr(w.plane)*4, uintptr(w.row)*4, uintptr(w.ds)*4, uintptr(nr)*4
	for _, r := range runs {
		d := unsafe.Add(pd, r.dst*4)
		src := unsafe.Add(px, r.src*4)
		if r.n != 16 && r.n != 8 {
			genericPackRuns(dst, x, []convRun{r}, w, nr)
			continue
		}
		for ci := 0; ci < w.nch; ci++ {
			for dr := 0; dr < w.r; dr++ {
				o := uintptr(ci)*pl + uintptr(dr)*rw
				for k := 0; k < w.s; k++ {
					s := unsafe.Add(src, o)
					archsimd.LoadFloat32x8((*[8]float32)(s)).Store((*[8]float32)(d))
					if r.n == 16 {
						archsimd.LoadFloat32x8((*[8]float32)(unsafe.Add(s, 32))).Store((*[8]float32)(unsafe.Add(d, 32)))
					}
					o += ds
					d = unsafe.Add(d, step)
				}
			}
		}
	}
}

// evenLanes selects lanes 0, 2, …, 30 of two concatenated 16-lane vectors.
var evenLanes = [16]uint32{0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30}

// oddLanes selects lanes 1, 3, …, 31 of two concatenated 16-lane vectors;
// halfLanes puts the even lanes of one vector in lanes 0–7, the odd in 8–15.
var (
	oddLanes  = [16]uint32{1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31}
	halfLanes = [16]uint32{0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15}
)

// deinterleave512 writes the even elements of src[0:w] to ev and the odd
// ones to od.
func deinterleave512(ev, od, src []float32, w int) {
	src = src[:w]
	evenSel, oddSel := archsimd.LoadUint32x16(&evenLanes), archsimd.LoadUint32x16(&oddLanes)
	i := 0
	for ; i+32 <= w; i += 32 {
		x := archsimd.LoadFloat32x16((*[16]float32)(src[i:]))
		y := archsimd.LoadFloat32x16((*[16]float32)(src[i+16:]))
		x.ConcatPermute(y, evenSel).Store((*[16]float32)(ev[i/2:]))
		x.ConcatPermute(y, oddSel).Store((*[16]float32)(od[i/2:]))
	}
	if i+16 <= w {
		x := archsimd.LoadFloat32x16((*[16]float32)(src[i:]))
		v := x.ConcatPermute(x, archsimd.LoadUint32x16(&halfLanes))
		v.GetLo().Store((*[8]float32)(ev[i/2:]))
		v.GetHi().Store((*[8]float32)(od[i/2:]))
		i += 16
	}
	for ; i < w; i++ {
		if i%2 == 0 {
			ev[i/2] = src[i]
		} else {
			od[i/2] = src[i]
		}
	}
}

// layoutStride2x512 is the stride-2 layout of rows of w = 2·segLen inputs
// with padding first ∈ {0, −1}: segment ds holds the odd or even elements,
// shifted right by one lane (a leading zero) when first+ds = −1. The
// shifted segment's last vector spills one element into the next segment,
// which is written afterwards.
func layoutStride2x512(dst []float32, dstStride int, src []float32, srcStride, rows, segs, segLen, first int) {
	w := 2 * segLen
	for r := 0; r < rows; r++ {
		sr := src[r*srcStride:][:w]
		for ds := 0; ds < segs; ds++ {
			f := first + ds
			d := dst[r*dstStride+ds*segLen:][:segLen+1]
			shift := 0
			if f < 0 {
				shift = 1
			}
			var sel archsimd.Uint32x16
			switch f & 1 {
			case 0:
				sel = archsimd.LoadUint32x16(&evenLanes)
			default:
				sel = archsimd.LoadUint32x16(&oddLanes)
			}
			// Source index of element q: 2q + f, i.e. phase f&1, q + f>>1.
			lim := segLen - shift // elements of this segment that are copies
			i := 0
			for ; i+16 <= lim+shift && 2*i+32 <= w; i += 16 {
				x := archsimd.LoadFloat32x16((*[16]float32)(sr[2*i:]))
				y := archsimd.LoadFloat32x16((*[16]float32)(sr[2*i+16:]))
				x.ConcatPermute(y, sel).Store((*[16]float32)(d[i+shift:]))
			}
			for ; i+8 <= lim+shift && 2*i+16 <= w; i += 8 {
				x := archsimd.LoadFloat32x16((*[16]float32)(sr[2*i:]))
				x.ConcatPermute(x, sel).GetLo().Store((*[8]float32)(d[i+shift:]))
			}
			for ; i < lim; i++ {
				d[i+shift] = sr[2*i+(f&1)]
			}
			if shift == 1 {
				d[0] = 0
			}
		}
	}
}

// padCopy512 sets dst[q] = src[first+q] where 0 ≤ first+q < w, else 0.
func padCopy512(dst, src []float32, first, w int) {
	lo, hi := validRange(len(dst), first, 1, w)
	for q := 0; q < lo; q++ {
		dst[q] = 0
	}
	for q := hi; q < len(dst); q++ {
		dst[q] = 0
	}
	if lo < hi {
		copyRun512(dst[lo:hi], src[first+lo:])
	}
}

// smallRow is the longest input row layoutRows512 splits in a stack
// buffer (which Go zeroes on every call, so it is kept small).
const smallRow = 64

// layoutRows512 is impl.layoutRows with 16-lane copies; stride-2 rows are
// first split into their even and odd elements, which turns every segment
// into a padded contiguous copy.
func layoutRows512(dst []float32, dstStride int, src []float32, srcStride, rows, segs, segLen, first, stride, w int) {
	switch {
	case stride == 1 && segs == 1 && w%8 == 0 && first <= 0 && segLen >= w-first:
		// A padded row: zeros, the input row, zeros.
		pad := -first
		for r := 0; r < rows; r++ {
			d := dst[r*dstStride:][:segLen]
			sr := src[r*srcStride:][:w]
			for q := 0; q < pad; q++ {
				d[q] = 0
			}
			dv := d[pad : pad+w]
			i := 0
			for ; i+16 <= w; i += 16 {
				archsimd.LoadFloat32x16((*[16]float32)(sr[i:])).Store((*[16]float32)(dv[i:]))
			}
			if i < w {
				archsimd.LoadFloat32x8((*[8]float32)(sr[i:])).Store((*[8]float32)(dv[i:]))
			}
			for q := pad + w; q < segLen; q++ {
				d[q] = 0
			}
		}
	case stride == 2 && w == 2*segLen && segLen%8 == 0 && first <= 0 && first >= -1 && (first == 0 || segs > 1):
		layoutStride2x512(dst, dstStride, src, srcStride, rows, segs, segLen, first)
	case stride == 1:
		for r := 0; r < rows; r++ {
			for ds := 0; ds < segs; ds++ {
				padCopy512(dst[r*dstStride+ds*segLen:][:segLen], src[r*srcStride:], first+ds, w)
			}
		}
	case stride == 2:
		var small [smallRow]float32
		buf := small[:]
		if w > smallRow {
			buf = make([]float32, w)
		}
		ne, no := (w+1)/2, w/2
		ev, od := buf[:ne], buf[ne:ne+no]
		for r := 0; r < rows; r++ {
			deinterleave512(ev, od, src[r*srcStride:], w)
			for ds := 0; ds < segs; ds++ {
				// Element first+ds+2q of the row is element base+q of the
				// phase ph = (first+ds) mod 2.
				f := first + ds
				ph := f & 1
				base := (f - ph) / 2
				d := dst[r*dstStride+ds*segLen:][:segLen]
				if ph == 0 {
					padCopy512(d, ev, base, ne)
				} else {
					padCopy512(d, od, base, no)
				}
			}
		}
	default:
		genericLayoutRows(dst, dstStride, src, srcStride, rows, segs, segLen, first, stride, w)
	}
}

// layoutRows256 is impl.layoutRows with 8-lane copies for stride 1.
func layoutRows256(dst []float32, dstStride int, src []float32, srcStride, rows, segs, segLen, first, stride, w int) {
	if stride != 1 {
		genericLayoutRows(dst, dstStride, src, srcStride, rows, segs, segLen, first, stride, w)
		return
	}
	for ds := 0; ds < segs; ds++ {
		lo, hi := validRange(segLen, first+ds, stride, w)
		s0 := first + ds + lo
		n := hi - lo
		for r := 0; r < rows; r++ {
			d := dst[r*dstStride+ds*segLen:][:segLen]
			for q := 0; q < lo; q++ {
				d[q] = 0
			}
			for q := hi; q < segLen; q++ {
				d[q] = 0
			}
			sr := src[r*srcStride+s0:]
			dv := d[lo:hi]
			i := 0
			for ; i+8 <= n; i += 8 {
				archsimd.LoadFloat32x8((*[8]float32)(sr[i:])).Store((*[8]float32)(dv[i:]))
			}
			for ; i < n; i++ {
				dv[i] = sr[i]
			}
		}
	}
}

// ---- lane tensors ----

func laneDirect512(mr int, w convWalk, ap, x []float32, srcs [2]int, c []float32, ldc int, load bool) {
	kernelDirect512(mr, w, ap, x, srcs[0], srcs[1], c, ldc, load)
}

func laneDirect256(mr int, w convWalk, ap, x []float32, srcs [2]int, c []float32, ldc int, load bool) {
	kernelDirect256(mr, w, ap, x, srcs[0], srcs[0]+8, c, ldc, load)
}

func laneLinear512(dst, w, bias, x []float32, in, out int, relu bool) {
	var zero archsimd.Float32x16
	x = x[:in*16]
	for j := 0; j < out; j++ {
		var acc archsimd.Float32x16
		for c, a := range w[j*in : (j+1)*in] {
			acc = acc.Add(archsimd.BroadcastFloat32x16(a).Mul(archsimd.LoadFloat32x16((*[16]float32)(x[c*16:]))))
		}
		if bias != nil {
			acc = acc.Add(archsimd.BroadcastFloat32x16(bias[j]))
		}
		if relu {
			acc = zero.Merge(acc, acc.Less(zero))
		}
		acc.Store((*[16]float32)(dst[j*16:]))
	}
}

func laneLinear256(dst, w, bias, x []float32, in, out int, relu bool) {
	var zero archsimd.Float32x8
	x = x[:in*16]
	for j := 0; j < out; j++ {
		var lo, hi archsimd.Float32x8
		for c, a := range w[j*in : (j+1)*in] {
			av := archsimd.BroadcastFloat32x8(a)
			lo = lo.Add(av.Mul(archsimd.LoadFloat32x8((*[8]float32)(x[c*16:]))))
			hi = hi.Add(av.Mul(archsimd.LoadFloat32x8((*[8]float32)(x[c*16+8:]))))
		}
		if bias != nil {
			b := archsimd.BroadcastFloat32x8(bias[j])
			lo, hi = lo.Add(b), hi.Add(b)
		}
		if relu {
			lo = zero.Merge(lo, lo.Less(zero))
			hi = zero.Merge(hi, hi.Less(zero))
		}
		lo.Store((*[8]float32)(dst[j*16:]))
		hi.Store((*[8]float32)(dst[j*16+8:]))
	}
}

// ---- float64 reductions, 16 lanes ----

func bnStats512(g, x, y []float32) (sum, dot float64) {
	n := len(g)
	x = x[:n]
	if y != nil {
		y = y[:n]
	}
	var slo, shi, dlo, dhi archsimd.Float64x8
	i := 0
	for ; i+16 <= n; i += 16 {
		v := maskGrad512(g, y, i)
		xv := archsimd.LoadFloat32x16((*[16]float32)(x[i:]))
		vl, vh := v.GetLo().ConvertToFloat64(), v.GetHi().ConvertToFloat64()
		slo, shi = slo.Add(vl), shi.Add(vh)
		dlo = dlo.Add(vl.Mul(xv.GetLo().ConvertToFloat64()))
		dhi = dhi.Add(vh.Mul(xv.GetHi().ConvertToFloat64()))
	}
	var s, d [sumLanes]float64
	store512(&s, slo, shi)
	store512(&d, dlo, dhi)
	return bnStatsLanes(s, d, g[i:], x[i:], tail(y, i))
}

// finishLanes adds the tail x[i:] (fewer than sumLanes elements) into the
// lanes held in s by f and combines them, exactly as the generic reductions.
func finishLanes(s *[sumLanes]float64, tail int, f func(j int) float64) float64 {
	for j := 0; j < tail; j++ {
		s[j] += f(j)
	}
	return combineLanes(s)
}

func store512(s *[sumLanes]float64, lo, hi archsimd.Float64x8) {
	lo.Store((*[8]float64)(s[0:8]))
	hi.Store((*[8]float64)(s[8:16]))
}

func sum64x512(x []float32) float64 {
	var lo, hi archsimd.Float64x8
	i := 0
	for ; i+16 <= len(x); i += 16 {
		lo = lo.Add(archsimd.LoadFloat32x8((*[8]float32)(x[i:])).ConvertToFloat64())
		hi = hi.Add(archsimd.LoadFloat32x8((*[8]float32)(x[i+8:])).ConvertToFloat64())
	}
	var s [sumLanes]float64
	store512(&s, lo, hi)
	t := x[i:]
	return finishLanes(&s, len(t), func(j int) float64 { return float64(t[j]) })
}

func dot64x512(x, y []float32) float64 {
	y = y[:len(x)]
	var lo, hi archsimd.Float64x8
	i := 0
	for ; i+16 <= len(x); i += 16 {
		lo = lo.Add(archsimd.LoadFloat32x8((*[8]float32)(x[i:])).ConvertToFloat64().Mul(archsimd.LoadFloat32x8((*[8]float32)(y[i:])).ConvertToFloat64()))
		hi = hi.Add(archsimd.LoadFloat32x8((*[8]float32)(x[i+8:])).ConvertToFloat64().Mul(archsimd.LoadFloat32x8((*[8]float32)(y[i+8:])).ConvertToFloat64()))
	}
	var s [sumLanes]float64
	store512(&s, lo, hi)
	tx, ty := x[i:], y[i:]
	return finishLanes(&s, len(tx), func(j int) float64 { return float64(tx[j]) * float64(ty[j]) })
}

func sqdev512(x []float32, mean float64) float64 {
	m := archsimd.BroadcastFloat64x8(mean)
	var lo, hi archsimd.Float64x8
	i := 0
	for ; i+16 <= len(x); i += 16 {
		d0 := archsimd.LoadFloat32x8((*[8]float32)(x[i:])).ConvertToFloat64().Sub(m)
		d1 := archsimd.LoadFloat32x8((*[8]float32)(x[i+8:])).ConvertToFloat64().Sub(m)
		lo = lo.Add(d0.Mul(d0))
		hi = hi.Add(d1.Mul(d1))
	}
	var s [sumLanes]float64
	store512(&s, lo, hi)
	t := x[i:]
	return finishLanes(&s, len(t), func(j int) float64 { d := float64(t[j]) - mean; return d * d })
}

// ---- float64 reductions, 8 lanes ----

func bnStats256(g, x, y []float32) (sum, dot float64) {
	n := len(g)
	x = x[:n]
	if y != nil {
		y = y[:n]
	}
	var s0, s1, s2, s3, d0, d1, d2, d3 archsimd.Float64x4
	i := 0
	for ; i+16 <= n; i += 16 {
		va, vb := maskGrad256(g, y, i), maskGrad256(g, y, i+8)
		xa := archsimd.LoadFloat32x8((*[8]float32)(x[i:]))
		xb := archsimd.LoadFloat32x8((*[8]float32)(x[i+8:]))
		v0, v1, v2, v3 := va.GetLo().ConvertToFloat64(), va.GetHi().ConvertToFloat64(), vb.GetLo().ConvertToFloat64(), vb.GetHi().ConvertToFloat64()
		s0, s1, s2, s3 = s0.Add(v0), s1.Add(v1), s2.Add(v2), s3.Add(v3)
		d0 = d0.Add(v0.Mul(xa.GetLo().ConvertToFloat64()))
		d1 = d1.Add(v1.Mul(xa.GetHi().ConvertToFloat64()))
		d2 = d2.Add(v2.Mul(xb.GetLo().ConvertToFloat64()))
		d3 = d3.Add(v3.Mul(xb.GetHi().ConvertToFloat64()))
	}
	var s, d [sumLanes]float64
	store256(&s, s0, s1, s2, s3)
	store256(&d, d0, d1, d2, d3)
	return bnStatsLanes(s, d, g[i:], x[i:], tail(y, i))
}

func store256(s *[sumLanes]float64, a0, a1, a2, a3 archsimd.Float64x4) {
	a0.Store((*[4]float64)(s[0:4]))
	a1.Store((*[4]float64)(s[4:8]))
	a2.Store((*[4]float64)(s[8:12]))
	a3.Store((*[4]float64)(s[12:16]))
}

func cvt4(x []float32, i int) archsimd.Float64x4 {
	return archsimd.LoadFloat32x4((*[4]float32)(x[i:])).ConvertToFloat64()
}

func sum64x256(x []float32) float64 {
	var a0, a1, a2, a3 archsimd.Float64x4
	i := 0
	for ; i+16 <= len(x); i += 16 {
		a0 = a0.Add(cvt4(x, i))
		a1 = a1.Add(cvt4(x, i+4))
		a2 = a2.Add(cvt4(x, i+8))
		a3 = a3.Add(cvt4(x, i+12))
	}
	var s [sumLanes]float64
	store256(&s, a0, a1, a2, a3)
	t := x[i:]
	return finishLanes(&s, len(t), func(j int) float64 { return float64(t[j]) })
}

func dot64x256(x, y []float32) float64 {
	y = y[:len(x)]
	var a0, a1, a2, a3 archsimd.Float64x4
	i := 0
	for ; i+16 <= len(x); i += 16 {
		a0 = a0.Add(cvt4(x, i).Mul(cvt4(y, i)))
		a1 = a1.Add(cvt4(x, i+4).Mul(cvt4(y, i+4)))
		a2 = a2.Add(cvt4(x, i+8).Mul(cvt4(y, i+8)))
		a3 = a3.Add(cvt4(x, i+12).Mul(cvt4(y, i+12)))
	}
	var s [sumLanes]float64
	store256(&s, a0, a1, a2, a3)
	tx, ty := x[i:], y[i:]
	return finishLanes(&s, len(tx), func(j int) float64 { return float64(tx[j]) * float64(ty[j]) })
}

func sqdev256(x []float32, mean float64) float64 {
	m := archsimd.BroadcastFloat64x4(mean)
	var a0, a1, a2, a3 archsimd.Float64x4
	i := 0
	for ; i+16 <= len(x); i += 16 {
		d0 := cvt4(x, i).Sub(m)
		d1 := cvt4(x, i+4).Sub(m)
		d2 := cvt4(x, i+8).Sub(m)
		d3 := cvt4(x, i+12).Sub(m)
		a0 = a0.Add(d0.Mul(d0))
		a1 = a1.Add(d1.Mul(d1))
		a2 = a2.Add(d2.Mul(d2))
		a3 = a3.Add(d3.Mul(d3))
	}
	var s [sumLanes]float64
	store256(&s, a0, a1, a2, a3)
	t := x[i:]
	return finishLanes(&s, len(t), func(j int) float64 { d := float64(t[j]) - mean; return d * d })
}

// tree512 reduces the lanes of v in the order of tree16.
func tree512(v archsimd.Float32x16) float32 {
	return tree256(v.GetLo(), v.GetHi())
}

// tree256 reduces the 16 lanes lo‖hi in the order of tree16.
func tree256(lo, hi archsimd.Float32x8) float32 {
	s8 := lo.Add(hi)
	s4 := s8.GetLo().Add(s8.GetHi())
	return (s4.GetElem(0) + s4.GetElem(2)) + (s4.GetElem(1) + s4.GetElem(3))
}
