package dnn

import (
	"bytes"
	"cosim/workload"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"cosim/internal/seed"
)

// tinyResNet20 is ResNet-20's shape (three stages of three blocks, stride 2
// and option-B downsample at layer2.0 and layer3.0) with small widths, on
// 8×8 images.
func tinyResNet20(r *rand.Rand) *ResNet {
	return newResNet(workload.ResNet{Arch: "tiny-resnet20", C: 3, H: 8, W: 8, Classes: 3,
		StemKernel: 3, StemStride: 1, Widths: []int{4, 6, 8}, Depths: []int{3, 3, 3}}, r)
}

// tinyResNet18 is ResNet-18's stem (7×7/2 conv, 3×3/2 max pool) with two
// small stages, on 12×12 images.
func tinyResNet18(r *rand.Rand) *ResNet {
	return newResNet(workload.ResNet{Arch: "tiny-resnet18", C: 3, H: 12, W: 12, Classes: 4,
		StemKernel: 7, StemStride: 2, MaxPool: true, Widths: []int{4, 6}, Depths: []int{2, 1}}, r)
}

func randomImages(m Model, n int, r *rand.Rand) ([]float32, []uint8) {
	c, h, w := m.InputShape()
	x := randFill(make([]float32, n*c*h*w), 0, 1, r)
	labels := make([]uint8, n)
	for i := range labels {
		labels[i] = uint8(r.IntN(m.Classes()))
	}
	return x, labels
}

func TestResNetParameterCounts(t *testing.T) {
	// Weights: conv and linear weight tensors (what the weight SRAM holds);
	// total: every learnable tensor. ResNet-20: wcat-semantics.md §1.3 (22
	// tensors, 270,896 weights); the totals add BN γ/β (2 per channel) and
	// the fc bias: e.g. ResNet-20 270,896 + 2·784 + 10 = 272,474. ResNet-18
	// with 1000 classes: torchvision's documented 11,689,512 parameters.
	tests := []struct {
		arch             string
		classes          int
		tensors, weights int
		total            int
		buffers          int // running_mean + running_var tensors
	}{
		{"resnet20", 10, 22, 270896, 272474, 2 * 21},
		{"resnet32", 10, 34, 464432, 466906, 2 * 33},
		{"resnet44", 10, 46, 657968, 661338, 2 * 45},
		{"resnet56", 10, 58, 851504, 855770, 2 * 57},
		{"resnet18", 1000, 21, 11678912, 11689512, 2 * 20},
	}
	for _, tc := range tests {
		h := 32
		if tc.arch == "resnet18" {
			h = 224
		}
		m, err := Build(tc.arch, 3, h, h, tc.classes, seed.Stream(1))
		if err != nil {
			t.Fatal(err)
		}
		ws := QuantWeights(m)
		nw, total := 0, 0
		for _, p := range ws {
			nw += p.Len()
		}
		for _, p := range m.Params() {
			total += p.Len()
		}
		if len(ws) != tc.tensors || nw != tc.weights || total != tc.total || len(m.Buffers()) != tc.buffers {
			t.Errorf("%s: %d weight tensors, %d weights, %d parameters, %d buffers; want %d, %d, %d, %d",
				tc.arch, len(ws), nw, total, len(m.Buffers()), tc.tensors, tc.weights, tc.total, tc.buffers)
		}
		if m.Arch() != tc.arch || m.Classes() != tc.classes {
			t.Errorf("%s: Arch %q Classes %d", tc.arch, m.Arch(), m.Classes())
		}
	}
}

