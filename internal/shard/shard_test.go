package shard

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"cosim/internal/fingerprint"
)

func TestParse(t *testing.T) {
	if s, err := Parse("2/5"); err != nil || s != (Shard{2, 5}) || s.String() != "2/5" {
		t.Fatalf("2/5: %v %v", s, err)
	}
	for _, bad := range []string{"", "3", "0/2", "3/2", "1/0", "-1/2", "a/b", "1/2/3", " 1/2"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Every trial of every unit is in exactly one shard, and shards hold
// numbers of trials that differ by at most one.
func TestSpanCoversOnce(t *testing.T) {
	for _, c := range []struct{ units, trials, shards int }{{1, 1, 1}, {1, 5, 2}, {2, 3, 2}, {3, 5, 4}, {2, 3, 7}, {5, 50, 3}, {1, 1, 3}, {4, 1, 4}} {
		seen := make([][]int, c.units)
		for u := range seen {
			seen[u] = make([]int, c.trials)
		}
		lo, hi := 1<<30, 0
		for i := 1; i <= c.shards; i++ {
			n := 0
			for u := range c.units {
				from, to := Shard{i, c.shards}.Span(c.units, c.trials, u)
				if from < 0 || to > c.trials || from > to {
					t.Fatalf("%+v: shard %d, unit %d: [%d, %d)", c, i, u, from, to)
				}
				for tr := from; tr < to; tr++ {
					seen[u][tr]++
				}
				n += to - from
			}
			lo, hi = min(lo, n), max(hi, n)
		}
		for u, ts := range seen {
			for tr, k := range ts {
				if k != 1 {
					t.Fatalf("%+v: trial %d of unit %d in %d shards", c, tr, u, k)
				}
			}
		}
		if hi-lo > 1 {
			t.Errorf("%+v: shards hold %d to %d trials", c, lo, hi)
		}
	}
}

func TestCheck(t *testing.T) {
	h := func(path string, i, n int, config string) *File {
		return &File{Path: path, Config: config, Fingerprint: map[string]string{"seed": config}, Shard: i, Of: n}
	}
	ok := []*File{h("c", 3, 3, "x"), h("a", 1, 3, "x"), h("b", 2, 3, "x")}
	if err := Check("run", ok); err != nil || ok[0].Path != "a" || ok[2].Path != "c" {
		t.Fatalf("complete shards: %v, order %v", err, ok)
	}
	for _, c := range []struct {
		fs   []*File
		want string
	}{
		{nil, "no shard files"},
		{[]*File{h("a", 1, 3, "x"), h("c", 3, 3, "x")}, "shard 2 of 3 missing (2 files given)"},
		{[]*File{h("b", 2, 3, "x")}, "shard 1, 3 of 3 missing"},
		{[]*File{h("a", 1, 2, "x"), h("a2", 1, 2, "x"), h("b", 2, 2, "x")}, "a and a2 are both shard 1/2"},
		{[]*File{h("a", 1, 2, "x"), h("b", 2, 2, "y")}, `b is a shard of another run than a (seed: x → y)`},
		{[]*File{h("a", 1, 2, "x"), h("b", 2, 3, "x")}, "b is shard 2/3, but a is shard 1/2"},
	} {
		if err := Check("run", c.fs); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.fs, err, c.want)
		}
	}
}

// results is a results file that embeds the head.
type results struct {
	File
	Trials []int `json:"trials"`
}

// Decode reads a results file and checks its head; Kind probes the kind.
func TestDecodeAndKind(t *testing.T) {
	f := results{File: NewFile("test-shard", fingerprint.Set{{Key: "seed", Value: "1"}}, Shard{2, 3}), Trials: []int{4}}
	raw, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var back results
	if err := Decode("r.json", raw, "test-shard", &back); err != nil {
		t.Fatal(err)
	}
	f.Path = "r.json"
	if !reflect.DeepEqual(back, f) || back.Part() != (Shard{2, 3}) || Kind(raw) != "test-shard" {
		t.Fatalf("read back %+v, want %+v", back, f)
	}
	if Kind([]byte("[1]")) != "" || Kind([]byte("{")) != "" {
		t.Fatal("Kind of a non-object")
	}
	sub := func(old, new string) []byte { return []byte(strings.Replace(string(raw), old, new, 1)) }
	for _, c := range []struct {
		raw        []byte
		kind, want string
	}{
		{raw, "other-shard", `r.json: not a other-shard file (kind "test-shard")`},
		{sub(`"of":3`, `"of":3,"x":1`), "test-shard", `r.json: not a test-shard file (json: unknown field "x")`},
		{append(raw, '{', '}'), "test-shard", "r.json: data after the shard"},
		{sub(`"shard":2`, `"shard":4`), "test-shard", "r.json: shard 4 of 3"},
		{sub(`"config_sha256":"`, `"config_sha256":"x`), "test-shard", "r.json: config_sha256"},
		{[]byte(""), "test-shard", "r.json: not a test-shard file (EOF)"},
	} {
		var r results
		if err := Decode("r.json", c.raw, c.kind, &r); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.raw, err, c.want)
		}
	}
}
