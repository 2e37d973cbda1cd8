package mc

import (
	"context"
	"math"
	"testing"

	"cosim/dnn"
	"cosim/internal/seed"
	"cosim/sram"
	"cosim/wcat"
)

func TestMeanCI(t *testing.T) {
	// mean 3, sample sd √2.5 = 1.5811, t(0.975, 4) = 2.7764:
	// half-width 2.7764·1.5811/√5 = 1.9632.
	lo, hi := MeanCI([]float64{1, 2, 3, 4, 5}, 0.95)
	if math.Abs(lo-(3-1.9632)) > 1e-3 || math.Abs(hi-(3+1.9632)) > 1e-3 {
		t.Fatalf("CI [%v, %v], want 3 ± 1.9632", lo, hi)
	}
	if lo, hi := MeanCI([]float64{50}, 0.95); lo != 0 || hi != 100 {
		t.Fatalf("one sample: [%v, %v], want the whole range", lo, hi)
	}
}

// tinyModel is a quantized MLP on a synthetic, linearly separable task, so
// the tests do not need MNIST.
func tinyModel(t *testing.T) (*wcat.Model, *dnn.Dataset) {
	t.Helper()
	r := seed.Stream(1)
	const n, dim = 400, 16
	d := &dnn.Dataset{Name: "synthetic", C: 1, H: 4, W: 4, Classes: 2, Mean: []float32{0.5}, Std: []float32{0.25}}
	for i := 0; i < n; i++ {
		lab := uint8(i % 2)
		for j := 0; j < dim; j++ {
			v := 48 + r.IntN(128)
			if (j < dim/2) == (lab == 1) {
				v += 24
			}
			d.Pixels = append(d.Pixels, uint8(v))
		}
		d.Labels = append(d.Labels, lab)
	}
	net := dnn.NewMLP(1, 4, 4, []int{8}, 2, seed.Stream(2))
	m, err := wcat.New(net, wcat.Config{Method: wcat.Normal, Bits: 4, Grid: wcat.GridReference})
	if err != nil {
		t.Fatal(err)
	}
	rec := wcat.MNISTRecipe()
	rec.Epochs, rec.BatchSize = 5, 20
	if _, err := wcat.Train(context.Background(), m, d, rec, wcat.Options{}); err != nil {
		t.Fatal(err)
	}
	return m, d
}

func TestRunDeterministicAcrossWorkers(t *testing.T) {
	m, d := tinyModel(t)
	e, err := NewEngine(m, 16, d, 100)
	if err != nil {
		t.Fatal(err)
	}
	if e.CleanAcc() < 75 {
		t.Fatalf("clean accuracy %v: the synthetic task should be learnable", e.CleanAcc())
	}
	a, err := e.Run(context.Background(), 0.05, Options{Trials: 12, Seed: 3, Key: 9, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.Run(context.Background(), 0.05, Options{Trials: 12, Seed: 3, Key: 9, Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Accs {
		if a.Accs[i] != b.Accs[i] || a.Flips[i] != b.Flips[i] {
			t.Fatalf("trial %d: %v/%d with 1 worker, %v/%d with 4", i, a.Accs[i], a.Flips[i], b.Accs[i], b.Flips[i])
		}
	}
	c, _ := e.Run(context.Background(), 0.05, Options{Trials: 12, Seed: 3, Key: 10})
	if c.Flips[0] == a.Flips[0] && c.Flips[1] == a.Flips[1] && c.Flips[2] == a.Flips[2] {
		t.Fatal("a different point key drew the same faults")
	}
	if !(a.AccMin <= a.AccMean && a.AccMean <= a.AccMax && a.CILow <= a.AccMean && a.AccMean <= a.CIHigh) {
		t.Fatalf("inconsistent summary %+v", a)
	}
}

func TestZeroFlipTrialsReuseClean(t *testing.T) {
	m, d := tinyModel(t)
	e, _ := NewEngine(m, 64, d, 100)
	s, err := e.Run(context.Background(), 1e-15, Options{Trials: 5, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if s.ZeroFlipTrials != 5 || s.AccMean != e.CleanAcc() || s.AccStd != 0 || s.CILow != s.AccMean || s.CIHigh != s.AccMean {
		t.Fatalf("summary %+v, want all trials clean", s)
	}
}

// A trial must score exactly the network whose codes were read back from the
// memory with the drawn bits flipped.
func TestTrialMatchesHandFlippedMemory(t *testing.T) {
	m, d := tinyModel(t)
	const wordBits = 16
	e, _ := NewEngine(m, wordBits, d, 100)
	opt := Options{Trials: 1, Seed: 4, Key: 2}
	s, _ := e.Run(context.Background(), 0.02, opt)

	mem, _ := sram.NewMemory(4, wordBits)
	for _, l := range m.Layers {
		mem.Store(l.Codes)
	}
	flips := sram.SampleFlips(seed.Stream(opt.Seed, opt.Key, 0), mem.Bits(), 0.02, nil)
	if len(flips) != s.Flips[0] || len(flips) == 0 {
		t.Fatalf("%d flips by hand, %d in the trial", len(flips), s.Flips[0])
	}
	for _, b := range flips {
		mem.Flip(b)
	}
	want := memoryAccuracy(m, mem, d)
	if s.Accs[0] != want {
		t.Fatalf("trial accuracy %v, hand-flipped %v", s.Accs[0], want)
	}
}

func TestRunRejects(t *testing.T) {
	m, d := tinyModel(t)
	e, _ := NewEngine(m, 16, d, 100)
	if _, err := e.Run(context.Background(), 0.1, Options{Trials: 0}); err == nil {
		t.Fatal("0 trials accepted")
	}
	if _, err := e.Run(context.Background(), 1.5, Options{Trials: 1}); err == nil {
		t.Fatal("BER 1.5 accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Run(ctx, 0.1, Options{Trials: 3}); err == nil {
		t.Fatal("cancelled context ignored")
	}
}
