package dnn

import (
	"math"
	"testing"

	"cosim/internal/seed"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

func TestBatchNormGradients(t *testing.T) {
	for _, relu := range []bool{false, true} {
		name := "plain"
		if relu {
			name = "relu"
		}
		t.Run(name, func(t *testing.T) {
			const c, cols = 3, 10
			r := seed.Stream(31)
			bn := NewBatchNorm2d("bn", c)
			randFill(bn.Gamma.Data(), 1, 0.5, r)
			randFill(bn.Beta.Data(), 0, 0.5, r)
			x := randFill(make([]float32, c*cols), 0, 1, r)
			for ci := range c { // channels with different means and scales
				for j := range cols {
					x[ci*cols+j] = x[ci*cols+j]*float32(ci+1) + float32(2*ci-1)
				}
			}
			dy := randFill(make([]float32, c*cols), 0, 1, r)
			y := make([]float32, c*cols)
			loss := func() float64 {
				bn.Forward(y, x, cols, true, relu)
				return dotLoss(y, dy)
			}
			bn.Forward(y, x, cols, true, relu)
			dx := make([]float32, c*cols)
			g := append([]float32(nil), dy...)
			bn.Backward(dx, g)
			checkGrad(t, "x", x, dx, loss, len(x), 1e-3, 2e-3, 2e-3)
			checkGrad(t, "gamma", bn.Gamma.Data(), bn.Gamma.Grad, loss, c, 1e-3, 2e-3, 2e-3)
			checkGrad(t, "beta", bn.Beta.Data(), bn.Beta.Grad, loss, c, 1e-3, 2e-3, 2e-3)

			// In place (dx aliasing dy) gives the same dx.
			bn.Forward(y, x, cols, true, relu)
			g = append(g[:0], dy...)
			bn.Backward(g, g)
			for i := range dx {
				if g[i] != dx[i] {
					t.Fatalf("in-place dx[%d] = %v, want %v", i, g[i], dx[i])
				}
			}
		})
	}
}

// TestBatchNormTrainWorkedExample: one channel, x = (1, 2, 3, 4): batch mean
// 2.5, biased variance 1.25, unbiased 5/3. With momentum 0.1 from the
// initial (0, 1): running mean 0.25, running variance 0.9 + 0.1·5/3 =
// 1.0666…. A second batch (0, 0, 2, 2) (mean 1, unbiased variance 4/3)
// gives 0.9·0.25 + 0.1 = 0.325 and 0.9·1.0666… + 0.1·4/3 = 1.0933….
func TestBatchNormTrainWorkedExample(t *testing.T) {
	bn := NewBatchNorm2d("bn", 1)
	bn.Gamma.Data()[0], bn.Beta.Data()[0] = 2, 0.5
	y := make([]float32, 4)
	bn.Forward(y, []float32{1, 2, 3, 4}, 4, true, false)
	inv := 1 / math.Sqrt(1.25+1e-5)
	for i, x := range []float64{1, 2, 3, 4} {
		if want := (x-2.5)*inv*2 + 0.5; !near(float64(y[i]), want, 1e-6) {
			t.Errorf("y[%d] = %v, want %v", i, y[i], want)
		}
	}
	if m, v := bn.RunMean.Data()[0], bn.RunVar.Data()[0]; !near(float64(m), 0.25, 1e-7) || !near(float64(v), 0.9+0.1*5.0/3, 1e-7) {
		t.Errorf("running stats after one batch: %v, %v; want 0.25, 1.0666667", m, v)
	}
	bn.Forward(y, []float32{0, 0, 2, 2}, 4, true, true)
	if m, v := bn.RunMean.Data()[0], bn.RunVar.Data()[0]; !near(float64(m), 0.325, 1e-7) || !near(float64(v), 0.9*(0.9+0.1*5.0/3)+0.1*4.0/3, 1e-7) {
		t.Errorf("running stats after two batches: %v, %v; want 0.325, 1.0933333", m, v)
	}
	// (0,0,2,2) normalises to (−1,−1,1,1)/√(1+ε); ·2 + 0.5, then ReLU.
	inv = 1 / math.Sqrt(1+1e-5)
	for i, want := range []float64{0, 0, 2*inv + 0.5, 2*inv + 0.5} {
		if !near(float64(y[i]), want, 1e-6) {
			t.Errorf("relu y[%d] = %v, want %v", i, y[i], want)
		}
	}
}

// TestBatchNormEvalUsesRunningStats: in evaluation the output is
// (x − running_mean)/√(running_var + ε)·γ + β and the statistics stay.
func TestBatchNormEvalUsesRunningStats(t *testing.T) {
	bn := NewBatchNorm2d("bn", 2)
	copy(bn.RunMean.Data(), []float32{1, -2})
	copy(bn.RunVar.Data(), []float32{4, 0.25})
	copy(bn.Gamma.Data(), []float32{2, 1})
	copy(bn.Beta.Data(), []float32{0.5, 0})
	x := []float32{1, 3, -1, -2, -1.5, 0}
	tests := []struct {
		relu bool
		want []float64
	}{
		// channel 0: (x−1)/2·2 + 0.5; channel 1: (x+2)/0.5 (ε ignored here,
		// within the tolerance)
		{false, []float64{0.5, 2.5, -1.5, 0, 1, 4}},
		{true, []float64{0.5, 2.5, 0, 0, 1, 4}},
	}
	for _, tc := range tests {
		y := make([]float32, 6)
		bn.Forward(y, x, 3, false, tc.relu)
		for i, w := range tc.want {
			if !near(float64(y[i]), w, 1e-4) {
				t.Errorf("relu=%v: y[%d] = %v, want %v", tc.relu, i, y[i], w)
			}
		}
		// In place gives the same bits.
		z := append([]float32(nil), x...)
		bn.Forward(z, z, 3, false, tc.relu)
		for i := range y {
			if z[i] != y[i] {
				t.Errorf("in-place y[%d] = %v, want %v", i, z[i], y[i])
			}
		}
	}
	if bn.RunMean.Data()[0] != 1 || bn.RunVar.Data()[1] != 0.25 {
		t.Error("evaluation changed the running statistics")
	}
}

func TestBatchNormNamesAndKinds(t *testing.T) {
	bn := NewBatchNorm2d("layer1.0.bn1", 4)
	want := []struct {
		p    *Param
		name string
		kind Kind
		val  float32
	}{
		{bn.Gamma, "layer1.0.bn1.weight", KindBNScale, 1},
		{bn.Beta, "layer1.0.bn1.bias", KindBNShift, 0},
		{bn.RunMean, "layer1.0.bn1.running_mean", KindBuffer, 0},
		{bn.RunVar, "layer1.0.bn1.running_var", KindBuffer, 1},
	}
	for _, w := range want {
		if w.p.Name != w.name || w.p.Kind != w.kind || w.p.Len() != 4 || w.p.Data()[3] != w.val {
			t.Errorf("%s: got %s kind %v len %d value %v", w.name, w.p.Name, w.p.Kind, w.p.Len(), w.p.Data()[3])
		}
	}
}
