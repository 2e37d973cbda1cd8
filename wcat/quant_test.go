package wcat

import (
	"math"
	"testing"

	"cosim/dnn"
	"cosim/internal/seed"
)

// The worked examples of wcat-semantics.md §1.5 (α = 1, b = 4, s = 0.125).
func TestClipQuantizeWorkedExamples(t *testing.T) {
	w := []float32{0.95, -1.2, 0.0625, 0.1875, -1, 1, 0.9375, -0.0625}
	want := []int32{7, -8, 0, 2, -8, 7, 7, 0}
	// 0.95 → 7.6 → 8 → clamped 7; −1.2 → clipped −1 → −8; 0.0625 → 0.5 → 0
	// (half to even); 0.1875 → 1.5 → 2; 0.9375 → 7.5 → 8 (even) → 7;
	// −0.0625 → −0.5 → −0 (even).
	codes := make([]int32, len(w))
	s := ClipQuantize(w, 1, 4, GridReference, codes)
	if s != 0.125 {
		t.Fatalf("step %v, want 0.125", s)
	}
	for i := range w {
		if codes[i] != want[i] {
			t.Errorf("w = %v: code %d, want %d", w[i], codes[i], want[i])
		}
	}
	deq := make([]float32, len(w))
	Dequantize(codes, s, deq)
	for i, v := range []float32{0.875, -1, 0, 0.25} {
		if deq[i] != v {
			t.Errorf("ŵ(%v) = %v, want %v", w[i], deq[i], v)
		}
	}
}

func TestPaperGrid(t *testing.T) {
	// Symmetric grid (paper eq. 3–4): step α/7, codes ±7; −1.2 clips to −α = −7s.
	codes := make([]int32, 3)
	s := ClipQuantize([]float32{-1.2, 1.2, 0.6}, 1, 4, GridPaper, codes)
	if math.Abs(float64(s)-1.0/7) > 1e-7 || codes[0] != -7 || codes[1] != 7 || codes[2] != 4 {
		t.Fatalf("s = %v, codes %v; want 1/7, [-7 7 4] (0.6·7 = 4.2 → 4)", s, codes)
	}
	if qn, qp := GridPaper.Range(8); qn != -127 || qp != 127 {
		t.Fatalf("paper 8-bit range [%d, %d]", qn, qp)
	}
	if qn, qp := GridReference.Range(8); qn != -128 || qp != 127 {
		t.Fatalf("reference 8-bit range [%d, %d]", qn, qp)
	}
}

