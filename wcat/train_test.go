package wcat

import (
	"bytes"
	"context"
	"math"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"cosim/dnn"
	"cosim/internal/seed"
)

// Two steps of PyTorch's SGD(momentum 0.9, nesterov, weight_decay 0.1) on
// p = 1 with gradient 0.5, lr 0.1, worked by hand:
// step 1: g = 0.5 + 0.1·1 = 0.6; v = 0.6; g' = 0.6 + 0.9·0.6 = 1.14; p = 0.886
// step 2: g = 0.5 + 0.0886 = 0.5886; v = 0.9·0.6 + 0.5886 = 1.1286;
//
//	g' = 0.5886 + 0.9·1.1286 = 1.60434; p = 0.886 − 0.160434 = 0.725566
func TestSGDNesterovMatchesPyTorch(t *testing.T) {
	p := dnn.NewParam("p", dnn.KindWeight, 1)
	p.Data()[0] = 1
	o := &SGD{Momentum: 0.9, Nesterov: true}
	for _, want := range []float64{0.886, 0.725566} {
		p.Grad[0] = 0.5
		o.Step([]*dnn.Param{p}, 0.1, func(*dnn.Param) float64 { return 0.1 })
		if got := float64(p.Data()[0]); math.Abs(got-want) > 1e-6 {
			t.Fatalf("p = %v, want %v", got, want)
		}
	}
}

func TestCosineSchedule(t *testing.T) {
	r := Recipe{LR: 0.1, Epochs: 4}
	for e, want := range []float64{0.1, 0.1 * (1 + math.Sqrt2/2) / 2, 0.05, 0.1 * (1 - math.Sqrt2/2) / 2} {
		if got := r.LRAt(e); math.Abs(got-want) > 1e-12 {
			t.Errorf("lr(%d) = %v, want %v", e, got, want)
		}
	}
}

func mnistSmall(t *testing.T) (train, test *dnn.Dataset) {
	t.Helper()
	tr, te, err := dnn.LoadMNIST("")
	if err != nil {
		t.Skipf("MNIST data not available: %v", err)
	}
	idx := make([]int, 6000)
	for i := range idx {
		idx[i] = i
	}
	return tr.Subset("mnist-train-6k", idx), te.Subset("mnist-test-2k", idx[:2000])
}

