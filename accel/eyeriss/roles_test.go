package eyeriss

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"cosim/arch"
	"cosim/workload"
)

// builtinModel is New on a built-in spec.
func builtinModel(t testing.TB, name string, o Objective) *Model {
	t.Helper()
	s, err := arch.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewObjective(s, o)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func name(c *arch.Component) string {
	if c == nil {
		return "-"
	}
	return c.Name
}

func TestRolesBuiltin(t *testing.T) {
	cases := []struct {
		spec, want string
	}{
		// mac PEs rows cols | spads | backing stores | buffers
		{"eyeriss", "mac 168 12 14 | weights_spad ifmap_spad psum_spad | DRAM DRAM DRAM | glb glb"},
		{"eyeriss-onchip", "mac 168 12 14 | weights_spad ifmap_spad psum_spad | weight_sram glb glb | - -"},
		{"eyeriss-like-timeloop", "mac 168 12 14 | weights_spad ifmap_spad psum_spad | DRAM DRAM DRAM | shared_glb shared_glb"},
	}
	for _, c := range cases {
		h := builtinModel(t, c.spec, MinEnergy).Hierarchy()
		got := strings.Join([]string{h.MAC.Name, itoa(h.PEs), itoa(h.Rows), itoa(h.Cols), "|",
			name(h.WeightSpad), name(h.IfmapSpad), name(h.PsumSpad), "|",
			name(h.WeightMem), name(h.InputMem), name(h.OutputMem), "|", name(h.InputBuf), name(h.OutputBuf)}, " ")
		if got != c.want {
			t.Errorf("%s: roles %s\nwant %s", c.spec, got, c.want)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func onchipYAML(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../arch/specs/eyeriss-onchip.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestRolesErrors(t *testing.T) {
	base := onchipYAML(t)
	cases := []struct {
		name, old, new, want string
	}{
		{"no weight spad", "                datatypes: [weights]\n                voltage-domain: nominal\n", "                voltage-domain: nominal\n",
			"weights: want a spad in node chip/PE[0..167] and one shared memory in an ancestor node (filters bypass the global buffer), found [weight_sram] on the path from mac"},
		{"weights in the glb too", "datatypes: [inputs, outputs]", "datatypes: [inputs, outputs, weights]",
			"weights: want a spad in node chip/PE[0..167] and one shared memory in an ancestor node (filters bypass the global buffer), found [weights_spad, weight_sram, glb] on the path from mac"},
		{"two macs", "            - name: mac\n", "            - name: mac2\n              class: mac\n              attributes: {datawidth: 8, energy: {op-pj: 0.1, source: test}}\n            - name: mac\n",
			"want exactly one mac component, found 2"},
		{"two memories for psums in the PE", "                datatypes: [outputs]\n", "                datatypes: [outputs, inputs]\n",
			"inputs: want a spad in node chip/PE[0..167] and one or two shared memories (a global buffer and a backing store) in ancestor nodes, found [ifmap_spad, psum_spad, glb] on the path from mac"},
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
	if _, err := NewObjective(s, Objective(7)); err == nil || err.Error() != "eyeriss: unknown objective 7" {
		t.Errorf("bad objective: %v", err)
	}
}

func TestLayerErrors(t *testing.T) {
	m := builtinModel(t, "eyeriss-onchip", MinEnergy)
	cases := []struct {
		l    workload.Layer
		want string
	}{
		{workload.FC("f", 1, 4, 4, 17), `eyeriss: layer "f": 17-bit weights exceed the 16-bit words of weights_spad or the 16-bit datawidth of mac`},
		{workload.Conv("c", 1, 3, 20, 20, 4, 13, 13, 1, 0, 4), `eyeriss: layer "c": filter height R = 13 exceeds the 12 rows of the PE array (folding filter rows is not modelled)`},
		// 3·112·112 + 64·56·56 words of 16 b do not fit the 108 KiB glb.
		{workload.Conv("big", 1, 3, 112, 112, 64, 3, 3, 2, 1, 4), `eyeriss: layer "big" needs 3813376 bits of glb, which holds 884736`},
		{workload.FC("f", 1, 0, 4, 4), `accel: layer "f": C = 0, must be ≥ 1`},
	}
	for _, c := range cases {
		if _, err := m.Map(c.l); err == nil || err.Error() != c.want {
			t.Errorf("got %v\nwant %s", err, c.want)
		}
	}
}
