package sweep

import (
	"os"
	"strings"
	"testing"

	"cosim/ecc"
)

func TestSpecProtections(t *testing.T) {
	s, err := ParseSpec("s.yaml", []byte("sweep:\n  arch: eyeriss-onchip\n  models:\n    - {checkpoint: a.ckpt, protection: [none, \"secded:zero\"]}\n    - {checkpoint: b.ckpt, protection: \"msb:0.25\"}\n    - {checkpoint: c.ckpt}\n  voltages: [0.4]\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got [][]string
	for _, m := range s.Models {
		var ls []string
		for _, p := range m.Protections {
			ls = append(ls, p.Label())
		}
		got = append(got, ls)
	}
	if len(got) != 3 || strings.Join(got[0], " ") != "none secded:zero" || strings.Join(got[1], " ") != "msb:0.25" || got[2] != nil {
		t.Fatalf("protections %v", got)
	}
	if s.Models[0].Protections[1].Uncorrectable != ecc.Zero {
		t.Fatalf("policy %+v", s.Models[0].Protections[1])
	}
	for _, c := range []struct{ yaml, want string }{
		{"[parity]", `s.yaml:4:41: protection in model #1: unknown protection "parity"`},
		{"[]", "s.yaml:4:40: protection in model #1: want a protection or a non-empty list of them"},
		{"{scheme: secded}", "s.yaml:4:40: protection in model #1: want a string, got a mapping"},
	} {
		_, err := ParseSpec("s.yaml", []byte("sweep:\n  arch: eyeriss-onchip\n  models:\n    - {checkpoint: a.ckpt, protection: "+c.yaml+"}\n  voltages: [0.4]\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.yaml, err, c.want)
		}
	}
}

// TestProtectionSpecFile: the experiment's spec parses, with the series
// its header describes.
func TestProtectionSpecFile(t *testing.T) {
	data, err := os.ReadFile("../experiments/protection-4bit.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSpec("experiments/protection-4bit.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	series := 0
	for _, m := range s.Models {
		series += max(1, len(m.Protections))
	}
	if series != 3 {
		t.Fatalf("%d series, want 3", series)
	}
}
