package attack

import (
	"context"
	"math"
	"reflect"
	"slices"
	"sync"
	"testing"

	"cosim/dnn"
	"cosim/internal/seed"
	"cosim/sram"
	"cosim/wcat"
)

// Need and Decide: worked examples.
func TestNeed(t *testing.T) {
	for _, c := range []struct {
		pct     float64
		n       int
		orEqual bool
		want    int
	}{
		{10.1, 9936, false, 1004},  // CIFAR-10 BFA: 1003 correct is 10.095%, 1004 is 10.105%
		{10.1, 10000, false, 1011}, // 1010 is exactly 10.1%: not above
		{11, 10000, false, 1101},
		{99.9, 968, true, 968},
		{99.9, 1000, true, 999},
		{0, 5, false, 1},
		{100, 5, true, 5},
	} {
		if got := Need(c.pct, c.n, c.orEqual); got != c.want {
			t.Errorf("Need(%v, %d, %v) = %d, want %d", c.pct, c.n, c.orEqual, got, c.want)
		}
	}
}

// The early-stopped decision equals the full count's on random outcome
// sequences, for every need around the count; it stops no later than the
// full scan and, when it says "not above" with finishFalse, scores all.
func TestDecideEarlyEqualsFull(t *testing.T) {
	r := seed.Stream(4)
	for trial := range 300 {
		n := 1 + r.IntN(700)
		p := r.Float64()
		ok := make([]bool, n)
		total := 0
		for i := range ok {
			ok[i] = r.Float64() < p
			if ok[i] {
				total++
			}
		}
		score := func(lo, hi int) int {
			c := 0
			for _, v := range ok[lo:hi] {
				if v {
					c++
				}
			}
			return c
		}
		chunk, quantum := 1+r.IntN(64), 1+r.IntN(8)
		for _, need := range []int{0, 1, total - 1, total, total + 1, n, n + 1, r.IntN(n + 2)} {
			if need < 0 {
				continue
			}
			full, fc, fs := Decide(n, need, chunk, quantum, false, false, score)
			if full != (total >= need) || fc != total || fs != n {
				t.Fatalf("trial %d: full scan (%v, %d, %d), want (%v, %d, %d)", trial, full, fc, fs, total >= need, total, n)
			}
			for _, finish := range []bool{false, true} {
				early, _, es := Decide(n, need, chunk, quantum, true, finish, score)
				if early != full {
					t.Fatalf("trial %d n %d need %d chunk %d: early %v, full %v", trial, n, need, chunk, early, full)
				}
				if !early && finish && es != n {
					t.Fatalf("finishFalse scored %d of %d", es, n)
				}
				// A true answer scores no more than the need-th correct
				// item, every wrong one and less than a quantum more.
				if early && need > 0 && es > need+(n-total)+quantum-1 {
					t.Fatalf("trial %d: early true after %d items, need %d", trial, es, need)
				}
			}
		}
	}
}

// tinyMLP is an untrained 16-8-3 WCAT MLP whose weights lie inside a small
// range α, so that a bit flip moves a weight by at most α: the loss is
// nearly linear over a flip.
func tinyMLP(t *testing.T, alpha float32) (*wcat.Model, *dnn.Dataset) {
	t.Helper()
	r := seed.Stream(9)
	m, err := wcat.New(dnn.NewMLP(1, 4, 4, []int{8}, 3, r), wcat.Config{Method: wcat.WCAT, Bits: 4, Grid: wcat.GridReference})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range m.Layers {
		w := l.W.Data()
		mx := wcat.MaxAbs(w)
		for i := range w {
			w[i] *= alpha / mx
		}
		l.Q.Data()[0] = alpha
	}
	d := &dnn.Dataset{Name: "random", C: 1, H: 4, W: 4, Classes: 3, Mean: []float32{0.5}, Std: []float32{0.25}}
	for i := range 40 {
		for range 16 {
			d.Pixels = append(d.Pixels, uint8(r.IntN(256)))
		}
		d.Labels = append(d.Labels, uint8(i%3))
	}
	return m, d
}

