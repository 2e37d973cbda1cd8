package mc

import (
	"context"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat"

	"cosim/dnn"
	"cosim/internal/seed"
	"cosim/sram"
	"cosim/wcat"
)

// TestRunChipsDeterministicAcrossWorkers: every chip's accuracies and error
// counts are the same for any number of workers, for both chip models, and
// a chip's errors grow with the bit error rate (its failing sets nest).
func TestRunChipsDeterministicAcrossWorkers(t *testing.T) {
	m, d := tinyModel(t)
	e, err := NewEngine(m, 14, d, 100) // 14-bit words: padding bits too
	if err != nil {
		t.Fatal(err)
	}
	bers := []float64{0.05, 1e-4, 0.02, 0.005}
	for _, f := range []Faults{FaultsChip, FaultsChipStuck} {
		opt := Options{Trials: 9, Seed: 3, Key: 7, Subset: 150}
		var runs [][]Summary
		for _, workers := range []int{1, 4} {
			opt.Workers = workers
			s, err := e.RunChips(context.Background(), bers, f, opt)
			if err != nil {
				t.Fatal(err)
			}
			runs = append(runs, s)
		}
		for i := range bers {
			a, b := runs[0][i], runs[1][i]
			if !slices.Equal(a.Accs, b.Accs) || !slices.Equal(a.Flips, b.Flips) || a.BER != bers[i] || a.Trials != 9 {
				t.Fatalf("%s, BER %g: 1 worker %v/%v, 4 workers %v/%v", f, bers[i], a.Accs, a.Flips, b.Accs, b.Flips)
			}
		}
		// Chips 0–3 and 4–8 run apart (as shards) are chips 0–8.
		lo, loFlips, err := e.RunChipsRange(context.Background(), bers, f, opt, 0, 4)
		if err != nil {
			t.Fatal(err)
		}
		hi, hiFlips, err := e.RunChipsRange(context.Background(), bers, f, opt, 4, 9)
		if err != nil {
			t.Fatal(err)
		}
		for i := range bers {
			if !slices.Equal(append(lo[i], hi[i]...), runs[0][i].Accs) || !slices.Equal(append(loFlips[i], hiFlips[i]...), runs[0][i].Flips) {
				t.Fatalf("%s, BER %g: chip ranges %v + %v, whole %v", f, bers[i], lo[i], hi[i], runs[0][i].Accs)
			}
		}
		byRate := []int{1, 3, 2, 0} // bers ascending
		for c := range 9 {
			for k := 1; k < len(byRate); k++ {
				if lo, hi := runs[0][byRate[k-1]].Flips[c], runs[0][byRate[k]].Flips[c]; lo > hi {
					t.Errorf("%s chip %d: %d errors at BER %g but %d at the higher %g", f, c, lo, bers[byRate[k-1]], hi, bers[byRate[k]])
				}
			}
			if n := runs[0][1].Flips[c]; n == 0 && runs[0][1].Accs[c] != e.CleanAcc() {
				t.Errorf("%s chip %d: no error at BER 1e-4 but accuracy %v ≠ clean %v", f, c, runs[0][1].Accs[c], e.CleanAcc())
			}
		}
	}
}

// TestRunChipsMatchesHandBuiltChip: chip c at each rate scores exactly the
// network read back from a memory whose failing cells (drawn by hand from
// the chip's stream) were flipped, or set to their stuck values.
func TestRunChipsMatchesHandBuiltChip(t *testing.T) {
	m, d := tinyModel(t)
	const wordBits = 14
	e, _ := NewEngine(m, wordBits, d, 100)
	bers := []float64{0.03, 0.01}
	opt := Options{Trials: 3, Seed: 5, Key: 11, Protocol: ProtocolReference}
	for _, f := range []Faults{FaultsChip, FaultsChipStuck} {
		s, err := e.RunChips(context.Background(), bers, f, opt)
		if err != nil {
			t.Fatal(err)
		}
		for c := range opt.Trials {
			for i, p := range bers {
				mem, _ := sram.NewMemory(4, wordBits)
				for _, l := range m.Layers {
					mem.Store(l.Codes)
				}
				chip := sram.NewChip(seed.Stream(opt.Seed, opt.Key, uint64(c)), mem.Bits(), 0.03)
				errors := 0
				for _, j := range chip.Failing(p, nil) {
					a := chip.Bits[j]
					one := false // the stored bit; padding stores 0
					if seg, k, bit, ok := mem.Locate(a); ok {
						one = sram.Encode(mem.Load(seg, nil)[k], 4)>>bit&1 == 1
					}
					if f == FaultsChip || one != chip.Stuck[j] {
						mem.Flip(a)
						errors++
					}
				}
				want := memoryAccuracy(m, mem, d)
				if errors == 0 {
					want = e.CleanAcc()
				}
				if s[i].Accs[c] != want || s[i].Flips[c] != errors {
					t.Errorf("%s chip %d at BER %g: %v%% with %d errors, by hand %v%% with %d", f, c, p, s[i].Accs[c], s[i].Flips[c], want, errors)
				}
			}
		}
	}
}

