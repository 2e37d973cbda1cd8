package eyeriss

import (
	"reflect"
	"sync"
	"testing"

	"cosim/accel"
	"cosim/internal/seed"
	"cosim/workload"
)

// TestSearchBeatsSampledMappings draws random legal mappings (any e, n and
// m, not just the balanced and largest ones the search enumerates) and
// checks that the search's result is at least as good under each
// objective: the pruning of the search space loses nothing.
func TestSearchBeatsSampledMappings(t *testing.T) {
	rng := seed.Stream(4, 2)
	for _, spec := range []string{"mini", "eyeriss", "eyeriss-onchip"} {
		for _, o := range []Objective{MinEnergy, MinDelay, MinEDP} {
			var m *Model
			if spec == "mini" {
				m = miniModel(t, o)
			} else {
				m = builtinModel(t, spec, o)
			}
			checked := 0
			for trial := 0; trial < 400 && checked < 80; trial++ {
				r := []int{1, 3, 3, 5}[rng.IntN(4)]
				hw := r + rng.IntN(12)
				l := workload.Conv("x", 1+rng.IntN(4), 1+rng.IntN(24), hw, hw, 1+rng.IntN(24), r, r, 1+rng.IntN(2), rng.IntN(r/2+1), 8)
				if l.Validate() != nil {
					continue
				}
				best, err := m.Search(l)
				if err != nil {
					continue // nothing fits (e.g. the mini glb)
				}
				for s := 0; s < 30; s++ {
					mp := Mapping{N: 1 + rng.IntN(l.N), E: 1 + rng.IntN(l.P), P: 1 + rng.IntN(min(l.K, 6)), Q: 1 + rng.IntN(min(l.C, 6)),
						R: 1 + rng.IntN(3), T: 1 + rng.IntN(3)}
					mp.M = l.K
					if g := mp.P * mp.T; g < l.K && rng.IntN(2) == 0 {
						mp.M = g * (1 + rng.IntN(l.K/g))
					}
					res, err := m.Evaluate(l, mp)
					if err != nil {
						continue
					}
					checked++
					if beats(o, res, best) {
						t.Fatalf("%s, %v: %+v: %v (%.6g pJ, %d cycles) beats the search's %v (%.6g pJ, %d cycles)",
							spec, o, l, mp, res.EnergyPJ, res.Cycles, best.Mapping, best.EnergyPJ, best.Cycles)
					}
				}
			}
			if checked < 80 {
				t.Errorf("%s %v: only %d legal sampled mappings", spec, o, checked)
			}
		}
	}
}

// beats reports whether a is better than b under o by more than rounding.
func beats(o Objective, a, b Result) bool {
	less := func(x, y float64) bool { return x < y*(1-1e-9) }
	same := func(x, y float64) bool { return !less(x, y) && !less(y, x) }
	switch o {
	case MinDelay:
		return a.Cycles < b.Cycles || (a.Cycles == b.Cycles && less(a.EnergyPJ, b.EnergyPJ))
	case MinEDP:
		ea, eb := a.EnergyPJ*float64(a.Cycles), b.EnergyPJ*float64(b.Cycles)
		return less(ea, eb) || (same(ea, eb) && less(a.EnergyPJ, b.EnergyPJ))
	}
	return less(a.EnergyPJ, b.EnergyPJ) || (same(a.EnergyPJ, b.EnergyPJ) && a.Cycles < b.Cycles)
}

// TestSearchDeterministic maps ResNet-20 twice, concurrently, and checks
// the results are identical.
func TestSearchDeterministic(t *testing.T) {
	m := builtinModel(t, "eyeriss-onchip", MinEnergy)
	w, err := workload.BuiltinWorkload("resnet20", 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	res := make([][]Result, 2)
	for g := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, l := range w.Layers {
				r, err := m.Search(l)
				if err != nil {
					t.Error(err)
					return
				}
				res[g] = append(res[g], r)
			}
		}()
	}
	wg.Wait()
	if !reflect.DeepEqual(res[0], res[1]) {
		t.Error("two searches of ResNet-20 differ")
	}
}

func TestSearchNothingFits(t *testing.T) {
	m := miniModel(t, MinEnergy)
	// 40×40 ifmap rows: even one row chunk of one channel (2·1·3·40 words)
	// plus one psum row (1·40) leaves no room in the 256-word glb.
	l := workload.Conv("wide", 1, 1, 40, 40, 1, 3, 3, 1, 1, 8)
	if _, err := m.Search(l); err == nil || err.Error() != `eyeriss: layer "wide": no legal row-stationary mapping on mini` {
		t.Errorf("got %v", err)
	}
}

// BenchmarkPriceResNet56 maps and prices a whole CIFAR ResNet-56 (57 conv
// and fc layers, batch 1, 4-bit weights) on eyeriss-onchip.
func BenchmarkPriceResNet56(b *testing.B) {
	m := builtinModel(b, "eyeriss-onchip", MinEnergy)
	w, err := workload.BuiltinWorkload("resnet56", 1, 4)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := accel.Price(m, w); err != nil {
			b.Fatal(err)
		}
	}
}
