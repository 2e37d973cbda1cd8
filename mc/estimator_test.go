package mc

import (
	"context"
	"math"
	"testing"

	"cosim/dnn"
	"cosim/internal/seed"
	"cosim/wcat"
)

// syntheticModel is tinyModel on a larger, unbalanced synthetic set (so the
// stratification weights are not all equal).
func syntheticModel(t *testing.T, n int) (*wcat.Model, *dnn.Dataset) {
	t.Helper()
	m, _ := tinyModel(t)
	r := seed.Stream(77)
	d := &dnn.Dataset{Name: "synthetic-eval", C: 1, H: 4, W: 4, Classes: 2, Mean: []float32{0.5}, Std: []float32{0.25}}
	for i := 0; i < n; i++ {
		lab := uint8(0)
		if i%3 == 0 {
			lab = 1
		}
		for j := 0; j < 16; j++ {
			v := 48 + r.IntN(128)
			if (j < 8) == (lab == 1) {
				v += 24
			}
			d.Pixels = append(d.Pixels, uint8(v))
		}
		d.Labels = append(d.Labels, lab)
	}
	return m, d
}

// The stratified weights make Σ w_i·v_i an unbiased estimate of mean(v).
func TestSubsetWeightsUnbiased(t *testing.T) {
	m, d := syntheticModel(t, 900)
	e, err := NewEngine(m, 16, d, 100)
	if err != nil {
		t.Fatal(err)
	}
	v := make([]float64, d.Len())
	var mean float64
	for i := range v {
		v[i] = float64(i%7) + float64(d.Labels[i])*5
		mean += v[i] / float64(len(v))
	}
	var sum, sum2 float64
	const reps = 4000
	for k := 0; k < reps; k++ {
		idx, wt := e.subset(seed.Stream(1, uint64(k)), 60, nil, nil)
		var tot, wsum float64
		for j, i := range idx {
			tot += wt[j] * v[i]
			wsum += wt[j]
		}
		if math.Abs(wsum-1) > 1e-12 {
			t.Fatalf("weights sum to %v", wsum)
		}
		sum += tot
		sum2 += tot * tot
	}
	est := sum / reps
	se := math.Sqrt((sum2/reps - est*est) / reps)
	if math.Abs(est-mean) > 4*se {
		t.Fatalf("stratified estimate %v ± %v, true mean %v", est, se, mean)
	}
}

// The subset estimator and the reference protocol estimate the same mean
// accuracy, and the subset CI covers it at about the nominal rate.
func TestSubsetMatchesReferenceAndCovers(t *testing.T) {
	m, d := syntheticModel(t, 1200)
	e, err := NewEngine(m, 16, d, 200)
	if err != nil {
		t.Fatal(err)
	}
	const p = 0.04
	ref, err := e.Run(context.Background(), p, Options{Protocol: ProtocolReference, Trials: 400, Seed: 1, Key: 1})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := e.Run(context.Background(), p, Options{Protocol: ProtocolSubset, Subset: 120, Trials: 1600, Seed: 2, Key: 1})
	if err != nil {
		t.Fatal(err)
	}
	seRef := ref.AccStd / math.Sqrt(float64(ref.Trials))
	seSub := sub.AccStd / math.Sqrt(float64(sub.Trials))
	if math.Abs(ref.AccMean-sub.AccMean) > 4*math.Hypot(seRef, seSub) {
		t.Fatalf("reference %.3f ± %.3f, subset %.3f ± %.3f", ref.AccMean, seRef, sub.AccMean, seSub)
	}
	if !(ref.AccStd > 0.5) || !(ref.AccMean < e.CleanAcc()-1) {
		t.Fatalf("BER %g should spread and lower the accuracy: %+v", p, ref)
	}
	t.Logf("clean %.2f; reference %.3f ± %.3f (std %.2f); subset %.3f ± %.3f (std %.2f)", e.CleanAcc(), ref.AccMean, seRef, ref.AccStd, sub.AccMean, seSub, sub.AccStd)
	// Coverage: 200 independent 15-trial subset estimates.
	covered := 0
	const reps = 200
	for k := 0; k < reps; k++ {
		s, err := e.Run(context.Background(), p, Options{Protocol: ProtocolSubset, Subset: 120, Trials: 15, Seed: 100 + uint64(k), Key: 1})
		if err != nil {
			t.Fatal(err)
		}
		if s.CILow <= ref.AccMean && ref.AccMean <= s.CIHigh {
			covered++
		}
	}
	if covered < 176 || covered > 199 { // 95% of 200 = 190 ± 3σ (σ ≈ 3.1), widened for the error of ref.AccMean
		t.Fatalf("95%% CI covered the mean in %d of %d runs", covered, reps)
	}
	t.Logf("coverage %d/%d", covered, reps)
}

func TestAdaptiveStopping(t *testing.T) {
	m, d := syntheticModel(t, 600)
	e, _ := NewEngine(m, 16, d, 200)
	opt := Options{Protocol: ProtocolSubset, Subset: 100, Trials: 400, MinTrials: 8, CIHalfWidth: 1.0, Seed: 3, Key: 4, Workers: 1}
	a, err := e.Run(context.Background(), 0.03, opt)
	if err != nil {
		t.Fatal(err)
	}
	if a.Trials < 8 || a.Trials >= 400 || a.CIHigh-a.CILow > 2.0+1e-9 {
		t.Fatalf("stopped after %d trials with CI [%v, %v]", a.Trials, a.CILow, a.CIHigh)
	}
	if hw := halfWidth(a.Accs[:a.Trials-1]); a.Trials > 8 && hw <= 1.0 {
		t.Fatalf("should have stopped one trial earlier (half-width %v)", hw)
	}
	opt.Workers = 3
	b, _ := e.Run(context.Background(), 0.03, opt)
	if b.Trials != a.Trials || b.AccMean != a.AccMean {
		t.Fatalf("1 worker: %d trials mean %v; 3 workers: %d trials mean %v", a.Trials, a.AccMean, b.Trials, b.AccMean)
	}
	// A point without faults stops at MinTrials with the exact clean accuracy.
	c, _ := e.Run(context.Background(), 1e-12, opt)
	if c.Trials != 8 || c.AccMean != e.CleanAcc() || c.CILow != c.CIHigh {
		t.Fatalf("fault-free point: %+v", c)
	}
	t.Logf("BER 0.03: %d trials, %.2f [%.2f, %.2f]", a.Trials, a.AccMean, a.CILow, a.CIHigh)
}
