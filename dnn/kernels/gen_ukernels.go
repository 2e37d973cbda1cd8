//go:build ignore

// gen_ukernels writes ukernels_amd64.go, the GEMM micro-kernels of the
// avx512 and avx2 implementations, one function per tile height mr = 1..5:
//
//	go run gen_ukernels.go gen_common.go
//
// The kernels are generated rather than written by hand because the Go
// compiler's handling of simd/archsimd code dictates their exact shape
// (measured with go1.26, see the package report):
//   - only X0–X14 hold loop-carried vectors, so a tile has at most 10
//     accumulators plus two B vectors, one A vector and one product;
//   - VFMADD213PS overwrites a multiplicand, which forces a register copy per
//     FMA; a separate multiply and add (VMULPS, VADDPS) does not, and keeps
//     each accumulator in a fixed register (it also rounds the product, which
//     makes the SIMD result equal to the plain-Go one);
//   - VBROADCASTSS from a register is slow on the target, so A is
//     pre-broadcast when packed and read with full-width loads;
//   - the scheduler orders independent instructions by source line and
//     hoists every load of a loop body above the arithmetic unless the
//     loop body is a single basic block, hence one statement per line and
//     a loop with its exit test at the bottom.
package main

import (
	"bytes"
	"fmt"
	"strings"
)

func main() {
	b := simdHeader("gen_ukernels.go")
	for _, v := range vecWidths {
		for mr := 1; mr <= 5; mr++ {
			kernel(b, v.name, v.typ, v.lanes, mr, false, nil)
		}
		dispatch(b, v.name, v.lanes, false)
		for mr := 1; mr <= 5; mr++ {
			kernel(b, v.name, v.typ, v.lanes, mr, true, nil)
			for _, rs := range unrolled {
				kernel(b, v.name, v.typ, v.lanes, mr, true, rs)
			}
		}
		dispatch(b, v.name, v.lanes, true)
	}
	writeSource("ukernels_amd64.go", b)
}

// kernel writes the tile kernel of height mr. Packed kernels (rs = nil
// and !direct) read B from a packed strip; direct kernels read their two B
// vectors at b0p+o and b1p+o, walking o over the (c, dr, ds) rows of whole
// input channels. With rs = {R, S} the R·S rows of a channel are unrolled
// into one loop body; otherwise dr and ds are loops.
func kernel(b *bytes.Buffer, name, typ string, lanes, mr int, direct bool, rs []int) {
	vb := lanes * 4 // bytes per vector
	load := loader(typ, lanes)
	p := printer(b)
	fn := kernelName(name, mr, direct, rs)
	p("")
	switch {
	case !direct:
		p("// %s computes a %d×%d tile: see impl.kernel. ap, bp and c point at", fn, mr, 2*lanes)
		p("// [kc][%d][%d], [kc][%d] and a tile with row stride ldc bytes; kc ≥ 1.", mr, lanes, 2*lanes)
		p("func %s(kc int, ap, bp, c unsafe.Pointer, ldc uintptr, load bool) {", fn)
	case rs != nil:
		p("// %s computes a %d×%d tile for %d×%d filters: see impl.kernelDirect.", fn, mr, 2*lanes, rs[0], rs[1])
		p("// ap points at [nch·%d][%d][%d], c at a tile with row stride ldc bytes;", rs[0]*rs[1], mr, lanes)
		p("// plane, row and ds are byte strides; nch ≥ 1.")
		p("func %s(nch int, plane, row, ds uintptr, ap, b0p, b1p, c unsafe.Pointer, ldc uintptr, load bool) {", fn)
	default:
		p("// %s computes a %d×%d tile: see impl.kernelDirect. ap points at", fn, mr, 2*lanes)
		p("// [nch·r·s][%d][%d], c at a tile with row stride ldc bytes; plane, row", mr, lanes)
		p("// and ds are byte strides; nch, r, s ≥ 1.")
		p("func %s(nch, r, s int, plane, row, ds uintptr, ap, b0p, b1p, c unsafe.Pointer, ldc uintptr, load bool) {", fn)
	}
	var accs []string
	for i := 0; i < mr; i++ {
		accs = append(accs, fmt.Sprintf("c%d0, c%d1", i, i))
	}
	p("var %s archsimd.%s", strings.Join(accs, ", "), typ)
	p("if load {")
	for i := 0; i < mr; i++ {
		for j := 0; j < 2; j++ {
			p("c%d%d = %s", i, j, load("c", fmt.Sprintf("%d*ldc+%d", i, j*vb)))
		}
	}
	p("}")
	// step writes one k-step whose B vectors are at b0p+off and b1p+off
	// (or in the packed strip when off is empty).
	step := func(off string) {
		if off == "" {
			p("b0 := %s", load("bp", "0"))
			p("b1 := %s", load("bp", fmt.Sprint(vb)))
		} else {
			p("b0 := %s", load("b0p", off))
			p("b1 := %s", load("b1p", off))
		}
		for i := 0; i < mr; i++ {
			p("x%d := %s", i, load("ap", fmt.Sprint(i*vb)))
			p("c%d0 = c%d0.Add(x%d.Mul(b0))", i, i, i)
			p("c%d1 = c%d1.Add(x%d.Mul(b1))", i, i, i)
		}
		p("ap = unsafe.Add(ap, %d)", mr*vb)
	}
	// The offset of each k-row is computed, not loaded from a table: B loads
	// whose address comes from a load ran 25%% slower on the target.
	switch {
	case !direct:
		p("for p := 0; ; {")
		step("")
		p("bp = unsafe.Add(bp, %d)", 2*vb)
		p("p++")
		p("if p >= kc {")
		p("break")
		p("}")
		p("}")
	case rs != nil:
		// Row offsets are named at the top of the body: a shared
		// subexpression takes the line of a later use and would delay the
		// first B loads behind the A loads, which then spill.
		p("o := uintptr(0)")
		for ds := 2; ds < rs[1]; ds++ {
			p("ds%d := %d * ds", ds, ds)
		}
		p("for ci := 0; ; {")
		for dr := 1; dr < rs[0]; dr++ {
			p("o%d := o + %d*row", dr, dr)
		}
		for dr := 0; dr < rs[0]; dr++ {
			for ds := 0; ds < rs[1]; ds++ {
				off := "o"
				if dr > 0 {
					off = fmt.Sprintf("o%d", dr)
				}
				switch {
				case ds == 1:
					off += "+ds"
				case ds > 1:
					off += fmt.Sprintf("+ds%d", ds)
				}
				p("{")
				step(off)
				p("}")
			}
		}
		p("o += plane")
		p("ci++")
		p("if ci >= nch {")
		p("break")
		p("}")
		p("}")
	default:
		p("for ci := 0; ci < nch; ci++ {")
		p("for dr := 0; dr < r; dr++ {")
		p("o := uintptr(ci)*plane + uintptr(dr)*row")
		p("for p := 0; ; {")
		step("o")
		p("o += ds")
		p("p++")
		p("if p >= s {")
		p("break")
		p("}")
		p("}")
		p("}")
		p("}")
	}
	for i := 0; i < mr; i++ {
		for j := 0; j < 2; j++ {
			p("c%d%d.Store((*[%d]float32)(unsafe.Add(c, %d*ldc+%d)))", i, j, lanes, i, j*vb)
		}
	}
	p("}")
}

