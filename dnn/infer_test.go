package dnn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"cosim/dnn/kernels"
	"cosim/internal/seed"
)

// trainedLike gives every batch norm of m non-trivial statistics and
// affine parameters (as after training), so that folding is exercised.
func trainedLike(m Model, r *rand.Rand) {
	for _, p := range append(m.Params(), m.Buffers()...) {
		d := p.Data()
		switch {
		case p.Kind == KindBNScale:
			for i := range d {
				d[i] = float32(0.5 + r.Float64())
			}
		case p.Kind == KindBNShift:
			randFill(d, 0, 0.2, r)
		case p.Kind == KindBuffer && hasSuffix(p.Name, "running_mean"):
			randFill(d, 0, 0.3, r)
		case p.Kind == KindBuffer && hasSuffix(p.Name, "running_var"):
			for i := range d {
				d[i] = float32(0.3 + 2*r.Float64())
			}
		}
	}
}

func hasSuffix(s, suf string) bool { return len(s) >= len(suf) && s[len(s)-len(suf):] == suf }

// logitErr is max |a−b| / max |b| over the logits.
func logitErr(a, b []float32) float64 {
	var num, den float64
	for i := range b {
		num = math.Max(num, math.Abs(float64(a[i])-float64(b[i])))
		den = math.Max(den, math.Abs(float64(b[i])))
	}
	return num / math.Max(den, 1e-30)
}

func sameFloats(a, b []float32) (int, bool) {
	if len(a) != len(b) {
		return -1, false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i, false
		}
	}
	return -1, true
}

// TestInferenceMatchesModel compares the compiled engine with the model's
// evaluation forward for every supported shape, with a batch that is not a
// multiple of the lane width. Folding batch norm into the weights changes
// the rounding, so the logits agree within a float32 tolerance.
func TestInferenceMatchesModel(t *testing.T) {
	r := seed.Stream(70)
	cases := []struct {
		name string
		m    Model
		n    int
		tol  float64
	}{
		{"resnet20", NewResNetCIFAR(20, 10, r), 19, 1e-4},
		{"tiny-resnet20", tinyResNet20(r), 37, 1e-4},
		{"tiny-resnet18", tinyResNet18(r), 17, 1e-4},
		{"mlp", NewMLP(1, 6, 6, []int{20, 12}, 5, r), 33, 1e-5},
		{"resnet20-direct", NewResNetCIFAR(20, 10, r), 16, 1e-4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			trainedLike(tc.m, r)
			x, _ := randomImages(tc.m, tc.n, r)
			want := append([]float32(nil), tc.m.Forward(x, tc.n, false)...)
			e, err := CompileWith(tc.m, CompileOptions{Direct: tc.name == "resnet20-direct"})
			if err != nil {
				t.Fatal(err)
			}
			got := e.Forward(x, tc.n)
			if len(got) != len(want) {
				t.Fatalf("%d logits, want %d", len(got), len(want))
			}
			if d := logitErr(got, want); d > tc.tol || math.IsNaN(d) {
				t.Fatalf("logits differ from Model.Forward by %.3g (relative to the largest), tolerance %.3g", d, tc.tol)
			}
			if e.NumWeights() != len(QuantWeights(tc.m)) {
				t.Fatalf("%d weight tensors, QuantWeights has %d", e.NumWeights(), len(QuantWeights(tc.m)))
			}
			for i, p := range QuantWeights(tc.m) {
				if e.WeightName(i) != p.Name || e.WeightLen(i) != p.Len() || e.WeightIndex(p.Name) != i {
					t.Fatalf("tensor %d is %s (%d), QuantWeights has %s (%d)", i, e.WeightName(i), e.WeightLen(i), p.Name, p.Len())
				}
			}
		})
	}
}