// TestResNet20StateDictNames: Params and Buffers follow the PyTorch
// state_dict of chenyaofo's cifar_resnet20 (as used by WCAT), with shapes.
func TestResNet20StateDictNames(t *testing.T) {
	m := NewResNetCIFAR(20, 10, seed.Stream(1))
	type entry struct {
		name  string
		shape string
	}
	var want, wantBuf []entry
	bn := func(prefix string, c int) {
		want = append(want, entry{prefix + ".weight", fmt.Sprint([]int{c})}, entry{prefix + ".bias", fmt.Sprint([]int{c})})
		wantBuf = append(wantBuf, entry{prefix + ".running_mean", fmt.Sprint([]int{c})}, entry{prefix + ".running_var", fmt.Sprint([]int{c})})
	}
	want = append(want, entry{"conv1.weight", "[16 3 3 3]"})
	bn("bn1", 16)
	in := 16
	for stage, width := range []int{16, 32, 64} {
		for blk := range 3 {
			p := fmt.Sprintf("layer%d.%d", stage+1, blk)
			want = append(want, entry{p + ".conv1.weight", fmt.Sprint([]int{width, in, 3, 3})})
			bn(p+".bn1", width)
			want = append(want, entry{p + ".conv2.weight", fmt.Sprint([]int{width, width, 3, 3})})
			bn(p+".bn2", width)
			if stage > 0 && blk == 0 {
				want = append(want, entry{p + ".downsample.0.weight", fmt.Sprint([]int{width, in, 1, 1})})
				bn(p+".downsample.1", width)
			}
			in = width
		}
	}
	want = append(want, entry{"fc.weight", "[10 64]"}, entry{"fc.bias", "[10]"})
	check := func(what string, got []*Param, want []entry) {
		if len(got) != len(want) {
			t.Fatalf("%s: %d tensors, want %d", what, len(got), len(want))
		}
		for i, p := range got {
			if p.Name != want[i].name || fmt.Sprint(p.Shape()) != want[i].shape {
				t.Errorf("%s[%d] = %s %v, want %s %s", what, i, p.Name, p.Shape(), want[i].name, want[i].shape)
			}
		}
	}
	check("Params", m.Params(), want)
	check("Buffers", m.Buffers(), wantBuf)
	for _, p := range m.Params() {
		var kind Kind
		switch {
		case p.Name == "fc.bias":
			kind = KindBias
		case len(p.Shape()) > 1:
			kind = KindWeight
		case p.Name[len(p.Name)-len("weight"):] == "weight":
			kind = KindBNScale
		default:
			kind = KindBNShift
		}
		if p.Kind != kind {
			t.Errorf("%s: kind %v, want %v", p.Name, p.Kind, kind)
		}
	}
}

func TestBasicBlockGradients(t *testing.T) {
	tests := []struct {
		name                 string
		in, out, stride, h   int
		downsample, identity bool
	}{
		{"identity", 4, 4, 1, 5, false, true},
		{"downsample stride 2", 3, 4, 2, 6, true, false},
		{"downsample width only", 3, 5, 1, 4, true, false},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := seed.Stream(51, uint64(i))
			b := NewBasicBlock("b", tc.in, tc.out, tc.stride, r)
			if (b.DownConv != nil) != tc.downsample {
				t.Fatalf("downsample branch present = %v, want %v", b.DownConv != nil, tc.downsample)
			}
			for _, bn := range []*BatchNorm2d{b.BN1, b.BN2, b.DownBN} {
				if bn != nil {
					randFill(bn.Gamma.Data(), 1, 0.3, r)
					randFill(bn.Beta.Data(), 0, 0.3, r)
				}
			}
			const n = 2
			x := randFill(make([]float32, tc.in*n*tc.h*tc.h), 0, 1, r)
			p, q := b.OutSize(tc.h, tc.h)
			size := tc.out * n * p * q
			dy := randFill(make([]float32, size), 0, 1, r)
			loss := func() float64 {
				out, _, _ := b.Forward(x, n, tc.h, tc.h)
				return dotLoss(out, dy)
			}
			b.Forward(x, n, tc.h, tc.h)
			dx := make([]float32, len(x))
			b.Backward(dx, append([]float32(nil), dy...), make([]float32, size), make([]float32, size))
			for _, prm := range b.Params() {
				checkGrad(t, prm.Name, prm.Data(), prm.Grad, loss, 10, 1e-3, 5e-3, 5e-3)
			}
			checkGrad(t, "input", x, dx, loss, 40, 1e-3, 5e-3, 5e-3)
		})
	}
}

