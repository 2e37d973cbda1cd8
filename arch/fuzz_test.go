package arch

import (
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics and that every error message
// starts with the file name. Seeds: the built-in spec, tiny.yaml and every
// broken variant of TestParseErrors.
func FuzzParse(f *testing.F) {
	for _, name := range BuiltinNames() {
		data, err := builtinFS.ReadFile("specs/" + name + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(tinyYAML(f)))
	for _, b := range badSpecs {
		f.Add([]byte(applyBad(f, b)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const file = "fuzz.yaml"
		s, err := Parse(file, data)
		if err != nil {
			if s != nil {
				t.Errorf("Parse returned both a spec and an error")
			}
			if !strings.HasPrefix(err.Error(), file+":") {
				t.Errorf("error does not start with %q: %v", file+":", err)
			}
			return
		}
		// A spec that parses is usable: every CACTI-priced memory has an estimate.
		for _, c := range s.Components() {
			if c.PricedByCACTI() {
				if _, err := c.CACTI(); err != nil {
					t.Errorf("accepted spec, but %v", err)
				}
			}
		}
	})
}
