package eyeriss

import (
	"math"
	"testing"

	"cosim/accel"
	"cosim/arch"
	"cosim/workload"
)

// TestJSSCAlexNet checks the model against the Eyeriss chip (Chen et al.,
// JSSC 2017): AlexNet CONV1–5 at batch 4 and 200 MHz with the Table III
// mappings use exactly the active PEs of Table V and land within ±15 % of
// its measured processing latencies; the model's own search (for delay, for
// energy and for EDP) is at least as fast as Table III's mapping.
func TestJSSCAlexNet(t *testing.T) {
	w, err := workload.BuiltinWorkload("alexnet", 4, 16)
	if err != nil {
		t.Fatal(err)
	}
	table := []struct {
		mp        Mapping // Table III: m, n, e, p, q, r, t
		activePEs int     // Table V
		latencyMS float64 // Table V, measured
	}{
		{Mapping{M: 96, N: 1, E: 7, P: 16, Q: 1, R: 1, T: 2}, 154, 16.5},
		{Mapping{M: 64, N: 1, E: 27, P: 16, Q: 2, R: 1, T: 1}, 135, 39.2},
		{Mapping{M: 64, N: 4, E: 13, P: 16, Q: 4, R: 1, T: 4}, 156, 21.8},
		{Mapping{M: 64, N: 4, E: 13, P: 16, Q: 3, R: 2, T: 2}, 156, 16.0},
		{Mapping{M: 64, N: 4, E: 13, P: 16, Q: 3, R: 2, T: 2}, 156, 10.0},
	}
	models := []*Model{builtinModel(t, "eyeriss", MinDelay), builtinModel(t, "eyeriss", MinEnergy), builtinModel(t, "eyeriss", MinEDP)}
	for i, l := range w.Layers {
		c := table[i]
		r, err := models[0].Evaluate(l, c.mp)
		if err != nil {
			t.Fatal(err)
		}
		ms := float64(r.Cycles) / 200e3 // 200 MHz: 200,000 cycles per ms
		t.Logf("%s: Table III %v: %d PEs, %d cycles = %.2f ms (measured %.1f ms, %+.1f %%), %.1f µJ",
			l.Name, c.mp, r.ActivePEs, r.Cycles, ms, c.latencyMS, 100*(ms/c.latencyMS-1), r.EnergyPJ/1e6)
		if r.ActivePEs != c.activePEs {
			t.Errorf("%s: %d active PEs, Table V says %d", l.Name, r.ActivePEs, c.activePEs)
		}
		if math.Abs(ms/c.latencyMS-1) > 0.15 {
			t.Errorf("%s: latency %.2f ms, measured %.1f ms: off by more than 15 %%", l.Name, ms, c.latencyMS)
		}
		for _, m := range models {
			s, err := m.Search(l)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("    search for %v: %v, %d PEs, %.2f ms, %.1f µJ", m.Objective(), s.Mapping, s.ActivePEs, float64(s.Cycles)/200e3, s.EnergyPJ/1e6)
			if s.Cycles > r.Cycles {
				t.Errorf("%s: the %v search takes %d cycles, Table III's mapping %d", l.Name, m.Objective(), s.Cycles, r.Cycles)
			}
		}
	}
}

