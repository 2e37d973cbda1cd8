package kernels

import (
	"fmt"
	"runtime"
	"sync"
	"unsafe"
)

// Blocking parameters of the GEMM driver. A micro-tile is mr×nr with
// mr ≤ maxMR; blockK×mr pre-broadcast A entries (≤ 30 KiB with 16 lanes)
// stay in L1 while a blockK×blockN panel of packed B (384 KiB) stays in L2.
const (
	maxMR  = 5
	blockK = 96
	blockN = 1024 // a multiple of every implementation's nr
	// serialFlops is the problem size (2·m·n·k) below which a call runs on
	// the calling goroutine only.
	serialFlops = 1 << 21
)

// Gemm computes C = A·B, or C += A·B when accumulate is true, for row-major
// A (m×k, leading dimension lda), B (k×n, ldb) and C (m×n, ldc).
func Gemm(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	checkMat("Gemm", "a", a, m, k, lda)
	checkMat("Gemm", "b", b, k, n, ldb)
	checkMat("Gemm", "c", c, m, n, ldc)
	gemm(cur(), m, n, k, a, lda, false, plainB{b, ldb}, c, ldc, accumulate)
}

// GemmTA computes C = Aᵀ·B (or C += Aᵀ·B) where A is stored row-major as
// k×m (leading dimension lda), B is k×n and C is m×n.
func GemmTA(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	checkMat("GemmTA", "a", a, k, m, lda)
	checkMat("GemmTA", "b", b, k, n, ldb)
	checkMat("GemmTA", "c", c, m, n, ldc)
	gemm(cur(), m, n, k, a, lda, true, plainB{b, ldb}, c, ldc, accumulate)
}

// GemmTB computes C = A·Bᵀ (or C += A·Bᵀ) where A is m×k, B is stored
// row-major as n×k (leading dimension ldb) and C is m×n. It is the weight
// gradient of a convolution, dW = dY·colᵀ, with a long reduction over k.
func GemmTB(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	checkMat("GemmTB", "a", a, m, k, lda)
	checkMat("GemmTB", "b", b, n, k, ldb)
	checkMat("GemmTB", "c", c, m, n, ldc)
	gemm(cur(), m, n, k, a, lda, false, transB{b, ldb}, c, ldc, accumulate)
}

// checkMat panics unless s can hold a rows×cols row-major matrix with
// leading dimension ld.
func checkMat(fn, name string, s []float32, rows, cols, ld int) {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("kernels.%s: negative dimension %d×%d for %s", fn, rows, cols, name))
	}
	if ld < max(1, cols) {
		panic(fmt.Sprintf("kernels.%s: leading dimension of %s is %d, less than its %d columns", fn, name, ld, cols))
	}
	if rows == 0 || cols == 0 {
		return
	}
	if need := (rows-1)*ld + cols; len(s) < need {
		panic(fmt.Sprintf("kernels.%s: len(%s) = %d, need at least %d for a %d×%d matrix with leading dimension %d", fn, name, len(s), need, rows, cols, ld))
	}
}

// bSource packs blocks of the right-hand GEMM operand B (k×n).
type bSource interface {
	// pack writes B[pc:pc+kc][jc:jc+nc] into dst as ceil(nc/im.nr) strips,
	// each [kc][im.nr], with zeros in the columns at or beyond n.
	pack(im *impl, dst []float32, pc, kc, jc, nc, n int, sc *scratch)
}

// plainB is a row-major k×n matrix.
type plainB struct {
	b   []float32
	ldb int
}

func (s plainB) pack(im *impl, dst []float32, pc, kc, jc, nc, n int, _ *scratch) {
	nr := im.nr
	ns := (nc + nr - 1) / nr
	full := min(ns, (n-jc)/nr) // strips with nr valid columns
	for p := 0; p < kc; p++ {
		row := s.b[(pc+p)*s.ldb:]
		im.packRows(dst[p*nr:], row[jc:], full, kc*nr, nr)
		if full < ns {
			col := jc + full*nr
			d := dst[(full*kc+p)*nr : (full*kc+p+1)*nr]
			w := n - col
			copy(d, row[col:col+w])
			clear(d[w:])
		}
	}
}

