package kernels

import (
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"

	"cosim/internal/seed"
)

// elementwiseSizes cover empty input, sub-vector tails and more than one
// goroutine's worth of elements.
var elementwiseSizes = []int{0, 1, 7, 15, 16, 17, 33, 100, 1000, elementwiseGrain + 37}

// withSpecials puts NaN, ±0 and ±Inf into x where it is long enough.
func withSpecials(x []float32) []float32 {
	sp := []float32{float32(math.NaN()), float32(math.Copysign(0, -1)), 0, float32(math.Inf(1)), float32(math.Inf(-1)), -1e-40}
	for i, v := range sp {
		if j := 3 + 5*i; j < len(x) {
			x[j] = v
		}
	}
	return x
}

// sameBitsAll is sameBits that treats any two NaNs as equal.
func sameBitsAll(x, y []float32) (int, bool) {
	for i := range x {
		if math.Float32bits(x[i]) != math.Float32bits(y[i]) && !(x[i] != x[i] && y[i] != y[i]) {
			return i, false
		}
	}
	return -1, len(x) == len(y)
}

func TestElementwiseMatchesDefinition(t *testing.T) {
	for _, n := range elementwiseSizes {
		r := seed.Stream(10, uint64(n))
		a := withSpecials(randSlice(r, n))
		b := randSlice(r, n)
		scale, shift := float32(r.NormFloat64()), float32(r.NormFloat64())
		// Definitions, element by element.
		wantSS := make([]float32, n)
		wantSSR := make([]float32, n)
		wantRelu := make([]float32, n)
		wantAR := make([]float32, n)
		wantAdd := make([]float32, n)
		wantGrad := make([]float32, n)
		for i := range a {
			v := float32(a[i]*scale) + shift
			wantSS[i] = v
			wantSSR[i] = v
			if v < 0 {
				wantSSR[i] = 0
			}
			wantRelu[i] = a[i]
			if a[i] < 0 {
				wantRelu[i] = 0
			}
			wantAR[i] = a[i] + b[i]
			if wantAR[i] < 0 {
				wantAR[i] = 0
			}
			wantAdd[i] = a[i] + b[i]
			if a[i] > 0 {
				wantGrad[i] = b[i]
			}
		}
		withImpl(t, func(t *testing.T, name string) {
			check := func(op string, got, want []float32) {
				t.Helper()
				if i, ok := sameBitsAll(got, want); !ok {
					t.Fatalf("n=%d %s: element %d = %g, want %g", n, op, i, got[i], want[i])
				}
			}
			x := append([]float32(nil), a...)
			ScaleShift(x, 1, n, []float32{scale}, []float32{shift}, false)
			check("ScaleShift", x, wantSS)
			x = append([]float32(nil), a...)
			ScaleShift(x, 1, n, []float32{scale}, []float32{shift}, true)
			check("ScaleShift+ReLU", x, wantSSR)
			x = append([]float32(nil), a...)
			ReLU(x)
			check("ReLU", x, wantRelu)
			x = make([]float32, n)
			AddReLU(x, a, b)
			check("AddReLU", x, wantAR)
			x = append([]float32(nil), a...)
			AddReLU(x, x, b) // in place
			check("AddReLU in place", x, wantAR)
			x = append([]float32(nil), a...)
			Add(x, b)
			check("Add", x, wantAdd)
			x = make([]float32, n)
			ReLUGrad(x, b, a)
			check("ReLUGrad", x, wantGrad)
		})
	}
}

// TestReLUWorkedExample pins the treatment of NaN and signed zeros.
func TestReLUWorkedExample(t *testing.T) {
	in := []float32{-2, -0.5, float32(math.Copysign(0, -1)), 0, 0.5, 3, float32(math.NaN()), float32(math.Inf(-1))}
	withImpl(t, func(t *testing.T, _ string) {
		x := make([]float32, 0, 32)
		for len(x) < 32 { // long enough for a full vector
			x = append(x, in...)
		}
		ReLU(x)
		got := fmt.Sprint(x[:len(in)])
		if got != "[0 0 -0 0 0.5 3 NaN 0]" {
			t.Errorf("ReLU = %s", got)
		}
	})
}

