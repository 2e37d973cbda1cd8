package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cosim/attack"
)

// cosim attack --shard I/N on the shared MNIST MLP: shards 1/2 and 2/2
// merged by cosim merge give the files of the unsharded run byte for byte,
// for BFA on two models and for T-BFA; --resume inside a shard runs only
// its unfinished trials; missing, doubled, unfinished and foreign shards
// are refused with exit 2 and nothing written.
func TestAttackShards(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.ckpt"), filepath.Join(dir, "b.ckpt")
	copyMLP(t, a)
	copyMLP(t, b)
	runs := map[string][]string{
		"bfa":  {"attack", "bfa", "--model", a, "--model", b, "--threshold", "90", "--max-flips", "20", "--trials", "3"},
		"tbfa": {"attack", "tbfa", "--model", a, "--source", "7", "--target", "1", "--batch", "128", "--goal", "50", "--max-flips", "30", "--trials", "2"},
	}
	must := func(args ...string) string {
		t.Helper()
		code, stdout, errs := cosim(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		return stdout
	}
	shardFile := func(kind string, i int) string {
		return filepath.Join(dir, kind, "shards", kind+"-shard-"+string(rune('0'+i))+"-of-2.json")
	}
	for _, kind := range []string{"bfa", "tbfa"} {
		whole, shards, merged := filepath.Join(dir, kind, "whole"), filepath.Join(dir, kind, "shards"), filepath.Join(dir, kind, "merged")
		must(append(runs[kind], "--out", whole)...)
		for i := 1; i <= 2; i++ {
			if out := must(append(runs[kind], "--out", shards, "--shard", string(rune('0'+i))+"/2")...); !strings.Contains(out, "wrote "+shardFile(kind, i)) {
				t.Fatalf("shard %d printed %q", i, out)
			}
		}
		if out := must("merge", shardFile(kind, 2), shardFile(kind, 1), "--out", merged); !strings.Contains(out, "from 2 shards") {
			t.Fatalf("merge printed %q", out)
		}
		for _, f := range []string{".json", ".csv", "-flips.csv", ".html"} {
			w, err1 := os.ReadFile(filepath.Join(whole, kind+f))
			m, err2 := os.ReadFile(filepath.Join(merged, kind+f))
			if err1 != nil || err2 != nil || len(w) == 0 || !bytes.Equal(w, m) {
				t.Fatalf("%s%s: merged shards differ from the unsharded run (%v, %v)", kind, f, err1, err2)
			}
		}
	}
	r, err := attack.ReadResult(filepath.Join(dir, "bfa", "whole", "bfa.json"))
	if err != nil || len(r.Trials) != 6 {
		t.Fatalf("unsharded BFA: %d trials, %v", len(r.Trials), err)
	}

	// An unfinished shard (its last trial dropped) is refused by the merge;
	// --resume runs that trial alone and gives back the finished file.
	full, err := os.ReadFile(shardFile("bfa", 2))
	if err != nil {
		t.Fatal(err)
	}
	var f attack.ShardFile
	if err := json.Unmarshal(full, &f); err != nil {
		t.Fatal(err)
	}
	f.Result.Trials = f.Result.Trials[:len(f.Result.Trials)-1]
	if err := f.Write(shardFile("bfa", 2)); err != nil {
		t.Fatal(err)
	}
	never := filepath.Join(dir, "never")
	refused := func(want string, args ...string) {
		t.Helper()
		code, _, errs := cosim(t, args...)
		if code != 2 || !strings.Contains(errs, want) || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
			t.Errorf("%v: exit %d, %q; want 2 and %q", args, code, errs, want)
		}
		if _, err := os.Stat(never); !os.IsNotExist(err) {
			t.Fatalf("%v wrote %s", args, never)
		}
	}
	refused("trial 2 of b missing: shard 2/2 has not finished", "merge", shardFile("bfa", 1), shardFile("bfa", 2), "--out", never)
	code, _, errs := cosim(t, append(runs["bfa"], "--out", filepath.Join(dir, "bfa", "shards"), "--shard", "2/2", "--resume")...)
	if code != 0 || strings.Count(errs, " trial ") != 1 || !strings.Contains(errs, "b trial 2:") {
		t.Fatalf("resumed shard: exit %d, stderr %q; want one trial, b's trial 2", code, errs)
	}
	if again, err := os.ReadFile(shardFile("bfa", 2)); err != nil || !bytes.Equal(again, full) {
		t.Fatalf("resumed shard file differs from the uninterrupted one (%v)", err)
	}

	// Missing, doubled and foreign shards.
	double := filepath.Join(dir, "copy-of-1.json")
	one, err := os.ReadFile(shardFile("bfa", 1))
	if err == nil {
		err = os.WriteFile(double, one, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	refused("shard 2 of 2 missing (1 files given)", "merge", shardFile("bfa", 1), "--out", never)
	refused("are both shard 1/2", "merge", shardFile("bfa", 1), double, shardFile("bfa", 2), "--out", never)
	refused("is a shard of another attack run than", "merge", shardFile("bfa", 1), shardFile("tbfa", 2), "--out", never)
	other := filepath.Join(dir, "other-seed")
	must(append(runs["tbfa"], "--seed", "7", "--out", other, "--shard", "2/2")...)
	refused("attack.Seed: 1337 → 7", "merge", shardFile("tbfa", 1), filepath.Join(other, "tbfa-shard-2-of-2.json"), "--out", never)
	refused("not a cosim-attack-shard file", "merge", shardFile("tbfa", 1), filepath.Join(dir, "tbfa", "whole", "tbfa.json"), "--out", never)

	// A shard resumed with another model under the same name is refused
	// before it runs: the model's tensors are in the run's fingerprint.
	retrained := filepath.Join(dir, "retrained.ckpt")
	must("train", "--model", "mlp", "--epochs", "1", "--seed", "2", "--quiet", "--out", retrained)
	if err := os.Rename(retrained, b); err != nil {
		t.Fatal(err)
	}
	code, _, errs = cosim(t, append(runs["bfa"], "--out", filepath.Join(dir, "bfa", "shards"), "--shard", "1/2", "--resume")...)
	if code != 2 || !strings.Contains(errs, "was written for another run (attack.Models[1].Tensors[") {
		t.Fatalf("resume with another model: exit %d, %q", code, errs)
	}

	// Flags.
	for _, c := range []struct{ args, want string }{
		{"--shard 3/2 --out " + never, "--shard: shard \"3/2\""},
		{"--shard 1/2", "--shard needs --out"},
		{"--shard 1/2 --json --out " + never, "--json is for whole runs"},
	} {
		refused(c.want, append([]string{"attack", "bfa", "--model", a}, strings.Fields(c.args)...)...)
	}
}
