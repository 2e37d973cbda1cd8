package eyeriss

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"cosim/accel"
	"cosim/arch"
)

func builtin(t testing.TB) *Model {
	t.Helper()
	s, err := arch.Builtin("eyeriss-onchip")
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRolesBuiltin(t *testing.T) {
	h := builtin(t).Hierarchy()
	got := []string{h.MAC.Name, h.WeightSpad.Name, h.IfmapSpad.Name, h.PsumSpad.Name, h.WeightMem.Name, h.InputMem.Name, h.OutputMem.Name}
	want := "mac weights_spad ifmap_spad psum_spad weight_sram glb glb"
	if strings.Join(got, " ") != want || h.PEs != 168 {
		t.Errorf("roles %v, %d PEs; want %s, 168", got, h.PEs, want)
	}
}

// TestSimpleCountsHand checks SimpleCounts on the built-in spec (168 PEs,
// 64-bit weight_sram and glb words, 16-bit activations) against counts
// worked out by hand.
func TestSimpleCountsHand(t *testing.T) {
	type want struct {
		cycles            int64
		macs              int64
		wspadW, ispadW    int64
		wmemR, glbR, glbW int64
	}
	cases := []struct {
		name string
		l    accel.Layer
		w    want
	}{
		// C=2, K=3, 4×4 input, 3×3/1 pad 1 → P=Q=4. M = 3·2·9·16 = 864, cycles ⌈864/168⌉ = 6.
		// Rows: every input row is touched (U_h = 4); (r, p) pairs in bounds: r=0: p=1..3 (3),
		// r=1: p=0..3 (4), r=2: p=0..2 (3) → V_h = 10; columns likewise U_w = 4.
		// weight spad writes K·C·R·S·P = 54·4 = 216; ifmap spad writes N·K·C·V_h·U_w = 6·10·4 = 240;
		// weight_sram ⌈54·4 b/64⌉ = ⌈3.375⌉ = 4; glb reads ⌈6·4·4·16/64⌉ = 24; glb writes ⌈48·16/64⌉ = 12.
		{"3x3 pad 1", accel.Conv("c", 1, 2, 4, 4, 3, 3, 3, 1, 1, 4), want{6, 864, 216, 240, 4, 24, 12}},
		// 3×3/2 pad 1 on 4×4 → P=Q=2. M = 3·2·9·4 = 216, cycles 2. Rows: p=0 reads h=0,1 (r=1,2),
		// p=1 reads h=1,2,3 → U_h = 4, V_h = 5; U_w = 4.
		// wspad 54·2 = 108; ispad 6·5·4 = 120; weight_sram 4; glb reads ⌈6·16·16/64⌉ = 24; writes ⌈12·16/64⌉ = 3.
		{"3x3 stride 2", accel.Conv("c", 1, 2, 4, 4, 3, 3, 3, 2, 1, 4), want{2, 216, 108, 120, 4, 24, 3}},
		// 1×1/2 on 5×5, C=K=2, 8-bit weights → P=Q=3; rows 0, 2, 4 touched: U = V = 3.
		// M = 2·2·9 = 36, cycles 1; wspad 4·3 = 12; ispad 4·3·3 = 36; weight_sram ⌈4·8/64⌉ = 1;
		// glb reads ⌈4·9·16/64⌉ = 9; writes ⌈18·16/64⌉ = ⌈4.5⌉ = 5.
		{"1x1 stride 2", accel.Conv("c", 1, 2, 5, 5, 2, 1, 1, 2, 0, 8), want{1, 36, 12, 36, 1, 9, 5}},
		// FC 784→100, 4-bit: M = 78,400, cycles ⌈78400/168⌉ = 467 (466·168 = 78,288).
		// wspad writes 78,400 (P = 1); ispad writes N·K·C = 78,400; weight_sram 78,400·4/64 = 4,900;
		// glb reads 78,400·16/64 = 19,600 (each input once per output neuron); writes ⌈100·16/64⌉ = 25.
		{"fc 784-100", accel.FC("f", 1, 784, 100, 4), want{467, 78400, 78400, 78400, 4900, 19600, 25}},
		// Batch 2 doubles ifmap and output traffic, not the weight traffic.
		{"fc batch 2", accel.FC("f", 2, 100, 10, 4), want{12, 2000, 1000, 2000, 63, 500, 5}},
	}
	m := builtin(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cnt, err := m.Map(c.l)
			if err != nil {
				t.Fatal(err)
			}
			w := c.w
			exp := map[string]accel.Access{
				"mac":          {Ops: w.macs},
				"weights_spad": {Reads: w.macs, Writes: w.wspadW},
				"ifmap_spad":   {Reads: w.macs, Writes: w.ispadW},
				"psum_spad":    {Reads: w.macs, Writes: w.macs},
				"weight_sram":  {Reads: w.wmemR},
				"glb":          {Reads: w.glbR, Writes: w.glbW},
			}
			if cnt.Cycles != w.cycles || cnt.Layer != c.l.Name || len(cnt.Access) != len(exp) {
				t.Errorf("cycles %d layer %q, %d components", cnt.Cycles, cnt.Layer, len(cnt.Access))
			}
			for name, a := range exp {
				if cnt.Access[name] != a {
					t.Errorf("%s: %+v, want %+v", name, cnt.Access[name], a)
				}
			}
		})
	}
}