// The bit scores are first-order loss changes: s·|G| against the loss
// change measured with the flip in place, for the best candidates of every
// layer, and a kept candidate raises the loss.
func TestBitScoresMatchFiniteDifferences(t *testing.T) {
	m, d := tinyMLP(t, 2e-3)
	s, _ := Preset("wcat", 3)
	s.Batch = 16
	a, err := New(BFA, s, Target{Name: "tiny", Model: m, Test: d})
	if err != nil {
		t.Fatal(err)
	}
	st := a.newState(seed.Stream(1))
	idx := make([]int, 16)
	labels := make([]uint8, 16)
	for i := range idx {
		idx[i], labels[i] = i, d.Labels[i]
	}
	st.setAttack(d, idx, labels)
	st.gradient()
	l0 := st.loss(st.inf.Record(&st.pre, st.x, len(idx)))
	checked := 0
	for l := range m.Layers {
		r := st.rank(l)
		step := float64(m.Layers[l].Step)
		for _, e := range r.order[:6] {
			if r.score[e] == 0 {
				continue
			}
			k := len(r.top)
			w, bit := r.top[e%k], 3-e/k
			q := st.codes[l][w]
			ch := []change{{index: w, before: q, to: sram.FlipBit(q, bit, 4), bits: []int{bit}}}
			got := st.try(l, ch) - l0
			want := step * r.score[e]
			if math.Abs(got-want) > 0.05*want+1e-7 {
				t.Errorf("layer %d weight %d bit %d: loss change %.4g, first-order score %.4g", l, w, bit, got, want)
			}
			checked++
		}
	}
	if checked < 6 {
		t.Fatalf("only %d candidates checked", checked)
	}
	if got := st.loss(st.inf.Forward(st.x, len(idx))); got != l0 {
		t.Fatalf("try did not restore the engine: loss %v, was %v", got, l0)
	}
}

var (
	mnistOnce           sync.Once
	mnistModel          *wcat.Model
	mnistTest, mnistTrn *dnn.Dataset
	mnistErr            error
)

// mnistMLP is a 4-bit WCAT MLP trained for one epoch on 6,000 MNIST
// images, with 1,000 test images (shared by the tests).
func mnistMLP(t *testing.T) (*wcat.Model, *dnn.Dataset, *dnn.Dataset) {
	t.Helper()
	mnistOnce.Do(func() {
		tr, te, err := dnn.LoadMNIST("")
		if err != nil {
			mnistErr = err
			return
		}
		idx := make([]int, 6000)
		for i := range idx {
			idx[i] = i
		}
		mnistTrn, mnistTest = tr.Subset("mnist-train-6k", idx), te.Subset("mnist-test-1k", idx[:1000])
		mnistModel, mnistErr = wcat.New(dnn.NewMLP(1, 28, 28, []int{100}, 10, seed.Stream(1)), wcat.Config{Method: wcat.WCAT, Bits: 4, Grid: wcat.GridReference})
		if mnistErr != nil {
			return
		}
		r := wcat.MNISTRecipe()
		r.Epochs = 1
		_, mnistErr = wcat.Train(context.Background(), mnistModel, mnistTrn, r, wcat.Options{})
	})
	if mnistErr != nil {
		t.Skipf("MNIST model not available: %v", mnistErr)
	}
	return mnistModel, mnistTrn, mnistTest
}

