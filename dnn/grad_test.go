package dnn

import (
	"math"
	"testing"

	"cosim/internal/seed"
)

// numGrad checks analytic gradients of loss(m(x)) against central finite
// differences in float64-accumulated loss, on a sample of coordinates.
func checkModelGrads(t *testing.T, m Model, x []float32, n int, labels []uint8, tol float64) {
	t.Helper()
	classes := m.Classes()
	loss := func() float64 {
		return SoftmaxCrossEntropy(m.Forward(x, n, true), labels, classes, nil)
	}
	ZeroGrads(m)
	logits := m.Forward(x, n, true)
	d := make([]float32, len(logits))
	SoftmaxCrossEntropy(logits, labels, classes, d)
	m.Backward(d)
	r := seed.Stream(7)
	for _, p := range m.Params() {
		data := p.Data()
		for k := 0; k < 12; k++ {
			i := r.IntN(len(data))
			old := data[i]
			const h = 1e-2
			data[i] = old + h
			lp := loss()
			data[i] = old - h
			lm := loss()
			data[i] = old
			num := (lp - lm) / (2 * h)
			got := float64(p.Grad[i])
			if math.Abs(num-got) > tol*math.Max(1, math.Abs(num)) {
				t.Errorf("%s[%d]: analytic %.6g, numerical %.6g", p.Name, i, got, num)
			}
		}
	}
}

func TestMLPGradients(t *testing.T) {
	r := seed.Stream(3)
	m := NewMLP(1, 4, 4, []int{7, 5}, 3, r)
	const n = 5
	x := make([]float32, n*16)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	labels := []uint8{0, 2, 1, 1, 0}
	checkModelGrads(t, m, x, n, labels, 2e-3)
}

func TestSoftmaxCrossEntropy(t *testing.T) {
	// Two classes, logits (0, ln 3): p = (1/4, 3/4); label 1 → loss = ln(4/3).
	logits := []float32{0, float32(math.Log(3))}
	d := make([]float32, 2)
	loss := SoftmaxCrossEntropy(logits, []uint8{1}, 2, d)
	if math.Abs(loss-math.Log(4.0/3)) > 1e-6 {
		t.Fatalf("loss %v, want ln(4/3)", loss)
	}
	if math.Abs(float64(d[0])-0.25) > 1e-6 || math.Abs(float64(d[1])+0.25) > 1e-6 {
		t.Fatalf("dlogits %v, want (0.25, -0.25)", d)
	}
	if c := Correct([]float32{1, 2, 5, 0}, []uint8{1, 1}, 2); c != 1 {
		t.Fatalf("Correct = %d, want 1", c)
	}
}

func TestMLPCloneIndependent(t *testing.T) {
	m := NewMLP(1, 2, 2, []int{3}, 2, seed.Stream(1))
	c := m.Clone().(*MLP)
	c.Layers[0].W.Data()[0] += 1
	if m.Layers[0].W.Data()[0] == c.Layers[0].W.Data()[0] {
		t.Fatal("clone shares weights")
	}
	if m.Arch() != "mlp-4-3-2" || c.Arch() != m.Arch() {
		t.Fatalf("arch %q / %q", m.Arch(), c.Arch())
	}
}

func TestEffectiveValues(t *testing.T) {
	m := NewMLP(1, 1, 2, nil, 1, seed.Stream(1))
	w := m.Layers[0].W
	w.Data()[0], w.Data()[1] = 1, 2
	m.Layers[0].B.Data()[0] = 0
	x := []float32{1, 1}
	if y := m.Forward(x, 1, false)[0]; y != 3 {
		t.Fatalf("latent forward = %v, want 3", y)
	}
	w.SetEffective([]float32{10, 20})
	if y := m.Forward(x, 1, false)[0]; y != 30 {
		t.Fatalf("effective forward = %v, want 30", y)
	}
	w.SetEffective(nil)
	if y := m.Forward(x, 1, false)[0]; y != 3 {
		t.Fatalf("restored forward = %v, want 3", y)
	}
}