func TestTinyResNetGradients(t *testing.T) {
	for _, build := range []func(*rand.Rand) *ResNet{tinyResNet20, tinyResNet18} {
		r := seed.Stream(61)
		m := build(r)
		t.Run(m.Arch(), func(t *testing.T) {
			// Non-trivial BN affine parameters, so their gradients matter.
			for _, p := range m.Params() {
				switch p.Kind {
				case KindBNScale:
					randFill(p.Data(), 1, 0.3, r)
				case KindBNShift:
					randFill(p.Data(), 0, 0.3, r)
				}
			}
			const n = 4
			x, labels := randomImages(m, n, r)
			loss := func() float64 {
				return SoftmaxCrossEntropy(m.Forward(x, n, true), labels, m.Classes(), nil)
			}
			ZeroGrads(m)
			logits := m.Forward(x, n, true)
			d := make([]float32, len(logits))
			SoftmaxCrossEntropy(logits, labels, m.Classes(), d)
			dx := make([]float32, len(x))
			m.backward(d, dx)
			var st gradStats
			for _, p := range m.Params() {
				st.check(t, p.Name, p.Data(), p.Grad, loss, 6)
			}
			st.check(t, "input", x, dx, loss, 40)
			st.report(t)
		})
	}
}

// gradStats is a numerical gradient check for a whole deep ReLU network in
// float32. Its loss is piecewise smooth with a kink wherever one of its
// thousands of ReLU inputs crosses zero, every 1e−4 or so along a weight in
// the tiny nets here; each kink inside a central difference moves it by a
// percent or two, and float32 rounding rules out much smaller steps. So
// single coordinates must agree within 10% (+5e−3), and all checked
// coordinates together within 1.5%: Σ|numerical − analytic| ≤
// 0.015·Σ|numerical|. A wrong term or factor in any backward pass fails the
// sum.
type gradStats struct {
	sumErr, sumAbs float64
	count          int
}

const gradStatsStep = 3e-4

func (s *gradStats) check(t *testing.T, what string, vals, grad []float32, loss func() float64, samples int) {
	t.Helper()
	r := seed.Stream(13, uint64(len(vals)))
	for range samples {
		i := r.IntN(len(vals))
		old := vals[i]
		vals[i] = old + gradStatsStep
		up := vals[i]
		lp := loss()
		vals[i] = old - gradStatsStep
		down := vals[i]
		lm := loss()
		vals[i] = old
		num := (lp - lm) / (float64(up) - float64(down))
		got := float64(grad[i])
		err := math.Abs(num - got)
		if err > 5e-3+0.1*math.Abs(num) {
			t.Errorf("%s[%d]: analytic %.7g, numerical %.7g", what, i, got, num)
		}
		s.sumErr += err
		s.sumAbs += math.Abs(num)
		s.count++
	}
}

func (s *gradStats) report(t *testing.T) {
	t.Helper()
	t.Logf("%d coordinates: Σ|error| / Σ|numerical| = %.3g", s.count, s.sumErr/s.sumAbs)
	if s.sumErr > 0.015*s.sumAbs {
		t.Errorf("%d coordinates: Σ|error| = %.4g > 1.5%% of Σ|numerical| = %.4g", s.count, s.sumErr, s.sumAbs)
	}
}

// TestResNetEvalKeepsTrainingState: an evaluation Forward (another batch
// size) between a training Forward and its Backward changes no gradient.
func TestResNetEvalKeepsTrainingState(t *testing.T) {
	r := seed.Stream(71)
	m := tinyResNet18(r)
	x, labels := randomImages(m, 3, r)
	xe, _ := randomImages(m, 5, r)
	grads := func(evalBetween bool) [][]float32 {
		ZeroGrads(m)
		logits := m.Forward(x, 3, true)
		d := make([]float32, len(logits))
		SoftmaxCrossEntropy(logits, labels, m.Classes(), d)
		if evalBetween {
			m.Forward(xe, 5, false)
		}
		m.Backward(d)
		var g [][]float32
		for _, p := range m.Params() {
			g = append(g, append([]float32(nil), p.Grad...))
		}
		return g
	}
	a, b := grads(false), grads(true)
	for i, p := range m.Params() {
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				t.Fatalf("%s[%d]: %v without, %v with an evaluation in between", p.Name, j, a[i][j], b[i][j])
			}
		}
	}
}

