package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"cosim/internal/seed"
)

// withImpl runs f once per available implementation, restoring the choice.
func withImpl(t *testing.T, f func(t *testing.T, name string)) {
	t.Helper()
	prev := Impl()
	defer func() {
		if err := Use(prev); err != nil {
			t.Fatal(err)
		}
	}()
	for _, name := range Available() {
		if err := Use(name); err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) { f(t, name) })
	}
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// gemmCase is a problem shape; padA, padB and padC are how much longer
// than a row the leading dimensions of the stored A, B and C are.
type gemmCase struct {
	m, n, k, padA, padB, padC int
}

func gemmCases() []gemmCase {
	var cs []gemmCase
	dims := []int{1, 3, 17, 33, 65}
	for _, m := range dims {
		for _, n := range dims {
			for _, k := range dims {
				cs = append(cs, gemmCase{m, n, k, 0, 0, 0})
			}
		}
	}
	// Leading dimensions larger than the rows, block edges (blockK = 96,
	// blockN = 1024), the micro-tile height plan (rows 6, 7, 11, 16), and
	// ResNet-20-like shapes scaled down.
	cs = append(cs,
		gemmCase{5, 40, 7, 2, 5, 1},
		gemmCase{6, 31, 97, 3, 9, 2},
		gemmCase{7, 1025, 96, 0, 0, 0},
		gemmCase{11, 1057, 193, 7, 43, 3},
		gemmCase{16, 2100, 27, 0, 0, 0},
		gemmCase{32, 700, 288, 0, 0, 0},
		gemmCase{10, 64, 64, 0, 0, 0},
		gemmCase{64, 130, 576, 0, 0, 0},
	)
	return cs
}

// refGemm computes op(A)·op(B) (+ C) in float64 and, per element, the bound
// Σ|a·b| + |c| that scales the float32 rounding error.
func refGemm(tA, tB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, acc bool) (val, mag []float64) {
	val = make([]float64, m*n)
	mag = make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, g float64
			if acc {
				s, g = float64(c[i*ldc+j]), math.Abs(float64(c[i*ldc+j]))
			}
			for p := 0; p < k; p++ {
				var av, bv float32
				if tA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if tB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
				g += math.Abs(float64(av) * float64(bv))
			}
			val[i*n+j], mag[i*n+j] = s, g
		}
	}
	return val, mag
}

type gemmFunc func(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool)

var gemmForms = []struct {
	name   string
	tA, tB bool
	f      gemmFunc
}{{"Gemm", false, false, Gemm}, {"GemmTA", true, false, GemmTA}, {"GemmTB", false, true, GemmTB}}

// TestGemmAgainstReference checks every form and implementation against a
// float64 reference with a float32 rounding bound, and checks that all
// implementations give the same bits.
func TestGemmAgainstReference(t *testing.T) {
	for fi, form := range gemmForms {
		for ci, tc := range gemmCases() {
			if testing.Short() && tc.m*tc.n*tc.k > 1<<18 {
				continue
			}
			for _, acc := range []bool{false, true} {
				r := seed.Stream(1, uint64(fi), uint64(ci), boolKey(acc))
				aRows, aCols := tc.m, tc.k
				if form.tA {
					aRows, aCols = tc.k, tc.m
				}
				bRows, bCols := tc.k, tc.n
				if form.tB {
					bRows, bCols = tc.n, tc.k
				}
				lda, ldb, ldc := ld(tc.padA, aCols), ld(tc.padB, bCols), ld(tc.padC, tc.n)
				a := randSlice(r, (aRows-1)*lda+aCols)
				b := randSlice(r, (bRows-1)*ldb+bCols)
				c0 := randSlice(r, (tc.m-1)*ldc+tc.n)
				want, mag := refGemm(form.tA, form.tB, tc.m, tc.n, tc.k, a, lda, b, ldb, c0, ldc, acc)
				var first []float32
				var firstImpl string
				withImpl(t, func(t *testing.T, name string) {
					c := append([]float32(nil), c0...)
					form.f(tc.m, tc.n, tc.k, a, lda, b, ldb, c, ldc, acc)
					for i := 0; i < tc.m; i++ {
						for j := 0; j < tc.n; j++ {
							got := float64(c[i*ldc+j])
							tol := float64(tc.k+2)*0x1p-23*mag[i*tc.n+j] + 1e-30
							if math.Abs(got-want[i*tc.n+j]) > tol {
								t.Fatalf("%s %+v acc=%v: C[%d][%d] = %g, want %g ± %g", form.name, tc, acc, i, j, got, want[i*tc.n+j], tol)
							}
						}
						// Padding between rows must be untouched.
						for j := tc.n; j < ldc && i < tc.m-1; j++ {
							if c[i*ldc+j] != c0[i*ldc+j] {
								t.Fatalf("%s %+v: wrote C padding at [%d][%d]", form.name, tc, i, j)
							}
						}
					}
					if first == nil {
						first, firstImpl = c, name
					} else if i, ok := sameBits(first, c); !ok {
						t.Fatalf("%s %+v acc=%v: %s and %s differ at %d: %g vs %g", form.name, tc, acc, firstImpl, name, i, first[i], c[i])
					}
				})
			}
		}
	}
}

