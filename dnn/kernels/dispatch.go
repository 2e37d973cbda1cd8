package kernels

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync/atomic"
)

// impl is one implementation of the package's kernels. The GEMM driver and
// the public element-wise functions are written once and call through these
// fields.
type impl struct {
	name string
	// lanes is the number of float32 in one vector register (1 for generic).
	lanes int
	// nr is the number of output columns of one micro-tile (two vectors).
	nr int

	// kernel computes one micro-tile: C[0:mr][0:nr] (row stride ldc) = (C +)
	// Σ_p A[:,p]·B[p,:], where ap holds A pre-broadcast as [kc][mr][lanes]
	// and bp holds B as [kc][nr]. With load false the tile starts from zero.
	kernel func(mr, kc int, ap, bp, c []float32, ldc int, load bool)
	// kernelDirect is kernel with B read in place from x: for the k-rows
	// (c, dr, ds) of w in order, the two B vectors are x[o+src0 :+lanes]
	// and x[o+src1 :+lanes] with o = c·w.plane + dr·w.row + ds·w.ds. Nil
	// when the implementation has none.
	kernelDirect func(mr int, w convWalk, ap, x []float32, src0, src1 int, c []float32, ldc int, load bool)
	// packRuns copies, for every k-row p of w (offset o) and run r,
	// x[o+r.src :+r.n] to dst[r.dst+p·nr :+r.n].
	packRuns func(dst, x []float32, runs []convRun, w convWalk, nr int)
	// packT writes a transposed strip: dst[p·nr+j] = b[j·ldb+p] for p < kc,
	// j < w, and zero for w ≤ j < nr.
	packT func(dst, b []float32, ldb, w, kc, nr int)
	// packA writes A[i0:i0+mr][p0:p0+kc] (A stored m×k, or k×m when
	// trans) pre-broadcast into dst as [kc][mr][lanes].
	packA func(dst, a []float32, lda int, trans bool, i0, mr, p0, kc int)

	// packRows copies ns full strips of one B row: dst[t·stride :+nr] =
	// row[t·nr :+nr] for t < ns.
	packRows func(dst, row []float32, ns, stride, nr int)
	// layoutRows writes rows input rows (src, row stride srcStride) into
	// dst (row stride dstStride) as segs segments of segLen each: segment ds
	// of row r is dst[r·dstStride+ds·segLen+q] = src[r·srcStride+first+ds+
	// q·stride] where 0 ≤ first+ds+q·stride < w, else 0.
	layoutRows func(dst []float32, dstStride int, src []float32, srcStride, rows, segs, segLen, first, stride, w int)

	// scaleShift writes dst[i] = x[i]·scale + shift (then ReLU); dst may be x.
	// laneDirect is kernelDirect for lane tensors: the strip (nr columns)
	// is nr/LaneWidth pixels whose 16 lanes start at x[srcs[t]] (see
	// LaneConvForward).
	laneDirect func(mr int, w convWalk, ap, x []float32, srcs [2]int, c []float32, ldc int, load bool)
	// laneEpilogue adds bias[i] (and res) to row i of a tile of width
	// values (a multiple of LaneWidth) and applies the ReLU.
	laneEpilogue func(c []float32, ldc, mr, width int, bias, res []float32, relu bool)
	laneLinear   func(dst, w, bias, x []float32, in, out int, relu bool)
	// strips computes ns tiles from zero: for s < ns, i < mr, j < nr,
	// c[i·ldc + s·nr + j] = Σ_k A[i][k]·bp[k·plane + s·nr + j] with A
	// packed by packA ([kc][mr][lanes]), ascending k, every product rounded
	// before its add.
	strips func(mr, ns, kc int, ap, bp []float32, plane int, c []float32, ldc int)
	// winoIn and winoOut are the Winograd F(2×2, 3×3) input and output
	// transforms of n tiles of one tile row (see genericWinoIn/Out).
	winoIn  func(v []float32, vxi int, src []float32, row int, n int)
	winoOut func(out []float32, row int, m []float32, mxi int, bias float32, res []float32, relu bool, n int)

	scaleShift func(dst, x []float32, scale, shift float32, relu bool)
	relu       func(x []float32)
	// reluGrad writes dst[i] = dy[i] where y[i] > 0, else 0.
	reluGrad func(dst, dy, y []float32)
	// bnStats returns Σ m·g and Σ m·g·x (m = [y > 0], or 1 when y is nil)
	// with the float64 lane structure of sum64.
	bnStats func(g, x, y []float32) (sum, dot float64)
	// bnApply writes dx[i] = m·g[i]·w + (x[i]·a + b) (m as in bnStats).
	bnApply func(dx, g, x, y []float32, w, a, b float32)
	addReLU func(dst, a, b []float32)
	add     func(dst, a []float32)
	// sum64 returns Σ x[i] and dot64 Σ x[i]·y[i], accumulated in float64
	// with the implementation's fixed lane structure.
	// wgrad is the weight-gradient kernel (see genericWGrad) for up to
	// wgMK rows of dy at a time.
	wgrad func(mk, mc, chunks int, dy []float32, dyOff, dyRow int, x []float32, xOff int, offs *[5]int, out *[10]float32)
	wgMK  int

	sum64  func(x []float32) float64
	dot64  func(x, y []float32) float64
	sqdev  func(x []float32, mean float64) float64
	peak   func(iters int, seed float32) float32
	peakFl int // floating-point operations per peak iteration
}

