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

// smallResNet is an untrained ResNet-8 with WCAT ranges and the downsample
// convolutions left unquantized, on 40 random CIFAR-shaped images: enough
// to exercise the compiled engine's tensor mapping.
func smallResNet(t testing.TB) (*wcat.Model, *dnn.Dataset) {
	t.Helper()
	r := seed.Stream(5)
	net := dnn.NewResNetCIFAR(8, 10, r)
	m, err := wcat.New(net, wcat.Config{Method: wcat.WCAT, Bits: 4, Grid: wcat.GridReference, SkipDownsample: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.InitRanges(wcat.InitMaxAbs, 0); err != nil {
		t.Fatal(err)
	}
	d := &dnn.Dataset{Name: "random", C: 3, H: 32, W: 32, Classes: 10,
		Mean: []float32{0.5, 0.5, 0.5}, Std: []float32{0.25, 0.25, 0.25}}
	for i := 0; i < 40; i++ {
		for range 3 * 32 * 32 {
			d.Pixels = append(d.Pixels, uint8(r.IntN(256)))
		}
		d.Labels = append(d.Labels, uint8(i%10))
	}
	return m, d
}

// TestSparseInstallMatchesMemory checks that the fast path's faulty weights
// are bit for bit those of the slow path (whole memory cloned, flipped,
// loaded and dequantized), over consecutive trials on one worker (so Reset
// must undo the previous trial), for word widths with and without padding.
func TestSparseInstallMatchesMemory(t *testing.T) {
	mlp, mlpData := tinyModel(t)
	res, resData := smallResNet(t)
	for _, tc := range []struct {
		name string
		m    *wcat.Model
		d    *dnn.Dataset
	}{{"mlp", mlp, mlpData}, {"resnet8", res, resData}} {
		for _, wordBits := range []int{16, 14} {
			fast, err := NewEngine(tc.m, wordBits, tc.d, 0)
			if err != nil {
				t.Fatal(err)
			}
			slow, err := NewEngineWith(tc.m, wordBits, tc.d, EngineOptions{ModelForward: true})
			if err != nil {
				t.Fatal(err)
			}
			if !fast.Compiled() || slow.Compiled() {
				t.Fatalf("%s: compiled %v/%v, want fast and slow", tc.name, fast.Compiled(), slow.Compiled())
			}
			fw, sw := fast.newWorker(), slow.newWorker()
			for trial := range 4 {
				flips := sram.SampleFlips(seed.Stream(7, uint64(trial)), fast.MemoryBits(), 0.03, nil)
				fast.install(fw, flips)
				slow.install(sw, flips)
				changed := 0
				for i, l := range tc.m.Layers {
					ti := fast.tensor[i]
					for j, v := range sw.eff[i] {
						got := fw.inf.Weight(ti, j)
						if math.Float32bits(got) != math.Float32bits(v) {
							t.Fatalf("%s, %d-bit words, trial %d: %s[%d] = %v, slow path %v", tc.name, wordBits, trial, l.W.Name, j, got, v)
						}
						if v != l.Step*float32(l.Codes[j]) {
							changed++
						}
					}
				}
				if changed == 0 {
					t.Fatalf("%s trial %d: no weight changed by %d flips", tc.name, trial, len(flips))
				}
			}
		}
	}
}

// TestFastPathAgreesWithModelForward runs the same trials both ways: the
// weights are identical (above), so accuracies may differ only where the
// compiled engine's different rounding moves an image across a tie.
func TestFastPathAgreesWithModelForward(t *testing.T) {
	m, d := tinyModel(t)
	fast, _ := NewEngine(m, 16, d, 0)
	slow, _ := NewEngineWith(m, 16, d, EngineOptions{ModelForward: true})
	if math.Abs(fast.CleanAcc()-slow.CleanAcc()) > 0.5 {
		t.Fatalf("clean accuracy %v fast, %v slow", fast.CleanAcc(), slow.CleanAcc())
	}
	for _, proto := range []Protocol{ProtocolReference, ProtocolSubset} {
		opt := Options{Protocol: proto, Trials: 20, Subset: 100, Seed: 4, Key: 2}
		a, err := fast.Run(context.Background(), 0.05, opt)
		if err != nil {
			t.Fatal(err)
		}
		b, err := slow.Run(context.Background(), 0.05, opt)
		if err != nil {
			t.Fatal(err)
		}
		for i := range a.Accs {
			if a.Flips[i] != b.Flips[i] || math.Abs(a.Accs[i]-b.Accs[i]) > 1 {
				t.Fatalf("%s trial %d: %v%% (%d flips) fast, %v%% (%d flips) slow", proto, i, a.Accs[i], a.Flips[i], b.Accs[i], b.Flips[i])
			}
		}
		if math.Abs(a.AccMean-b.AccMean) > 0.25 {
			t.Fatalf("%s: mean %v fast, %v slow", proto, a.AccMean, b.AccMean)
		}
	}
}
