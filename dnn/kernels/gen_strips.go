//go:build ignore

// gen_strips writes strips_amd64.go, the multi-strip GEMM micro-kernels of
// the avx512 and avx2 implementations (see impl.strips):
//
//	go run gen_strips.go gen_common.go
//
// A call computes ns consecutive tiles of mr rows × 2 vectors from zero,
// C_s = A·B_s, with A pre-broadcast ([kc][mr][lanes]) and row k of B_s at
// b + k·plane + s·(2 vectors): the Winograd GEMMs, whose reduction (the
// input channels) is short, so that looping over the strips inside the
// kernel saves a call and the operand checks per tile. The loop shape
// follows gen_ukernels.go (at most 15 live vectors, one statement per line,
// the exit test at the bottom).
package main

import (
	"bytes"
	"fmt"
	"strings"
)

func main() {
	b := simdHeader("gen_strips.go")
	for _, v := range vecWidths {
		for mr := 1; mr <= 5; mr++ {
			kernel(b, v.name, v.typ, v.lanes, mr)
		}
		dispatch(b, v.name, v.lanes)
	}
	writeSource("strips_amd64.go", b)
}

func kernel(b *bytes.Buffer, name, typ string, lanes, mr int) {
	vb := lanes * 4
	p := printer(b)
	load := loader(typ, lanes)
	p("")
	p("// ks%sx%d computes ns tiles of %d×%d from zero: see impl.strips. ap points", name, mr, mr, 2*lanes)
	p("// at [kc][%d][%d]; plane and ldc are byte strides; ns, kc ≥ 1.", mr, lanes)
	p("func ks%sx%d(ns, kc int, plane uintptr, ap, bp, c unsafe.Pointer, ldc uintptr) {", name, mr)
	p("for s := 0; ; {")
	var accs []string
	for i := 0; i < mr; i++ {
		accs = append(accs, fmt.Sprintf("c%d0, c%d1", i, i))
	}
	p("var %s archsimd.%s", strings.Join(accs, ", "), typ)
	p("a := ap")
	p("o := bp")
	p("for k := 0; ; {")
	p("b0 := %s", load("o", "0"))
	p("b1 := %s", load("o", fmt.Sprint(vb)))
	for i := 0; i < mr; i++ {
		p("x%d := %s", i, load("a", fmt.Sprint(i*vb)))
		p("c%d0 = c%d0.Add(x%d.Mul(b0))", i, i, i)
		p("c%d1 = c%d1.Add(x%d.Mul(b1))", i, i, i)
	}
	// Pointers advance only when another step follows: a pointer past
	// the end of its allocation is invalid (checkptr rejects it).
	p("k++")
	p("if k >= kc {")
	p("break")
	p("}")
	p("a = unsafe.Add(a, %d)", mr*vb)
	p("o = unsafe.Add(o, plane)")
	p("}")
	for i := 0; i < mr; i++ {
		for j := 0; j < 2; j++ {
			p("c%d%d.Store((*[%d]float32)(unsafe.Add(c, %d*ldc+%d)))", i, j, lanes, i, j*vb)
		}
	}
	p("s++")
	p("if s >= ns {")
	p("break")
	p("}")
	p("bp = unsafe.Add(bp, %d)", 2*vb)
	p("c = unsafe.Add(c, %d)", 2*vb)
	p("}")
	p("}")
}

func dispatch(b *bytes.Buffer, name string, lanes int) {
	p := printer(b)
	p("")
	p("// strips%s is impl.strips for %d-lane vectors.", name, lanes)
	p("func strips%s(mr, ns, kc int, ap, bp []float32, plane int, c []float32, ldc int) {", name)
	p("checkStrips(mr, ns, kc, %d, %d, ap, bp, plane, c, ldc)", lanes, 2*lanes)
	p("pa, pb, pc := unsafe.Pointer(&ap[0]), unsafe.Pointer(&bp[0]), unsafe.Pointer(&c[0])")
	p("pl, ld := uintptr(plane)*4, uintptr(ldc)*4")
	switchCases(p, "mr", 5, func(mr int) string { return fmt.Sprintf("ks%sx%d(ns, kc, pl, pa, pb, pc, ld)", name, mr) })
	p("}")
}
