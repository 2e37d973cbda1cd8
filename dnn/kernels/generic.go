package kernels

import (
	"math"
	"unsafe"
)

// genericNR is the micro-tile width of the plain-Go implementation.
const genericNR = 16

var genericImpl = impl{
	name:         "generic",
	lanes:        1,
	nr:           genericNR,
	kernel:       genericKernel,
	packA:        genericPackA,
	packRuns:     genericPackRuns,
	packT:        genericPackT,
	packRows:     genericPackRows,
	layoutRows:   genericLayoutRows,
	scaleShift:   genericScaleShift,
	relu:         genericReLU,
	laneDirect:   genericLaneDirect,
	laneEpilogue: genericLaneEpilogue,
	laneLinear:   genericLaneLinear,
	strips:       genericStrips,
	winoIn:       genericWinoIn,
	winoOut:      genericWinoOut,
	reluGrad:     genericReLUGrad,
	bnStats:      genericBNStats,
	bnApply:      genericBNApply,
	addReLU:      genericAddReLU,
	add:          genericAdd,
	wgrad:        genericWGrad,
	wgMK:         2,
	sum64:        genericSum64,
	dot64:        genericDot64,
	sqdev:        genericSqDev,
	peak:         genericPeak,
	peakFl:       2 * 8,
}

// genericPackA copies A[i0:i0+mr][p0:p0+kc] into dst as [kc][mr].
func genericPackA(dst, a []float32, lda int, trans bool, i0, mr, p0, kc int) {
	dst = dst[:kc*mr]
	for p := 0; p < kc; p++ {
		d := dst[p*mr : p*mr+mr]
		if trans {
			copy(d, a[(p0+p)*lda+i0:])
			continue
		}
		for i := range d {
			d[i] = a[(i0+i)*lda+p0+p]
		}
	}
}

// genericKernel is the plain-Go micro-kernel: the same arithmetic as the
// SIMD kernels (product rounded to float32, then added), one lane at a time.
func genericKernel(mr, kc int, ap, bp, c []float32, ldc int, load bool) {
	genericGEMM(mr, kc, ap, bp, genericNR, c, ldc, genericNR, load)
}