func TestScaleShiftPerRow(t *testing.T) {
	// [C=2][N·H·W=3]: row 0 scaled by 2 and shifted by 1, row 1 by -1, 0.
	x := []float32{1, 2, 3, 4, 5, 6}
	ScaleShift(x, 2, 3, []float32{2, -1}, []float32{1, 0}, false)
	if fmt.Sprint(x) != "[3 5 7 -4 -5 -6]" {
		t.Errorf("ScaleShift = %v", x)
	}
	ScaleShift(x, 2, 3, []float32{1, 1}, []float32{0, 0}, true)
	if fmt.Sprint(x) != "[3 5 7 0 0 0]" {
		t.Errorf("ScaleShift relu = %v", x)
	}
}

func TestRowReductions(t *testing.T) {
	for _, shape := range [][2]int{{1, 0}, {3, 1}, {2, 15}, {4, 17}, {5, 100}, {16, 4096 + 5}, {3, 70000}} {
		rows, cols := shape[0], shape[1]
		r := seed.Stream(11, uint64(rows), uint64(cols))
		x := randSlice(r, rows*cols)
		y := randSlice(r, rows*cols)
		for i := range x {
			x[i] += 3 // a mean far from 0 tests the two-pass variance
		}
		var ref [][]float32
		withImpl(t, func(t *testing.T, name string) {
			sums, means, dots := make([]float32, rows), make([]float32, rows), make([]float32, rows)
			mu, va := make([]float32, rows), make([]float32, rows)
			RowSums(sums, x, rows, cols)
			RowMeans(means, x, rows, cols)
			RowDots(dots, x, y, rows, cols)
			RowMeanVar(mu, va, x, rows, cols)
			for i := 0; i < rows; i++ {
				row, yr := x[i*cols:(i+1)*cols], y[i*cols:(i+1)*cols]
				var s, d, mag, dmag float64
				for j := range row {
					s += float64(row[j])
					mag += math.Abs(float64(row[j]))
					d += float64(row[j]) * float64(yr[j])
					dmag += math.Abs(float64(row[j]) * float64(yr[j]))
				}
				m, v := 0.0, 0.0
				if cols > 0 {
					m = s / float64(cols)
					for _, e := range row {
						v += (float64(e) - m) * (float64(e) - m)
					}
					v /= float64(cols)
				}
				near := func(op string, got float32, want, scale float64) {
					t.Helper()
					if math.Abs(float64(got)-want) > 1e-6*scale+1e-30 {
						t.Fatalf("%dx%d row %d %s = %g, want %g", rows, cols, i, op, got, want)
					}
				}
				near("RowSums", sums[i], s, mag)
				near("RowDots", dots[i], d, dmag)
				near("RowMeans", means[i], m, mag/float64(max(cols, 1)))
				near("RowMeanVar mean", mu[i], m, mag/float64(max(cols, 1)))
				near("RowMeanVar var", va[i], v, v)
			}
			all := [][]float32{sums, means, dots, mu, va}
			if ref == nil {
				ref = all
				return
			}
			for k := range all {
				if i, ok := sameBits(ref[k], all[k]); !ok {
					t.Fatalf("%dx%d reduction %d: %s differs from %s at row %d", rows, cols, k, name, Available()[0], i)
				}
			}
		})
	}
}

// TestRowMeanVarWorkedExample: rows {1,2,3,4} and {2,2,2,2}.
func TestRowMeanVarWorkedExample(t *testing.T) {
	x := []float32{1, 2, 3, 4, 2, 2, 2, 2}
	mu, va := make([]float32, 2), make([]float32, 2)
	RowMeanVar(mu, va, x, 2, 4)
	if fmt.Sprint(mu, va) != "[2.5 2] [1.25 0]" {
		t.Errorf("RowMeanVar = %v %v, want [2.5 2] [1.25 0]", mu, va)
	}
	g := make([]float32, 4)
	RowMeans(g, x, 4, 2) // global average pooling over pairs
	if fmt.Sprint(g) != "[1.5 3.5 2 2]" {
		t.Errorf("RowMeans = %v", g)
	}
}

