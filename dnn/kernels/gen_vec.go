//go:build ignore

// gen_vec writes vec_amd64.go, the element-wise, packing, peak and
// Winograd transform kernels of the avx512 and avx2 implementations, which
// differ only in the vector width:
//
//	go run gen_vec.go gen_common.go
//
// Most functions are written once below as a template (N is the width's
// name suffix, T the archsimd type, L its lanes and B its bytes; NR, NRm1
// and NRB are the micro-tile width impl.nr, nr−1 and its bytes). The
// Winograd transforms work on 16-lane pixels, one vector each with 16
// lanes and two 8-lane halves (one after the other) with 8; their bodies
// are spelt out one statement per line (see gen_ukernels.go).
package main

import (
	"bytes"
	"fmt"
	"log"
	"text/template"
)

func main() {
	b := simdHeader("gen_vec.go")
	tmpl := template.Must(template.New("vec").Parse(vecTemplate))
	for _, v := range vecWidths {
		if err := tmpl.Execute(b, map[string]any{
			"N": v.name, "T": v.typ, "L": v.lanes, "B": 4 * v.lanes,
			"NR": 2 * v.lanes, "NRm1": 2*v.lanes - 1, "NRB": 8 * v.lanes, // a micro-tile: two vectors
		}); err != nil {
			log.Fatal(err)
		}
		winoIn(b, v.name, v.typ, v.lanes)
		winoOut(b, v.name, v.typ, v.lanes)
	}
	writeSource("vec_amd64.go", b)
}

// halves are the byte offsets of the vectors of one 16-lane pixel, and
// a function that says := for the first and = for the others.
func halves(lanes int) ([]int, func(h int) string) {
	offs := []int{0}
	if lanes == 8 {
		offs = []int{0, 32}
	}
	return offs, func(h int) string {
		if h == 0 {
			return ":="
		}
		return "="
	}
}

// perPixel says how a 16-lane pixel is held.
func perPixel(lanes int) string {
	if lanes == 8 {
		return "two 8-lane halves per pixel"
	}
	return "one vector per pixel"
}

// winoIn writes winoIn<name>, genericWinoIn with vectors.
func winoIn(b *bytes.Buffer, name, typ string, lanes int) {
	p := printer(b)
	load := loader(typ, lanes)
	p("")
	p("// winoIn%s is genericWinoIn with %s: the", name, perPixel(lanes))
	p("// rows of Bᵀ·d are formed two input rows at a time (d1 and d2, d0 and d2,")
	p("// d1 and d3) so that at most 12 vectors are live, and each is multiplied")
	p("// by B as it is formed. Offsets are bytes.")
	p("func winoIn%s(v []float32, vxi int, src []float32, row int, n int) {", name)
	p("if n < 1 {")
	p("return")
	p("}")
	p("_ = v[15*vxi+(n-1)*16+15]")
	p("_ = src[3*row+(2*n+1)*16+15]")
	p("pv, ps := unsafe.Pointer(&v[0]), unsafe.Pointer(&src[0])")
	p("r, x := uintptr(row)*4, uintptr(vxi)*4")
	p("for j := 0; j < n; j++ {")
	offs, def := halves(lanes)
	// rows sets d0..d3 (named v) from the input rows at byte offset base.
	rows := func(v, base, op string) {
		for k := 0; k < 4; k++ {
			p("%s%d %s %s", v, k, op, load("s", fmt.Sprintf("%s%d", base, 64*k)))
		}
	}
	// times B stores (v·B)[0..3] at rows 4i.. of V.
	timesB := func(v string, i int) {
		p("%s0.Sub(%s2).Store((*[%d]float32)(unsafe.Add(o, %d*x)))", v, v, lanes, 4*i)
		p("%s1.Add(%s2).Store((*[%d]float32)(unsafe.Add(o, %d*x)))", v, v, lanes, 4*i+1)
		p("%s2.Sub(%s1).Store((*[%d]float32)(unsafe.Add(o, %d*x)))", v, v, lanes, 4*i+2)
		p("%s1.Sub(%s3).Store((*[%d]float32)(unsafe.Add(o, %d*x)))", v, v, lanes, 4*i+3)
	}
	for h, off := range offs {
		d := def(h)
		p("s %s unsafe.Add(ps, j*128+%d)", d, off)
		p("o %s unsafe.Add(pv, j*64+%d)", d, off)
		rows("a", "r+", d)
		rows("b", "2*r+", d)
		for k := 0; k < 4; k++ {
			p("p%d %s a%d.Add(b%d)", k, d, k, k)
		}
		for k := 0; k < 4; k++ {
			p("q%d %s b%d.Sub(a%d)", k, d, k, k)
		}
		timesB("p", 1)
		timesB("q", 2)
		rows("a", "", "=")
		for k := 0; k < 4; k++ {
			p("p%d = a%d.Sub(b%d)", k, k, k)
		}
		timesB("p", 0)
		rows("a", "r+", "=")
		rows("b", "3*r+", "=")
		for k := 0; k < 4; k++ {
			p("p%d = a%d.Sub(b%d)", k, k, k)
		}
		timesB("p", 3)
	}
	p("}")
	p("}")
}