func genericPackT(dst, b []float32, ldb, w, kc, nr int) {
	dst = dst[:kc*nr]
	for j := 0; j < w; j++ {
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

func genericPackRows(dst, row []float32, ns, stride, nr int) {
	for t := 0; t < ns; t++ {
		copy(dst[t*stride:t*stride+nr], row[t*nr:t*nr+nr])
	}
}

func genericPackRuns(dst, x []float32, runs []convRun, w convWalk, nr int) {
	for _, r := range runs {
		p := 0
		for ci := 0; ci < w.nch; ci++ {
			for dr := 0; dr < w.r; dr++ {
				for ds := 0; ds < w.s; ds++ {
					off := ci*w.plane + dr*w.row + ds*w.ds
					copy(dst[r.dst+p*nr:][:r.n], x[off+r.src:])
					p++
				}
			}
		}
	}
}

// validRange returns the q in [0, n) with 0 ≤ first+q·stride < w as
// [lo, hi) (lo = hi when there are none).
func validRange(n, first, stride, w int) (lo, hi int) {
	if stride == 1 {
		lo = min(n, max(0, -first))
		hi = max(lo, min(n, w-first))
		return lo, hi
	}
	lo = min(n, max(0, ceilDiv(-first, stride)))
	hi = max(lo, min(n, ceilDiv(w-first, stride)))
	return lo, hi
}

func genericLayoutRows(dst []float32, dstStride int, src []float32, srcStride, rows, segs, segLen, first, stride, w int) {
	for r := 0; r < rows; r++ {
		for ds := 0; ds < segs; ds++ {
			genericRowGather(dst[r*dstStride+ds*segLen:][:segLen], src[r*srcStride:], first+ds, stride, w)
		}
	}
}

// genericRowGather sets dst[q] = src[first+q·stride] where 0 ≤
// first+q·stride < w, and 0 elsewhere.
func genericRowGather(dst, src []float32, first, stride, w int) {
	lo, hi := validRange(len(dst), first, stride, w)
	clear(dst[:lo])
	clear(dst[hi:])
	if lo == hi {
		return
	}
	s := src[first+lo*stride : first+(hi-1)*stride+1]
	if stride == 1 {
		copy(dst[lo:hi], s)
		return
	}
	for q := lo; q < hi; q++ {
		dst[q] = s[(q-lo)*stride]
	}
}

func genericScaleShift(dst, x []float32, scale, shift float32, relu bool) {
	dst = dst[:len(x)]
	for i, v := range x {
		v = float32(v*scale) + shift
		if relu {
			v = reluScalar(v)
		}
		dst[i] = v
	}
}

func genericReLUGrad(dst, dy, y []float32) {
	y, dst = y[:len(dy)], dst[:len(dy)]
	for i, g := range dy {
		if !(y[i] > 0) {
			g = 0
		}
		dst[i] = g
	}
}

// maskedGrad is g where y is nil or y[i] > 0, else 0.
func maskedGrad(g float32, y []float32, i int) float32 {
	if y != nil && !(y[i] > 0) {
		return 0
	}
	return g
}

func genericBNStats(g, x, y []float32) (sum, dot float64) {
	x = x[:len(g)]
	if y != nil {
		y = y[:len(g)]
	}
	var s, d [sumLanes]float64
	for i, v := range g {
		v = maskedGrad(v, y, i)
		s[i%sumLanes] += float64(v)
		d[i%sumLanes] += float64(v) * float64(x[i])
	}
	return combineLanes(&s), combineLanes(&d)
}

func genericBNApply(dx, g, x, y []float32, w, a, b float32) {
	x, dx = x[:len(g)], dx[:len(g)]
	if y != nil {
		y = y[:len(g)]
	}
	for i, v := range g {
		v = maskedGrad(v, y, i)
		dx[i] = float32(v*w) + (float32(x[i]*a) + b)
	}
}

// reluScalar is max(v, 0) that passes NaN through, matching the SIMD
// kernels.
// It is branch-free: the sign of activations is unpredictable.
func reluScalar(v float32) float32 {
	var neg uint32
	if v < 0 {
		neg = 1
	}
	return math.Float32frombits(math.Float32bits(v) &^ -neg)
}

func genericReLU(x []float32) {
	for i, v := range x {
		x[i] = reluScalar(v)
	}
}

func genericAddReLU(dst, a, b []float32) {
	b = b[:len(a)]
	dst = dst[:len(a)]
	for i, v := range a {
		dst[i] = reluScalar(v + b[i])
	}
}

func genericAdd(dst, a []float32) {
	a = a[:len(dst)]
	for i := range dst {
		dst[i] += a[i]
	}
}

// sumLanes is the lane structure shared by the float64 reductions of every
// implementation: element i goes to partial sum i mod sumLanes, and the
// partial sums are combined in the fixed order of combineLanes. This makes
// the SIMD reductions bit-identical to the plain-Go ones.
const sumLanes = 16

func combineLanes(s *[sumLanes]float64) float64 {
	var h [sumLanes / 2]float64
	for i := range h {
		h[i] = s[i] + s[i+sumLanes/2]
	}
	return ((h[0] + h[4]) + (h[2] + h[6])) + ((h[1] + h[5]) + (h[3] + h[7]))
}

func genericSum64(x []float32) float64 {
	var s [sumLanes]float64
	i := 0
	for ; i+sumLanes <= len(x); i += sumLanes {
		for l := range s {
			s[l] += float64(x[i+l])
		}
	}
	for l := 0; i < len(x); i, l = i+1, l+1 {
		s[l] += float64(x[i])
	}
	return combineLanes(&s)
}

func genericDot64(x, y []float32) float64 {
	y = y[:len(x)]
	var s [sumLanes]float64
	i := 0
	for ; i+sumLanes <= len(x); i += sumLanes {
		for l := range s {
			s[l] += float64(x[i+l]) * float64(y[i+l])
		}
	}
	for l := 0; i < len(x); i, l = i+1, l+1 {
		s[l] += float64(x[i]) * float64(y[i])
	}
	return combineLanes(&s)
}

func genericSqDev(x []float32, mean float64) float64 {
	var s [sumLanes]float64
	i := 0
	for ; i+sumLanes <= len(x); i += sumLanes {
		for l := range s {
			d := float64(x[i+l]) - mean
			s[l] += d * d
		}
	}
	for l := 0; i < len(x); i, l = i+1, l+1 {
		d := float64(x[i]) - mean
		s[l] += d * d
	}
	return combineLanes(&s)
}

// genericPeak runs iters rounds of 8 independent scalar multiply-adds.
func genericPeak(iters int, seed float32) float32 {
	var a [8]float32
	for i := range a {
		a[i] = seed + float32(i)
	}
	m, c := float32(0.999), float32(1e-3)
	for it := 0; it < iters; it++ {
		for i := range a {
			a[i] = a[i]*m + c
		}
	}
	s := float32(0)
	for _, v := range a {
		s += v
	}
	if math.IsNaN(float64(s)) {
		return 0
	}
	return s
}

// The plain-Go GEMM micro-kernels. Each output element is a float32
// accumulator in a register that starts from c and receives
// float32(a·b) for ascending k, every product rounded before its add, the
// order every implementation uses. A block of R rows × C columns keeps R·C
// accumulators, the products of one k and the C values of B in registers:
// the Go compiler schedules all products of a loop body before their adds,
// so R·C ≤ 6 is what fits in amd64's 15 usable vector registers without
// spilling. Operands are addressed through unsafe.Add with byte offsets
// (bounds checks would cost as much as the arithmetic); every caller checks
// the extents first.

// genericRows is the row-block height for the rows i ≥ done of an
// mr-row tile: 3, 2 or 1, with 4 rows as 2+2.
func genericRows(mr, done int) int {
	switch left := mr - done; {
	case left == 4 || left == 2:
		return 2
	case left >= 3:
		return 3
	}
	return 1
}

// genericMM adds to c[i·cs + 4j] (byte offsets, i < mr, j < n)
// Σ_{k<kc} a[k·as + 4i]·b[k·bs + 4j].
func genericMM(mr, kc int, a unsafe.Pointer, as uintptr, b unsafe.Pointer, bs uintptr, c unsafe.Pointer, cs uintptr, n int) {
	for i := 0; i < mr; {
		ai, ci := unsafe.Add(a, 4*i), unsafe.Add(c, uintptr(i)*cs)
		switch h := genericRows(mr, i); h {
		case 3:
			n2 := n - n%2
			gk3x2(kc, ai, as, b, bs, ci, cs, 0, n2)
			gk3x1(kc, ai, as, b, bs, ci, cs, n2, n)
			i += 3
		case 2:
			n3 := n - n%3
			gk2x3(kc, ai, as, b, bs, ci, cs, 0, n3)
			gk2x1(kc, ai, as, b, bs, ci, cs, n3, n)
			i += 2
		default:
			n6 := n - n%6
			gk1x6(kc, ai, as, b, bs, ci, cs, 0, n6)
			gk1x1(kc, ai, as, b, bs, ci, cs, n6, n)
			i++
		}
	}
}

// genericMMt is genericMM with B at b + offs[k] + 4j (kc = len(offs)).
func genericMMt(mr int, a unsafe.Pointer, as uintptr, b unsafe.Pointer, offs []uintptr, c unsafe.Pointer, cs uintptr, n int) {
	for i := 0; i < mr; {
		ai, ci := unsafe.Add(a, 4*i), unsafe.Add(c, uintptr(i)*cs)
		switch h := genericRows(mr, i); h {
		case 3:
			n2 := n - n%2
			gk3x2t(ai, as, b, offs, ci, cs, 0, n2)
			gk3x1t(ai, as, b, offs, ci, cs, n2, n)
			i += 3
		case 2:
			n3 := n - n%3
			gk2x3t(ai, as, b, offs, ci, cs, 0, n3)
			gk2x1t(ai, as, b, offs, ci, cs, n3, n)
			i += 2
		default:
			n6 := n - n%6
			gk1x6t(ai, as, b, offs, ci, cs, 0, n6)
			gk1x1t(ai, as, b, offs, ci, cs, n6, n)
			i++
		}
	}
}

// genericGEMM computes, from zero, c[i·ldc+j] = Σ_k A[i][k]·b[k·ldb+j] for
// i < mr, j < n, with A packed [kc][mr]; with load, the sums start from c.
// It panics unless the operands hold every element named.
func genericGEMM(mr, kc int, ap, b []float32, ldb int, c []float32, ldc, n int, load bool) {
	if mr < 1 || n < 1 {
		return
	}
	c = c[:(mr-1)*ldc+n]
	if !load {
		for i := 0; i < mr; i++ {
			clear(c[i*ldc : i*ldc+n])
		}
	}
	if kc < 1 {
		return
	}
	ap = ap[:kc*mr]
	b = b[:(kc-1)*ldb+n]
	genericMM(mr, kc, unsafe.Pointer(&ap[0]), uintptr(mr)*4, unsafe.Pointer(&b[0]), uintptr(ldb)*4, unsafe.Pointer(&c[0]), uintptr(ldc)*4, n)
}

// gk3x2 adds to c[i·cs + 4j] (byte offsets) Σ_k a[k·as + 4i]·B[k][j] for
// i < 3 and j0 ≤ j < j1 in blocks of 2 columns, B[k][j] at b + k·bs + 4j.
func gk3x2(kc int, a unsafe.Pointer, as uintptr, b unsafe.Pointer, bs uintptr, c unsafe.Pointer, cs uintptr, j0, j1 int) {
	end := uintptr(kc) * as
	endU := uintptr(kc-kc%2) * as
	for j := j0; j+2 <= j1; j += 2 {
		oc := uintptr(j) * 4
		s00 := *(*float32)(unsafe.Add(c, oc))
		s01 := *(*float32)(unsafe.Add(c, oc+4))
		s10 := *(*float32)(unsafe.Add(c, 1*cs+oc))
		s11 := *(*float32)(unsafe.Add(c, 1*cs+oc+4))
		s20 := *(*float32)(unsafe.Add(c, 2*cs+oc))
		s21 := *(*float32)(unsafe.Add(c, 2*cs+oc+4))
		ob := oc
		oa := uintptr(0)
		for ; oa < endU; oa += 2 * as {
			{
				b0 := *(*float32)(unsafe.Add(b, ob))
				b1 := *(*float32)(unsafe.Add(b, ob+4))
				a0 := *(*float32)(unsafe.Add(a, oa))
				s00 += float32(a0 * b0)
				s01 += float32(a0 * b1)
				a1 := *(*float32)(unsafe.Add(a, oa+4))
				s10 += float32(a1 * b0)
				s11 += float32(a1 * b1)
				a2 := *(*float32)(unsafe.Add(a, oa+8))
				s20 += float32(a2 * b0)
				s21 += float32(a2 * b1)
				ob += bs
			}
			{
				b0 := *(*float32)(unsafe.Add(b, ob))
				b1 := *(*float32)(unsafe.Add(b, ob+4))
				a0 := *(*float32)(unsafe.Add(a, oa+1*as))
				s00 += float32(a0 * b0)
				s01 += float32(a0 * b1)
				a1 := *(*float32)(unsafe.Add(a, oa+1*as+4))
				s10 += float32(a1 * b0)
				s11 += float32(a1 * b1)
				a2 := *(*float32)(unsafe.Add(a, oa+1*as+8))
				s20 += float32(a2 * b0)
				s21 += float32(a2 * b1)
				ob += bs
			}
		}
		for ; oa < end; oa += as {
			b0 := *(*float32)(unsafe.Add(b, ob))
			b1 := *(*float32)(unsafe.Add(b, ob+4))
			a0 := *(*float32)(unsafe.Add(a, oa))
			s00 += float32(a0 * b0)
			s01 += float32(a0 * b1)
			a1 := *(*float32)(unsafe.Add(a, oa+4))
			s10 += float32(a1 * b0)
			s11 += float32(a1 * b1)
			a2 := *(*float32)(unsafe.Add(a, oa+8))
			s20 += float32(a2 * b0)
			s21 += float32(a2 * b1)
			ob += bs
		}
		*(*float32)(unsafe.Add(c, oc)) = s00
		*(*float32)(unsafe.Add(c, oc+4)) = s01
		*(*float32)(unsafe.Add(c, 1*cs+oc)) = s10
		*(*float32)(unsafe.Add(c, 1*cs+oc+4)) = s11
		*(*float32)(unsafe.Add(c, 2*cs+oc)) = s20
		*(*float32)(unsafe.Add(c, 2*cs+oc+4)) = s21
	}
}

// gk2x3 adds to c[i·cs + 4j] (byte offsets) Σ_k a[k·as + 4i]·B[k][j] for
// i < 2 and j0 ≤ j < j1 in blocks of 3 columns, B[k][j] at b + k·bs + 4j.
func gk2x3(kc int, a unsafe.Pointer, as uintptr, b unsafe.Pointer, bs uintptr, c unsafe.Pointer, cs uintptr, j0, j1 int) {
	end := uintptr(kc) * as
	endU := uintptr(kc-kc%2) * as
	for j := j0; j+3 <= j1; j += 3 {
		oc := uintptr(j) * 4
		s00 := *(*float32)(unsafe.Add(c, oc))
		s01 := *(*float32)(unsafe.Add(c, oc+4))
		s02 := *(*float32)(unsafe.Add(c, oc+8))
		s10 := *(*float32)(unsafe.Add(c, 1*cs+oc))
		s11 := *(*float32)(unsafe.Add(c, 1*cs+oc+4))
		s12 := *(*float32)(unsafe.Add(c, 1*cs+oc+8))
		ob := oc
		oa := uintptr(0)
		for ; oa < endU; oa += 2 * as {
			{
				b0 := *(*float32)(unsafe.Add(b, ob))
				b1 := *(*float32)(unsafe.Add(b, ob+4))
				b2 := *(*float32)(unsafe.Add(b, ob+8))
				a0 := *(*float32)(unsafe.Add(a, oa))
				s00 += float32(a0 * b0)
				s01 += float32(a0 * b1)
				s02 += float32(a0 * b2)
				a1 := *(*float32)(unsafe.Add(a, oa+4))
				s10 += float32(a1 * b0)
				s11 += float32(a1 * b1)
				s12 += float32(a1 * b2)
				ob += bs
			}
			{
				b0 := *(*float32)(unsafe.Add(b, ob))
				b1 := *(*float32)(unsafe.Add(b, ob+4))
				b2 := *(*float32)(unsafe.Add(b, ob+8))
				a0 := *(*float32)(unsafe.Add(a, oa+1*as))
				s00 += float32(a0 * b0)
				s01 += float32(a0 * b1)
				s02 += float32(a0 * b2)
				a1 := *(*float32)(unsafe.Add(a, oa+1*as+4))
				s10 += float32(a1 * b0)
				s11 += float32(a1 * b1)
				s12 += float32(a1 * b2)
				ob += bs
			}
		}
		for ; oa < end; oa += as {
			b0 := *(*float32)(unsafe.Add(b, ob))
			b1 := *(*float32)(unsafe.Add(b, ob+4))
			b2 := *(*float32)(unsafe.Add(b, ob+8))
			a0 := *(*float32)(unsafe.Add(a, oa))
			s00 += float32(a0 * b0)
			s01 += float32(a0 * b1)
			s02 += float32(a0 * b2)
			a1 := *(*float32)(unsafe.Add(a, oa+4))
			s10 += float32(a1 * b0)
			s11 += float32(a1 * b1)
			s12 += float32(a1 * b2)
			ob += bs
		}
		*(*float32)(unsafe.Add(c, oc)) = s00
		*(*float32)(unsafe.Add(c, oc+4)) = s01
		*(*float32)(unsafe.Add(c, oc+8)) = s02
		*(*float32)(unsafe.Add(c, 1*cs+oc)) = s10
		*(*float32)(unsafe.Add(c, 1*cs+oc+4)) = s11
		*(*float32)(unsafe.Add(c, 1*cs+oc+8)) = s12
	}
}

// gk1x6 adds to c[i·cs + 4j] (byte offsets) Σ_k a[k·as + 4i]·B[k][j] for
// i < 1 and j0 ≤ j < j1 in blocks of 6 columns, B[k][j] at b + k·bs + 4j.
func gk1x6(kc int, a unsafe.Pointer, as uintptr, b unsafe.Pointer, bs uintptr, c unsafe.Pointer, cs uintptr, j0, j1 int) {
	end := uintptr(kc) * as
	for j := j0; j+6 <= j1; j += 6 {
		oc := uintptr(j) * 4
		s00 := *(*float32)(unsafe.Add(c, oc))
		s01 := *(*float32)(unsafe.Add(c, oc+4))
		s02 := *(*float32)(unsafe.Add(c, oc+8))
		s03 := *(*float32)(unsafe.Add(c, oc+12))
		s04 := *(*float32)(unsafe.Add(c, oc+16))
		s05 := *(*float32)(unsafe.Add(c, oc+20))
		ob := oc
		oa := uintptr(0)
		for ; oa < end; oa += as {
			b0 := *(*float32)(unsafe.Add(b, ob))
			b1 := *(*float32)(unsafe.Add(b, ob+4))
			b2 := *(*float32)(unsafe.Add(b, ob+8))
			b3 := *(*float32)(unsafe.Add(b, ob+12))
			b4 := *(*float32)(unsafe.Add(b, ob+16))
			b5 := *(*float32)(unsafe.Add(b, ob+20))
			a0 := *(*float32)(unsafe.Add(a, oa))
			s00 += float32(a0 * b0)
			s01 += float32(a0 * b1)
			s02 += float32(a0 * b2)
			s03 += float32(a0 * b3)
			s04 += float32(a0 * b4)
			s05 += float32(a0 * b5)
			ob += bs
		}
		*(*float32)(unsafe.Add(c, oc)) = s00
		*(*float32)(unsafe.Add(c, oc+4)) = s01
		*(*float32)(unsafe.Add(c, oc+8)) = s02
		*(*float32)(unsafe.Add(c, oc+12)) = s03
		*(*float32)(unsafe.Add(c, oc+16)) = s04
		*(*float32)(unsafe.Add(c, oc+20)) = s05
	}
}

// gk3x1 adds to c[i·cs + 4j] (byte offsets) Σ_k a[k·as + 4i]·B[k][j] for
// i < 3 and j0 ≤ j < j1 in blocks of 1 columns, B[k][j] at b + k·bs + 4j.
func gk3x1(kc int, a unsafe.Pointer, as uintptr, b unsafe.Pointer, bs uintptr, c unsafe.Pointer, cs uintptr, j0, j1 int) {
	end := uintptr(kc) * as
	for j := j0; j+1 <= j1; j += 1 {
		oc := uintptr(j) * 4
		s00 := *(*float32)(unsafe.Add(c, oc))
		s10 := *(*float32)(unsafe.Add(c, 1*cs+oc))
		s20 := *(*float32)(unsafe.Add(c, 2*cs+oc))
		ob := oc
		oa := uintptr(0)
		for ; oa < end; oa += as {
			b0 := *(*float32)(unsafe.Add(b, ob))
			a0 := *(*float32)(unsafe.Add(a, oa))
			s00 += float32(a0 * b0)
			a1 := *(*float32)(unsafe.Add(a, oa+4))
			s10 += float32(a1 * b0)
			a2 := *(*float32)(unsafe.Add(a, oa+8))
			s20 += float32(a2 * b0)
			ob += bs
		}
		*(*float32)(unsafe.Add(c, oc)) = s00
		*(*float32)(unsafe.Add(c, 1*cs+oc)) = s10
		*(*float32)(unsafe.Add(c, 2*cs+oc)) = s20
	}
}

// gk2x1 adds to c[i·cs + 4j] (byte offsets) Σ_k a[k·as + 4i]·B[k][j] for
// i < 2 and j0 ≤ j < j1 in blocks of 1 columns, B[k][j] at b + k·bs + 4j.
func gk2x1(kc int, a unsafe.Pointer, as uintptr, b unsafe.Pointer, bs uintptr, c unsafe.Pointer, cs uintptr, j0, j1 int) {
	end := uintptr(kc) * as
	for j := j0; j+1 <= j1; j += 1 {
		oc := uintptr(j) * 4
		s00 := *(*float32)(unsafe.Add(c, oc))
		s10 := *(*float32)(unsafe.Add(c, 1*cs+oc))
		ob := oc
		oa := uintptr(0)
		for ; oa < end; oa += as {
			b0 := *(*float32)(unsafe.Add(b, ob))
			a0 := *(*float32)(unsafe.Add(a, oa))
			s00 += float32(a0 * b0)
			a1 := *(*float32)(unsafe.Add(a, oa+4))
			s10 += float32(a1 * b0)
			ob += bs
		}
		*(*float32)(unsafe.Add(c, oc)) = s00
		*(*float32)(unsafe.Add(c, 1*cs+oc)) = s10
	}
}

// gk1x1 adds to c[i·cs + 4j] (byte offsets) Σ_k a[k·as + 4i]·B[k][j] for
// i < 1 and j0 ≤ j < j1 in blocks of 1 columns, B[k][j] at b + k·bs + 4j.
func gk1x1(kc int, a unsafe.Pointer, as uintptr, b unsafe.Pointer, bs uintptr, c unsafe.Pointer, cs uintptr, j0, j1 int) {
	end := uintptr(kc) * as
	for j := j0; j+1 <= j1; j += 1 {
		oc := uintptr(j) * 4
		s00 := *(*float32)(unsafe.Add(c, oc))
		ob := oc
		oa := uintptr(0)
		for ; oa < end; oa += as {
			b0 := *(*float32)(unsafe.Add(b, ob))
			a0 := *(*float32)(unsafe.Add(a, oa))
			s00 += float32(a0 * b0)
			ob += bs
		}
		*(*float32)(unsafe.Add(c, oc)) = s00
	}
}

// gk3x2t adds to c[i·cs + 4j] (byte offsets) Σ_k a[k·as + 4i]·B[k][j] for
// i < 3 and j0 ≤ j < j1 in blocks of 2 columns, B[k][j] at b + offs[k] + 4j.
func gk3x2t(a unsafe.Pointer, as uintptr, b unsafe.Pointer, offs []uintptr, c unsafe.Pointer, cs uintptr, j0, j1 int) {
	for j := j0; j+2 <= j1; j += 2 {
		oc := uintptr(j) * 4
		s00 := *(*float32)(unsafe.Add(c, oc))
		s01 := *(*float32)(unsafe.Add(c, oc+4))
		s10 := *(*float32)(unsafe.Add(c, 1*cs+oc))
		s11 := *(*float32)(unsafe.Add(c, 1*cs+oc+4))
		s20 := *(*float32)(unsafe.Add(c, 2*cs+oc))
		s21 := *(*float32)(unsafe.Add(c, 2*cs+oc+4))
		oa := uintptr(0)
		for _, o := range offs {
			ob := o + oc
			b0 := *(*float32)(unsafe.Add(b, ob))
			b1 := *(*float32)(unsafe.Add(b, ob+4))
			a0 := *(*float32)(unsafe.Add(a, oa))
			s00 += float32(a0 * b0)
			s01 += float32(a0 * b1)
			a1 := *(*float32)(unsafe.Add(a, oa+4))
			s10 += float32(a1 * b0)
			s11 += float32(a1 * b1)
			a2 := *(*float32)(unsafe.Add(a, oa+8))
			s20 += float32(a2 * b0)
			s21 += float32(a2 * b1)
			oa += as
		}
		*(*float32)(unsafe.Add(c, oc)) = s00
		*(*float32)(unsafe.Add(c, oc+4)) = s01
		*(*float32)(unsafe.Add(c, 1*cs+oc)) = s10
		*(*float32)(unsafe.Add(c, 1*cs+oc+4)) = s11
		*(*float32)(unsafe.Add(c, 2*cs+oc)) = s20
		*(*float32)(unsafe.Add(c, 2*cs+oc+4)) = s21
	}
}

// gk2x3t adds to c[i·cs + 4j] (byte offsets) Σ_k a[k·as + 4i]·B[k][j] for
// i < 2 and j0 ≤ j < j1 in blocks of 3 columns, B[k][j] at b + offs[k] + 4j.
func gk2x3t(a unsafe.Pointer, as uintptr, b unsafe.Pointer, offs []uintptr, c unsafe.Pointer, cs uintptr, j0, j1 int) {
	for j := j0; j+3 <= j1; j += 3 {
		oc := uintptr(j) * 4
		s00 := *(*float32)(unsafe.Add(c, oc))
		s01 := *(*float32)(unsafe.Add(c, oc+4))
		s02 := *(*float32)(unsafe.Add(c, oc+8))
		s10 := *(*float32)(unsafe.Add(c, 1*cs+oc))
		s11 := *(*float32)(unsafe.Add(c, 1*cs+oc+4))
		s12 := *(*float32)(unsafe.Add(c, 1*cs+oc+8))
		oa := uintptr(0)
		for _, o := range offs {
			ob := o + oc
			b0 := *(*float32)(unsafe.Add(b, ob))
			b1 := *(*float32)(unsafe.Add(b, ob+4))
			b2 := *(*float32)(unsafe.Add(b, ob+8))
			a0 := *(*float32)(unsafe.Add(a, oa))
			s00 += float32(a0 * b0)
			s01 += float32(a0 * b1)
			s02 += float32(a0 * b2)
			a1 := *(*float32)(unsafe.Add(a, oa+4))
			s10 += float32(a1 * b0)
			s11 += float32(a1 * b1)
			s12 += float32(a1 * b2)
			oa += as
		}
		*(*float32)(unsafe.Add(c, oc)) = s00
		*(*float32)(unsafe.Add(c, oc+4)) = s01
		*(*float32)(unsafe.Add(c, oc+8)) = s02
		*(*float32)(unsafe.Add(c, 1*cs+oc)) = s10
		*(*float32)(unsafe.Add(c, 1*cs+oc+4)) = s11
		*(*float32)(unsafe.Add(c, 1*cs+oc+8)) = s12
	}
}

// gk1x6t adds to c[i·cs + 4j] (byte offsets) Σ_k a[k·as + 4i]·B[k][j] for
// i < 1 and j0 ≤ j < j1 in blocks of 6 columns, B[k][j] at b + offs[k] + 4j.
func gk1x6t(a unsafe.Pointer, as uintptr, b unsafe.Pointer, offs []uintptr, c unsafe.Pointer, cs uintptr, j0, j1 int) {
	for j := j0; j+6 <= j1; j += 6 {
		oc := uintptr(j) * 4
		s00 := *(*float32)(unsafe.Add(c, oc))
		s01 := *(*float32)(unsafe.Add(c, oc+4))
		s02 := *(*float32)(unsafe.Add(c, oc+8))
		s03 := *(*float32)(unsafe.Add(c, oc+12))
		s04 := *(*float32)(unsafe.Add(c, oc+16))
		s05 := *(*float32)(unsafe.Add(c, oc+20))
		oa := uintptr(0)
		for _, o := range offs {
			ob := o + oc
			b0 := *(*float32)(unsafe.Add(b, ob))
			b1 := *(*float32)(unsafe.Add(b, ob+4))
			b2 := *(*float32)(unsafe.Add(b, ob+8))
			b3 := *(*float32)(unsafe.Add(b, ob+12))
			b4 := *(*float32)(unsafe.Add(b, ob+16))
			b5 := *(*float32)(unsafe.Add(b, ob+20))
			a0 := *(*float32)(unsafe.Add(a, oa))
			s00 += float32(a0 * b0)
			s01 += float32(a0 * b1)
			s02 += float32(a0 * b2)
			s03 += float32(a0 * b3)
			s04 += float32(a0 * b4)
			s05 += float32(a0 * b5)
			oa += as
		}
		*(*float32)(unsafe.Add(c, oc)) = s00
		*(*float32)(unsafe.Add(c, oc+4)) = s01
		*(*float32)(unsafe.Add(c, oc+8)) = s02
		*(*float32)(unsafe.Add(c, oc+12)) = s03
		*(*float32)(unsafe.Add(c, oc+16)) = s04
		*(*float32)(unsafe.Add(c, oc+20)) = s05
	}
}

// gk3x1t adds to c[i·cs + 4j] (byte offsets) Σ_k a[k·as + 4i]·B[k][j] for
// i < 3 and j0 ≤ j < j1 in blocks of 1 columns, B[k][j] at b + offs[k] + 4j.
func gk3x1t(a unsafe.Pointer, as uintptr, b unsafe.Pointer, offs []uintptr, c unsafe.Pointer, cs uintptr, j0, j1 int) {
	for j := j0; j+1 <= j1; j += 1 {
		oc := uintptr(j) * 4
		s00 := *(*float32)(unsafe.Add(c, oc))
		s10 := *(*float32)(unsafe.Add(c, 1*cs+oc))
		s20 := *(*float32)(unsafe.Add(c, 2*cs+oc))
		oa := uintptr(0)
		for _, o := range offs {
			ob := o + oc
			b0 := *(*float32)(unsafe.Add(b, ob))
			a0 := *(*float32)(unsafe.Add(a, oa))
			s00 += float32(a0 * b0)
			a1 := *(*float32)(unsafe.Add(a, oa+4))
			s10 += float32(a1 * b0)
			a2 := *(*float32)(unsafe.Add(a, oa+8))
			s20 += float32(a2 * b0)
			oa += as
		}
		*(*float32)(unsafe.Add(c, oc)) = s00
		*(*float32)(unsafe.Add(c, 1*cs+oc)) = s10
		*(*float32)(unsafe.Add(c, 2*cs+oc)) = s20
	}
}

// gk2x1t adds to c[i·cs + 4j] (byte offsets) Σ_k a[k·as + 4i]·B[k][j] for
// i < 2 and j0 ≤ j < j1 in blocks of 1 columns, B[k][j] at b + offs[k] + 4j.
func gk2x1t(a unsafe.Pointer, as uintptr, b unsafe.Pointer, offs []uintptr, c unsafe.Pointer, cs uintptr, j0, j1 int) {
	for j := j0; j+1 <= j1; j += 1 {
		oc := uintptr(j) * 4
		s00 := *(*float32)(unsafe.Add(c, oc))
		s10 := *(*float32)(unsafe.Add(c, 1*cs+oc))
		oa := uintptr(0)
		for _, o := range offs {
			ob := o + oc
			b0 := *(*float32)(unsafe.Add(b, ob))
			a0 := *(*float32)(unsafe.Add(a, oa))
			s00 += float32(a0 * b0)
			a1 := *(*float32)(unsafe.Add(a, oa+4))
			s10 += float32(a1 * b0)
			oa += as
		}
		*(*float32)(unsafe.Add(c, oc)) = s00
		*(*float32)(unsafe.Add(c, 1*cs+oc)) = s10
	}
}

// gk1x1t adds to c[i·cs + 4j] (byte offsets) Σ_k a[k·as + 4i]·B[k][j] for
// i < 1 and j0 ≤ j < j1 in blocks of 1 columns, B[k][j] at b + offs[k] + 4j.
func gk1x1t(a unsafe.Pointer, as uintptr, b unsafe.Pointer, offs []uintptr, c unsafe.Pointer, cs uintptr, j0, j1 int) {
	for j := j0; j+1 <= j1; j += 1 {
		oc := uintptr(j) * 4
		s00 := *(*float32)(unsafe.Add(c, oc))
		oa := uintptr(0)
		for _, o := range offs {
			ob := o + oc
			b0 := *(*float32)(unsafe.Add(b, ob))
			a0 := *(*float32)(unsafe.Add(a, oa))
			s00 += float32(a0 * b0)
			oa += as
		}
		*(*float32)(unsafe.Add(c, oc)) = s00
	}
}