func TestElementwiseDeterministicAcrossGOMAXPROCS(t *testing.T) {
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	rows, cols := 7, 3*elementwiseGrain+11
	x := randSlice(seed.Stream(12), rows*cols)
	var ref []float32
	for _, procs := range []int{1, 2, 4} {
		runtime.GOMAXPROCS(procs)
		mu, va := make([]float32, rows), make([]float32, rows)
		RowMeanVar(mu, va, x, rows, cols)
		y := append([]float32(nil), x...)
		ScaleShift(y, rows, cols, mu, va, true)
		got := append(append(mu, va...), y...)
		if ref == nil {
			ref = got
		} else if i, ok := sameBits(ref, got); !ok {
			t.Fatalf("GOMAXPROCS=%d differs at %d", procs, i)
		}
	}
}

func TestUseAndImpl(t *testing.T) {
	prev := Impl()
	defer Use(prev)
	avail := Available()
	if len(avail) == 0 || avail[len(avail)-1] != "generic" {
		t.Fatalf("Available() = %v, want generic last", avail)
	}
	if err := Use("generic"); err != nil || Impl() != "generic" {
		t.Fatalf("Use(generic): err=%v Impl=%s", err, Impl())
	}
	if err := Use("auto"); err != nil || Impl() != avail[0] {
		t.Fatalf("Use(auto): err=%v Impl=%s, want %s", err, Impl(), avail[0])
	}
	if err := Use("sse9"); err == nil || !strings.Contains(err.Error(), "sse9") {
		t.Fatalf("Use(sse9) = %v, want an error naming it", err)
	}
	if Impl() != avail[0] {
		t.Fatalf("failed Use changed the implementation to %s", Impl())
	}
}

// TestEnvironmentSelectsImplementation runs this test binary again with
// COSIM_KERNELS set and checks the choice and the error it reports. The
// expectations come from the child's own list of available paths: under an
// emulator the child may run on the real CPU.
func TestEnvironmentSelectsImplementation(t *testing.T) {
	if os.Getenv("COSIM_KERNELS_CHILD") == "1" {
		fmt.Printf("impl=%s avail=%s err=%v\n", Impl(), strings.Join(Available(), ","), EnvError())
		return
	}
	child := func(value string) (impl string, avail []string, errText string) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestEnvironmentSelectsImplementation$", "-test.count=1")
		cmd.Env = append(os.Environ(), "COSIM_KERNELS="+value, "COSIM_KERNELS_CHILD=1")
		out, err := cmd.CombinedOutput()
		if errors.Is(err, syscall.ENOEXEC) {
			t.Skipf("cannot start the test binary again (running under an emulator without binfmt): %v", err)
		}
		if err != nil {
			t.Fatalf("child with COSIM_KERNELS=%s: %v\n%s", value, err, out)
		}
		line, _, _ := strings.Cut(string(out), "\n")
		var a string
		if _, err := fmt.Sscanf(line, "impl=%s avail=%s", &impl, &a); err != nil {
			t.Fatalf("child with COSIM_KERNELS=%s printed %q", value, out)
		}
		_, errText, _ = strings.Cut(line, " err=")
		return impl, strings.Split(a, ","), errText
	}
	best, avail, errText := child("")
	if best != avail[0] || errText != "<nil>" {
		t.Fatalf("COSIM_KERNELS unset: child chose %s (available %v), error %s", best, avail, errText)
	}
	for _, name := range avail {
		if impl, _, errText := child(name); impl != name || errText != "<nil>" {
			t.Fatalf("COSIM_KERNELS=%s: child chose %s, error %s", name, impl, errText)
		}
	}
	impl, _, errText := child("sse9")
	if impl != best || !strings.Contains(errText, `COSIM_KERNELS="sse9"`) || !strings.Contains(errText, "unknown kernel path") {
		t.Fatalf("COSIM_KERNELS=sse9: child chose %s with error %q, want %s and an error naming the variable", impl, errText, best)
	}
	for _, name := range Known() {
		if slices.Contains(avail, name) {
			continue
		}
		if impl, _, errText := child(name); impl != best || !strings.Contains(errText, "not available: "+missing(name)) {
			t.Fatalf("COSIM_KERNELS=%s (not available): child chose %s with error %q", name, impl, errText)
		}
	}
}