// transB is Bᵀ for a row-major n×k matrix b.
type transB plainB

func (s transB) pack(im *impl, dst []float32, pc, kc, jc, nc, n int, _ *scratch) {
	nr := im.nr
	ns := (nc + nr - 1) / nr
	for t := 0; t < ns; t++ {
		col := jc + t*nr
		im.packT(dst[t*kc*nr:(t+1)*kc*nr], s.b[col*s.ldb+pc:], s.ldb, min(nr, n-col), kc, nr)
	}
}

// appendRowPlan appends to out a split of m rows into micro-tile heights
// of at most maxMR that avoids heights below 3 where possible (short tiles
// load B for little work): tilePlan's fallback.
func appendRowPlan(out []int, m int) []int {
	for m > 0 {
		switch {
		case m >= maxMR+3 || m == maxMR:
			out = append(out, maxMR)
			m -= maxMR
		case m > maxMR: // 6 or 7 rows: two tiles of about half
			out = append(out, m-m/2, m/2)
			m = 0
		default:
			out = append(out, m)
			m = 0
		}
	}
	return out
}

// scratch holds one goroutine's packing buffers.
type scratch struct {
	a, b, tile []float32
	runs       []convRun // column runs of the current block (Conv2D)
	bases      []int     // strip vector offsets of the current block
}

// fit grows the packing buffers for reduction blocks of kb rows and
// column blocks of nb columns: a convolution's reduction block is whole
// input channels, longer than blockK when R·S > blockK.
func (sc *scratch) fit(kb, nb int) {
	if n := kb * maxMR * 16; len(sc.a) < n {
		sc.a = alignedFloats(n)
	}
	if n := kb * nb; len(sc.b) < n {
		sc.b = alignedFloats(n)
	}
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{
		a:    alignedFloats(blockK * maxMR * 16),
		b:    alignedFloats(blockK * blockN),
		tile: alignedFloats(maxMR * 32),
	}
}}

// alignedFloats returns a zeroed slice of n float32 starting on a 64-byte
// boundary. The allocation extends at least alignedSlack bytes past the
// slice: the SIMD micro-kernels advance their operand pointers once more
// after the last step they use, and a pointer must stay inside its
// allocation (Go's unsafe rules, checked by checkptr under -race).
func alignedFloats(n int) []float32 {
	s := make([]float32, n+16+alignedSlack/4)
	off := int((64 - uintptr(unsafe.Pointer(unsafe.SliceData(s)))%64) % 64 / 4)
	return s[off : off+n : off+n]
}

// alignedSlack covers the largest such step: an A panel row of 5 vectors
// of 16 lanes (320 bytes), or a packed strip row (128 bytes).
const alignedSlack = 512

// gemmPlan is one GEMM call as the driver sees it.
type gemmPlan struct {
	im         *impl
	rows       []int // micro-tile heights, top to bottom
	m, n, k    int
	a          []float32
	lda        int
	transA     bool
	bs         bSource
	c          []float32
	ldc        int
	accumulate bool
	kb, nb     int       // reduction and column block sizes
	direct     bool      // B read in place (a convolution, see convB.direct)
	aPanels    []float32 // A pre-broadcast once for all blocks, or nil
}

// panel returns the pre-broadcast A panel of rows [i0, i0+mr) and
// reduction block [pc, pc+kc): from the shared cache, or packed into buf.
func (g *gemmPlan) panel(buf []float32, i0, mr, pc, kc int) []float32 {
	size := kc * mr * g.im.lanes
	if g.aPanels != nil {
		// Panels are stored block by block: all rows of reduction block pc,
		// each row tile as [kc][mr][lanes].
		return g.aPanels[(pc*g.m+kc*i0)*g.im.lanes:][:size]
	}
	buf = buf[:size]
	g.im.packA(buf, g.a, g.lda, g.transA, i0, mr, pc, kc)
	return buf
}