func TestRunChipsRejects(t *testing.T) {
	m, d := tinyModel(t)
	e, _ := NewEngine(m, 16, d, 100)
	ctx := context.Background()
	for name, run := range map[string]func() error{
		"iid faults": func() error { _, err := e.RunChips(ctx, []float64{0.1}, FaultsIID, Options{Trials: 2}); return err },
		"no rates":   func() error { _, err := e.RunChips(ctx, nil, FaultsChip, Options{Trials: 2}); return err },
		"adaptive stop": func() error {
			_, err := e.RunChips(ctx, []float64{0.1}, FaultsChip, Options{Trials: 2, CIHalfWidth: 1})
			return err
		},
		"BER above one": func() error { _, err := e.RunChips(ctx, []float64{0.1, 2}, FaultsChip, Options{Trials: 2}); return err },
		"zero chips":    func() error { _, err := e.RunChips(ctx, []float64{0.1}, FaultsChip, Options{}); return err },
		"bad range": func() error {
			_, _, err := e.RunChipsRange(ctx, []float64{0.1}, FaultsChip, Options{Trials: 3}, 2, 4)
			return err
		},
		"unknown faults": func() error { _, err := ParseFaults("weak"); return err },
	} {
		if run() == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if f, err := ParseFaults(""); f != FaultsIID || err != nil {
		t.Errorf(`ParseFaults("") = %q, %v; want iid`, f, err)
	}
}

// memoryAccuracy is the accuracy (percent) on d of m's network with the
// weights read back from mem and dequantized with each layer's step.
func memoryAccuracy(m *wcat.Model, mem *sram.Memory, d *dnn.Dataset) float64 {
	net := m.Net.Clone()
	for i, p := range m.LayerParams(net) {
		codes := mem.Load(i, nil)
		eff := make([]float32, len(codes))
		wcat.Dequantize(codes, m.Layers[i].Step, eff)
		p.SetEffective(eff)
	}
	return 100 * float64(dnn.Evaluate(net, d, 100)) / float64(d.Len())
}

// TestRunChipsMarginalMatchesRun: at every rate, the error counts of chips
// are distributed as those of Run's i.i.d. trials (two-sample
// Kolmogorov–Smirnov over 400 chips and 400 trials; the critical value at
// α = 0.001 is 1.95·√(2/400)).
func TestRunChipsMarginalMatchesRun(t *testing.T) {
	m, d := tinyModel(t)
	e, _ := NewEngine(m, 14, d, 100)
	bers := []float64{0.002, 0.01, 0.05}
	opt := Options{Trials: 400, Seed: 8, Key: 1, Subset: 20}
	chips, err := e.RunChips(context.Background(), bers, FaultsChip, opt)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range bers {
		iid, err := e.Run(context.Background(), p, Options{Trials: 400, Seed: 8, Key: 2, Subset: 20})
		if err != nil {
			t.Fatal(err)
		}
		x, y := toFloats(chips[i].Flips), toFloats(iid.Flips)
		slices.Sort(x)
		slices.Sort(y)
		if ks := stat.KolmogorovSmirnov(x, nil, y, nil); ks > 1.95*math.Sqrt(2.0/400) {
			t.Errorf("BER %g: KS distance %.3f between chip and i.i.d. error counts (mean %.1f vs %.1f)", p, ks, stat.Mean(x, nil), stat.Mean(y, nil))
		}
	}
}

func toFloats(xs []int) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x)
	}
	return out
}