func TestMapErrors(t *testing.T) {
	m := builtin(t)
	if _, err := m.Map(accel.FC("f", 1, 4, 4, 17)); err == nil ||
		err.Error() != `eyeriss: layer "f": 17-bit weights exceed the 16-bit words of weights_spad or the 16-bit datawidth of mac` {
		t.Errorf("wide weights: %v", err)
	}
	if _, err := m.Map(accel.FC("f", 1, 0, 4, 4)); err == nil {
		t.Error("invalid layer accepted")
	}
}

func builtinYAML(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../arch/specs/eyeriss-onchip.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestRolesErrors(t *testing.T) {
	base := builtinYAML(t)
	cases := []struct {
		name, old, new, want string
	}{
		{"no weight spad", "                datatypes: [weights]\n                voltage-domain: nominal\n", "                voltage-domain: nominal\n",
			"weights: want a spad in node chip/PE[0..167] and one shared memory in an ancestor node, found [weight_sram] on the path from mac"},
		{"weights in the glb too", "datatypes: [inputs, outputs]", "datatypes: [inputs, outputs, weights]",
			"weights: want a spad in node chip/PE[0..167] and one shared memory in an ancestor node, found [weights_spad, weight_sram, glb] on the path from mac"},
		{"spad packs two data", "                depth: 12\n                width: 16\n", "                depth: 12\n                width: 32\n",
			"spad ifmap_spad: width 32 b ≠ word-bits 16 b; this model reads one datum per spad access"},
		{"two macs", "            - name: mac\n", "            - name: mac2\n              class: mac\n              attributes: {datawidth: 8, energy: {op-pj: 0.1, source: test}}\n            - name: mac\n",
			"want exactly one mac component, found 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if strings.Count(base, c.old) != 1 {
				t.Fatalf("%q occurs %d times", c.old, strings.Count(base, c.old))
			}
			s, err := arch.Parse("e.yaml", []byte(strings.Replace(base, c.old, c.new, 1)))
			if err != nil {
				t.Fatal(err)
			}
			_, err = New(s)
			if err == nil || !strings.HasPrefix(err.Error(), "eyeriss: e.yaml") || !strings.HasSuffix(err.Error(), c.want) {
				t.Errorf("got %v\nwant eyeriss: e.yaml…%s", err, c.want)
			}
		})
	}
	// A memory off the mac's path that holds a data type.
	off := base + "    - name: side\n      local:\n        - name: side_buf\n          class: SRAM\n          attributes: {depth: 256, width: 16, word-bits: 16, datatypes: [outputs]}\n"
	s, err := arch.Parse("e.yaml", []byte(off))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(s); err == nil || !strings.HasSuffix(err.Error(), "memory side_buf holds outputs but is not on the path from mac to the root") {
		t.Errorf("off-path memory: %v", err)
	}
}

// mlp is the MNIST MLP 784-100-10 at batch 1 with 4-bit weights.
func mlp() accel.Workload {
	return accel.Workload{Name: "mnist-mlp-784-100-10", Layers: []accel.Layer{
		accel.FC("fc1", 1, 784, 100, 4), accel.FC("fc2", 1, 100, 10, 4)}}
}