// gemm is the blocked driver shared by every implementation and operand
// form. Output columns are split into contiguous ranges of whole strips, one
// per goroutine; every element is accumulated in ascending reduction order,
// whatever the blocking.
func gemm(im *impl, m, n, k int, a []float32, lda int, transA bool, bs bSource, c []float32, ldc int, accumulate bool) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if !accumulate {
			for i := 0; i < m; i++ {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	g := &gemmPlan{im: im, rows: tilePlan(nil, m), m: m, n: n, k: k, a: a, lda: lda, transA: transA,
		bs: bs, c: c, ldc: ldc, accumulate: accumulate, kb: blockK, nb: blockN}
	if cb, ok := bs.(convB); ok {
		g.kb = cb.kBlock()
		if cb.direct(im) {
			// No packed B block to keep in L2, only the C block.
			g.direct = true
			g.nb = max(blockN, min(1<<14, (directCBytes/(4*m))/im.nr*im.nr))
		}
	}
	// Columns are handed out in chunks of whole strips, at most one column
	// block (g.nb) each. When the pre-broadcast A is small it is built once
	// and shared, and chunks are narrow (about chunksPerThread per
	// goroutine) to balance late-starting goroutines; otherwise every chunk
	// broadcasts its own A panels, so chunks are as wide as possible.
	nr := im.nr
	strips := (n + nr - 1) / nr
	procs := runtime.GOMAXPROCS(0)
	if 2*float64(m)*float64(n)*float64(k) < serialFlops {
		procs = 1
	}
	cacheA := m*k*im.lanes*4 <= maxPanelBytes && (procs > 1 || n > g.nb)
	chunk := max(1, min(g.nb/nr, (strips+procs-1)/procs))
	if cacheA {
		chunk = max(1, min(g.nb/nr, strips/(chunksPerThread*procs)))
	}
	if procs == 1 {
		chunk = strips
	}
	chunks := (strips + chunk - 1) / chunk
	if cacheA {
		buf := panelPool.Get().(*[]float32)
		defer panelPool.Put(buf)
		size := m * k * im.lanes
		if cap(*buf) < size {
			*buf = alignedFloats(size)
		}
		g.aPanels = (*buf)[:size]
		for pc := 0; pc < k; pc += g.kb {
			kc := min(g.kb, k-pc)
			i0 := 0
			for _, mr := range g.rows {
				im.packA(g.aPanels[(pc*m+kc*i0)*im.lanes:][:kc*mr*im.lanes], a, lda, transA, i0, mr, pc, kc)
				i0 += mr
			}
		}
	}
	forChunks(chunks, func(i int) {
		j0 := i * chunk * nr
		j1 := min(n, (i+1)*chunk*nr)
		sc := scratchPool.Get().(*scratch)
		defer scratchPool.Put(sc)
		if g.direct {
			sc.fit(g.kb, 0)
			g.rangeDirect(j0, j1, sc)
		} else {
			sc.fit(g.kb, g.nb)
			g.rangePacked(j0, j1, sc)
		}
	})
}

// chunksPerThread is how many column chunks a GEMM offers per goroutine
// when A is broadcast once; maxPanelBytes bounds that broadcast copy.
const (
	chunksPerThread = 8
	maxPanelBytes   = 4 << 20
)

// directCBytes is the size of the C block kept in L2 by the direct path.
const directCBytes = 512 << 10

var panelPool = sync.Pool{New: func() any { return new([]float32) }}

// rangePacked computes the output columns [j0, j1) with B packed block by
// block.
func (g *gemmPlan) rangePacked(j0, j1 int, sc *scratch) {
	im, n, c, ldc := g.im, g.n, g.c, g.ldc
	nr := im.nr
	for jc := j0; jc < j1; jc += g.nb {
		nc := min(g.nb, j1-jc)
		ns := (nc + nr - 1) / nr
		for pc := 0; pc < g.k; pc += g.kb {
			kc := min(g.kb, g.k-pc)
			bbuf := sc.b[:ns*kc*nr]
			g.bs.pack(im, bbuf, pc, kc, jc, nc, n, sc)
			load := g.accumulate || pc > 0
			i0 := 0
			for _, mr := range g.rows {
				ap := g.panel(sc.a, i0, mr, pc, kc)
				for t := 0; t < ns; t++ {
					col := jc + t*nr
					bp := bbuf[t*kc*nr : (t+1)*kc*nr]
					w := n - col
					if w >= nr {
						im.kernel(mr, kc, ap, bp, c[i0*ldc+col:], ldc, load)
						continue
					}
					// Partial strip at the right edge: run the same kernel on
					// a full-width copy of the tile.
					tile := sc.tile[:mr*nr]
					if load {
						for i := 0; i < mr; i++ {
							copy(tile[i*nr:i*nr+w], c[(i0+i)*ldc+col:])
						}
					}
					im.kernel(mr, kc, ap, bp, tile, nr, load)
					for i := 0; i < mr; i++ {
						copy(c[(i0+i)*ldc+col:(i0+i)*ldc+col+w], tile[i*nr:])
					}
				}
				i0 += mr
			}
		}
	}
}

// rangeDirect is rangePacked for a convolution whose columns form whole
// strips of contiguous output-row segments: the kernels read B in place,
// walking the (c, dr, ds) rows of each reduction block with nested loops.
func (g *gemmPlan) rangeDirect(j0, j1 int, sc *scratch) {
	im, c, ldc := g.im, g.c, g.ldc
	nr, lanes := im.nr, im.lanes
	cb := g.bs.(convB)
	for jc := j0; jc < j1; jc += g.nb {
		nc := min(g.nb, j1-jc)
		ns := nc / nr
		if cap(sc.bases) < 2*ns {
			sc.bases = make([]int, 2*ns)
		}
		bases := sc.bases[:2*ns]
		for t := 0; t < ns; t++ {
			bases[2*t] = cb.colOffset(jc + t*nr)
			bases[2*t+1] = cb.colOffset(jc + t*nr + lanes)
		}
		for pc := 0; pc < g.k; pc += g.kb {
			kc := min(g.kb, g.k-pc)
			walk := cb.walk(kc)
			x := cb.x[cb.rowOffset(pc):]
			load := g.accumulate || pc > 0
			i0 := 0
			for _, mr := range g.rows {
				ap := g.panel(sc.a, i0, mr, pc, kc)
				for t := 0; t < ns; t++ {
					col := jc + t*nr
					im.kernelDirect(mr, walk, ap, x, bases[2*t], bases[2*t+1], c[i0*ldc+col:], ldc, load)
				}
				i0 += mr
			}
		}
	}
}

// checkDirect panics unless a direct micro-kernel call stays inside its
// operands (the walk itself is checked by convB.walk). It is called for
// every tile, so the failure path is out of line.
func checkDirect(mr int, w convWalk, lanes int, ap, x []float32, src0, src1 int, c []float32, ldc int) {
	if uint(mr-1) >= maxMR || len(ap) < w.kc*mr*lanes || src0 < 0 || src1 < 0 ||
		max(src0, src1)+w.span+lanes > len(x) || len(c) < (mr-1)*ldc+2*lanes {
		badOperands("direct", mr, w.kc, lanes, len(ap), len(x), len(c), ldc)
	}
}

//go:noinline
func badOperands(kind string, mr, kc, lanes, la, lb, lc, ldc int) {
	panic(fmt.Sprintf("kernels: %s micro-kernel operands out of range (mr=%d kc=%d lanes=%d len(a)=%d len(b)=%d len(c)=%d ldc=%d)", kind, mr, kc, lanes, la, lb, lc, ldc))
}

// checkTile panics unless the packed operands and the C tile of one
// micro-kernel call are long enough (the SIMD kernels index them without
// bounds checks).
func checkTile(mr, kc, lanes int, ap, bp, c []float32, ldc int) {
	if uint(mr-1) >= maxMR || kc < 1 || len(ap) < kc*mr*lanes || len(bp) < kc*2*lanes || len(c) < (mr-1)*ldc+2*lanes {
		badOperands("packed", mr, kc, lanes, len(ap), len(bp), len(c), ldc)
	}
}