func newLinearModel(t *testing.T, w []float32, cfg Config) *Model {
	t.Helper()
	net := dnn.NewMLP(1, 1, len(w), nil, 1, seed.Stream(1))
	copy(net.Layers[0].W.Data(), w)
	m, err := New(net, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestNormalQuantizer(t *testing.T) {
	// max|w| = 0.8 → s = 0.1; 0.8 → 8 → 7 (the positive side is one level
	// short, §4.1); −0.8 is not the max in magnitude sign-wise here.
	m := newLinearModel(t, []float32{0.8, -0.25, 0.05, -0.35}, Config{Method: Normal, Bits: 4, Grid: GridReference})
	m.Quantize(nil)
	l := m.Layers[0]
	if math.Abs(float64(l.Step)-0.1) > 1e-8 {
		t.Fatalf("step %v, want 0.1", l.Step)
	}
	// −0.25/0.1 = −2.5 → −2 (even); 0.05/0.1 = 0.5 → 0; −0.35/0.1 = −3.5 → −4 (even).
	want := []int32{7, -2, 0, -4}
	for i, q := range l.Codes {
		if q != want[i] {
			t.Fatalf("codes %v, want %v", l.Codes, want)
		}
	}
}

func TestPLClipRange(t *testing.T) {
	// Two layers with max|W| 2 and 0.2: k = 1 and 0.1 → α = c·max(0.2, k) =
	// 0.1·1 and 0.1·0.2 (§4.2).
	net := dnn.NewMLP(1, 1, 2, []int{2}, 1, seed.Stream(1))
	copy(net.Layers[0].W.Data(), []float32{2, -1, 0.5, 0})
	copy(net.Layers[1].W.Data(), []float32{0.2, -0.1})
	m, err := New(net, Config{Method: PLClip, Bits: 4, Grid: GridReference, PLClip: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	m.Quantize(nil)
	if a := scalar(m.Layers[0].Q); math.Abs(float64(a)-0.1) > 1e-7 {
		t.Fatalf("α_1 = %v, want 0.1", a)
	}
	if a := scalar(m.Layers[1].Q); math.Abs(float64(a)-0.02) > 1e-7 {
		t.Fatalf("α_2 = %v, want 0.02", a)
	}
	// Gradients outside [−α, α] are masked.
	for _, l := range m.Layers {
		for i := range l.W.Grad {
			l.W.Grad[i] = 1
		}
	}
	m.Backward()
	if g := m.Layers[0].W.Grad; g[0] != 0 || g[1] != 0 || g[2] != 0 || g[3] != 1 {
		t.Fatalf("masked grads %v, want [0 0 0 1]", g)
	}
}

func TestLSQ(t *testing.T) {
	w := []float32{0.3, -0.1, 2, -3}
	m := newLinearModel(t, w, Config{Method: LSQ, Bits: 4, Grid: GridReference})
	if err := m.InitRanges(InitMSE, 0); err != nil {
		t.Fatal(err)
	}
	// s0 = 2·mean|w|/√7 = 2·1.35/√7.
	if s0 := scalar(m.Layers[0].Q); math.Abs(float64(s0)-2*1.35/math.Sqrt(7)) > 1e-6 {
		t.Fatalf("s0 = %v", s0)
	}
	l := m.Layers[0]
	l.Q.Data()[0] = 0.25
	m.Quantize(nil)
	// w/s = 1.2, −0.4, 8, −12 → codes 1, 0, 7, −8; the last two outside.
	for i, q := range []int32{1, 0, 7, -8} {
		if l.Codes[i] != q {
			t.Fatalf("codes %v", l.Codes)
		}
	}
	gamma := 1 / math.Sqrt(28) // 1/√(qp·N) = 1/√(7·4)
	for _, ref := range []bool{false, true} {
		m.Cfg.LSQReferenceGrad = ref
		copy(l.W.Grad, []float32{1, 2, 3, 4})
		l.Q.Grad[0] = 0
		m.Backward()
		// Standard LSQ: γ·(q − w/s) inside, γ·qn or γ·qp outside.
		want := gamma * (1*(1-1.2) + 2*(0-(-0.4)) + 3*7 + 4*(-8))
		if ref { // the reference code (§4.3 quirk): q − γ·w/s inside, qn or qp outside
			want = 1*(1-gamma*1.2) + 2*(0-gamma*(-0.4)) + 3*7 + 4*(-8)
		}
		if got := float64(l.Q.Grad[0]); math.Abs(got-want) > 1e-5 {
			t.Fatalf("reference gradient %v: step grad %v, want %v", ref, got, want)
		}
		if l.W.Grad[2] != 0 || l.W.Grad[3] != 0 || l.W.Grad[0] != 1 {
			t.Fatalf("weight grads %v", l.W.Grad)
		}
	}
}

// §3.2: ∂L/∂α = (1/√N)(Σ_{w>α} g − Σ_{w<−α} g); weights get g unchanged.
func TestWCATAlphaGradFormula(t *testing.T) {
	w := []float32{1.5, -2, 0.3, 0.95, -0.99, 3}
	m := newLinearModel(t, w, Config{Method: WCAT, Bits: 4, Grid: GridReference})
	l := m.Layers[0]
	l.Q.Data()[0] = 1
	m.Quantize(nil)
	g := []float32{0.5, -0.25, 7, 9, 11, 2}
	copy(l.W.Grad, g)
	m.Backward()
	want := (0.5 + 2 - (-0.25)) / math.Sqrt(6) // 0.95 (clamped 8→7) contributes nothing
	if got := float64(l.Q.Grad[0]); math.Abs(got-want) > 1e-6 {
		t.Fatalf("α grad %v, want %v", got, want)
	}
	for i := range g {
		if l.W.Grad[i] != g[i] {
			t.Fatalf("weight grad changed: %v", l.W.Grad)
		}
	}
}

// Where every weight lies outside ±α on the paper's grid, ŵ = ±α exactly, so
// the loss is a smooth function of α and the STE gradient is the true one:
// compare √N·∂L/∂α with a central finite difference of the loss.
func TestWCATAlphaGradFiniteDifference(t *testing.T) {
	r := seed.Stream(11)
	net := dnn.NewMLP(1, 1, 6, nil, 3, r)
	w := net.Layers[0].W.Data()
	for i := range w {
		w[i] = float32(2 + r.Float64())
		if i%2 == 1 {
			w[i] = -w[i]
		}
	}
	m, _ := New(net, Config{Method: WCAT, Bits: 4, Grid: GridPaper})
	l := m.Layers[0]
	x := []float32{0.3, -1, 0.5, 2, -0.7, 1.1, 1, 1, -1, 0.2, 0.4, -0.3}
	labels := []uint8{2, 0}
	loss := func(alpha float32) float64 {
		l.Q.Data()[0] = alpha
		m.Quantize(nil)
		return dnn.SoftmaxCrossEntropy(net.Forward(x, 2, true), labels, 3, nil)
	}
	const a0, h = 0.7, 1e-3
	num := (loss(a0+h) - loss(a0-h)) / (2 * h)
	loss(a0)
	logits := net.Forward(x, 2, true)
	d := make([]float32, len(logits))
	dnn.SoftmaxCrossEntropy(logits, labels, 3, d)
	dnn.ZeroGrads(net)
	l.Q.Grad[0] = 0
	net.Backward(d)
	m.Backward()
	got := float64(l.Q.Grad[0]) * math.Sqrt(float64(len(w)))
	if math.Abs(got-num) > 1e-3*math.Max(1, math.Abs(num)) {
		t.Fatalf("√N·∂L/∂α = %v, finite difference %v", got, num)
	}
}

func TestBitFlipNoiseTrainingOnly(t *testing.T) {
	w := make([]float32, 20000)
	r := seed.Stream(2)
	for i := range w {
		w[i] = float32(r.NormFloat64())
	}
	m := newLinearModel(t, w, Config{Method: WCAT, Bits: 4, Grid: GridReference, BFN: 0.01})
	m.Layers[0].Q.Data()[0] = 2
	m.Quantize(nil)
	l := m.Layers[0]
	clean := append([]float32(nil), l.W.Effective()...)
	m.Quantize(seed.Stream(3))
	changed := 0
	for i, v := range l.W.Effective() {
		if v != clean[i] {
			changed++
			// the installed value is a valid code of the same step
			q := v / l.Step
			if q != float32(math.Round(float64(q))) || q < -8 || q > 7 {
				t.Fatalf("noisy value %v is not on the grid", v)
			}
		}
	}
	// P(a weight changes) = 1 − 0.99⁴ ≈ 0.0394; 20000 weights → 788 ± 28.
	if changed < 650 || changed > 930 {
		t.Fatalf("%d weights changed, want about 788", changed)
	}
	// Codes stay clean; evaluation (no noise source) installs clean values.
	m.Quantize(nil)
	for i, v := range l.W.Effective() {
		if v != clean[i] {
			t.Fatal("noise applied without a noise source")
		}
	}
}