// Timeloop's reference run of the eyeriss_like design on VGG02 layer 5
// (C 128, M 256, R = S = 3, P = Q = 56, batch 1, 924,844,032 MACs), the run
// issue 4 quotes: Accelergy-Project/timeloop-accelergy-exercises,
// workspace/tutorial_exercises/01_accelergy_timeloop_2020_ispass/
// timeloop+accelergy/ref-output/intmac/timeloop-mapper.stats.txt at commit
// 2ffec693ced8e60a46c1131e9e4a387ac007d410 (45 nm ERT): 5,505,024 cycles at
// 100 % utilisation, 4.056 pJ/MAC of which DRAM 1.000. Priced with the 32 nm
// ERT of eyeriss-like-timeloop.yaml its counts give 2.987 pJ/MAC (2.991
// with the ERT's leakage), the issue's 2.989.
//
// Timeloop's mapping (its loop nest, outermost first; Timeloop's R and P
// are the filter and ofmap width, S and Q their height):
//
//	DRAM          Q4 C4 P7 M4
//	shared_glb    M2 C4 P8
//	PE columns    Q14 (spatial X);  PE rows  S3 M4 (spatial Y)
//	weights_spad  R3 C8;  psum_spad  M8
//
// In this package's notation: sets of 3 filter rows × e = 14 ofmap rows
// (Q14 on the columns; 4 row chunks from DRAM Q4), t = 4 sets of different
// filters (M4 on the rows), r = 1, p = 8 filters (M8) × q = 8 channels (C8)
// per PE; passes of f = 8 ofmap columns (GLB P8; 7 column chunks from DRAM P7);
// m = 64 filters (GLB M2 groups of p·t = 32) and c = 32 channels (GLB C4
// chunks of q·r = 8) per GLB tile; the loops over GLB tiles in the order
// E C F M (N = 1).
var timeloopMapping = Mapping{M: 64, N: 1, E: 14, P: 8, Q: 8, R: 1, T: 4, F: 8, C: 32, Order: "NECFM"}

// timeloopLevel is one component of Timeloop's reference run: its scalar
// accesses summed over data types and instances ("Scalar reads"; "Scalar
// fills" + "Scalar updates", all priced at the write energy), its dynamic
// energy as published ("Energy (total)" at 45 nm), and how far this
// package's model of the same mapping may be from it, and why.
type timeloopLevel struct {
	name          string
	reads, writes int64
	publishedPJ   float64
	tol           float64
	why           string
}

var timeloopLevels = []timeloopLevel{
	{"mac", 924844032, 0, 291325870.08, 1e-9, "one op per MAC"},
	{"psum_spad", 5490688 * 168, (215040 + 5505024) * 168, 678228518.34, 0.03,
		"Timeloop writes the psum of the GLB into all 3 PEs of a chain (fill) and counts no read to send a psum on; " +
			"the model reads and updates once per psum a PE receives (from the PE below or the GLB)"},
	{"weights_spad", 5505024 * 168, 688128 * 168, 1555240036.07, 1e-3, "same counts"},
	{"ifmap_spad", 5505024 * 168, 286720 * 168, 150326721.18, 0.01,
		"Timeloop fills the zero padding into the spads (58×58 inputs), the model does not"},
	{"shared_glb", 12042240 + 12042240, 573440 + 2408448 + 12845056, 50556838.99 + 98490095.89, 0.15,
		"the model reads each ifmap row of a pass once for the diagonal of PEs that use it (16 rows per pass, " +
			"Timeloop 42: one per filter row × ofmap row), counts the GLB reads of psums spilled to DRAM, and no padding"},
	{"DRAM", 8257536 + 573440 + 2408448, 3211264, 528482304 + 36700160 + 359661568, 0.01,
		"same weights and psum counts; ifmaps without the padding (539,648 words, Timeloop 573,440)"},
}