// winoOut writes winoOut<name>, genericWinoOut with vectors.
func winoOut(b *bytes.Buffer, name, typ string, lanes int) {
	p := printer(b)
	load := loader(typ, lanes)
	p("")
	p("// winoOut%s is genericWinoOut with %s.", name, perPixel(lanes))
	p("func winoOut%s(out []float32, row int, m []float32, mxi int, bias float32, res []float32, relu bool, n int) {", name)
	p("if n < 1 {")
	p("return")
	p("}")
	p("_ = m[15*mxi+(n-1)*16+15]")
	p("_ = out[row+(2*n-1)*16+15]")
	p("var pr unsafe.Pointer")
	p("if res != nil {")
	p("_ = res[row+(2*n-1)*16+15]")
	p("pr = unsafe.Pointer(&res[0])")
	p("}")
	p("po, pm := unsafe.Pointer(&out[0]), unsafe.Pointer(&m[0])")
	p("r, x := uintptr(row)*4, uintptr(mxi)*4")
	p("bv := archsimd.Broadcast%s(bias)", typ)
	p("var zero archsimd.%s", typ)
	p("for j := 0; j < n; j++ {")
	offs, def := halves(lanes)
	// store finishes y0 and y1 (bias added) and stores them at i0 and i1.
	store := func() {
		p("if pr != nil {")
		p("y0 = y0.Add(%s)", load("pr", "i0"))
		p("y1 = y1.Add(%s)", load("pr", "i1"))
		p("}")
		p("if relu {")
		p("y0 = zero.Merge(y0, y0.Less(zero))")
		p("y1 = zero.Merge(y1, y1.Less(zero))")
		p("}")
		p("y0.Store((*[%d]float32)(unsafe.Add(po, i0)))", lanes)
		p("y1.Store((*[%d]float32)(unsafe.Add(po, i1)))", lanes)
	}
	for h, off := range offs {
		d := def(h)
		p("mm %s unsafe.Add(pm, j*64+%d)", d, off)
		for c := 0; c < 4; c++ {
			op := d
			if c > 0 {
				op = "="
			}
			p("m0, m1, m2, m3 %s %s, %s, %s, %s", op, load("mm", fmt.Sprintf("%d*x", c)), load("mm", fmt.Sprintf("%d*x", c+4)),
				load("mm", fmt.Sprintf("%d*x", c+8)), load("mm", fmt.Sprintf("%d*x", c+12)))
			p("u%d %s m0.Add(m1).Add(m2)", c, d)
			p("w%d %s m1.Sub(m2).Sub(m3)", c, d)
		}
		p("y0 %s u0.Add(u1).Add(u2).Add(bv)", d)
		p("y1 %s u1.Sub(u2).Sub(u3).Add(bv)", d)
		p("i0 %s uintptr(j*128 + %d)", d, off)
		p("i1 %s uintptr(j*128 + 64 + %d)", d, off)
		store()
		p("y0 = w0.Add(w1).Add(w2).Add(bv)")
		p("y1 = w1.Sub(w2).Sub(w3).Add(bv)")
		p("i0 = r + uintptr(j*128+%d)", off)
		p("i1 = r + uintptr(j*128+64+%d)", off)
		store()
	}
	p("}")
	p("}")
}