func trainMLP(t *testing.T, data *dnn.Dataset, cfg Config, epochs int) (*Model, []EpochStats) {
	t.Helper()
	net := dnn.NewMLP(1, 28, 28, []int{100}, 10, seed.Stream(1))
	m, err := New(net, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := MNISTRecipe()
	r.Epochs = epochs
	st, err := Train(context.Background(), m, data, r, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return m, st
}

func TestTrainReproducibleAcrossThreads(t *testing.T) {
	train, _ := mnistSmall(t)
	cfg := Config{Method: WCAT, Bits: 4, Grid: GridReference, BFN: 0.005}
	prev := runtime.GOMAXPROCS(1)
	a, _ := trainMLP(t, train, cfg, 1)
	runtime.GOMAXPROCS(4)
	b, _ := trainMLP(t, train, cfg, 1)
	runtime.GOMAXPROCS(prev)
	for i, p := range a.State() {
		q := b.State()[i]
		for j := range p.Data() {
			if p.Data()[j] != q.Data()[j] {
				t.Fatalf("%s[%d]: %v vs %v", p.Name, j, p.Data()[j], q.Data()[j])
			}
		}
	}
}

func TestTrainAndCheckpoint(t *testing.T) {
	train, test := mnistSmall(t)
	m, st := trainMLP(t, train, Config{Method: WCAT, Bits: 4, Grid: GridReference}, 2)
	if len(st) != 2 || !(st[1].ValidAcc > 85) {
		t.Fatalf("epochs %+v: a 784-100-10 MLP should pass 85%% after 2 epochs on 5.4k images", st)
	}
	acc := dnn.Evaluate(m.Net, test, 500)
	path := filepath.Join(t.TempDir(), "m.ckpt")
	if err := Save(path, m, Info{Dataset: train.Name, DatasetSHA256: train.Hash()}); err != nil {
		t.Fatal(err)
	}
	m2, info, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Method != WCAT || info.Bits != 4 || info.DatasetSHA256 != train.Hash() {
		t.Fatalf("info %+v", info)
	}
	for i, l := range m.Layers {
		if l.Step != m2.Layers[i].Step {
			t.Fatalf("step of %s changed", l.W.Name)
		}
		for j, q := range l.Codes {
			if m2.Layers[i].Codes[j] != q {
				t.Fatalf("code %s[%d] changed", l.W.Name, j)
			}
		}
	}
	if acc2 := dnn.Evaluate(m2.Net, test, 500); acc2 != acc {
		t.Fatalf("accuracy %d after reload, %d before", acc2, acc)
	}
	if _, _, err := Read(bytes.NewReader([]byte("junk")), "junk.ckpt"); err == nil || !strings.HasPrefix(err.Error(), "junk.ckpt") {
		t.Fatalf("junk accepted or unnamed: %v", err)
	}
}

// Appendix A on the MNIST MLP: the range that minimises the expected
// quantization MSE of the trained weights shrinks as the BER grows.
func TestAppendixAOnMLP(t *testing.T) {
	train, _ := mnistSmall(t)
	m, _ := trainMLP(t, train, Config{Method: Normal, Bits: 4, Grid: GridReference}, 2)
	for _, l := range m.Layers {
		prev := math.Inf(1)
		for _, p := range []float64{0, 1e-3, 1e-2, 5e-2} {
			a := OptimalAlpha(l.W.Data(), 4, GridReference, p)
			if !(a < prev) {
				t.Fatalf("%s: α*(BER %g) = %v, not below %v", l.W.Name, p, a, prev)
			}
			t.Logf("%s: BER %g → α* = %.4f (max|w| %.4f)", l.W.Name, p, a, MaxAbs(l.W.Data()))
			prev = a
		}
	}
}

// A run stopped after an epoch and resumed from its state file ends with
// exactly the weights and statistics of an uninterrupted run.
func TestResumeEqualsUninterrupted(t *testing.T) {
	train, _ := mnistSmall(t)
	cfg := Config{Method: WCAT, Bits: 4, Grid: GridReference, BFN: 0.002}
	rec := MNISTRecipe()
	rec.Epochs = 3
	fresh := func() *Model {
		m, err := New(dnn.NewMLP(1, 28, 28, []int{32}, 10, seed.Stream(1)), cfg)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	a := fresh()
	statsA, err := Train(context.Background(), a, train, rec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "run.state")
	b := fresh()
	ctx, cancel := context.WithCancel(context.Background())
	_, err = Train(ctx, b, train, rec, Options{StatePath: path, Hooks: Hooks{Epoch: func(e EpochStats) {
		if e.Epoch == 1 {
			cancel()
		}
	}}})
	if err == nil {
		t.Fatal("cancelled run returned no error")
	}
	c := fresh() // a new process: nothing but the state file survives
	statsC, err := Train(context.Background(), c, train, rec, Options{StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	if len(statsC) != 3 || statsC[0].TrainLoss != statsA[0].TrainLoss || statsC[2].ValidAcc != statsA[2].ValidAcc {
		t.Fatalf("stats differ:\n%+v\n%+v", statsA, statsC)
	}
	for i, p := range a.State() {
		q := c.State()[i]
		for j := range p.Data() {
			if p.Data()[j] != q.Data()[j] {
				t.Fatalf("%s[%d]: uninterrupted %v, resumed %v", p.Name, j, p.Data()[j], q.Data()[j])
			}
		}
	}
	// A state for another recipe is refused.
	rec2 := rec
	rec2.LR = 0.05
	if _, err := Train(context.Background(), fresh(), train, rec2, Options{StatePath: path}); err == nil || !strings.Contains(err.Error(), "recipe") {
		t.Fatalf("mismatched recipe: %v", err)
	}
}
