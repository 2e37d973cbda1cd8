//go:build ignore

// gen_wgrad writes wgrad_amd64.go, the weight-gradient kernels of the avx512
// and avx2 implementations (see impl.wgrad):
//
//	go run gen_wgrad.go gen_common.go
//
// A kernel accumulates mk·mc products of two contiguous runs, u_a·v_b over
// 16-element chunks, into 16-lane accumulators, and reduces each to one
// float32 in the order of tree16. The loop walks one run with a single
// counter: more loop-carried integers (an image loop) spilled the counter
// to the stack and halved the speed. The shape
// follows the same constraints as gen_ukernels.go: at most 15 vectors live
// in the loop (mk·mc accumulators, the mk u vectors, one v vector and one
// product), one statement per line and the loop test at the bottom. The
// avx2 kernels hold each 16-lane accumulator as two 8-lane halves, so they
// exist for mk = 1 only.
package main

import (
	"bytes"
	"fmt"
	"strings"
)

func main() {
	b := simdHeader("gen_wgrad.go")
	for mk := 1; mk <= 2; mk++ {
		for mc := 1; mc <= 5; mc++ {
			kernel512(b, mk, mc)
		}
	}
	for mc := 1; mc <= 5; mc++ {
		kernel256(b, mc)
	}
	dispatch(b)
	writeSource("wgrad_amd64.go", b)
}

func kernel512(b *bytes.Buffer, mk, mc int) {
	p := printer(b)
	load := loader("Float32x16", 16)
	p("")
	p("// wg512m%dc%d is impl.wgrad for mk = %d, mc = %d with 16-lane vectors:", mk, mc, mk, mc)
	p("// u row a starts at dy + a·dyRow, v column b at x + offs[b] (bytes).")
	p("func wg512m%dc%d(chunks int, dy, x unsafe.Pointer, dyRow uintptr, offs *[5]uintptr, out *[10]float32) {", mk, mc)
	var accs []string
	for a := 0; a < mk; a++ {
		for c := 0; c < mc; c++ {
			accs = append(accs, fmt.Sprintf("a%d%d", a, c))
		}
	}
	p("var %s archsimd.Float32x16", strings.Join(accs, ", "))
	columns(p, mc)
	p("d0 := dy")
	for a := 1; a < mk; a++ {
		p("d%d := unsafe.Add(dy, %d*dyRow)", a, a)
	}
	p("for ch := 0; ; {")
	for a := 0; a < mk; a++ {
		p("u%d := %s", a, load(fmt.Sprintf("d%d", a), ""))
	}
	for c := 0; c < mc; c++ {
		off := ""
		if c > 0 {
			off = fmt.Sprintf("o%d", c)
		}
		p("v%d := %s", c, load("xp", off))
		for a := 0; a < mk; a++ {
			p("a%d%d = a%d%d.Add(u%d.Mul(v%d))", a, c, a, c, a, c)
		}
	}
	// Pointers advance only when another chunk follows (a pointer past the
	// end of its allocation is invalid).
	p("ch++")
	p("if ch >= chunks {")
	p("break")
	p("}")
	for a := 0; a < mk; a++ {
		p("d%d = unsafe.Add(d%d, 64)", a, a)
	}
	p("xp = unsafe.Add(xp, 64)")
	p("}")
	for a := 0; a < mk; a++ {
		for c := 0; c < mc; c++ {
			p("out[%d] = tree512(a%d%d)", a*mc+c, a, c)
		}
	}
	p("}")
}

func kernel256(b *bytes.Buffer, mc int) {
	p := printer(b)
	load := loader("Float32x8", 8)
	p("")
	p("// wg256m1c%d is impl.wgrad for mk = 1, mc = %d with 8-lane vectors: each", mc, mc)
	p("// 16-lane accumulator is a low and a high half.")
	p("func wg256m1c%d(chunks int, dy, x unsafe.Pointer, offs *[5]uintptr, out *[10]float32) {", mc)
	var accs []string
	for c := 0; c < mc; c++ {
		accs = append(accs, fmt.Sprintf("l%d, h%d", c, c))
	}
	p("var %s archsimd.Float32x8", strings.Join(accs, ", "))
	columns(p, mc)
	p("d := dy")
	p("for ch := 0; ; {")
	p("ul := %s", load("d", ""))
	p("uh := %s", load("d", "32"))
	for c := 0; c < mc; c++ {
		lo, hi := "", "32"
		if c > 0 {
			lo, hi = fmt.Sprintf("o%d", c), fmt.Sprintf("o%d+32", c)
		}
		p("vl%d := %s", c, load("xp", lo))
		p("l%d = l%d.Add(ul.Mul(vl%d))", c, c, c)
		p("vh%d := %s", c, load("xp", hi))
		p("h%d = h%d.Add(uh.Mul(vh%d))", c, c, c)
	}
	p("ch++")
	p("if ch >= chunks {")
	p("break")
	p("}")
	p("d = unsafe.Add(d, 64)")
	p("xp = unsafe.Add(xp, 64)")
	p("}")
	for c := 0; c < mc; c++ {
		p("out[%d] = tree256(l%d, h%d)", c, c, c)
	}
	p("}")
}

// columns writes o1..o(mc−1), the offsets of the v columns from the
// first, and xp, the first column.
func columns(p func(format string, args ...any), mc int) {
	for c := 1; c < mc; c++ {
		p("o%d := offs[%d] - offs[0]", c, c)
	}
	p("xp := unsafe.Add(x, offs[0])")
}

func dispatch(b *bytes.Buffer) {
	p := printer(b)
	p("")
	p("// wgrad512 is impl.wgrad for 16-lane vectors.")
	p("func wgrad512(mk, mc, chunks int, dy []float32, dyOff, dyRow int, x []float32, xOff int, offs *[5]int, out *[10]float32) {")
	p("checkWGrad(mk, mc, 2, chunks, dy, dyOff, dyRow, x, xOff, offs)")
	p("pd, px := unsafe.Add(unsafe.Pointer(&dy[0]), dyOff*4), unsafe.Add(unsafe.Pointer(&x[0]), xOff*4)")
	p("var o [5]uintptr")
	p("for i := 0; i < mc; i++ {")
	p("o[i] = uintptr(offs[i]) * 4")
	p("}")
	p("switch mk*8 + mc {")
	for mk := 1; mk <= 2; mk++ {
		for mc := 1; mc <= 5; mc++ {
			p("case %d:", mk*8+mc)
			p("wg512m%dc%d(chunks, pd, px, uintptr(dyRow)*4, &o, out)", mk, mc)
		}
	}
	p("}")
	p("}")
	p("")
	p("// wgrad256 is impl.wgrad for 8-lane vectors (mk = 1 only).")
	p("func wgrad256(mk, mc, chunks int, dy []float32, dyOff, dyRow int, x []float32, xOff int, offs *[5]int, out *[10]float32) {")
	p("checkWGrad(mk, mc, 1, chunks, dy, dyOff, dyRow, x, xOff, offs)")
	p("pd, px := unsafe.Add(unsafe.Pointer(&dy[0]), dyOff*4), unsafe.Add(unsafe.Pointer(&x[0]), xOff*4)")
	p("var o [5]uintptr")
	p("for i := 0; i < mc; i++ {")
	p("o[i] = uintptr(offs[i]) * 4")
	p("}")
	switchCases(p, "mc", 5, func(mc int) string { return fmt.Sprintf("wg256m1c%d(chunks, pd, px, &o, out)", mc) })
	p("}")
}