const vecTemplate = `
// packRows{{.N}} is impl.packRows for nr = {{.NR}} (other widths: generic).
func packRows{{.N}}(dst, row []float32, ns, stride, nr int) {
	if nr != {{.NR}} || ns == 0 {
		genericPackRows(dst, row, ns, stride, nr)
		return
	}
	_ = dst[(ns-1)*stride+{{.NRm1}}]
	_ = row[ns*{{.NR}}-1]
	pd, pr := unsafe.Pointer(&dst[0]), unsafe.Pointer(&row[0])
	for t := 0; t < ns; t++ {
		d := unsafe.Add(pd, t*stride*4)
		s := unsafe.Add(pr, t*{{.NRB}})
		archsimd.Load{{.T}}((*[{{.L}}]float32)(s)).Store((*[{{.L}}]float32)(d))
		archsimd.Load{{.T}}((*[{{.L}}]float32)(unsafe.Add(s, {{.B}}))).Store((*[{{.L}}]float32)(unsafe.Add(d, {{.B}})))
	}
}

// packA{{.N}} is impl.packA: A pre-broadcast to {{.L}}-lane vectors.
func packA{{.N}}(dst, a []float32, lda int, trans bool, i0, mr, p0, kc int) {
	dst = dst[:kc*mr*{{.L}}]
	pd := unsafe.Pointer(&dst[0])
	if trans {
		for p := 0; p < kc; p++ {
			row := a[(p0+p)*lda+i0:][:mr]
			d := unsafe.Add(pd, p*mr*{{.B}})
			for i, v := range row {
				archsimd.Broadcast{{.T}}(v).Store((*[{{.L}}]float32)(unsafe.Add(d, i*{{.B}})))
			}
		}
		return
	}
	for i := 0; i < mr; i++ {
		row := a[(i0+i)*lda+p0:][:kc]
		d := unsafe.Add(pd, i*{{.B}})
		for p, v := range row {
			archsimd.Broadcast{{.T}}(v).Store((*[{{.L}}]float32)(unsafe.Add(d, p*mr*{{.B}})))
		}
	}
}

// laneEpilogue{{.N}} is impl.laneEpilogue with {{.L}}-lane vectors.
func laneEpilogue{{.N}}(c []float32, ldc, mr, width int, bias, res []float32, relu bool) {
	var zero archsimd.{{.T}}
	for i := 0; i < mr; i++ {
		row := c[i*ldc:][:width]
		var rr []float32
		if res != nil {
			rr = res[i*ldc:][:width]
		}
		b := archsimd.Broadcast{{.T}}(bias[i])
		for j := 0; j+{{.L}} <= width; j += {{.L}} {
			v := archsimd.Load{{.T}}((*[{{.L}}]float32)(row[j:])).Add(b)
			if rr != nil {
				v = v.Add(archsimd.Load{{.T}}((*[{{.L}}]float32)(rr[j:])))
			}
			if relu {
				v = zero.Merge(v, v.Less(zero))
			}
			v.Store((*[{{.L}}]float32)(row[j:]))
		}
	}
}

// scaleShift{{.N}} is impl.scaleShift with {{.L}}-lane vectors.
func scaleShift{{.N}}(dst, x []float32, scale, shift float32, relu bool) {
	dst = dst[:len(x)]
	s, t := archsimd.Broadcast{{.T}}(scale), archsimd.Broadcast{{.T}}(shift)
	var zero archsimd.{{.T}}
	i := 0
	for ; i+{{.L}} <= len(x); i += {{.L}} {
		v := archsimd.Load{{.T}}((*[{{.L}}]float32)(x[i:])).Mul(s).Add(t)
		if relu {
			v = zero.Merge(v, v.Less(zero))
		}
		v.Store((*[{{.L}}]float32)(dst[i:]))
	}
	genericScaleShift(dst[i:], x[i:], scale, shift, relu)
}

// reluGrad{{.N}} is impl.reluGrad with {{.L}}-lane vectors.
func reluGrad{{.N}}(dst, dy, y []float32) {
	n := len(dy)
	y, dst = y[:n], dst[:n]
	var zero archsimd.{{.T}}
	i := 0
	for ; i+{{.L}} <= n; i += {{.L}} {
		g := archsimd.Load{{.T}}((*[{{.L}}]float32)(dy[i:]))
		m := archsimd.Load{{.T}}((*[{{.L}}]float32)(y[i:])).Greater(zero)
		g.Merge(zero, m).Store((*[{{.L}}]float32)(dst[i:]))
	}
	genericReLUGrad(dst[i:], dy[i:], y[i:])
}

// maskGrad{{.N}} loads g[i:i+{{.L}}], zeroed where y is not positive (y nil: no
// mask).
func maskGrad{{.N}}(g, y []float32, i int) archsimd.{{.T}} {
	v := archsimd.Load{{.T}}((*[{{.L}}]float32)(g[i:]))
	if y == nil {
		return v
	}
	var zero archsimd.{{.T}}
	return v.Merge(zero, archsimd.Load{{.T}}((*[{{.L}}]float32)(y[i:])).Greater(zero))
}

// bnApply{{.N}} is impl.bnApply with {{.L}}-lane vectors.
func bnApply{{.N}}(dx, g, x, y []float32, w, a, b float32) {
	n := len(g)
	x, dx = x[:n], dx[:n]
	if y != nil {
		y = y[:n]
	}
	wv, av, bv := archsimd.Broadcast{{.T}}(w), archsimd.Broadcast{{.T}}(a), archsimd.Broadcast{{.T}}(b)
	i := 0
	for ; i+{{.L}} <= n; i += {{.L}} {
		v := maskGrad{{.N}}(g, y, i)
		xv := archsimd.Load{{.T}}((*[{{.L}}]float32)(x[i:]))
		v.Mul(wv).Add(xv.Mul(av).Add(bv)).Store((*[{{.L}}]float32)(dx[i:]))
	}
	genericBNApply(dx[i:], g[i:], x[i:], tail(y, i), w, a, b)
}

// relu{{.N}} is impl.relu with {{.L}}-lane vectors.
func relu{{.N}}(x []float32) {
	var zero archsimd.{{.T}}
	i := 0
	for ; i+{{.L}} <= len(x); i += {{.L}} {
		p := (*[{{.L}}]float32)(x[i:])
		v := archsimd.Load{{.T}}(p)
		zero.Merge(v, v.Less(zero)).Store(p)
	}
	genericReLU(x[i:])
}

// addReLU{{.N}} is impl.addReLU with {{.L}}-lane vectors.
func addReLU{{.N}}(dst, a, b []float32) {
	n := len(a)
	b, dst = b[:n], dst[:n]
	var zero archsimd.{{.T}}
	i := 0
	for ; i+{{.L}} <= n; i += {{.L}} {
		v := archsimd.Load{{.T}}((*[{{.L}}]float32)(a[i:])).Add(archsimd.Load{{.T}}((*[{{.L}}]float32)(b[i:])))
		zero.Merge(v, v.Less(zero)).Store((*[{{.L}}]float32)(dst[i:]))
	}
	genericAddReLU(dst[i:], a[i:], b[i:])
}

// add{{.N}} is impl.add with {{.L}}-lane vectors.
func add{{.N}}(dst, a []float32) {
	n := len(dst)
	a = a[:n]
	i := 0
	for ; i+{{.L}} <= n; i += {{.L}} {
		p := (*[{{.L}}]float32)(dst[i:])
		archsimd.Load{{.T}}(p).Add(archsimd.Load{{.T}}((*[{{.L}}]float32)(a[i:]))).Store(p)
	}
	genericAdd(dst[i:], a[i:])
}

// peak{{.N}} runs iters rounds of 12 independent {{.L}}-lane fused multiply-adds.
// The chains start from different values so the compiler cannot merge them.
func peak{{.N}}(iters int, seed float32) float32 {
	m := archsimd.Broadcast{{.T}}(0.999)
	c := archsimd.Broadcast{{.T}}(1e-3)
	a0 := archsimd.Broadcast{{.T}}(seed)
	a1 := a0.Add(c)
	a2 := a1.Add(c)
	a3 := a2.Add(c)
	a4 := a3.Add(c)
	a5 := a4.Add(c)
	a6 := a5.Add(c)
	a7 := a6.Add(c)
	a8 := a7.Add(c)
	a9 := a8.Add(c)
	a10 := a9.Add(c)
	a11 := a10.Add(c)
	for i := 0; i < iters; i++ {
		a0 = a0.MulAdd(m, c)
		a1 = a1.MulAdd(m, c)
		a2 = a2.MulAdd(m, c)
		a3 = a3.MulAdd(m, c)
		a4 = a4.MulAdd(m, c)
		a5 = a5.MulAdd(m, c)
		a6 = a6.MulAdd(m, c)
		a7 = a7.MulAdd(m, c)
		a8 = a8.MulAdd(m, c)
		a9 = a9.MulAdd(m, c)
		a10 = a10.MulAdd(m, c)
		a11 = a11.MulAdd(m, c)
	}
	var out [{{.L}}]float32
	a0.Add(a1).Add(a2).Add(a3).Add(a4).Add(a5).Add(a6).Add(a7).Add(a8).Add(a9).Add(a10).Add(a11).Store(&out)
	return out[0]
}
`