func TestPeakGFLOPSPositive(t *testing.T) {
	withImpl(t, func(t *testing.T, name string) {
		g := PeakGFLOPS(20e6, 1) // 20 ms
		if !(g > 0) || math.IsInf(g, 0) {
			t.Fatalf("PeakGFLOPS = %g", g)
		}
	})
}

// TestBatchNormGradKernels checks BatchNormGradStats and BatchNormGradApply
// against their definitions (float64 sums within rounding, the apply
// expression exactly), with and without the ReLU mask, and that every
// implementation gives the same bits; and ScaleShiftTo against ScaleShift.
func TestBatchNormGradKernels(t *testing.T) {
	const rows = 3
	var refSum, refDot []float64
	var refDx []float32
	withImpl(t, func(t *testing.T, name string) {
		var allSum, allDot []float64
		var allDx []float32
		for _, cols := range []int{1, 17, 100, elementwiseGrain + 37} {
			r := seed.Stream(11, uint64(cols))
			g := randSlice(r, rows*cols)
			x := randSlice(r, rows*cols)
			y := randSlice(r, rows*cols)
			w, a, b := randSlice(r, rows), randSlice(r, rows), randSlice(r, rows)
			for _, mask := range [][]float32{nil, y} {
				sum, dot := make([]float64, rows), make([]float64, rows)
				BatchNormGradStats(sum, dot, g, x, mask, rows, cols)
				dx := make([]float32, rows*cols)
				BatchNormGradApply(dx, g, x, mask, rows, cols, w, a, b)
				for rr := 0; rr < rows; rr++ {
					var s, d, mag float64
					for j := 0; j < cols; j++ {
						i := rr*cols + j
						v := g[i]
						if mask != nil && !(mask[i] > 0) {
							v = 0
						}
						s += float64(v)
						d += float64(v) * float64(x[i])
						mag += math.Abs(float64(v) * float64(x[i]))
						want := float32(v*w[rr]) + (float32(x[i]*a[rr]) + b[rr])
						if dx[i] != want {
							t.Fatalf("cols %d row %d col %d: dx = %g, want %g", cols, rr, j, dx[i], want)
						}
					}
					if math.Abs(sum[rr]-s) > 1e-12*float64(cols) || math.Abs(dot[rr]-d) > 1e-12*mag+1e-300 {
						t.Fatalf("cols %d row %d: sum %g dot %g, want %g %g", cols, rr, sum[rr], dot[rr], s, d)
					}
				}
				// In place: dx aliasing g.
				gg := append([]float32(nil), g...)
				BatchNormGradApply(gg, gg, x, mask, rows, cols, w, a, b)
				if i, ok := sameBits(gg, dx); !ok {
					t.Fatalf("cols %d: in-place apply differs at %d", cols, i)
				}
				allSum, allDot, allDx = append(allSum, sum...), append(allDot, dot...), append(allDx, dx...)
			}
			// ScaleShiftTo equals ScaleShift in place.
			in := append([]float32(nil), x...)
			out := make([]float32, len(x))
			ScaleShiftTo(out, x, rows, cols, w, a, true)
			ScaleShift(in, rows, cols, w, a, true)
			if i, ok := sameBits(in, out); !ok {
				t.Fatalf("cols %d: ScaleShiftTo differs from ScaleShift at %d", cols, i)
			}
		}
		if refSum == nil {
			refSum, refDot, refDx = allSum, allDot, allDx
			return
		}
		for i := range refSum {
			if math.Float64bits(refSum[i]) != math.Float64bits(allSum[i]) || math.Float64bits(refDot[i]) != math.Float64bits(allDot[i]) {
				t.Fatalf("%s: sums differ from %s at %d", name, Available()[0], i)
			}
		}
		if i, ok := sameBits(refDx, allDx); !ok {
			t.Fatalf("%s: dx differs from %s at %d", name, Available()[0], i)
		}
	})
}
