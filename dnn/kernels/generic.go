package kernels

//go:generate go run gen_generic.go gen_common.go

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
	var s, d [sumLanes]float64
	return bnStatsLanes(s, d, g, x, y)
}

// bnStatsLanes adds the masked g[i] and g[i]·x[i] into lanes i mod
// sumLanes of s and d and combines them: genericBNStats, and the tail of
// the SIMD versions, whose lanes hold the rest.
func bnStatsLanes(s, d [sumLanes]float64, g, x, y []float32) (sum, dot float64) {
	x = x[:len(g)]
	if y != nil {
		y = y[:len(g)]
	}
	for i, v := range g {
		v = maskedGrad(v, y, i)
		s[i%sumLanes] += float64(v)
		d[i%sumLanes] += float64(v) * float64(x[i])
	}
	return combineLanes(&s), combineLanes(&d)
}

// tail is y[i:], or nil for a nil y.
func tail(y []float32, i int) []float32 {
	if y == nil {
		return nil
	}
	return y[i:]
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
// the extents first. The kernels (gkRxC) and genericMM, which tiles with
// them, are generated by gen_generic.go into generic_kernels.go.

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