func runTrial(t *testing.T, k Kind, s Settings, tg Target, trial int, opt Options) Trial {
	t.Helper()
	a, err := New(k, s, tg)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := a.Run(context.Background(), trial, opt)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// The early-stopped check gives the same flips and N_flip as scoring the
// whole evaluation set after every flip, and the same final accuracy; the
// results do not depend on the number of threads; every recorded flip is a
// flip of the fault memory's bit at the same place.
func TestBFAEarlyStopThreadsAndMemory(t *testing.T) {
	m, train, test := mnistMLP(t)
	tg := Target{Name: "mlp", Model: m, Test: test, Train: train}
	s, _ := Preset("wcat", 10)
	// MNIST is not balanced (11% of the test images are ones), so a network
	// that answers one class everywhere can stay above 10.1%: stop at 30%.
	s.ThresholdPct, s.MaxFlips = 30, 300
	early := runTrial(t, BFA, s, tg, 0, Options{Seed: 3, Threads: 1})
	if !early.Reached || early.NFlip < 1 || early.FinalPct > s.ThresholdPct || early.CleanPct < 80 {
		t.Fatalf("attack did not reach %.1f%%: %+v", s.ThresholdPct, early)
	}
	full := s
	full.FullCheck = true
	exact := runTrial(t, BFA, full, tg, 0, Options{Seed: 3, Threads: 1})
	if exact.NFlip != early.NFlip || exact.FinalPct != early.FinalPct || exact.CleanPct != early.CleanPct || len(exact.Flips) != len(early.Flips) {
		t.Fatalf("full check: N_flip %d final %.2f%%, early-stopped: N_flip %d final %.2f%%", exact.NFlip, exact.FinalPct, early.NFlip, early.FinalPct)
	}
	saved := 0
	for i, f := range early.Flips {
		g := exact.Flips[i]
		if f.Layer != g.Layer || f.Index != g.Index || f.Bit != g.Bit || f.Loss != g.Loss {
			t.Fatalf("flip %d differs: early %+v, full %+v", i, f, g)
		}
		if g.Scored != test.Len()-s.Batch {
			t.Fatalf("full check scored %d images", g.Scored)
		}
		saved += g.Scored - f.Scored
	}
	if saved <= 0 {
		t.Errorf("early stopping scored no fewer images")
	}
	if two := runTrial(t, BFA, s, tg, 0, Options{Seed: 3, Threads: 2}); !reflect.DeepEqual(two, early) {
		t.Fatalf("2 threads differ from 1:\n%+v\n%+v", two, early)
	}
	// The flips act on the stored codes as the fault memory does.
	mem, _ := sram.NewMemory(4, 64)
	for _, l := range m.Layers {
		mem.Store(l.Codes)
	}
	for _, f := range early.Flips {
		codes := mem.Load(f.Layer, nil)
		if codes[f.Index] != f.Before {
			t.Fatalf("flip %d: memory holds %d, the attack saw %d", f.N, codes[f.Index], f.Before)
		}
		mem.Flip(mem.Addr(f.Layer, f.Index, f.Bit))
		if got := mem.Load(f.Layer, nil)[f.Index]; got != f.After {
			t.Fatalf("flip %d: memory gives %d, the attack %d", f.N, got, f.After)
		}
	}
	// Another trial draws another attack batch.
	if other := runTrial(t, BFA, s, tg, 1, Options{Seed: 3}); reflect.DeepEqual(other.Flips, early.Flips) {
		t.Error("trials 0 and 1 flipped the same bits")
	}
}

// Rakin's settings: training images labelled by the model, 20 iterations.
func TestBFARakinPreset(t *testing.T) {
	m, train, test := mnistMLP(t)
	s, _ := Preset("rakin", 10)
	s.MaxIters = 3
	tr := runTrial(t, BFA, s, Target{Name: "mlp", Model: m, Test: test, Train: train}, 0, Options{Seed: 1})
	if tr.Iters > 3 || tr.NFlip < tr.Iters || len(tr.Flips) != tr.NFlip {
		t.Fatalf("%d iterations, %d flips", tr.Iters, tr.NFlip)
	}
}

// T-BFA with the preset's goal (99.9%) on the tiny MLP reaches it: every
// held-out image of the source class is predicted as the target. OnFlip
// sees every recorded flip, in order.
func TestTBFAReachesPresetGoal(t *testing.T) {
	m, d := tinyMLP(t, 0.5)
	s, _ := Preset("tbfa", 3)
	s.Source, s.Target, s.Batch = 0, 2, 16
	var seen []Flip
	tr := runTrial(t, TBFA, s, Target{Name: "tiny", Model: m, Test: d}, 0, Options{Seed: 5, OnFlip: func(f Flip) { seen = append(seen, f) }})
	if !tr.Reached || tr.FinalPct < s.GoalPct || tr.CleanPct >= s.GoalPct {
		t.Fatalf("T-BFA: reached %v, success %.2f%% → %.2f%% after %d flips", tr.Reached, tr.CleanPct, tr.FinalPct, tr.NFlip)
	}
	if !slices.Equal(seen, tr.Flips) {
		t.Fatalf("OnFlip saw %d flips, the trial recorded %d", len(seen), len(tr.Flips))
	}
}

// T-BFA on the MNIST MLP (the whole test set, 128 attack images) reaches a
// 99% success rate on the held-out images of the source class. (The
// preset's 99.9% asks for all of its ~960 held-out images; there the
// success rate levels off at 99.3–99.8% within 1000 flips, for 7→1, 4→9
// and 128–1024 attack images: the last few images are not in the attack
// batch and the search stops moving them.)
func TestTBFAReachesTarget(t *testing.T) {
	m, _, _ := mnistMLP(t)
	_, test, err := dnn.LoadMNIST("")
	if err != nil {
		t.Skip(err)
	}
	s, _ := Preset("tbfa", 10)
	s.Source, s.Target, s.Batch, s.GoalPct = 7, 1, 128, 99
	tr := runTrial(t, TBFA, s, Target{Name: "mlp", Model: m, Test: test}, 0, Options{Seed: 5})
	if !tr.Reached || tr.FinalPct < 99 || tr.NFlip > s.MaxFlips {
		t.Fatalf("T-BFA: reached %v, success %.2f%% after %d flips", tr.Reached, tr.FinalPct, tr.NFlip)
	}
	if tr.CleanPct > 5 || tr.OtherCleanPct < 80 {
		t.Fatalf("clean success %.2f%%, other classes %.2f%%", tr.CleanPct, tr.OtherCleanPct)
	}
	t.Logf("T-BFA 7→1: %d flips, success %.1f%%, other classes %.1f%% → %.1f%%", tr.NFlip, tr.FinalPct, tr.OtherCleanPct, tr.OtherPct)
}
