package mc

import (
	"math"
	"strings"
	"testing"

	"cosim/dnn"
	"cosim/ecc"
	"cosim/internal/seed"
	"cosim/sram"
	"cosim/wcat"
)

// wotResNet is smallResNet's network quantized by WOT (8-bit codes, the
// zero-space layout's range-limited slots throttled).
func wotResNet(t testing.TB, bits int) *wcat.Model {
	t.Helper()
	m, err := wcat.New(dnn.NewResNetCIFAR(8, 10, seed.Stream(5)), wcat.Config{Method: wcat.WOT, Bits: bits, Grid: wcat.GridReference, SkipDownsample: true})
	if err != nil {
		t.Fatal(err)
	}
	m.Quantize(nil)
	return m
}

// changedCodes installs flips on a fresh worker of e's slow path and returns
// the codes that differ from the clean ones, by (layer, index).
func changedCodes(e *Engine, flips []int) map[[2]int]int32 {
	w := e.newWorker()
	e.install(w, flips)
	out := map[[2]int]int32{}
	for i, l := range e.model.Layers {
		for j, q := range w.codes[i] {
			if q != l.Codes[j] {
				out[[2]int{i, j}] = q
			}
		}
	}
	return out
}

// TestProtectedWords pins the decoder's effect on the weights, word by word:
// one flip per stored word (data or check bit) changes no weight under
// secded; two flips in one word are detected and read as they are (keep) or
// zero the word's weights (zero); zero-space corrects single flips in place.
func TestProtectedWords(t *testing.T) {
	_, d := smallResNet(t)
	m := wotResNet(t, 8)
	secded := func(p ecc.Policy) *Engine {
		e, err := NewEngineWith(m, 64, d, EngineOptions{ModelForward: true, Protection: ecc.Protection{Scheme: ecc.SECDED, Uncorrectable: p}})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	keep, zero := secded(ecc.Keep), secded(ecc.Zero)
	if keep.MemoryBits() != keep.mem.Words()*72 {
		t.Fatalf("secded memory has %d bits for %d words", keep.MemoryBits(), keep.mem.Words())
	}
	var singles []int
	for w := range 72 {
		singles = append(singles, w*72+w) // bit w of word w: every data and check position once
	}
	if c := changedCodes(keep, singles); len(c) != 0 {
		t.Fatalf("single errors changed %d weights: %v", len(c), c)
	}
	// Bits 3 and 12 of word 5: codes 0 and 1 of the word (8-bit codes).
	double := []int{5*72 + 3, 5*72 + 12}
	c := changedCodes(keep, double)
	seg, j0, _, _ := keep.mem.Locate(5*64 + 3)
	_, j1, _, _ := keep.mem.Locate(5*64 + 12)
	l := m.Layers[seg]
	want := map[[2]int]int32{{seg, j0}: sram.FlipBit(l.Codes[j0], 3, 8), {seg, j1}: sram.FlipBit(l.Codes[j1], 4, 8)}
	if len(c) != 2 || c[[2]int{seg, j0}] != want[[2]int{seg, j0}] || c[[2]int{seg, j1}] != want[[2]int{seg, j1}] {
		t.Fatalf("keep: double error read as %v, want %v", c, want)
	}
	for k, q := range changedCodes(zero, double) {
		if q != 0 || k[0] != seg || k[1]/8 != j0/8 {
			t.Fatalf("zero: double error changed code %v to %d", k, q)
		}
	}
	zs, err := NewEngineWith(m, 64, d, EngineOptions{ModelForward: true, Protection: ecc.Protection{Scheme: ecc.ZeroSpace}})
	if err != nil {
		t.Fatal(err)
	}
	var zsingles []int
	for w := range 64 {
		zsingles = append(zsingles, w*64+w)
	}
	if c := changedCodes(zs, zsingles); len(c) != 0 {
		t.Fatalf("zero-space: single errors changed %d weights", len(c))
	}
	if c := changedCodes(zs, []int{5*64 + 3, 5*64 + 12}); len(c) == 0 {
		t.Fatal("zero-space: a double error changed nothing")
	}
}

// TestProtectedSparseMatchesMemory: under every scheme, the fast path's
// faulty weights are bit for bit the slow path's, over consecutive trials
// on one worker.
func TestProtectedSparseMatchesMemory(t *testing.T) {
	_, d := smallResNet(t)
	for _, bits := range []int{8, 4} {
		m := wotResNet(t, bits)
		for _, p := range []ecc.Protection{{Scheme: ecc.SECDED}, {Scheme: ecc.SECDED, Uncorrectable: ecc.Zero}, {Scheme: ecc.ZeroSpace}, {Scheme: ecc.MSB, MSBFraction: 0.5}} {
			fast, err := NewEngineWith(m, 64, d, EngineOptions{Protection: p})
			if err != nil {
				t.Fatal(err)
			}
			slow, err := NewEngineWith(m, 64, d, EngineOptions{Protection: p, ModelForward: true})
			if err != nil {
				t.Fatal(err)
			}
			fw, sw := fast.newWorker(), slow.newWorker()
			for trial := range 3 {
				flips := sram.SampleFlips(seed.Stream(9, uint64(trial)), fast.MemoryBits(), 0.02, nil)
				fast.install(fw, flips)
				slow.install(sw, flips)
				changed := 0
				for i, l := range m.Layers {
					for j, v := range sw.eff[i] {
						if got := fw.inf.Weight(fast.tensor[i], j); math.Float32bits(got) != math.Float32bits(v) {
							t.Fatalf("%d-bit %s trial %d: %s[%d] = %v, slow path %v", bits, p.Label(), trial, l.W.Name, j, got, v)
						}
						if v != l.Step*float32(l.Codes[j]) {
							changed++
						}
					}
				}
				if changed == 0 {
					t.Fatalf("%d-bit %s trial %d: no weight changed by %d flips at BER 0.02", bits, p.Label(), trial, len(flips))
				}
			}
		}
	}
}

// TestZeroSpaceNeedsWOT: a model whose range-limited slots hold large codes
// cannot be stored under zero-space ECC.
func TestZeroSpaceNeedsWOT(t *testing.T) {
	_, d := smallResNet(t)
	m, err := wcat.New(dnn.NewResNetCIFAR(8, 10, seed.Stream(5)), wcat.Config{Method: wcat.Normal, Bits: 8, Grid: wcat.GridReference})
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewEngineWith(m, 64, d, EngineOptions{Protection: ecc.Protection{Scheme: ecc.ZeroSpace}})
	if err == nil || !strings.Contains(err.Error(), "--method wot") {
		t.Fatalf("normal 8-bit model under zero-space: %v", err)
	}
	if _, err := NewEngineWith(m, 32, d, EngineOptions{Protection: ecc.Protection{Scheme: ecc.SECDED}}); err == nil {
		t.Fatal("secded on 32-bit words accepted")
	}
}

// BenchmarkInstall measures one trial's weight installation (flips drawn
// over the stored bits, decoded words, sparse weight changes) at BER 1e-3,
// unprotected and under each scheme.
func BenchmarkInstall(b *testing.B) {
	_, d := smallResNet(b)
	m := wotResNet(b, 8)
	for _, s := range []string{"none", "secded", "zero-space", "msb:0.5"} {
		p, _ := ecc.ParseProtection(s)
		e, err := NewEngineWith(m, 64, d, EngineOptions{Protection: p})
		if err != nil {
			b.Fatal(err)
		}
		w := e.newWorker()
		b.Run(s, func(b *testing.B) {
			for i := range b.N {
				flips := sram.SampleFlips(seed.Stream(3, uint64(i)), e.MemoryBits(), 1e-3, nil)
				e.install(w, flips)
			}
		})
	}
}
