package attack_test

import (
	"context"
	"fmt"

	"cosim/attack"
	"cosim/dnn"
	"cosim/internal/seed"
	"cosim/wcat"
)

// Attack a small 4-bit network with the WCAT authors' BFA until its
// accuracy is at most the threshold, and read N_flip.
func Example() {
	r := seed.Stream(1)
	m, _ := wcat.New(dnn.NewMLP(1, 4, 4, []int{16}, 2, r), wcat.Config{Method: wcat.WCAT, Bits: 4, Grid: wcat.GridReference})
	m.InitRanges(wcat.InitMaxAbs, 0)
	// 200 random images, each labelled with the untrained network's own
	// answer, so that it starts at 100%.
	d := &dnn.Dataset{Name: "toy", C: 1, H: 4, W: 4, Classes: 2, Mean: []float32{0.5}, Std: []float32{0.25}}
	for range 200 {
		for range 16 {
			d.Pixels = append(d.Pixels, uint8(r.IntN(256)))
		}
		d.Labels = append(d.Labels, 0)
	}
	m.Quantize(nil)
	for i := range d.Labels {
		x, _ := d.Batch([]int{i}, nil, nil, nil)
		if out := m.Net.Forward(x, 1, false); out[1] > out[0] {
			d.Labels[i] = 1
		}
	}
	s, _ := attack.Preset("wcat", d.Classes) // stop at 100/2 + 1/2 = 50.5%
	s.Batch = 32
	a, _ := attack.New(attack.BFA, s, attack.Target{Name: "toy", Model: m, Test: d})
	tr, _ := a.Run(context.Background(), 0, attack.Options{Seed: 7})
	fmt.Printf("clean %.0f%%, reached %v: accuracy %.1f%% ≤ %.1f%% after N_flip = %d bits\n", tr.CleanPct, tr.Reached, tr.FinalPct, s.ThresholdPct, tr.NFlip)
	f := tr.Flips[0]
	fmt.Printf("first flip: %s[%d] bit %d, code %d → %d\n", f.Name, f.Index, f.Bit, f.Before, f.After)
	// Output:
	// clean 100%, reached true: accuracy 40.5% ≤ 50.5% after N_flip = 8 bits
	// first flip: fc2.weight[6] bit 3, code -3 → 5

}
