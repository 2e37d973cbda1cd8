package wcat

import (
	"context"
	"path/filepath"
	"testing"

	"cosim/dnn"
	"cosim/ecc"
)

// TestThrottle pins the clamp: 8-bit codes, step 1, the first seven weights
// of every group of eight clamped to [−64, 63], the eighth left alone.
func TestThrottle(t *testing.T) {
	w := []float32{100, -100, 63.4, -64.5, 5, 0, -200, 120, 90}
	Throttle(w, 1, 8)
	want := []float32{63, -64, 63, -64, 5, 0, -64, 120, 63}
	for i := range w {
		if w[i] != want[i] {
			t.Fatalf("throttled %v, want %v", w, want)
		}
	}
}

// TestWOTFromTrained fine-tunes a trained 8-bit Normal MLP with WOT, saves
// and reloads it: every range-limited code of the result lies in [−64, 63]
// (while the starting model has codes outside), training stops at the
// starting accuracy, and the reload keeps the codes.
func TestWOTFromTrained(t *testing.T) {
	train, test := mnistSmall(t)
	plain, _ := trainMLP(t, train, Config{Method: Normal, Bits: 8, Grid: GridReference}, 1)
	z, err := ecc.NewLayout(8)
	if err != nil {
		t.Fatal(err)
	}
	outside := func(m *Model) int {
		n := 0
		lo, hi := z.Range()
		for _, l := range m.Layers {
			for i, q := range l.Codes {
				if z.IsConstrained(i) && (q < lo || q > hi) {
					n++
				}
			}
		}
		return n
	}
	if outside(plain) == 0 {
		t.Fatal("the plain 8-bit model has no code outside [−64, 63]: the test would prove nothing")
	}
	base := float64(dnn.Evaluate(plain.Net, test, 500)) / float64(test.Len())
	m, err := New(plain.Net, Config{Method: WOT, Bits: 8, Grid: GridReference})
	if err != nil {
		t.Fatal(err)
	}
	r := MNISTRecipe()
	r.Epochs, r.LR, r.ConstantLR = 1, 1e-4, true
	st, err := Train(context.Background(), m, train, r, Options{StopAcc: 101}) // never reached: one epoch
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 1 || st[0].Epoch != 1 {
		t.Fatalf("epochs %+v, want one", st)
	}
	if n := outside(m); n != 0 {
		t.Fatalf("%d range-limited codes outside [−64, 63] after WOT", n)
	}
	if acc := float64(dnn.Evaluate(m.Net, test, 500)) / float64(test.Len()); acc < base-0.02 {
		t.Fatalf("WOT accuracy %.3f, plain 8-bit %.3f", acc, base)
	}
	path := filepath.Join(t.TempDir(), "wot.ckpt")
	if err := Save(path, m, Info{}); err != nil {
		t.Fatal(err)
	}
	m2, info, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Method != WOT || outside(m2) != 0 {
		t.Fatalf("reloaded: method %s, %d codes outside", info.Method, outside(m2))
	}
	for i, l := range m.Layers {
		for j, q := range l.Codes {
			if m2.Layers[i].Codes[j] != q {
				t.Fatalf("code %s[%d] changed on reload", l.W.Name, j)
			}
		}
	}
	// A starting model that already reaches the target stops before the
	// first epoch, throttled.
	again, _ := New(plain.Net, Config{Method: WOT, Bits: 8, Grid: GridReference})
	r.Epochs = 3
	st, err = Train(context.Background(), again, train, r, Options{StopAcc: 1})
	if err != nil || len(st) != 1 || st[0].Epoch != 0 || !(st[0].ValidAcc >= 1) || outside(again) != 0 {
		t.Fatalf("stop before training: %v, stats %+v, %d codes outside", err, st, outside(again))
	}
	if _, err := New(plain.Net, Config{Method: WOT, Bits: 3, Grid: GridReference}); err == nil {
		t.Fatal("3-bit WOT accepted")
	}
}
