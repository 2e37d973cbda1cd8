package fingerprint

import (
	"reflect"
	"testing"
)

type part struct {
	Name  string
	Depth int
	Back  *node `fingerprint:"-"`
}

type node struct {
	Name   string
	Parts  []*part
	Scale  float64
	Extra  map[string]bool
	Self   *node
	hidden int
}

func TestOfAndDiff(t *testing.T) {
	n := &node{Name: "chip", Scale: 0.1, Parts: []*part{{Name: "glb", Depth: 64}, {Name: "spad", Depth: 12}},
		Extra: map[string]bool{"b": true, "a": false}}
	n.Self = n
	n.Parts[0].Back = n
	got := Of("arch", n)
	want := Set{
		{"arch.Name", `"chip"`},
		{"arch.Parts[glb].Name", `"glb"`}, {"arch.Parts[glb].Depth", "64"},
		{"arch.Parts[spad].Name", `"spad"`}, {"arch.Parts[spad].Depth", "12"},
		{"arch.Scale", "0.1"},
		{"arch.Extra[a]", "false"}, {"arch.Extra[b]", "true"},
		{"arch.Self", "<cycle>"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Of:\n got %v\nwant %v", got, want)
	}
	old := got.Map()
	n.Parts[1].Depth = 24
	n.Parts[0].Name = "gb" // renamed: one path removed, one added
	n.hidden = 3           // unexported: not part of the configuration
	diff := Of("arch", n).Diff(old)
	wantDiff := []string{
		`arch.Parts[gb].Name: added, "gb"`, `arch.Parts[gb].Depth: added, 64`, "arch.Parts[spad].Depth: 12 → 24",
		"arch.Parts[glb].Depth: removed", "arch.Parts[glb].Name: removed",
	}
	if !reflect.DeepEqual(diff, wantDiff) {
		t.Fatalf("Diff:\n got %q\nwant %q", diff, wantDiff)
	}
	if s := Summary(diff, 2); s != `arch.Parts[gb].Name: added, "gb"; arch.Parts[gb].Depth: added, 64; and 3 more` {
		t.Fatalf("Summary: %q", s)
	}
	// Duplicate names fall back to indices.
	n.Parts[1].Name = "gb"
	if k := Of("a", n)[1].Key; k != "a.Parts[0].Name" {
		t.Fatalf("duplicate names keyed %q", k)
	}
	if Of("a", n).Hash() == Of("a", &node{}).Hash() {
		t.Fatal("different values hash alike")
	}
}

// AddTensor hashes the values' little-endian IEEE bits (the digest of the
// bytes 00 00 80 3f 00 00 00 bf, computed apart with Python's hashlib).
func TestAddTensor(t *testing.T) {
	var s Set
	s.AddTensor("w", []int{1, 2}, []float32{1, -0.5})
	want := Set{{"w", "[1 2] sha256:e5e0ce39fac89cd93af5ba8bcad2fe35d88c75417c7e44941fe5ee4e48f1cf75"}}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("got %v, want %v", s, want)
	}
}