// TestInferenceSparseDeltas: an engine that receives a fault realisation
// through SetWeight is bit for bit the engine compiled from the faulty
// weights, and Reset gives back the clean engine bit for bit.
func TestInferenceSparseDeltas(t *testing.T) {
	r := seed.Stream(71)
	m := tinyResNet20(r)
	trainedLike(m, r)
	x, _ := randomImages(m, 21, r)
	clean, err := Compile(m)
	if err != nil {
		t.Fatal(err)
	}
	want0 := append([]float32(nil), clean.Forward(x, 21)...)

	// The faulty model: a few hundred entries of every tensor changed,
	// some twice, some to large values, like flipped high bits.
	faulty := m.Clone()
	delta, err := Compile(m)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range QuantWeights(faulty) {
		eff := append([]float32(nil), p.Effective()...)
		for range 1 + len(eff)/8 {
			j := r.IntN(len(eff))
			v := float32(r.NormFloat64() * 4)
			eff[j] = v
			delta.SetWeight(i, j, v)
		}
		p.SetEffective(eff)
		for j := range eff {
			if delta.Weight(i, j) != eff[j] {
				t.Fatalf("tensor %d entry %d: Weight %g, want %g", i, j, delta.Weight(i, j), eff[j])
			}
			s := delta.FoldScale(i)
			if f := delta.FoldedWeights(i)[j]; f != eff[j]*s[j/(len(eff)/len(s))] {
				t.Fatalf("tensor %d entry %d: folded %g, want float32(%g·%g)", i, j, f, eff[j], s[j/(len(eff)/len(s))])
			}
		}
	}
	ref, err := Compile(faulty)
	if err != nil {
		t.Fatal(err)
	}
	wantF := append([]float32(nil), ref.Forward(x, 21)...)
	if i, ok := sameFloats(delta.Forward(x, 21), wantF); !ok {
		t.Fatalf("delta-updated engine differs from the engine compiled from the faulty weights at %d", i)
	}
	if _, ok := sameFloats(wantF, want0); ok {
		t.Fatal("faults did not change the logits")
	}
	// A clone carries the faults; Reset restores both to the clean engine.
	cl := delta.Clone()
	delta.Reset()
	if i, ok := sameFloats(delta.Forward(x, 21), want0); !ok {
		t.Fatalf("Reset engine differs from the clean engine at %d", i)
	}
	if i, ok := sameFloats(cl.Forward(x, 21), wantF); !ok {
		t.Fatalf("clone lost the faults at %d", i)
	}
	cl.Reset()
	if i, ok := sameFloats(cl.Forward(x, 21), want0); !ok {
		t.Fatalf("reset clone differs from the clean engine at %d", i)
	}
}

// TestInferenceDeterministic: the logits do not depend on the thread
// count, on the batch an image is in, or on its lane.
func TestInferenceDeterministic(t *testing.T) {
	r := seed.Stream(72)
	m := tinyResNet20(r)
	trainedLike(m, r)
	const n = 53
	x, _ := randomImages(m, n, r)
	e, err := Compile(m)
	if err != nil {
		t.Fatal(err)
	}
	e.SetThreads(1)
	want := append([]float32(nil), e.Forward(x, n)...)
	for _, th := range []int{2, 3, 0} {
		e.SetThreads(th)
		if i, ok := sameFloats(e.Forward(x, n), want); !ok {
			t.Fatalf("threads %d differ at %d", th, i)
		}
	}
	// Image 20 alone, and images 5..40 (image 20 in another lane).
	size := 3 * 8 * 8
	one := e.Forward(x[20*size:21*size], 1)
	if i, ok := sameFloats(one, want[20*3:21*3]); !ok {
		t.Fatalf("image 20 alone differs at %d", i)
	}
	part := e.Forward(x[5*size:40*size], 35)
	if i, ok := sameFloats(part, want[5*3:40*3]); !ok {
		t.Fatalf("images 5..39 differ at %d", i)
	}
}

// TestInferenceImplementationsAgree: every kernel implementation gives the
// same logits bit for bit for a ResNet-20 with fixed weights.
func TestInferenceImplementationsAgree(t *testing.T) {
	prev := kernels.Impl()
	defer kernels.Use(prev)
	r := seed.Stream(73)
	m := NewResNetCIFAR(20, 10, r)
	trainedLike(m, r)
	const n = 16
	x, _ := randomImages(m, n, r)
	e, err := Compile(m)
	if err != nil {
		t.Fatal(err)
	}
	var want []float32
	for _, name := range kernels.Available() {
		if err := kernels.Use(name); err != nil {
			t.Fatal(err)
		}
		got := e.Forward(x, n)
		if want == nil {
			want = append([]float32(nil), got...)
			continue
		}
		if i, ok := sameFloats(got, want); !ok {
			t.Fatalf("%s differs from %s at %d: %g vs %g", name, kernels.Available()[0], i, got[i], want[i])
		}
	}
}