// timeloopPJ prices l's counts with the energies of spec s the way Timeloop
// does: per scalar access, the vector energy over the block of
// width/word-bits data.
func timeloopPJ(t *testing.T, s *arch.Spec, l timeloopLevel) float64 {
	t.Helper()
	costs, err := accel.Costs(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range costs {
		if c.Name != l.name {
			continue
		}
		if c.Class == arch.MAC {
			return float64(l.reads) * c.OpPJ
		}
		comp := s.Component(c.Name)
		block := float64(comp.WidthBits / comp.WordBits)
		return (float64(l.reads)*c.ReadPJ + float64(l.writes)*c.WritePJ) / block
	}
	t.Fatalf("%s: no component %s", s.Name, l.name)
	return 0
}

// TestTimeloopReferencePricing checks that the reading of Timeloop's stats
// above is right: its access counts priced with the 45 nm ERT (testdata)
// reproduce the dynamic energy Timeloop published for every level.
func TestTimeloopReferencePricing(t *testing.T) {
	s, err := arch.Load("testdata/eyeriss-like-timeloop-45nm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range timeloopLevels {
		if got := timeloopPJ(t, s, l); math.Abs(got/l.publishedPJ-1) > 1e-9 {
			t.Errorf("%s: Timeloop's counts priced at %.2f pJ, published %.2f pJ", l.name, got, l.publishedPJ)
		}
	}
}

// TestTimeloopVGG02Layer5 evaluates Timeloop's own mapping of VGG02 layer 5
// (timeloopMapping) with the model and compares it with Timeloop, at 45 nm
// with its published energies and at 32 nm (the builtin spec) with the
// issue's 2.989 pJ/MAC: cycles within ±10 % of 5,505,024 (the model pays one
// adder cycle per q·S MACs: +4.2 %), total energy within ±20 % of the
// reference (the issue) and in fact within 1 %, and every level within the
// tolerance its difference of counting convention explains. Then the
// model's own search, delay first like Timeloop's mapper, must be as fast
// (within ±10 % of Timeloop's cycles) and at most as costly as Timeloop's
// mapping: Timeloop's random-pruned mapper stops at a minimum-delay mapping
// whose energy depends on the run (see the package doc).
func TestTimeloopVGG02Layer5(t *testing.T) {
	l := workload.Conv("VGG02_layer5", 1, 128, 56, 56, 256, 3, 3, 1, 1, 8)
	if l.MACs() != 924844032 {
		t.Fatalf("MACs %d", l.MACs())
	}
	macs := float64(l.MACs())
	s45, err := arch.Load("testdata/eyeriss-like-timeloop-45nm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s32, err := arch.Builtin("eyeriss-like-timeloop")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		spec    *arch.Spec
		issuePJ float64 // the issue's figure per MAC; 0: none
	}{{s45, 0}, {s32, 2.989}} {
		m, err := NewObjective(c.spec, MinDelay)
		if err != nil {
			t.Fatal(err)
		}
		r, err := m.Evaluate(l, timeloopMapping)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := accel.Price(fixed{m, r.Counts}, workload.Workload{Name: "w", Layers: []workload.Layer{l}})
		if err != nil {
			t.Fatal(err)
		}
		b := rep.At(c.spec.NominalV)
		var refPJ float64
		for _, tl := range timeloopLevels {
			want := timeloopPJ(t, c.spec, tl)
			refPJ += want
			var got float64
			for _, ce := range b.Components {
				if ce.Name == tl.name {
					got = ce.TotalPJ
				}
			}
			t.Logf("%s %-12s model %.4f pJ/MAC, Timeloop %.4f (%+.1f %%)  %+v", c.spec.Name, tl.name, got/macs, want/macs, 100*(got/want-1), r.Counts.Access[tl.name])
			if math.Abs(got/want-1) > tl.tol {
				t.Errorf("%s %s: %.4f pJ/MAC, Timeloop %.4f: more than %g %% apart (%s)", c.spec.Name, tl.name, got/macs, want/macs, 100*tl.tol, tl.why)
			}
		}
		total := b.TotalPJ / macs
		t.Logf("%s %v: %d cycles (Timeloop 5,505,024: %+.1f %%), %d PEs; %.4f pJ/MAC (Timeloop's counts %.4f: %+.2f %%)",
			c.spec.Name, timeloopMapping, r.Cycles, 100*(float64(r.Cycles)/5505024-1), r.ActivePEs, total, refPJ/macs, 100*(b.TotalPJ/refPJ-1))
		if math.Abs(float64(r.Cycles)/5505024-1) > 0.10 || r.ActivePEs != 168 {
			t.Errorf("%s: %d cycles on %d PEs: more than 10 %% from Timeloop's 5,505,024 on 168", c.spec.Name, r.Cycles, r.ActivePEs)
		}
		if math.Abs(b.TotalPJ/refPJ-1) > 0.01 {
			t.Errorf("%s: %.4f pJ/MAC, more than 1 %% from Timeloop's %.4f", c.spec.Name, total, refPJ/macs)
		}
		if c.issuePJ > 0 {
			t.Logf("%s: %.4f pJ/MAC, issue 4's %.3f: %+.2f %%", c.spec.Name, total, c.issuePJ, 100*(total/c.issuePJ-1))
			if math.Abs(total/c.issuePJ-1) > 0.20 {
				t.Errorf("%s: %.4f pJ/MAC, more than 20 %% from %.3f", c.spec.Name, total, c.issuePJ)
			}
		}

		// The model's own delay-first search.
		sr, err := m.Search(l)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s search: %v: %d cycles (%+.1f %%), %.4f pJ/MAC", c.spec.Name, sr.Mapping, sr.Cycles, 100*(float64(sr.Cycles)/5505024-1), sr.EnergyPJ/macs)
		if math.Abs(float64(sr.Cycles)/5505024-1) > 0.10 || sr.Cycles > r.Cycles {
			t.Errorf("%s: search %d cycles; Timeloop 5,505,024, its mapping in the model %d", c.spec.Name, sr.Cycles, r.Cycles)
		}
		if sr.EnergyPJ > r.EnergyPJ {
			t.Errorf("%s: search %.4f pJ/MAC, above Timeloop's mapping's %.4f", c.spec.Name, sr.EnergyPJ/macs, r.EnergyPJ/macs)
		}
		if math.Abs(r.EnergyPJ-b.TotalPJ) > 1e-9*b.TotalPJ {
			t.Errorf("Evaluate %g pJ, Price %g pJ", r.EnergyPJ, b.TotalPJ)
		}
	}
}

// WCAT paper (Chitsaz et al., TMLR 2023, §4.8): nominal-voltage energy per
// CIFAR-10 image of the CIFAR ResNets on its all-on-chip Eyeriss [µJ].
var wcatEnergyUJ = map[string]float64{"resnet20": 118.37, "resnet32": 285.96, "resnet44": 390.54, "resnet56": 495.12}

// TestWCATResNets prices the CIFAR ResNets (batch 1, 4-bit weights) on
// eyeriss-onchip: ResNet-20 within ±25 % of the paper's 118.37 µJ, and
// ResNet-20 < 32 < 44 < 56 as in the paper.
func TestWCATResNets(t *testing.T) {
	m := builtinModel(t, "eyeriss-onchip", MinEnergy)
	prev := 0.0
	for _, name := range []string{"resnet20", "resnet32", "resnet44", "resnet56"} {
		w, err := workload.BuiltinWorkload(name, 1, 4)
		if err != nil {
			t.Fatal(err)
		}
		r, err := accel.Price(m, w)
		if err != nil {
			t.Fatal(err)
		}
		b := r.At(0.8)
		uj := b.TotalPJ / 1e6
		t.Logf("%s: %.2f µJ (WCAT %.2f µJ, %+.1f %%) = dynamic %.2f + leakage %.2f µJ, %d cycles, %.3f pJ/MAC",
			name, uj, wcatEnergyUJ[name], 100*(uj/wcatEnergyUJ[name]-1), b.DynamicPJ/1e6, b.LeakagePJ/1e6, b.Cycles, b.TotalPJ/float64(w.MACs()))
		if name == "resnet20" && math.Abs(uj/wcatEnergyUJ[name]-1) > 0.25 {
			t.Errorf("ResNet-20: %.2f µJ, more than 25 %% from WCAT's 118.37 µJ", uj)
		}
		if uj <= prev {
			t.Errorf("%s: %.2f µJ, not above the shallower network's %.2f µJ", name, uj, prev)
		}
		prev = uj
	}
}

// TestAlexNetCONV3Levels reports the energy per MAC of every level for
// AlexNet CONV3 (batch 4) on the 65 nm chip at its searched mapping, and
// checks that the levels add up to the total.
func TestAlexNetCONV3Levels(t *testing.T) {
	m := builtinModel(t, "eyeriss", MinEnergy)
	w, err := workload.BuiltinWorkload("alexnet", 4, 16)
	if err != nil {
		t.Fatal(err)
	}
	w.Layers = w.Layers[2:3]
	r, err := accel.Price(m, w)
	if err != nil {
		t.Fatal(err)
	}
	b := r.At(r.NominalV)
	macs := float64(w.MACs())
	sum := 0.0
	for _, c := range b.Components {
		t.Logf("  %-12s dynamic %.4f + leakage %.4f = %.4f pJ/MAC", c.Name, c.DynamicPJ/macs, c.LeakagePJ/macs, c.TotalPJ/macs)
		sum += c.TotalPJ
	}
	t.Logf("CONV3 %s: %.4f pJ/MAC", r.Layers[0].Mapping, b.TotalPJ/macs)
	if math.Abs(sum-b.TotalPJ) > 1e-9*b.TotalPJ {
		t.Errorf("levels sum to %g pJ, total %g", sum, b.TotalPJ)
	}
}

// jsscAlexNet is JSSC 2017's AlexNet at batch 4: the Table III mapping of
// each layer and Table V's measurements (power × total latency is the
// chip's energy per batch; DRAM is not part of it).
var jsscAlexNet = []struct {
	mp                    Mapping
	powerMW               float64
	totalMS, processingMS float64
}{
	{Mapping{M: 96, N: 1, E: 7, P: 16, Q: 1, R: 1, T: 2}, 332, 20.9, 16.5},
	{Mapping{M: 64, N: 1, E: 27, P: 16, Q: 2, R: 1, T: 1}, 288, 41.9, 39.2},
	{Mapping{M: 64, N: 4, E: 13, P: 16, Q: 4, R: 1, T: 4}, 266, 23.6, 21.8},
	{Mapping{M: 64, N: 4, E: 13, P: 16, Q: 3, R: 2, T: 2}, 235, 18.4, 16.0},
	{Mapping{M: 64, N: 4, E: 13, P: 16, Q: 3, R: 2, T: 2}, 236, 10.5, 10.0},
}

// TestJSSCAlexNetEnergy prices AlexNet CONV1–5 (batch 4, Table V's zeros in
// the ifmaps) on the calibrated eyeriss spec (200 MHz, 1.0 V) with the Table
// III mappings and compares the on-chip energy (everything but the DRAM)
// with the chip's power × total latency: 6.94, 12.07, 6.28, 4.32 and 2.48 mJ,
// 32.05 mJ in all.
//
// Each layer must be within ±30 % of the chip and the total within ±20 %.
// The calibrated model (arch/specs/eyeriss.yaml gives the source of every
// number) is 21 % low on CONV1, 7 % and 2 % low on CONV2–3, 5 % and 23 %
// high on CONV4–5, and 5 % low in total (the test logs the figures). Its
// pJ/MAC falls less steeply with sparsity than the chip's, and the model's
// latency is the processing latency: the chip also spends 11.8 ms of its
// 115.3 ms waiting on the link with the clock running (logged as "idle").
func TestJSSCAlexNetEnergy(t *testing.T) {
	m := builtinModel(t, "eyeriss", MinEnergy)
	w, err := workload.BuiltinWorkload("alexnet", 4, 16)
	if err != nil {
		t.Fatal(err)
	}
	var model, chip, idlePJ float64
	for i, l := range w.Layers {
		c := jsscAlexNet[i]
		r, err := m.Evaluate(l, c.mp)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := accel.Price(fixed{m, r.Counts}, workload.Workload{Name: "alexnet", Layers: []workload.Layer{l}})
		if err != nil {
			t.Fatal(err)
		}
		b := rep.At(rep.NominalV)
		onChip := b.TotalPJ
		var clockPJ float64
		for j, ce := range b.Components {
			switch rep.Components[j].Class {
			case arch.DRAM:
				onChip -= ce.TotalPJ
			case arch.Overhead:
				clockPJ += rep.Components[j].CyclePJ
			}
		}
		measured := c.powerMW * c.totalMS * 1e6 // mW · ms = µJ = 10⁶ pJ
		// Diagnostic: the clock and leakage power over the chip's measured
		// wait on the link (total − processing latency).
		idleMW := clockPJ * rep.ClockMHz * 1e-3 // pJ/cycle · MHz = µW
		for _, cc := range rep.Components {
			idleMW += cc.LeakageMW
		}
		idle := idleMW * (c.totalMS - c.processingMS) * 1e6
		idlePJ += idle
		t.Logf("%s: on-chip %.2f mJ (%.2f pJ/MAC), chip %.2f mJ (%.2f pJ/MAC): %+.1f %%; %d cycles = %.2f ms (%d stall), chip %.1f ms total; "+
			"+ idle %.0f mW over the chip's %.1f ms wait: %.2f mJ (%+.1f %%)",
			l.Name, onChip/1e9, onChip/float64(l.MACs()), measured/1e9, measured/float64(l.MACs()), 100*(onChip/measured-1),
			r.Cycles, float64(r.Cycles)/200e3, r.Counts.StallCycles, c.totalMS, idleMW, c.totalMS-c.processingMS,
			(onChip+idle)/1e9, 100*((onChip+idle)/measured-1))
		for _, ce := range b.Components {
			t.Logf("    %-12s %8.3f mJ  %6.2f pJ/MAC", ce.Name, ce.TotalPJ/1e9, ce.TotalPJ/float64(l.MACs()))
		}
		if d := onChip/measured - 1; d < -0.30 || d > 0.30 {
			t.Errorf("%s: on-chip %.2f mJ, chip %.2f mJ: %+.1f %%, outside ±30 %%", l.Name, onChip/1e9, measured/1e9, 100*d)
		}
		model += onChip
		chip += measured
	}
	t.Logf("AlexNet CONV1–5: on-chip %.2f mJ, chip %.2f mJ: %+.1f %%; with the idle wait %.2f mJ: %+.1f %%",
		model/1e9, chip/1e9, 100*(model/chip-1), (model+idlePJ)/1e9, 100*((model+idlePJ)/chip-1))
	if d := model/chip - 1; d < -0.20 || d > 0.20 {
		t.Errorf("total on-chip %.2f mJ, chip %.2f mJ: %+.1f %%, outside ±20 %%", model/1e9, chip/1e9, 100*d)
	}
}

// TestZeroGating checks the data gating of the eyeriss spec: a layer with
// half its ifmaps zero skips half the MACs, ifmap-spad reads and
// filter-spad reads, and nothing else changes (spad writes, psum accesses,
// cycles); a spec without zero gating ignores the zeros.
func TestZeroGating(t *testing.T) {
	dense := workload.Conv("c", 2, 16, 13, 13, 32, 3, 3, 1, 1, 8)
	sparse := dense
	sparse.IfmapZeroFrac = 0.5
	mp := Mapping{M: 32, N: 2, E: 13, P: 8, Q: 2, R: 1, T: 2}
	for _, c := range []struct {
		spec  string
		gates bool
	}{{"eyeriss", true}, {"eyeriss-like-timeloop", false}} {
		m := builtinModel(t, c.spec, MinEnergy)
		d, err := m.Evaluate(dense, mp)
		if err != nil {
			t.Fatal(err)
		}
		s, err := m.Evaluate(sparse, mp)
		if err != nil {
			t.Fatal(err)
		}
		macs := dense.MACs()
		wantOps := macs
		if c.gates {
			wantOps = macs / 2
		}
		h := m.Hierarchy()
		da, sa := d.Counts.Access, s.Counts.Access
		words := func(ops int64, c *arch.Component) int64 {
			return (ops*int64(c.WordBits) + int64(c.WidthBits) - 1) / int64(c.WidthBits)
		}
		if sa[h.MAC.Name].Ops != wantOps || sa[h.WeightSpad.Name].Reads != words(wantOps, h.WeightSpad) ||
			sa[h.IfmapSpad.Name].Reads != words(wantOps, h.IfmapSpad) || sa[h.IfmapSpad.Name].Writes != da[h.IfmapSpad.Name].Writes ||
			sa[h.PsumSpad.Name] != da[h.PsumSpad.Name] ||
			s.Cycles != d.Cycles || da[h.MAC.Name].Ops != macs {
			t.Errorf("%s: dense %v, half zeros %v", c.spec, da, sa)
		}
		if c.gates != (s.EnergyPJ < d.EnergyPJ) {
			t.Errorf("%s: energy %g with zeros, %g dense", c.spec, s.EnergyPJ, d.EnergyPJ)
		}
	}
}