// resnet20 is CIFAR ResNet-20 (He et al. 2016) at batch 1 with 4-bit
// weights, with 1×1/2 projection shortcuts at the two down-sampling blocks.
func resnet20() accel.Workload {
	w := accel.Workload{Name: "cifar-resnet20"}
	add := func(l accel.Layer) { w.Layers = append(w.Layers, l) }
	add(accel.Conv("conv1", 1, 3, 32, 32, 16, 3, 3, 1, 1, 4))
	in, hw := 16, 32
	for stage, out := range []int{16, 32, 64} {
		for b := 0; b < 3; b++ {
			stride := 1
			if b == 0 && stage > 0 {
				stride = 2
			}
			name := func(s string) string { return fmt.Sprintf("s%db%d%s", stage+1, b+1, s) }
			add(accel.Conv(name("c1"), 1, in, hw, hw, out, 3, 3, stride, 1, 4))
			if stride == 2 {
				add(accel.Conv(name("sc"), 1, in, hw, hw, out, 1, 1, 2, 0, 4))
				hw /= 2
			}
			add(accel.Conv(name("c2"), 1, out, hw, hw, out, 3, 3, 1, 1, 4))
			in = out
		}
	}
	add(accel.FC("fc", 1, 64, 10, 4))
	return w
}

func TestPriceBuiltinWorkloads(t *testing.T) {
	m := builtin(t)
	cases := []struct {
		w       accel.Workload
		macs    int64
		weights int64
	}{
		{mlp(), 79400, 79400},
		// 40,551,040 MACs of the conv/fc layers (conv1 442,368; stage 1: 6 × 2,359,296; stages 2 and 3:
		// 1,179,648 + 5 × 2,359,296 each; fc 640) + 2 × 131,072 for the two 1×1 shortcuts.
		// Weights: 432 + 6·2,304 + (4,608 + 5·9,216) + (18,432 + 5·36,864) + 640 + 512 + 2,048.
		{resnet20(), 40551040 + 2*131072, 432 + 6*2304 + 4608 + 5*9216 + 18432 + 5*36864 + 640 + 512 + 2048},
	}
	for _, c := range cases {
		t.Run(c.w.Name, func(t *testing.T) {
			if c.w.MACs() != c.macs || c.w.Weights() != c.weights {
				t.Fatalf("MACs %d weights %d, want %d %d", c.w.MACs(), c.w.Weights(), c.macs, c.weights)
			}
			r, err := accel.Price(m, c.w)
			if err != nil {
				t.Fatal(err)
			}
			nom, low := r.At(0.8), r.At(0.6)
			var cycles int64
			for _, l := range c.w.Layers {
				cycles += (l.MACs() + 167) / 168
			}
			if nom.Cycles != cycles {
				t.Errorf("cycles %d, want %d", nom.Cycles, cycles)
			}
			for i, comp := range r.Components {
				n, l := nom.Components[i], low.Components[i]
				if n.TotalPJ <= 0 {
					t.Errorf("%s: energy %g", comp.Name, n.TotalPJ)
				}
				if comp.Name == "mac" && n.Access.Ops != c.macs {
					t.Errorf("mac ops %d", n.Access.Ops)
				}
				// weight_sram is the only scaled memory: its dynamic energy drops by (0.6/0.8)²,
				// everything else stays.
				wantDyn := n.DynamicPJ
				if comp.Name == "weight_sram" {
					wantDyn *= 0.5625
					// Weights leave the weight memory once, 16 four-bit codes per 64-bit word.
					if want := (c.weights*4 + 63) / 64; n.Access.Reads > want+int64(len(c.w.Layers)) || n.Access.Reads < want {
						t.Errorf("weight_sram reads %d, want about %d", n.Access.Reads, want)
					}
				}
				if d := l.DynamicPJ - wantDyn; d > 1e-9*n.DynamicPJ || d < -1e-9*n.DynamicPJ || l.LeakagePJ != n.LeakagePJ {
					t.Errorf("%s at 0.6 V: dynamic %g leakage %g, want %g %g", comp.Name, l.DynamicPJ, l.LeakagePJ, wantDyn, n.LeakagePJ)
				}
			}
			if !(low.TotalPJ < nom.TotalPJ) {
				t.Errorf("energy does not fall with voltage: %g ≥ %g", low.TotalPJ, nom.TotalPJ)
			}
			var buf bytes.Buffer
			if err := accel.WriteTable(&buf, r, 0.8); err != nil {
				t.Fatal(err)
			}
			t.Logf("\n%s", buf.String())
		})
	}
}