var (
	registry = map[string]*impl{"generic": &genericImpl}
	// preference lists the implementations from best to worst.
	preference = []string{"avx512", "avx2", "generic"}
	current    atomic.Pointer[impl]
	// envErr is the problem with COSIM_KERNELS, if any (see EnvError).
	envErr error
)

// register adds an implementation usable on this CPU (called during package
// variable initialisation in the SIMD build, before init selects one).
func register(im *impl) { registry[im.name] = im }

func init() {
	v := os.Getenv("COSIM_KERNELS")
	if err := Use(v); err != nil {
		envErr = fmt.Errorf("environment COSIM_KERNELS=%q: %v", v, err)
		Use("auto")
	}
}

// EnvError reports why the environment variable COSIM_KERNELS could not be
// honoured (an unknown name, or a path this build or CPU lacks), or nil. The
// package then runs on the best available implementation; commands check
// EnvError before any work and refuse to start.
func EnvError() error { return envErr }

// Use selects the implementation by name: "generic", "avx2", "avx512", or
// "auto" (also the empty string) for the best one this CPU and build
// support. It returns an error saying why, and keeps the current choice,
// for an unknown name or one not available here. It is safe to call
// concurrently with the kernels, but a call in flight may finish on the
// previous implementation.
func Use(name string) error {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" || name == "auto" {
		name = Available()[0]
	}
	im, ok := registry[name]
	if !ok {
		return errors.New(Unavailable(name))
	}
	current.Store(im)
	return nil
}

// Impl reports the name of the implementation in use.
func Impl() string { return cur().name }

// Available lists the implementations usable in this build on this CPU,
// best first; "generic" is always last.
func Available() []string {
	var out []string
	for _, n := range preference {
		if _, ok := registry[n]; ok {
			out = append(out, n)
		}
	}
	return out
}

// Known lists every implementation name, best first, whether or not it is
// available here.
func Known() []string { return slices.Clone(preference) }

// Unavailable says why the named implementation cannot run here (for
// example, that the CPU lacks AVX-512), or returns "" when it can.
func Unavailable(name string) string {
	if _, ok := registry[name]; ok {
		return ""
	}
	if !slices.Contains(preference, name) {
		return fmt.Sprintf("unknown kernel path %q (known: %s; available here: %s)", name, strings.Join(preference, ", "), strings.Join(Available(), ", "))
	}
	return fmt.Sprintf("kernel path %q is not available: %s (available here: %s)", name, missing(name), strings.Join(Available(), ", "))
}

// Describe is a one-line summary of the kernel choice for version and
// benchmark output, such as "avx2 (available: avx2, generic; avx512: this
// CPU lacks AVX-512)".
func Describe() string {
	s := fmt.Sprintf("%s (available: %s", Impl(), strings.Join(Available(), ", "))
	for _, n := range preference {
		if _, ok := registry[n]; !ok {
			s += fmt.Sprintf("; %s: %s", n, missing(n))
		}
	}
	return s + ")"
}

func cur() *impl { return current.Load() }
