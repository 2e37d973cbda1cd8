package yamlspec

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInt(t *testing.T) {
	r := &Reader{File: "f.yaml", Kind: "test specs"}
	for _, c := range []struct {
		yaml string
		lo   int64
		want string // "" for no error
	}{
		{"k: 3", 1, ""},
		{"k: 0x10", 1, ""},
		{"k: 0", 1, "f.yaml:1:4: k in m: must be positive, got 0"},
		{"k: -1", 0, "f.yaml:1:4: k in m: must be at least 0, got -1"},
		{"k: 2147483648", 1, "f.yaml:1:4: k in m: 2147483648 is too large (at most 2147483647)"},
		{"k: 1.5", 1, `f.yaml:1:4: k in m: want an integer, got "1.5"`},
		{"k: \"3\"", 1, `f.yaml:1:4: k in m: want an integer, got "3"`},
		{"k: 99999999999999999999", 1, `f.yaml:1:4: k in m: want an integer, got "99999999999999999999"`},
	} {
		root, err := r.Document([]byte(c.yaml), "k")
		if err != nil {
			t.Fatal(err)
		}
		m, err := r.Mapping(root, "m", "k")
		if err != nil {
			t.Fatal(err)
		}
		_, err = m.Int("k", c.lo, math.MaxInt32)
		if got := ""; err != nil {
			got = err.Error()
			if got != c.want {
				t.Errorf("%s: %s, want %s", c.yaml, got, c.want)
			}
		} else if c.want != "" {
			t.Errorf("%s: no error, want %s", c.yaml, c.want)
		}
	}
}

func TestDocument(t *testing.T) {
	r := &Reader{File: "f.yaml", Kind: "test specs"}
	for _, c := range []struct{ yaml, want string }{
		{"---\n", `f.yaml: empty document: want a mapping with the key "top"`},
		{"a: [\n", "f.yaml:1: YAML syntax: did not find expected node content"},
		{"a: 1\nb: *x\n", "f.yaml: YAML syntax: unknown anchor 'x' referenced"},
		{"a: &x [1]\nb: *x\n", "f.yaml:1:4: anchor &x: anchors and aliases are not supported in test specs"},
		{"<<: {a: 1}\n", ""},
	} {
		_, err := r.Document([]byte(c.yaml), "top")
		if got := ""; err != nil {
			got = err.Error()
			if !strings.HasPrefix(got, c.want) || c.want == "" {
				t.Errorf("%q: %s, want %s", c.yaml, got, c.want)
			}
		} else if c.want != "" {
			t.Errorf("%q: no error, want %s", c.yaml, c.want)
		}
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadFile(filepath.Join(dir, "none.yaml"), "test spec"); err == nil || err.Error() != filepath.Join(dir, "none.yaml")+": cannot read test spec: no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
	f := filepath.Join(dir, "s.yaml")
	os.WriteFile(f, []byte("a: 1\n"), 0o644)
	if data, err := ReadFile(f, "test spec"); err != nil || string(data) != "a: 1\n" {
		t.Errorf("%q, %v", data, err)
	}
}