// unrolled lists the filter shapes (R, S) with unrolled direct kernels.
var unrolled = [][]int{{3, 3}, {1, 1}}

func kernelName(name string, mr int, direct bool, rs []int) string {
	switch {
	case !direct:
		return fmt.Sprintf("k%sx%d", name, mr)
	case rs != nil:
		return fmt.Sprintf("kd%sx%dr%ds%d", name, mr, rs[0], rs[1])
	}
	return fmt.Sprintf("kd%sx%d", name, mr)
}

func dispatch(b *bytes.Buffer, name string, lanes int, direct bool) {
	p := printer(b)
	if direct {
		p("")
		p("// kernelDirect%s is impl.kernelDirect for %d-lane vectors.", name, lanes)
		p("func kernelDirect%s(mr int, w convWalk, ap, x []float32, src0, src1 int, c []float32, ldc int, load bool) {", name)
		p("checkDirect(mr, w, %d, ap, x, src0, src1, c, ldc)", lanes)
		p("px := unsafe.Pointer(&x[0])")
		p("b0, b1 := unsafe.Add(px, src0*4), unsafe.Add(px, src1*4)")
		p("pa, pc, ld := unsafe.Pointer(&ap[0]), unsafe.Pointer(&c[0]), uintptr(ldc)*4")
		p("pl, rw, ds := uintptr(w.plane)*4, uintptr(w.row)*4, uintptr(w.ds)*4")
		for _, rs := range unrolled {
			p("if w.r == %d && w.s == %d {", rs[0], rs[1])
			switchCases(p, "mr", 5, func(mr int) string {
				return fmt.Sprintf("%s(w.nch, pl, rw, ds, pa, b0, b1, pc, ld, load)", kernelName(name, mr, true, rs))
			})
			p("return")
			p("}")
		}
		switchCases(p, "mr", 5, func(mr int) string {
			return fmt.Sprintf("%s(w.nch, w.r, w.s, pl, rw, ds, pa, b0, b1, pc, ld, load)", kernelName(name, mr, true, nil))
		})
		p("}")
		return
	}
	p("")
	p("// kernel%s is impl.kernel for %d-lane vectors.", name, lanes)
	p("func kernel%s(mr, kc int, ap, bp, c []float32, ldc int, load bool) {", name)
	p("checkTile(mr, kc, %d, ap, bp, c, ldc)", lanes)
	p("pa, pb, pc, ld := unsafe.Pointer(&ap[0]), unsafe.Pointer(&bp[0]), unsafe.Pointer(&c[0]), uintptr(ldc)*4")
	switchCases(p, "mr", 5, func(mr int) string { return fmt.Sprintf("k%sx%d(kc, pa, pb, pc, ld, load)", name, mr) })
	p("}")
}