// TestResNetEvalPerImage: in evaluation (running statistics) an image's
// logits do not depend on the rest of the batch; in training they do.
func TestResNetEvalPerImage(t *testing.T) {
	r := seed.Stream(72)
	m := tinyResNet20(r)
	const n = 4
	x, _ := randomImages(m, n, r)
	for range 3 { // move the running statistics away from (0, 1)
		m.Forward(x, n, true)
	}
	batch := append([]float32(nil), m.Forward(x, n, false)...)
	per := len(x) / n
	k := m.Classes()
	for i := range n {
		one := m.Forward(x[i*per:(i+1)*per], 1, false)
		for j := range k {
			if !near(float64(one[j]), float64(batch[i*k+j]), 1e-5) {
				t.Fatalf("image %d logit %d: alone %v, in the batch %v", i, j, one[j], batch[i*k+j])
			}
		}
	}
	train := m.Forward(x, n, true)
	same := true
	for i := range batch {
		same = same && near(float64(train[i]), float64(batch[i]), 1e-5)
	}
	if same {
		t.Fatal("training logits equal evaluation logits: batch statistics not used")
	}
}

func modelState(m Model) []float32 {
	var s []float32
	for _, p := range m.Params() {
		s = append(s, p.Grad...)
	}
	for _, p := range m.Buffers() {
		s = append(s, p.Data()...)
	}
	return s
}

// TestResNet20Deterministic: forward and backward are bit-identical for
// GOMAXPROCS 1 and 2.
func TestResNet20Deterministic(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	run := func(procs int) (train, eval, state []float32) {
		runtime.GOMAXPROCS(procs)
		r := seed.Stream(81)
		m := NewResNetCIFAR(20, 10, r)
		x, labels := randomImages(m, 16, r)
		logits := m.Forward(x, 16, true)
		train = append(train, logits...)
		d := make([]float32, len(logits))
		SoftmaxCrossEntropy(logits, labels, 10, d)
		m.Backward(d)
		eval = append(eval, m.Forward(x, 16, false)...)
		return train, eval, modelState(m)
	}
	t1, e1, s1 := run(1)
	t2, e2, s2 := run(2)
	for _, c := range []struct {
		what string
		a, b []float32
	}{{"train logits", t1, t2}, {"eval logits", e1, e2}, {"gradients and running stats", s1, s2}} {
		for i := range c.a {
			if math.Float32bits(c.a[i]) != math.Float32bits(c.b[i]) {
				t.Fatalf("%s[%d]: %v with GOMAXPROCS 1, %v with 2", c.what, i, c.a[i], c.b[i])
			}
		}
	}
}

func TestResNetCloneConcurrent(t *testing.T) {
	r := seed.Stream(91)
	m := tinyResNet20(r)
	x, _ := randomImages(m, 5, r)
	m.Forward(x, 5, true) // non-trivial running statistics
	want := append([]float32(nil), m.Forward(x, 5, false)...)
	clones := make([]Model, 4)
	for i := range clones {
		clones[i] = m.Clone()
	}
	got := make([][]float32, len(clones))
	var wg sync.WaitGroup
	for i, c := range clones {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				got[i] = append(got[i][:0], c.Forward(x, 5, false)...)
			}
		}()
	}
	wg.Wait()
	for i := range got {
		if fmt.Sprint(got[i]) != fmt.Sprint(want) {
			t.Fatalf("clone %d: %v, want %v", i, got[i], want)
		}
	}
	// Clones are independent: parameters, buffers and effective values.
	c := clones[0].(*ResNet)
	c.Blocks[0].Conv1.W.Data()[0] += 1
	c.BN1.RunMean.Data()[0] += 1
	if m.Blocks[0].Conv1.W.Data()[0] == c.Blocks[0].Conv1.W.Data()[0] || m.BN1.RunMean.Data()[0] == c.BN1.RunMean.Data()[0] {
		t.Fatal("clone shares parameters or buffers")
	}
	if c.Arch() != m.Arch() || len(c.Params()) != len(m.Params()) {
		t.Fatal("clone differs in shape")
	}
}

