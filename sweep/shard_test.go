package sweep

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cosim/mc"
	"cosim/results"
	"cosim/wcat"
)

func TestParseShard(t *testing.T) {
	if s, err := ParseShard("2/5"); err != nil || s != (Shard{Index: 2, Count: 5}) || s.String() != "2/5" || ShardFileName(s) != "shard-2-of-5.json" {
		t.Fatalf("2/5: %v %v", s, err)
	}
	for _, bad := range []string{"", "3", "0/2", "3/2", "1/0", "-1/2", "a/b", "1/2/3", " 1/2"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Every trial of every point belongs to exactly one shard, trial ranges are
// contiguous, and shards differ by at most one trial (fixed trials) or one
// point (adaptive points).
func TestPartsCoverOnce(t *testing.T) {
	models := []Model{{Name: "a", Method: "x"}, {Name: "b", Method: "y"}}
	for _, c := range []struct {
		volts, trials, shards int
		ci                    float64
	}{{3, 5, 2, 0}, {3, 5, 4, 0}, {2, 3, 7, 0}, {5, 50, 3, 0}, {1, 1, 3, 0}, {4, 100, 3, 0.5}, {1, 10, 4, 0.5}} {
		var vs []float64
		for i := 0; i < c.volts; i++ {
			vs = append(vs, 0.8-0.05*float64(i))
		}
		cfg := Config{Models: models, Voltages: vs, MC: mc.Options{Trials: c.trials, CIHalfWidth: c.ci}}
		seen := map[pointKey][]bool{}
		lo, hi := 1<<30, 0
		for i := 1; i <= c.shards; i++ {
			work := 0
			for _, p := range cfg.Parts(Shard{Index: i, Count: c.shards}) {
				k := pointKey{p.Model, p.Method, p.VddV}
				if seen[k] == nil {
					seen[k] = make([]bool, c.trials)
				}
				for tr := p.From; tr < p.To; tr++ {
					if seen[k][tr] {
						t.Fatalf("%+v: trial %d of %v in two shards", c, tr, k)
					}
					seen[k][tr] = true
				}
				if c.ci > 0 {
					work++
				} else {
					work += p.To - p.From
				}
			}
			lo, hi = min(lo, work), max(hi, work)
		}
		if len(seen) != len(models)*c.volts {
			t.Fatalf("%+v: %d points covered", c, len(seen))
		}
		for k, ts := range seen {
			for tr, ok := range ts {
				if !ok {
					t.Fatalf("%+v: trial %d of %v in no shard", c, tr, k)
				}
			}
		}
		if hi-lo > 1 {
			t.Errorf("%+v: shards hold %d to %d units of work", c, lo, hi)
		}
	}
}

// Shards run apart and merged give the report of the unsharded run byte for
// byte, with trial ranges (fixed trials) and with whole adaptive points; a
// shard resumed from its journal gives the same parts; shards of another
// sweep, missing, doubled or altered shards are refused.
func TestShardMergeEqualsRun(t *testing.T) {
	w, d := tiny(t, wcat.WCAT)
	n, _ := tiny(t, wcat.Normal)
	ctx := context.Background()
	for _, o := range []mc.Options{
		{Protocol: mc.ProtocolReference, Trials: 5},
		{Protocol: mc.ProtocolSubset, Trials: 60, MinTrials: 4, CIHalfWidth: 1.5, Subset: 100},
	} {
		cfg := Config{Accel: eyerissOf(t, builtinYAML(t, nil)), Voltages: []float64{0.40, 0.36, 0.44, 0.8}, MC: o, Seed: 11, Test: d,
			Models: []Model{{Name: "mlp", Method: "wcat", Q: w}, {Name: "mlp", Method: "normal", Q: n}}}
		full, err := Run(ctx, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := reportJSON(t, full)
		dir := t.TempDir()
		var files []*ShardFile
		for i := 1; i <= 3; i++ {
			sh := Shard{Index: i, Count: 3}
			parts, err := RunShard(ctx, cfg, sh, nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, ShardFileName(sh))
			if err := NewShardFile(cfg, sh, []string{"--spec=x.yaml"}, parts).Write(path); err != nil {
				t.Fatal(err)
			}
			f, err := ReadShardFile(path)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		merged := func(files ...*ShardFile) ([]byte, error) {
			pts, err := cfg.Merge(files)
			if err != nil {
				return nil, err
			}
			c := cfg
			c.Done = pts
			rep, err := Run(ctx, c, nil)
			if err != nil {
				t.Fatal(err)
			}
			return reportJSON(t, rep), nil
		}
		got, err := merged(files[2], files[0], files[1])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: merged report differs from the unsharded run:\n%s\n%s", o.Protocol, got, want)
		}
		for _, c := range []struct {
			files []*ShardFile
			want  string
		}{
			{files[:2], "shard 3 of 3 missing"},
			{[]*ShardFile{files[0], files[1], files[1], files[2]}, "are both shard 2/3"},
		} {
			if _, err := merged(c.files...); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: %v, want %q", o.Protocol, err, c.want)
			}
		}
		// A shard of another sweep (another seed) is refused, naming the
		// difference.
		other := cfg
		other.Seed = 12
		parts, err := RunShard(ctx, other, Shard{Index: 2, Count: 3}, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		alien := NewShardFile(other, Shard{Index: 2, Count: 3}, nil, parts)
		alien.Path = "alien.json"
		if _, err := merged(files[0], alien, files[2]); err == nil || !strings.Contains(err.Error(), "alien.json is a shard of another sweep") || !strings.Contains(err.Error(), "sweep.Seed") {
			t.Errorf("%s: shard of another sweep: %v", o.Protocol, err)
		}
		if _, err := other.Merge(files); err == nil || !strings.Contains(err.Error(), "another configuration") {
			t.Errorf("%s: shards of another configuration: %v", o.Protocol, err)
		}
		// A shard whose parts are not its work (another shard's, or a
		// part lost) is refused.
		swapped := *files[0]
		swapped.Parts = files[1].Parts
		if _, err := merged(&swapped, files[1], files[2]); err == nil || !strings.Contains(err.Error(), "shard 1/3 of this sweep has") {
			t.Errorf("%s: shard with another shard's parts: %v", o.Protocol, err)
		}
	}
}

// A shard killed after its first part and resumed from its journal computes
// only the rest and gives the parts of an uninterrupted run.
func TestShardResume(t *testing.T) {
	w, d := tiny(t, wcat.WCAT)
	cfg := Config{Accel: eyerissOf(t, builtinYAML(t, nil)), Voltages: []float64{0.34, 0.38, 0.42}, Seed: 9, Test: d,
		MC: mc.Options{Protocol: mc.ProtocolReference, Trials: 4}, Models: []Model{{Name: "mlp", Method: "wcat", Q: w}}}
	sh := Shard{Index: 1, Count: 2}
	full, err := RunShard(context.Background(), cfg, sh, nil, nil, nil)
	if err != nil || len(full) != 3 {
		t.Fatalf("%d parts: %v", len(full), err)
	}
	path := filepath.Join(t.TempDir(), "shard.jsonl")
	j, done, err := OpenShardJournal(path, cfg.Fingerprint(), sh, false)
	if err != nil || len(done) != 0 {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := RunShard(ctx, cfg, sh, nil, j.AppendPart, func(e ShardEvent) {
		if e.Part != nil {
			cancel()
		}
	}); err == nil {
		t.Fatal("cancelled shard returned no error")
	}
	j.Close()
	if _, _, err := OpenShardJournal(path, cfg.Fingerprint(), Shard{Index: 2, Count: 2}, true); err == nil {
		t.Fatal("journal of shard 1/2 resumed as shard 2/2")
	}
	j, done, err = OpenShardJournal(path, cfg.Fingerprint(), sh, true)
	if err != nil || len(done) != 1 {
		t.Fatalf("resume: %v, %d parts", err, len(done))
	}
	defer j.Close()
	computed := 0
	res, err := RunShard(context.Background(), cfg, sh, done, func(p Part) error { computed++; return j.AppendPart(p) }, nil)
	if err != nil || computed != 2 {
		t.Fatalf("resumed shard computed %d parts: %v", computed, err)
	}
	for i := range full {
		if full[i].unit() != res[i].unit() || !slices.Equal(full[i].Accs, res[i].Accs) || !slices.Equal(full[i].Flips, res[i].Flips) {
			t.Fatalf("part %d: uninterrupted %v, resumed %v", i, full[i], res[i])
		}
	}
}

func reportJSON(t *testing.T, r results.Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := results.WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
