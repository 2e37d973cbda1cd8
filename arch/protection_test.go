package arch

import (
	"strings"
	"testing"

	"cosim/ecc"
)

// tinyWide is tiny.yaml with a 64-bit weight memory, which the codes need.
func tinyWide(t *testing.T, extra string) string {
	t.Helper()
	return mutate(t, tinyYAML(t), "            width: 16\n", "            width: 64\n"+extra)
}

func TestProtection(t *testing.T) {
	for _, tc := range []struct {
		name, extra string
		want        ecc.Protection
	}{
		{"absent", "", ecc.Protection{Scheme: ecc.None, Uncorrectable: ecc.Keep}},
		{"short", "            protection: secded\n", ecc.Protection{}},
		{"mapping", "            protection: {scheme: zero-space, uncorrectable: zero, decoder-pj: 2.5, source: \"synthesised\"}\n",
			ecc.Protection{Scheme: ecc.ZeroSpace, Uncorrectable: ecc.Zero, DecoderPJ: 2.5, Source: "synthesised"}},
		{"msb", "            protection: {scheme: msb, msb-fraction: 0.25}\n", ecc.Protection{Scheme: ecc.MSB, MSBFraction: 0.25, Uncorrectable: ecc.Keep}},
	} {
		s, err := Parse("tiny.yaml", []byte(tinyWide(t, tc.extra)))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		mem, _ := s.FaultyWeightMemory()
		want := tc.want
		if tc.name == "short" {
			want, _ = ecc.ParseProtection("secded")
		}
		if mem.Protection != want {
			t.Errorf("%s: protection %+v, want %+v", tc.name, mem.Protection, want)
		}
	}
	over, _ := ecc.ParseProtection("msb:0.5")
	s, err := ParseWith("tiny.yaml", []byte(tinyWide(t, "            protection: secded\n")), Options{Protection: &over})
	if err != nil {
		t.Fatal(err)
	}
	if mem, _ := s.FaultyWeightMemory(); mem.Protection != over {
		t.Errorf("override: %+v", mem.Protection)
	}
}

func TestProtectionErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"narrow word", mutate(t, tinyYAML(t), "            width: 16\n", "            width: 16\n            protection: secded\n"),
			"tiny.yaml:18:25: protection in attributes of wmem: wmem: protection secded protects 64-bit words; the weight memory's words are 16 bits"},
		{"unknown scheme", tinyWide(t, "            protection: parity\n"),
			`tiny.yaml:18:25: protection in attributes of wmem: "parity" is not one of none, secded, zero-space, msb`},
		{"msb without fraction", tinyWide(t, "            protection: msb\n"),
			"tiny.yaml:18:25: protection in attributes of wmem: scheme msb needs msb-fraction, the fraction of weights whose MSB is reliable"},
		{"energy without source", tinyWide(t, "            protection: {scheme: secded, decoder-pj: 1}\n"),
			`missing key "source" in protection of wmem`},
		{"fraction above 1", tinyWide(t, "            protection: {scheme: msb, msb-fraction: 2}\n"),
			"msb-fraction in protection of wmem: 2 is more than every weight"},
		{"unknown key", tinyWide(t, "            protection: {scheme: secded, policy: zero}\n"),
			`unknown key "policy" in protection of wmem`},
	} {
		_, err := Parse("tiny.yaml", []byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}