// TestResNetEffectiveWeights: forward uses the effective (e.g. quantized or
// faulty) weights.
func TestResNetEffectiveWeights(t *testing.T) {
	r := seed.Stream(92)
	m := tinyResNet20(r)
	x, _ := randomImages(m, 2, r)
	base := append([]float32(nil), m.Forward(x, 2, false)...)
	w := m.Blocks[4].Conv2.W
	eff := append([]float32(nil), w.Data()...)
	for i := range eff {
		eff[i] = -eff[i]
	}
	w.SetEffective(eff)
	changed := fmt.Sprint(m.Forward(x, 2, false)) != fmt.Sprint(base)
	w.SetEffective(nil)
	if !changed || fmt.Sprint(m.Forward(x, 2, false)) != fmt.Sprint(base) {
		t.Fatal("effective weights not used, or not restored")
	}
}

// TestResNetEvalReusesBuffers: after the first call an evaluation forward
// reuses every buffer of the model (input transpose, activation arena,
// pooled features, logits). The kernels' own per-call scratch is theirs.
func TestResNetEvalReusesBuffers(t *testing.T) {
	r := seed.Stream(93)
	m := tinyResNet20(r)
	const n = 16
	x, _ := randomImages(m, n, r)
	xs, _ := randomImages(m, n/2, r)
	buffers := func() []*float32 {
		ps := []*float32{&m.xT[0], &m.featE[0], &m.FC.y[0], &m.Avg.means[0]}
		for _, b := range m.arena {
			ps = append(ps, &b[0])
		}
		return ps
	}
	m.Forward(x, n, false)
	want := map[*float32]bool{}
	for _, p := range buffers() {
		want[p] = true
	}
	for _, batch := range []int{n, n / 2, n} { // a smaller batch fits too
		in := x
		if batch < n {
			in = xs
		}
		m.Forward(in, batch, false)
		for i, p := range buffers() {
			if !want[p] {
				t.Fatalf("batch %d: buffer %d reallocated", batch, i)
			}
		}
	}
}

func TestResNetCheckpointRoundTrip(t *testing.T) {
	r := seed.Stream(94)
	m := NewResNetCIFAR(20, 10, r)
	x, _ := randomImages(m, 2, r)
	m.Forward(x, 2, true)
	want := fmt.Sprint(m.Forward(x, 2, false))
	var buf bytes.Buffer
	c, h, w := m.InputShape()
	if err := WriteCheckpoint(&buf, m.Arch(), [3]int{c, h, w}, m.Classes(), nil, append(m.Params(), m.Buffers()...)); err != nil {
		t.Fatal(err)
	}
	ck, err := ReadCheckpoint(&buf, "mem")
	if err != nil {
		t.Fatal(err)
	}
	m2, err := Build(ck.Header.Arch, ck.Header.Input[0], ck.Header.Input[1], ck.Header.Input[2], ck.Header.Classes, seed.Stream(2))
	if err != nil {
		t.Fatal(err)
	}
	if err := ck.Restore(append(m2.Params(), m2.Buffers()...)); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(m2.Forward(x, 2, false)); got != want {
		t.Fatalf("restored model gives %s, want %s", got, want)
	}
}

