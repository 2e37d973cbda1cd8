package eyeriss

import (
	"math"
	"os"
	"strings"
	"testing"

	"cosim/accel"
	"cosim/arch"
	"cosim/workload"
)

func miniModel(t testing.TB, o Objective) *Model {
	t.Helper()
	s, err := arch.Load("testdata/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewObjective(s, o)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestEvaluateHand checks one mapping on testdata/mini.yaml (3×4 PEs, spads
// of 16/6/4 words, a 64×64 b glb of 256 16-bit words, a DRAM with 0.125
// words/cycle of read bandwidth) against counts worked out by hand.
//
// Layer: N 1, C 2, 4×4 input, M 3 filters 3×3, stride 1, pad 1 → E = F = 4,
// MACs = 3·2·9·16 = 864; 8-bit weights. Mapping m 3, n 1, e 4, p 2, q 2,
// r 1, t 1: one 3×4 set fills the array (12 PEs); q·S = 6 ≤ 6, p = 2 ≤ 4,
// p·q·S = 12 ≤ 16; GLB tiles 3·1·4·4 = 48 psums + 2·1·2·4·4 = 64 ifmaps ≤ 256.
// Filter groups of p·t = 2: sizes 2 and 1 (p' = 2, 1; Σp' = 3; t' = 1, 1).
// One channel chunk of q·r = 2 (q' = 2, r' = 1, chain of R·r' = 3 PEs, so
// the adder cycle is paid): per ofmap column 2·3 + 1 = 7 cycles per filter.
// Compute = N·F·Σp'·7 = 4·3·7 = 84 cycles; 2 passes.
// Rows: output row p reads input rows p−1..p+1 inside 0..3: 2, 3, 3, 2 →
// V_h = 10; all 4 rows and columns are touched (U_h = U_w = 4).
//
//	mac:   864 ops
//	wspad: 864 reads; writes M·C·R·S·E = 54·4 = 216
//	ispad: 864 reads; writes N·C·Σt'·V_h·U_w = 2·2·10·4 = 160
//	pspad: psums received: per psum R·r' − 1 = 2 (first chunk: nothing from
//	       the GLB), 48 psums → 96; reads = updates = 864 + 96 = 960
//	glb:   ifmap reads 2 groups · 2·4·4 = 64 words; psum writes 48, no
//	       read-backs (one chunk); final ofmaps read 48 → reads 112 words =
//	       28 accesses of 64 b; writes 32 ifmap fills + 48 = 80 words = 20
//	DRAM:  weights 54 · 8 b = 432 b + ifmaps 32 words · 16 b = 512 b →
//	       ⌈944/64⌉ = 15 reads; ofmaps 48 words → 12 writes
//	cycles: DRAM reads 944 b = 59 words at 0.125/cycle = 472 > 84: the DRAM
//	       bound, 388 stall cycles.
//
// Energy (explicit YAML energies): mac 1728, wspad 864 + 432 = 1296, ispad
// 432 + 80 = 512, pspad 240 + 480 = 720, glb 280 + 240 = 520, DRAM 1500 +
// 1440 = 2940 → dynamic 7716 pJ; leakage (glb 0.5 + 12·0.01 mW) over 472
// cycles at 100 MHz = 0.62 · 4.72 µs = 2926.4 pJ; total 10642.4 pJ.
func TestEvaluateHand(t *testing.T) {
	m := miniModel(t, MinEnergy)
	l := workload.Conv("c", 1, 2, 4, 4, 3, 3, 3, 1, 1, 8)
	r, err := m.Evaluate(l, Mapping{M: 3, N: 1, E: 4, P: 2, Q: 2, R: 1, T: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]accel.Access{
		"mac":   {Ops: 864},
		"wspad": {Reads: 864, Writes: 216},
		"ispad": {Reads: 864, Writes: 160},
		"pspad": {Reads: 960, Updates: 960},
		"glb":   {Reads: 28, Writes: 20},
		"DRAM":  {Reads: 15, Writes: 12},
	}
	if len(r.Counts.Access) != len(want) {
		t.Errorf("counts for %d components: %v", len(r.Counts.Access), r.Counts.Access)
	}
	for n, a := range want {
		if r.Counts.Access[n] != a {
			t.Errorf("%s: %+v, want %+v", n, r.Counts.Access[n], a)
		}
	}
	if r.ActivePEs != 12 || r.Passes != 2 || r.MACs != 864 || r.ComputeCycles != 84 || r.Cycles != 472 || r.Bound != "DRAM" ||
		r.Counts.Cycles != 472 || r.Counts.StallCycles != 388 || r.Strips != 1 || r.SetRows != 3 || r.SetCols != 4 {
		t.Errorf("result %+v", r)
	}
	if math.Abs(r.EnergyPJ-10642.4) > 1e-9 {
		t.Errorf("energy %.6f pJ, want 10642.4", r.EnergyPJ)
	}
	if u := 864.0 / (472 * 12); math.Abs(r.Utilization-u) > 1e-12 {
		t.Errorf("utilisation %g, want %g", r.Utilization, u)
	}
	if r.Counts.Mapping != "m=3 n=1 e=4 p=2 q=2 r=1 t=1" || r.Counts.ActivePEs != 12 || r.Counts.Layer != "c" {
		t.Errorf("counts %+v", r.Counts)
	}
	// With a glb read bandwidth of 0.05 words/cycle its 112 words of reads
	// take 2240 cycles, more than the DRAM's 472: the glb is the bound.
	data, err := os.ReadFile("testdata/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	slow, err := arch.Parse("slow.yaml", []byte(strings.Replace(string(data), "datatypes: [inputs, outputs]\n", "datatypes: [inputs, outputs]\n                read-bandwidth: 0.05\n", 1)))
	if err != nil {
		t.Fatal(err)
	}
	sm, err := New(slow)
	if err != nil {
		t.Fatal(err)
	}
	if rs, err := sm.Evaluate(l, r.Mapping); err != nil || rs.Cycles != 2240 || rs.Bound != "glb" || rs.Counts.StallCycles != 2240-84 {
		t.Errorf("glb-bound: %+v %v", rs, err)
	}
	// The same counts priced by package accel give the same energy.
	rep, err := accel.Price(fixed{m, r.Counts}, workload.Workload{Name: "w", Layers: []workload.Layer{l}})
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.TotalPJ(0.8); math.Abs(got-10642.4) > 1e-9 {
		t.Errorf("accel.Price: %.6f pJ", got)
	}
}

// TestEvaluateTiledHand checks a mapping with column chunks, channel tiles
// and a non-JSSC order on testdata/mini.yaml against counts worked out by
// hand (the layer of TestEvaluateHand).
//
// Mapping m 2, n 1, e 4, p 2, q 1, r 1, t 1, f 2, c 1, order N E C F M:
// GLB passes of 2 and 1 filters (filter groups of p·t = 2: Σp' = 3, Σt' = 2),
// channel chunks of q·r = 1 (2 chunks, q' = 1, chain of 3 PEs: adder cycle
// paid), 2 column chunks of f = 2, 2 channel tiles of c = 1. M is innermost:
// the GLB keeps each tile's ifmaps over both GLB passes; column chunks run inside
// the channel loop: every psum visits the GLB twice (spills once). GLB
// tiles: psums 2·1·4·2 = 16, ifmaps 2·1·1·4·3 = 24 (rows 4, chunk columns
// −1..2 and 1..4 inside 0..3: 3 each) ≤ 256. Compute = N·F·Σp'·Σ(q'S+1) =
// 4·3·(4+4) = 96 cycles; passes 2 groups · 2 chunks · 2 column chunks = 8.
//
//	wspad: 864 reads; writes ⌈F/f⌉·M·C·R·S·E = 2·54·4 = 432
//	ispad: 864 reads; writes N·C·Σt'·V_h·ΣU_w = 2·2·10·6 = 240
//	pspad: received per psum 2 + (2 + 1) = 5, 48 psums → 240;
//	       reads = updates = 1104
//	glb:   ifmap reads 2 groups · (2·4·6 = 48) = 96, psum reads for the
//	       second chunk 48, drains 2·48 = 96 → 240 words = 60 accesses;
//	       writes: ifmap fills 48 (once: kept), psums 2·48 = 96, refills 48
//	       → 192 words = 48 accesses
//	DRAM:  weights 2 column chunks · 54 · 8 b = 864 b, ifmaps 48·16 = 768 b, psum
//	       refills 768 b → ⌈2400/64⌉ = 38 reads; drains 96·16 b → 24 writes
//	cycles: 150 words read at 0.125/cycle = 1200 > 96: DRAM-bound.
//
// Energy: mac 1728, wspad 864 + 864, ispad 552, pspad 276 + 552, glb 600 +
// 576, DRAM 3800 + 2880 → dynamic 12692 pJ; leakage 0.62 mW over 12 µs =
// 7440 pJ; total 20132 pJ.
func TestEvaluateTiledHand(t *testing.T) {
	m := miniModel(t, MinEnergy)
	l := workload.Conv("c", 1, 2, 4, 4, 3, 3, 3, 1, 1, 8)
	mp := Mapping{M: 2, N: 1, E: 4, P: 2, Q: 1, R: 1, T: 1, F: 2, C: 1, Order: "NECFM"}
	r, err := m.Evaluate(l, mp)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]accel.Access{
		"mac":   {Ops: 864},
		"wspad": {Reads: 864, Writes: 432},
		"ispad": {Reads: 864, Writes: 240},
		"pspad": {Reads: 1104, Updates: 1104},
		"glb":   {Reads: 60, Writes: 48},
		"DRAM":  {Reads: 38, Writes: 24},
	}
	if len(r.Counts.Access) != len(want) {
		t.Errorf("counts for %d components: %v", len(r.Counts.Access), r.Counts.Access)
	}
	for n, a := range want {
		if r.Counts.Access[n] != a {
			t.Errorf("%s: %+v, want %+v", n, r.Counts.Access[n], a)
		}
	}
	if r.Passes != 8 || r.ComputeCycles != 96 || r.Cycles != 1200 || r.Bound != "DRAM" || r.ActivePEs != 12 {
		t.Errorf("result %+v", r)
	}
	if math.Abs(r.EnergyPJ-20132) > 1e-9 {
		t.Errorf("energy %.6f pJ, want 20132", r.EnergyPJ)
	}
	if r.Counts.Mapping != "m=2 n=1 e=4 p=2 q=1 r=1 t=1 f=2 c=1 order=NECFM" {
		t.Errorf("mapping %q", r.Counts.Mapping)
	}
	// f = F, c = C and the order "NMEFC" are the JSSC mapping.
	jssc := Mapping{M: 3, N: 1, E: 4, P: 2, Q: 2, R: 1, T: 1}
	a, errA := m.Evaluate(l, jssc)
	full := jssc
	full.F, full.C, full.Order = 4, 2, DefaultOrder
	b, errB := m.Evaluate(l, full)
	if errA != nil || errB != nil || a.EnergyPJ != b.EnergyPJ || a.Cycles != b.Cycles || len(a.Counts.Access) != len(b.Counts.Access) {
		t.Errorf("JSSC %v (%v) and %v (%v) differ", a, errA, b, errB)
	}
	for n, x := range a.Counts.Access {
		if b.Counts.Access[n] != x {
			t.Errorf("%s: %+v with f, c and the order spelt out, %+v without", n, b.Counts.Access[n], x)
		}
	}
}

// fixed is m with Map returning given counts.
type fixed struct {
	*Model
	c accel.Counts
}

func (f fixed) Map(workload.Layer) (accel.Counts, error) { return f.c, nil }

func TestEvaluateIllegal(t *testing.T) {
	m := miniModel(t, MinEnergy)
	l := workload.Conv("c", 1, 2, 4, 4, 3, 3, 3, 1, 1, 8)
	ok := Mapping{M: 3, N: 1, E: 4, P: 2, Q: 2, R: 1, T: 1}
	cases := []struct {
		edit func(*Mapping)
		want string
	}{
		{func(mp *Mapping) { mp.P = 0 }, "every parameter must be ≥ 1"},
		{func(mp *Mapping) { mp.Q = 3 }, "m ≤ M = 3, n ≤ N = 1, e ≤ E = 4, p ≤ M and q ≤ C = 2 are required"},
		{func(mp *Mapping) { mp.M = 1 }, "m = 1 is neither M = 3 nor a multiple of p·t = 2"},
		{func(mp *Mapping) { mp.P = 3; mp.Q = 1; mp.M = 3; mp.E = 4 }, ""}, // legal: p = 3 ≤ 4, 9 weights
		{func(mp *Mapping) { mp.P = 3 }, "p·q·S = 18 weights exceed the 16 of wspad"},
		{func(mp *Mapping) { mp.E = 2; mp.R = 2 }, ""}, // two 3×2 sets side by side
		{func(mp *Mapping) { mp.E = 2; mp.Q = 1; mp.R = 2; mp.T = 2 }, "r·t = 4 sets of 3×2 PEs do not fit the 3×4 array (at most 2)"},
		{func(mp *Mapping) { mp.F = 5 }, "f = 5 is not in 0..F = 4"},
		{func(mp *Mapping) { mp.F = -1 }, "f = -1 is not in 0..F = 4"},
		{func(mp *Mapping) { mp.F = 3 }, ""}, // column chunks of 3 and 1
		{func(mp *Mapping) { mp.Q = 1; mp.C = 1 }, ""},
		{func(mp *Mapping) { mp.C = 1 }, "c = 1 is neither 0, C = 2 nor a multiple of q·r = 2 below C"},
		{func(mp *Mapping) { mp.C = 3 }, "c = 3 is neither 0, C = 2 nor a multiple of q·r = 2 below C"},
		{func(mp *Mapping) { mp.Order = "NMEF" }, `order "NMEF" is not a permutation of "NMEFC"`},
		{func(mp *Mapping) { mp.Order = "NMEFF" }, `order "NMEFF" is not a permutation of "NMEFC"`},
		{func(mp *Mapping) { mp.Order = "CFEMN" }, ""},
	}
	for i, c := range cases {
		mp := ok
		c.edit(&mp)
		_, err := m.Evaluate(l, mp)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("case %d: %v", i, err)
		case c.want != "" && (err == nil || !strings.HasSuffix(err.Error(), "is not legal: "+c.want)):
			t.Errorf("case %d: got %v\nwant …%s", i, err, c.want)
		}
	}
	// E = 16: the psums 3·1·4·16 = 192 and two ifmap tiles of 2·6·16 = 192
	// (rows −1..4 of a 4-row chunk, 6 inside) exceed the 256-word glb.
	big := workload.Conv("big", 1, 2, 16, 16, 3, 3, 3, 1, 1, 8)
	_, err := m.Evaluate(big, ok)
	if want := "global buffer glb needs 576 words (psums m·n·e·f and two ifmap tiles n·q·r·rows·cols), holds 256"; err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("glb overflow: %v", err)
	}
	// Keeping the ifmaps of all C = 8 channels over the GLB passes: psums
	// 2·1·4·4 = 32 and two ifmap tiles 2·8·4·4 = 256 exceed the 256 words.
	wide := workload.Conv("wide", 1, 8, 4, 4, 3, 3, 3, 1, 1, 8)
	_, err = m.Evaluate(wide, Mapping{M: 2, N: 1, E: 4, P: 2, Q: 2, R: 1, T: 1, Order: "NECFM"})
	if want := "global buffer glb needs 288 words (psums m·n·e·f and two ifmap tiles n·c·rows·cols), holds 256"; err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("glb overflow keeping ifmaps: %v", err)
	}
	if _, err := m.Evaluate(l, Mapping{M: 3, N: 1, E: 5, P: 1, Q: 1, R: 1, T: 1}); err == nil ||
		err.Error() != `eyeriss: layer "c": mapping m=3 n=1 e=5 p=1 q=1 r=1 t=1: e must be in 1..E = 4` {
		t.Errorf("e > E: %v", err)
	}
}
