package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cosim/report"
)

// `cosim sweep --shard 1/2` and `--shard 2/2` merged by `cosim merge` write
// the results and report of the unsharded sweep byte for byte, under the
// reference protocol (trial ranges) and the subset protocol (whole adaptive
// points); missing, doubled and foreign shards are refused with exit 2 and
// nothing written.
func TestShardMergeEndToEnd(t *testing.T) {
	needMNIST(t)
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "w.ckpt")
	copyMLP(t, ckpt)
	spec := func(name, mc string, seed int) string {
		path := filepath.Join(dir, name+".yaml")
		text := "sweep:\n  models:\n    - checkpoint: w.ckpt\n  voltages: [0.36, 0.40, 0.46]\n  monte-carlo:\n" + mc + "  seed: " + string(rune('0'+seed)) + "\n"
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for _, c := range []struct{ name, mc string }{
		{"reference", "    protocol: reference\n    max-trials: 5\n    min-trials: 2\n    ci-half-width: 0\n"},
		{"subset", "    protocol: subset\n    max-trials: 40\n    min-trials: 4\n    ci-half-width: 1\n    subset: 400\n"},
	} {
		sp := spec(c.name, c.mc, 7)
		whole, shards, merged := filepath.Join(dir, c.name, "whole"), filepath.Join(dir, c.name, "shards"), filepath.Join(dir, c.name, "merged")
		must := func(args ...string) string {
			t.Helper()
			code, out, errs := cosim(t, args...)
			if code != 0 {
				t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errs)
			}
			return out
		}
		must("sweep", "--spec", sp, "--out", whole)
		for _, s := range []string{"1/2", "2/2"} {
			if out := must("sweep", "--spec", sp, "--shard", s, "--out", shards); !strings.Contains(out, "shard "+s) {
				t.Fatalf("shard %s said %q", s, out)
			}
		}
		one, two := filepath.Join(shards, "shard-1-of-2.json"), filepath.Join(shards, "shard-2-of-2.json")
		must("merge", one, two, "--out", merged)
		for _, f := range []string{report.JSONFile, report.CSVFile, report.HTMLFile} {
			a, err := os.ReadFile(filepath.Join(whole, f))
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(merged, f))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Fatalf("%s: merged %s differs from the unsharded run's", c.name, f)
			}
		}
		if out := must("sweep", "--spec", sp, "--shard", "2/2", "--out", shards, "--resume"); !strings.Contains(out, "already finished") {
			t.Errorf("%s: rerun of a finished shard with --resume: %q", c.name, out)
		}
		// A shard of another sweep (another seed).
		other := filepath.Join(dir, c.name, "other")
		must("sweep", "--spec", spec(c.name+"-other", c.mc, 8), "--shard", "2/2", "--out", other)
		bad := filepath.Join(dir, c.name, "bad")
		for _, m := range []struct {
			args []string
			want string
		}{
			{[]string{"merge", one, "--out", bad}, "shard 2 of 2 missing"},
			{[]string{"merge", one, one, two, "--out", bad}, "are both shard 1/2"},
			{[]string{"merge", one, filepath.Join(other, "shard-2-of-2.json"), "--out", bad}, "is a shard of another sweep than " + one + " (sweep.Seed"},
			{[]string{"merge", one, two}, "--out DIR"},
			{[]string{"merge", "--out", bad, ckpt}, "not a cosim-sweep-shard file"},
		} {
			code, _, errs := cosim(t, m.args...)
			if code != 2 || !strings.Contains(errs, m.want) || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
				t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line with %q", m.args, code, errs, m.want)
			}
		}
		if _, err := os.Stat(bad); !os.IsNotExist(err) {
			t.Errorf("%s: a refused merge left %s", c.name, bad)
		}
	}
	if code, _, errs := cosim(t, "sweep", "--model", ckpt, "--shard", "1/2"); code != 2 || !strings.Contains(errs, "--shard needs --spec") {
		t.Errorf("--shard without --spec: exit %d, %q", code, errs)
	}
	if code, _, errs := cosim(t, "sweep", "--spec", spec("reference", "    protocol: reference\n", 7), "--shard", "3/2"); code != 2 || !strings.Contains(errs, "1 ≤ I ≤ N") {
		t.Errorf("--shard 3/2: exit %d, %q", code, errs)
	}
}