// TestInferenceWinogradMatchesDirect compares the default engine (Winograd
// F(2×2, 3×3) on the stride-1 3×3 convolutions) with the exact direct one
// (CompileOptions{Direct: true}) on 1,000 CIFAR-10 test images (or random
// images when the data set is absent; 64 with the plain-Go kernels), for a
// ResNet-20 with trained-like batch-norm statistics. Measured on all 10,000
// test images (random weights, seed 76): worst logit
// difference 9.7e−7 of the image's largest logit, arg-max identical for
// every image. The Winograd transforms add and subtract at most 4 terms per
// stage with coefficients ±1 and ½ (exact), so the error is a few float32
// roundings of the partial sums per output; the tolerance below is 10× the
// measured worst case, and every arg-max must agree.
func TestInferenceWinogradMatchesDirect(t *testing.T) {
	r := seed.Stream(77)
	m := NewResNetCIFAR(20, 10, r)
	trainedLike(m, r)
	n := 1000
	if kernels.Impl() == "generic" {
		n = 64 // the plain-Go kernels are slow; they give the same bits
	}
	var x []float32
	if cifar10Dir() != "" {
		_, test := loadRealCIFAR10(t)
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		x, _ = test.Batch(idx, nil, nil, nil)
	} else {
		t.Log("CIFAR-10 not found: random images")
		x, _ = randomImages(m, n, r)
	}
	direct, err := CompileWith(m, CompileOptions{Direct: true})
	if err != nil {
		t.Fatal(err)
	}
	wino, err := Compile(m)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]float32(nil), direct.Forward(x, n)...)
	got := wino.Forward(x, n)
	worst := 0.0
	for i := 0; i < n; i++ {
		a, b := got[i*10:(i+1)*10], want[i*10:(i+1)*10]
		if argmaxF(a) != argmaxF(b) {
			t.Errorf("image %d: Winograd arg-max %d, direct %d (logits %v vs %v)", i, argmaxF(a), argmaxF(b), a, b)
		}
		worst = max(worst, logitErr(a, b))
	}
	t.Logf("worst logit difference %.3g of the largest logit", worst)
	if worst > 1e-5 {
		t.Fatalf("worst logit difference %.3g > 1e-5", worst)
	}
}

func argmaxF(v []float32) int {
	b := 0
	for i := range v {
		if v[i] > v[b] {
			b = i
		}
	}
	return b
}

// cifar10Dir is the CIFAR-10 directory the tests read (see
// cifar10TestDir), or "" when it is absent.
func cifar10Dir() string {
	dir := os.Getenv("COSIM_CIFAR10")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data", "cifar10")
	}
	if _, err := findCIFAR10File(dir, cifar10TestFile); err != nil {
		return ""
	}
	return dir
}

// TestInferenceEvaluate counts correct images batch by batch as Evaluate
// does on the model.
func TestInferenceEvaluate(t *testing.T) {
	r := seed.Stream(78)
	m := tinyResNet20(r)
	trainedLike(m, r)
	x, labels := randomImages(m, 50, r)
	pix := make([]uint8, len(x))
	for i, v := range x {
		pix[i] = uint8(int(v*255) & 255)
	}
	d := &Dataset{Name: "synthetic", C: 3, H: 8, W: 8, Classes: 3, Pixels: pix, Labels: labels,
		Mean: []float32{0.5, 0.5, 0.5}, Std: []float32{0.25, 0.25, 0.25}}
	e, err := Compile(m)
	if err != nil {
		t.Fatal(err)
	}
	want := Evaluate(m, d, 50)
	for _, batch := range []int{7, 16, 50, 0} {
		if got := e.Evaluate(d, batch); got != want {
			t.Fatalf("batch %d: %d correct, model %d", batch, got, want)
		}
	}
}

func TestCompileRejects(t *testing.T) {
	if _, err := Compile(fakeModel{}); !errors.Is(err, ErrNotCompilable) {
		t.Fatalf("Compile(fake) error %v, want ErrNotCompilable", err)
	}
}

type fakeModel struct{ Model }

func (fakeModel) Arch() string { return "fake" }

// TestInferenceNoAllocation: a warm engine's Forward allocates nothing with
// one thread.
func TestInferenceNoAllocation(t *testing.T) {
	r := seed.Stream(74)
	m := tinyResNet20(r)
	x, _ := randomImages(m, 20, r)
	e, err := Compile(m)
	if err != nil {
		t.Fatal(err)
	}
	e.SetThreads(1)
	e.Forward(x, 20)
	if a := testing.AllocsPerRun(5, func() { e.Forward(x, 20) }); a > 0 {
		t.Fatalf("Forward allocates %g times per call", a)
	}
}

// BenchmarkInferResNet20 is the compiled engine's evaluation throughput on
// ResNet-20 (batches of 256 images): "threads1" on one goroutine,
// "threadsAll" one engine with GOMAXPROCS goroutines over the groups of a
// batch, "perCore" GOMAXPROCS independent engines (clones) each on its own
// goroutine and batch, as a Monte Carlo run with one trial per core.
func BenchmarkInferResNet20(b *testing.B) {
	r := seed.Stream(75)
	m := NewResNetCIFAR(20, 10, r)
	trainedLike(m, r)
	const n = 256
	x, _ := randomImages(m, n, r)
	e, err := Compile(m)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("threads1", func(b *testing.B) {
		e.SetThreads(1)
		e.Forward(x, n)
		b.ResetTimer()
		for b.Loop() {
			e.Forward(x, n)
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "images/s")
	})
	b.Run("threadsAll", func(b *testing.B) {
		e.SetThreads(0)
		e.Forward(x, n)
		b.ResetTimer()
		for b.Loop() {
			e.Forward(x, n)
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "images/s")
	})
	b.Run("perCore", func(b *testing.B) {
		perCore(b, e, x, n, func(en *Inference, _ int) { en.Forward(x, n) })
	})
}