func TestBuildResNet(t *testing.T) {
	tests := []struct {
		arch             string
		c, h, w, classes int
		ok               bool
	}{
		{"resnet20", 3, 32, 32, 10, true},
		{"resnet32", 3, 32, 32, 100, true},
		{"resnet44", 3, 32, 32, 10, true},
		{"resnet56", 3, 32, 32, 10, true},
		{"resnet18", 3, 224, 224, 1000, true},
		{"resnet20", 1, 28, 28, 10, false},
		{"resnet20", 3, 32, 32, 0, false},
		{"resnet18", 3, 32, 32, 10, false},
		{"resnet110", 3, 32, 32, 10, false},
		{"resnet", 3, 32, 32, 10, false},
	}
	for _, tc := range tests {
		m, err := Build(tc.arch, tc.c, tc.h, tc.w, tc.classes, seed.Stream(1))
		if !tc.ok {
			if !errors.Is(err, ErrUnknownArch) {
				t.Errorf("%s %dx%dx%d/%d: err %v, want ErrUnknownArch", tc.arch, tc.c, tc.h, tc.w, tc.classes, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.arch, err)
			continue
		}
		c, h, w := m.InputShape()
		if m.Arch() != tc.arch || c != tc.c || h != tc.h || w != tc.w || m.Classes() != tc.classes {
			t.Errorf("%s: got %s %dx%dx%d/%d", tc.arch, m.Arch(), c, h, w, m.Classes())
		}
	}
}

// TestResNet18Forward runs one 224×224 image through ResNet-18 in both
// modes and back (shapes of the 7×7 stem, max pool and four stages).
func TestResNet18Forward(t *testing.T) {
	if testing.Short() {
		t.Skip("ResNet-18 forward is slow")
	}
	r := seed.Stream(95)
	m := NewResNet18(1000, r)
	x, labels := randomImages(m, 1, r)
	logits := m.Forward(x, 1, true)
	d := make([]float32, len(logits))
	loss := SoftmaxCrossEntropy(logits, labels, 1000, d)
	m.Backward(d)
	eval := m.Forward(x, 1, false)
	if len(logits) != 1000 || len(eval) != 1000 || math.IsNaN(loss) || loss < 3 || loss > 12 {
		t.Fatalf("logits %d/%d values, loss %v", len(logits), len(eval), loss)
	}
	if m.fh != 7 || m.fw != 7 || m.sp != 112 || m.pp != 56 {
		t.Fatalf("feature map %d×%d, stem %d, pool %d; want 7×7, 112, 56", m.fh, m.fw, m.sp, m.pp)
	}
}

// TestCrosscheckPyTorch compares a ResNet-20 training step (logits, loss,
// every gradient, the updated running statistics) and the evaluation
// logits with PyTorch, through tools/crosscheck/resnet_torch.py. It runs
// only when COSIM_CROSSCHECK is set; COSIM_PYTHON names the interpreter
// (default python3), which needs torch (Debian: apt-get install
// python3-torch, then COSIM_PYTHON=/usr/bin/python3).
func TestCrosscheckPyTorch(t *testing.T) {
	if os.Getenv("COSIM_CROSSCHECK") == "" {
		t.Skip("set COSIM_CROSSCHECK=1 (and COSIM_PYTHON to a python3 with torch) to compare with PyTorch")
	}
	python := os.Getenv("COSIM_PYTHON")
	if python == "" {
		python = "python3"
	}
	r := seed.Stream(101)
	m := NewResNetCIFAR(20, 10, r)
	// Non-trivial batch-norm parameters and running statistics.
	for _, p := range append(m.Params(), m.Buffers()...) {
		switch {
		case p.Kind == KindBNScale:
			randFill(p.Data(), 1, 0.2, r)
		case p.Kind == KindBNShift:
			randFill(p.Data(), 0, 0.2, r)
		case p.Kind == KindBuffer && filepath.Ext(p.Name) == ".running_mean":
			randFill(p.Data(), 0, 0.1, r)
		case p.Kind == KindBuffer:
			for i := range p.Data() {
				p.Data()[i] = float32(0.5 + r.Float64())
			}
		}
	}
	const n = 8
	x, labels := randomImages(m, n, r)
	type tensor struct {
		Shape []int     `json:"shape"`
		Data  []float32 `json:"data"`
	}
	in := struct {
		Arch    string            `json:"arch"`
		Classes int               `json:"classes"`
		N       int               `json:"n"`
		X       []float32         `json:"x"`
		Labels  []int             `json:"labels"`
		State   map[string]tensor `json:"state"`
	}{Arch: m.Arch(), Classes: 10, N: n, X: x, State: map[string]tensor{}}
	for _, l := range labels {
		in.Labels = append(in.Labels, int(l))
	}
	for _, p := range append(m.Params(), m.Buffers()...) {
		in.State[p.Name] = tensor{p.Shape(), append([]float32(nil), p.Data()...)}
	}
	dir := t.TempDir()
	inPath, outPath := filepath.Join(dir, "in.json"), filepath.Join(dir, "out.json")
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(inPath, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, filepath.Join("..", "tools", "crosscheck", "resnet_torch.py"), inPath, outPath)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", python, err, msg)
	}
	var ref struct {
		Loss        float64              `json:"loss"`
		TrainLogits []float32            `json:"train_logits"`
		EvalLogits  []float32            `json:"eval_logits"`
		Grads       map[string][]float32 `json:"grads"`
		Buffers     map[string][]float32 `json:"buffers"`
		Torch       string               `json:"torch"`
	}
	if raw, err = os.ReadFile(outPath); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	t.Logf("PyTorch %s", ref.Torch)

	ZeroGrads(m)
	logits := append([]float32(nil), m.Forward(x, n, true)...)
	d := make([]float32, len(logits))
	loss := SoftmaxCrossEntropy(logits, labels, 10, d)
	m.Backward(d)
	eval := m.Forward(x, n, false)

	// relErr is ‖a − b‖/‖b‖ (absolute when b = 0).
	relErr := func(a, b []float32) float64 {
		var num, den float64
		for i := range b {
			num += (float64(a[i]) - float64(b[i])) * (float64(a[i]) - float64(b[i]))
			den += float64(b[i]) * float64(b[i])
		}
		return math.Sqrt(num / math.Max(den, 1e-30))
	}
	check := func(what string, got, want []float32, tol float64) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: %d values, PyTorch %d", what, len(got), len(want))
			return
		}
		if e := relErr(got, want); e > tol || math.IsNaN(e) {
			t.Errorf("%s: relative error %.3g > %.3g", what, e, tol)
		}
	}
	if math.Abs(loss-ref.Loss) > 1e-5*math.Abs(ref.Loss) {
		t.Errorf("loss %.8g, PyTorch %.8g", loss, ref.Loss)
	}
	check("train logits", logits, ref.TrainLogits, 1e-5)
	check("eval logits", eval, ref.EvalLogits, 1e-5)
	worst := 0.0
	for _, p := range m.Params() {
		check(p.Name+" grad", p.Grad, ref.Grads[p.Name], 1e-4)
		worst = max(worst, relErr(p.Grad, ref.Grads[p.Name]))
	}
	for _, p := range m.Buffers() {
		check(p.Name, p.Data(), ref.Buffers[p.Name], 1e-5)
	}
	t.Logf("largest relative gradient error %.3g", worst)
}

func benchResNet20(b *testing.B, train bool) {
	const n = 256
	r := seed.Stream(1)
	m := NewResNetCIFAR(20, 10, r)
	x, labels := randomImages(m, n, r)
	d := make([]float32, n*10)
	step := func() {
		logits := m.Forward(x, n, train)
		if train {
			SoftmaxCrossEntropy(logits, labels, 10, d)
			m.Backward(d)
		}
	}
	step()
	b.ResetTimer()
	for b.Loop() {
		step()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "images/s")
}

// BenchmarkResNet20Eval: inference forward of the model path, batch 256.
func BenchmarkResNet20Eval(b *testing.B) { benchResNet20(b, false) }

// BenchmarkResNet20Train: training forward + backward, batch 256 (the CIFAR
// recipe's batch).
func BenchmarkResNet20Train(b *testing.B) { benchResNet20(b, true) }