func ld(pad, cols int) int { return cols + pad }

func boolKey(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func sameBits(x, y []float32) (int, bool) {
	if len(x) != len(y) {
		return -1, false
	}
	for i := range x {
		if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
			return i, false
		}
	}
	return -1, true
}

// TestGemmWorkedExample checks a product small enough to verify by hand.
func TestGemmWorkedExample(t *testing.T) {
	a := []float32{1, 2, 3, 4, 5, 6}       // 2×3
	b := []float32{7, 8, 9, 10, 11, 12}    // 3×2
	want := []float32{58, 64, 139, 154}    // 2×2
	wantAcc := []float32{59, 65, 140, 155} // with C = 1
	aT := []float32{1, 4, 2, 5, 3, 6}      // A stored 3×2
	bT := []float32{7, 9, 11, 8, 10, 12}   // B stored 2×3
	withImpl(t, func(t *testing.T, _ string) {
		for _, tc := range []struct {
			name string
			f    gemmFunc
			a    []float32
			lda  int
			b    []float32
			ldb  int
		}{{"Gemm", Gemm, a, 3, b, 2}, {"GemmTA", GemmTA, aT, 2, b, 2}, {"GemmTB", GemmTB, a, 3, bT, 3}} {
			c := []float32{1, 1, 1, 1}
			tc.f(2, 2, 3, tc.a, tc.lda, tc.b, tc.ldb, c, 2, false)
			if fmt.Sprint(c) != fmt.Sprint(want) {
				t.Errorf("%s = %v, want %v", tc.name, c, want)
			}
			c = []float32{1, 1, 1, 1}
			tc.f(2, 2, 3, tc.a, tc.lda, tc.b, tc.ldb, c, 2, true)
			if fmt.Sprint(c) != fmt.Sprint(wantAcc) {
				t.Errorf("%s accumulate = %v, want %v", tc.name, c, wantAcc)
			}
		}
	})
}

// TestGemmZeroK checks that an empty reduction clears or keeps C.
func TestGemmZeroK(t *testing.T) {
	c := []float32{1, 2, 3, 4}
	Gemm(2, 2, 0, nil, 1, nil, 2, c, 2, true)
	if fmt.Sprint(c) != "[1 2 3 4]" {
		t.Errorf("accumulate with k=0 changed C: %v", c)
	}
	Gemm(2, 2, 0, nil, 1, nil, 2, c, 2, false)
	if fmt.Sprint(c) != "[0 0 0 0]" {
		t.Errorf("k=0 without accumulate: %v, want zeros", c)
	}
}

// TestGemmPanics checks the precondition messages.
func TestGemmPanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"short a", func() { Gemm(2, 2, 2, make([]float32, 3), 2, make([]float32, 4), 2, make([]float32, 4), 2, false) }},
		{"lda < k", func() { Gemm(2, 2, 3, make([]float32, 9), 2, make([]float32, 6), 2, make([]float32, 4), 2, false) }},
		{"short c", func() { GemmTB(2, 2, 2, make([]float32, 4), 2, make([]float32, 4), 2, make([]float32, 3), 2, false) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tc.name)
				}
			}()
			tc.f()
		}()
	}
}

// TestGemmDeterministicAcrossGOMAXPROCS checks bit-identical results for 1,
// 2 and 4 threads on shapes that split into several column ranges.
func TestGemmDeterministicAcrossGOMAXPROCS(t *testing.T) {
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	r := seed.Stream(2)
	m, n, k := 21, 3001, 200
	a := randSlice(r, m*k)
	b := randSlice(r, k*n)
	bt := randSlice(r, n*k)
	withImpl(t, func(t *testing.T, name string) {
		for _, form := range gemmForms {
			var ref []float32
			for _, procs := range []int{1, 2, 4} {
				runtime.GOMAXPROCS(procs)
				c := make([]float32, m*n)
				bb, ldb := b, n
				if form.tB {
					bb, ldb = bt, k
				}
				lda := k
				if form.tA {
					lda = m
				}
				form.f(m, n, k, a, lda, bb, ldb, c, n, false)
				if ref == nil {
					ref = c
				} else if i, ok := sameBits(ref, c); !ok {
					t.Fatalf("%s %s: GOMAXPROCS=%d differs from 1 at %d", name, form.name, procs, i)
				}
			}
		}
	})
}

func TestRowPlan(t *testing.T) {
	for m := 0; m <= 70; m++ {
		s := 0
		for _, h := range appendRowPlan(nil, m) {
			if h < 1 || h > maxMR {
				t.Fatalf("appendRowPlan(%d) has height %d", m, h)
			}
			if h < 3 && m >= 3 {
				t.Errorf("appendRowPlan(%d) = %v has a tile shorter than 3", m, appendRowPlan(nil, m))
			}
			s += h
		}
		if s != m {
			t.Fatalf("appendRowPlan(%d) = %v sums to %d", m, appendRowPlan(nil, m), s)
		}
	}
	if got := fmt.Sprint(appendRowPlan(nil, 16)); got != "[5 5 3 3]" {
		t.Errorf("appendRowPlan(nil, 16) = %s", got)
	}
}
