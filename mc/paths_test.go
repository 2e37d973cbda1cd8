package mc

import (
	"context"
	"reflect"
	"testing"

	"cosim/dnn"
	"cosim/dnn/kernels"
	"cosim/internal/seed"
	"cosim/wcat"
)

// TestSummariesIdenticalOnEveryKernelPath runs the same Monte Carlo on a
// 4-bit ResNet-8 on every kernel path this CPU supports: the summaries
// (every trial's accuracy and flip count) must be identical.
func TestSummariesIdenticalOnEveryKernelPath(t *testing.T) {
	prev := kernels.Impl()
	defer kernels.Use(prev)
	q, err := wcat.New(dnn.NewResNetCIFAR(8, 10, seed.Stream(5)), wcat.Config{Method: wcat.WCAT, Bits: 4, Grid: wcat.GridReference})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.InitRanges(wcat.InitMaxAbs, 0); err != nil {
		t.Fatal(err)
	}
	r := seed.Stream(6)
	const n = 48
	d := &dnn.Dataset{Name: "random", C: 3, H: 32, W: 32, Classes: 10,
		Mean: []float32{0.5, 0.5, 0.5}, Std: []float32{0.25, 0.25, 0.25},
		Pixels: make([]uint8, n*3*32*32), Labels: make([]uint8, n)}
	for i := range d.Pixels {
		d.Pixels[i] = uint8(r.IntN(256))
	}
	// Label every image with the clean network's prediction, so that the
	// faults move the accuracy.
	q.Quantize(nil)
	inf, err := dnn.Compile(q.Net)
	if err != nil {
		t.Fatal(err)
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	x, _ := d.Batch(idx, nil, nil, nil)
	logits := inf.Forward(x, n)
	for i := range d.Labels {
		best := 0
		for c, v := range logits[i*10 : i*10+10] {
			if v > logits[i*10+best] {
				best = c
			}
		}
		d.Labels[i] = uint8(best)
	}
	var want *Summary
	for _, name := range kernels.Available() {
		if err := kernels.Use(name); err != nil {
			t.Fatal(err)
		}
		e, err := NewEngine(q, 16, d, 16)
		if err != nil {
			t.Fatal(err)
		}
		s, err := e.Run(context.Background(), 3e-3, Options{Protocol: ProtocolReference, Trials: 4, Seed: 7, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want = &s
			t.Logf("%s: clean %.2f%%, trial accuracies %v, flips %v", name, s.CleanAcc, s.Accs, s.Flips)
			continue
		}
		if !reflect.DeepEqual(s, *want) {
			t.Fatalf("%s: summary %+v differs from %s's %+v", name, s, kernels.Available()[0], *want)
		}
	}
}