// perCore runs b.N·GOMAXPROCS calls of step, one single-threaded clone of e
// per core (each warmed up on x), step(clone, t) for t = w, w+procs, … on
// clone w, and reports the images per second, n images a call.
func perCore(b *testing.B, e *Inference, x []float32, n int, step func(en *Inference, t int)) {
	procs := runtime.GOMAXPROCS(0)
	engines := make([]*Inference, procs)
	for i := range engines {
		engines[i] = e.Clone()
		engines[i].SetThreads(1)
		engines[i].Forward(x, n)
	}
	b.ResetTimer()
	var wg sync.WaitGroup
	for w, en := range engines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := w; t < b.N*procs; t += procs {
				step(en, t)
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(procs*n*b.N)/b.Elapsed().Seconds(), "images/s")
}

// BenchmarkInferResNet20MC emulates Monte Carlo trials at bit error rate
// 1e−3 with one trial per core: GOMAXPROCS clones of the engine, each on
// its own goroutine, each trial a Reset, 1,084 SetWeight calls (1e−3 of
// the 1,083,584 bits of ResNet-20's weights at 4 bits per weight, each
// changing one weight) and the logits of 2,048 images.
func BenchmarkInferResNet20MC(b *testing.B) {
	r := seed.Stream(79)
	m := NewResNetCIFAR(20, 10, r)
	trainedLike(m, r)
	const n, flips = 2048, 1084
	x, _ := randomImages(m, n, r)
	e, err := Compile(m)
	if err != nil {
		b.Fatal(err)
	}
	perCore(b, e, x, n, func(en *Inference, t int) {
		rt := seed.Stream(80, uint64(t))
		en.Reset()
		for range flips {
			i := rt.IntN(en.NumWeights())
			j := rt.IntN(en.WeightLen(i))
			en.SetWeight(i, j, float32(rt.NormFloat64()))
		}
		en.Forward(x, n)
	})
}

// BenchmarkInferResNet56Eval10k evaluates 10,000 random images with a
// compiled ResNet-56 in batches of 1,000 and reports the process's peak
// resident set (VmHWM, Linux) in MiB, which must stay under 2 GiB.
func BenchmarkInferResNet56Eval10k(b *testing.B) {
	r := seed.Stream(81)
	m := NewResNetCIFAR(56, 10, r)
	trainedLike(m, r)
	const total, batch = 10000, 1000
	x, _ := randomImages(m, batch, r)
	e, err := Compile(m)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		for done := 0; done < total; done += batch {
			e.Forward(x, batch)
		}
	}
	b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "images/s")
	if mib, err := peakRSSMiB(); err == nil {
		b.ReportMetric(mib, "peak-RSS-MiB")
	}
}

// peakRSSMiB reads the peak resident set size of this process from
// /proc/self/status.
func peakRSSMiB() (float64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				return 0, err
			}
			return float64(kb) / 1024, nil
		}
	}
	return 0, errors.New("no VmHWM in /proc/self/status")
}

// ExampleCompile shows a Monte Carlo trial on the compiled engine: apply a
// fault realisation as sparse deltas, score, restore.
func ExampleCompile() {
	m := NewResNetCIFAR(20, 10, seed.Stream(1))
	e, err := Compile(m)
	if err != nil {
		panic(err)
	}
	e.SetThreads(1)                 // one trial per goroutine
	x := make([]float32, 2*3*32*32) // two images [N][C][H][W]
	for j := range x {
		x[j] = float32(j%7) - 3
	}
	clean := append([]float32(nil), e.Forward(x, 2)...)

	// One fault: entry 5 of layer1.0.conv1.weight now holds 0.75.
	i := e.WeightIndex("layer1.0.conv1.weight")
	e.SetWeight(i, 5, 0.75)
	faulty := e.Forward(x, 2)
	fmt.Println(e.NumWeights(), e.WeightName(i), e.Weight(i, 5), faulty[0] != clean[0])

	e.Reset() // back to the compiled weights
	_, same := sameFloats(e.Forward(x, 2), clean)
	fmt.Println(same)
	// Output:
	// 22 layer1.0.conv1.weight 0.75 true
	// true
}
