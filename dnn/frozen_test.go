package dnn

import (
	"math"
	"testing"

	"cosim/internal/seed"
)

// A ResNet with frozen batch norms computes the evaluation-mode network in
// a training Forward, leaves the running statistics alone, and its
// Backward gives that function's gradients (central differences).
func TestFrozenBatchNormGradients(t *testing.T) {
	r := seed.Stream(21)
	m := NewResNetCIFAR(8, 4, r)
	for _, p := range m.Buffers() { // non-trivial running statistics
		for i := range p.Data() {
			if p.Name[len(p.Name)-3:] == "var" {
				p.Data()[i] = 0.5 + r.Float32()
			} else {
				p.Data()[i] = 0.2 * float32(r.NormFloat64())
			}
		}
	}
	m.FreezeBatchNorm(true)
	const n = 3
	x := make([]float32, n*3*32*32)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	eval := append([]float32(nil), m.Forward(x, n, false)...)
	before := append([]float32(nil), m.BN1.RunMean.Data()...)
	train := m.Forward(x, n, true)
	for i := range eval {
		if math.Abs(float64(eval[i]-train[i])) > 1e-4*math.Max(1, math.Abs(float64(eval[i]))) {
			t.Fatalf("logit %d: frozen training forward %v, evaluation %v", i, train[i], eval[i])
		}
	}
	for i, v := range m.BN1.RunMean.Data() {
		if v != before[i] {
			t.Fatal("a frozen batch norm updated its running mean")
		}
	}
	checkModelGrads(t, m, x, n, []uint8{0, 3, 1}, 3e-2)
	if c := m.Clone().(*ResNet); !c.BN1.Frozen || !c.Blocks[0].BN2.Frozen {
		t.Fatal("Clone drops Frozen")
	}
}
