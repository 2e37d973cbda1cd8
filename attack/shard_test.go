package attack

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"cosim/internal/fingerprint"
	"cosim/internal/shard"
)

// seedShards are the two shard files of a run of trials 0 and 1 of
// seedResult's model: shard 1/2 holds trial 0, shard 2/2 trial 1.
func seedShards() []*ShardFile {
	fp := fingerprint.Set{{Key: "seed", Value: "1"}}
	var fs []*ShardFile
	for i := 1; i <= 2; i++ {
		r := seedResult()
		r.Trials[0].Trial = i - 1
		f := NewShardFile(fp, shard.Shard{Index: i, Count: 2}, 0, 2, r)
		f.Path = ShardFileName(BFA, shard.Shard{Index: i, Count: 2})
		fs = append(fs, f)
	}
	return fs
}

// The shards merge into the result of both trials; a shard without its
// trial, with another's, or whose run differs under the same hash is
// refused, and so are missing and doubled shards.
func TestMergeShards(t *testing.T) {
	if s := (seedShards()[1]); s.Path != "bfa-shard-2-of-2.json" {
		t.Fatalf("file name %s", s.Path)
	}
	m, err := MergeShards(seedShards())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Merge([]Result{seedShards()[0].Result, seedShards()[1].Result}, []string{"a", "b"})
	if !reflect.DeepEqual(m, want) || len(m.Trials) != 2 || m.Trials[1].Trial != 1 {
		t.Fatalf("merged %+v", m.Summaries)
	}
	for _, c := range []struct {
		edit func([]*ShardFile) []*ShardFile
		want string
	}{
		{func(fs []*ShardFile) []*ShardFile { fs[1].Result.Trials = nil; return fs }, "trial 1 of m missing: shard 2/2 has not finished"},
		{func(fs []*ShardFile) []*ShardFile {
			fs[1].Result.Trials = append(fs[1].Result.Trials, fs[0].Result.Trials...)
			return fs
		}, "holds trial 0 of m, which is not shard 2/2's work"},
		{func(fs []*ShardFile) []*ShardFile { fs[1].Result.Seed = 9; return fs }, "bfa-shard-2-of-2.json: its run differs"},
		{func(fs []*ShardFile) []*ShardFile { fs[1].Trials = 3; return fs }, "its run differs"},
		{func(fs []*ShardFile) []*ShardFile { return fs[:1] }, "shard 2 of 2 missing"},
		{func(fs []*ShardFile) []*ShardFile { return append(fs, fs[0]) }, "are both shard 1/2"},
		{func(fs []*ShardFile) []*ShardFile { fs[1].Config = strings.Repeat("0", 64); return fs }, "is a shard of another attack run"},
	} {
		if _, err := MergeShards(c.edit(seedShards())); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v, want %q", err, c.want)
		}
	}
}

// Shard i holds the i-th run of the trials taken trial by trial across
// the models, counted from the first trial.
func TestSpan(t *testing.T) {
	var got [][2]int
	for i := 1; i <= 2; i++ {
		for m := range 2 {
			from, to := Span(shard.Shard{Index: i, Count: 2}, 2, 10, 3, m)
			got = append(got, [2]int{from, to})
		}
	}
	// Items (trial, model): (10,a) (10,b) (11,a) | (11,b) (12,a) (12,b).
	if want := [][2]int{{10, 12}, {10, 11}, {12, 13}, {11, 13}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("spans %v, want %v", got, want)
	}
}

// FuzzDecodeShardFile: any input either fails with an error that names the
// file or decodes to a shard file that reads back unchanged.
func FuzzDecodeShardFile(f *testing.F) {
	for _, s := range seedShards() {
		var b bytes.Buffer
		json.NewEncoder(&b).Encode(s)
		f.Add(b.Bytes())
	}
	f.Add([]byte(`{"kind":"cosim-attack-shard","config_sha256":"` + strings.Repeat("a", 64) + `","shard":1,"of":1,"trials":1,"result":{"attack":"bfa"}}`))
	f.Add([]byte(`{"kind":"cosim-sweep-shard"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := DecodeShardFile("fuzz.json", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.json: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		var out bytes.Buffer
		if err := json.NewEncoder(&out).Encode(s); err != nil {
			t.Fatal(err)
		}
		back, err := DecodeShardFile("fuzz.json", out.Bytes())
		if err != nil {
			t.Fatalf("re-read: %v", err)
		}
		if !reflect.DeepEqual(back, s) {
			t.Fatalf("round trip changed the shard file")
		}
		_, _ = MergeShards([]*ShardFile{s})
	})
}
