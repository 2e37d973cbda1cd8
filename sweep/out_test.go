package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cosim/dnn"
	"cosim/ecc"
	"cosim/internal/outlock"
	"cosim/internal/seed"
	"cosim/mc"
	"cosim/report"
	"cosim/wcat"
)

// outConfig is a small sweep of two models at three voltages with a fixed
// number of trials (so that it also shards into trial ranges).
func outConfig(t *testing.T) Config {
	t.Helper()
	w, d := tiny(t, wcat.WCAT)
	n, _ := tiny(t, wcat.Normal)
	return Config{Accel: eyerissOf(t, builtinYAML(t, nil)), Voltages: []float64{0.36, 0.40, 0.8}, Seed: 7, Test: d,
		MC:     mc.Options{Protocol: mc.ProtocolReference, Trials: 5},
		Models: []Model{{Name: "mlp", Method: "wcat", Q: w}, {Name: "mlp", Method: "normal", Q: n}}}
}

// runInto runs cfg's whole sweep into a new directory and returns it.
func runInto(t *testing.T, cfg Config) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "whole")
	o, err := Open(cfg, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if _, err := o.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A sweep's output directory through its lifecycle: a run interrupted
// after its first point leaves the report of that point and its journal; a
// second run into the directory is refused while the first holds it, so is
// a rerun without resume; the resumed run writes the report of an
// uninterrupted one, byte for byte, and removes the journal.
func TestOutInterruptAndResume(t *testing.T) {
	cfg := outConfig(t)
	whole := runInto(t, cfg)
	want, err := os.ReadFile(filepath.Join(whole, report.JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(whole, JournalFile)); !os.IsNotExist(err) {
		t.Fatalf("journal left after a finished sweep: %v", err)
	}

	dir := filepath.Join(t.TempDir(), "r")
	o, err := Open(cfg, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(cfg, dir, true); !errors.Is(err, outlock.ErrBusy) {
		t.Fatalf("a second run into a held directory: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	rep, err := o.Run(ctx, func(e Event) {
		if e.Point != nil {
			cancel()
		}
	})
	o.Close()
	if !errors.Is(err, context.Canceled) || len(rep.Points) != 1 {
		t.Fatalf("interrupted run: %d points, %v", len(rep.Points), err)
	}
	partial, err := ReadResults(filepath.Join(dir, report.JSONFile))
	if err != nil || len(partial.Points) != 1 || !strings.Contains(strings.Join(partial.Notes, "\n"), "interrupted: 1 of 6 points finished") {
		t.Fatalf("partial report: %d points, notes %q, %v", len(partial.Points), partial.Notes, err)
	}
	if pts, err := ReadResults(filepath.Join(dir, JournalFile)); err != nil || len(pts.Points) != 1 {
		t.Fatalf("journal: %+v, %v", pts, err)
	}
	if _, err := Open(cfg, dir, false); !errors.Is(err, ErrJournalExists) {
		t.Fatalf("rerun without resume: %v", err)
	}
	other := cfg
	other.Seed++
	if _, err := Open(other, dir, true); err == nil || !strings.Contains(err.Error(), "sweep.Seed: 7 → 8") {
		t.Fatalf("resume with another seed: %v", err)
	}

	o, err = Open(cfg, dir, true)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if o.Resumed() != 1 {
		t.Fatalf("resumed %d points, want 1", o.Resumed())
	}
	if _, err := o.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, report.JSONFile))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("resumed report differs from the uninterrupted one (%v)", err)
	}
	if _, err := os.Stat(o.Journal()); !os.IsNotExist(err) {
		t.Fatalf("journal left after the resumed sweep: %v", err)
	}
}

// The shards of a sweep, merged into an output directory, write the report
// of the unsharded run byte for byte; a missing shard is refused before the
// directory is made.
func TestOpenMerge(t *testing.T) {
	cfg := outConfig(t)
	whole := runInto(t, cfg)
	var files []*ShardFile
	for i := 1; i <= 3; i++ {
		sh := Shard{Index: i, Count: 3}
		parts, err := RunShard(context.Background(), cfg, sh, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		f := NewShardFile(cfg, sh, nil, parts)
		f.Path = ShardFileName(sh)
		files = append(files, f)
	}
	missing := filepath.Join(t.TempDir(), "missing")
	if _, err := OpenMerge(cfg, files[:2], missing); err == nil || !strings.Contains(err.Error(), "shard 3 of 3 missing") {
		t.Fatalf("a missing shard: %v", err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatal("a refused merge made its directory")
	}
	dir := filepath.Join(t.TempDir(), "merged")
	o, err := OpenMerge(cfg, files, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if _, err := o.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{report.JSONFile, report.CSVFile, report.HTMLFile} {
		a, _ := os.ReadFile(filepath.Join(whole, name))
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s: merged differs from the unsharded run (%v)", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, JournalFile)); !os.IsNotExist(err) {
		t.Error("a merge wrote a journal")
	}
}

// Join refuses a point held twice and rebuilds the BER curve from the
// points.
func TestJoin(t *testing.T) {
	cfg := outConfig(t)
	dir := runInto(t, cfg)
	rep, err := Join([]string{filepath.Join(dir, report.CSVFile)})
	if err != nil || len(rep.Points) != 6 || len(rep.BERCurve) != 3 || rep.Title != DefaultTitle || !strings.HasPrefix(rep.Arch, "unknown") {
		t.Fatalf("joined CSV: %d points, %d BER points, title %q, arch %q, %v", len(rep.Points), len(rep.BERCurve), rep.Title, rep.Arch, err)
	}
	rep, err = Join([]string{filepath.Join(dir, report.JSONFile)})
	if err != nil || rep.Title != "cosim voltage sweep" || rep.Arch != cfg.spec().Name || len(rep.Nominal) != 2 {
		t.Fatalf("joined JSON: title %q, arch %q, %d nominal, %v", rep.Title, rep.Arch, len(rep.Nominal), err)
	}
	if _, err := Join([]string{filepath.Join(dir, report.JSONFile), filepath.Join(dir, report.CSVFile)}); err == nil || !strings.Contains(err.Error(), "both hold mlp wcat at 0.36 V") {
		t.Fatalf("a point held twice: %v", err)
	}
	if _, err := ReadResults(filepath.Join(dir, "x.txt")); err == nil {
		t.Fatal("a results file of unknown type read")
	}
}

// The work of a sweep counts each model's clean pass as a unit, before its
// first point, and a resumed model's clean pass, not needed, as done; it
// never goes back and ends at its total.
func TestRunCountsCleanPasses(t *testing.T) {
	cfg := outConfig(t)
	type step struct {
		work  Work
		point bool
	}
	run := func(cfg Config) []step {
		var steps []step
		if _, err := Run(context.Background(), cfg, func(e Event) { steps = append(steps, step{e.Work, e.Point != nil}) }); err != nil {
			t.Fatal(err)
		}
		return steps
	}
	check := func(steps []step, cleanAt []float64) {
		t.Helper()
		var clean []float64
		prev := 0.0
		for _, s := range steps {
			if s.work.Total != 2*(3+1) || s.work.Done < prev {
				t.Fatalf("work %+v after %g", s.work, prev)
			}
			prev = s.work.Done
			if s.work.CleanOf > 0 {
				if s.work.CleanOf != cfg.Test.Len() || s.point {
					t.Fatalf("clean pass event %+v", s)
				}
				if s.work.Clean == s.work.CleanOf {
					clean = append(clean, s.work.Done)
				}
			}
		}
		if prev != 8 || len(clean) != len(cleanAt) {
			t.Fatalf("work ends at %g with finished clean passes at %v, want 8 and %v", prev, clean, cleanAt)
		}
		for i := range clean {
			if clean[i] != cleanAt[i] {
				t.Fatalf("clean passes finish at work %v, want %v", clean, cleanAt)
			}
		}
	}
	// Model 1: its clean pass (unit 1), its three points (2–4); model 2:
	// its clean pass (5) and points.
	full := run(cfg)
	check(full, []float64{1, 5})
	rep, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Done = rep.Points[:3] // the first model resumed whole
	check(run(cfg), []float64{5})
}

// A shard's work counts the clean pass of each model it runs.
func TestRunShardCountsCleanPasses(t *testing.T) {
	cfg := outConfig(t)
	var last Work
	clean := 0
	parts, err := RunShard(context.Background(), cfg, Shard{Index: 1, Count: 2}, nil, nil, func(e ShardEvent) {
		if e.Work.CleanOf > 0 && e.Work.Clean == e.Work.CleanOf {
			clean++
		}
		if e.Work.Done < last.Done {
			t.Fatalf("work went back: %+v after %+v", e.Work, last)
		}
		last = e.Work
	})
	if err != nil {
		t.Fatal(err)
	}
	if clean != 2 || last.Total != len(parts)+2 || last.Done != float64(last.Total) {
		t.Fatalf("%d clean passes, work %+v for %d parts", clean, last, len(parts))
	}
}

// mnistMLP is an untrained 784-8-10 MLP with 4-bit weights (MNIST's
// shape), enough to resolve a request.
func mnistMLP(t *testing.T) *wcat.Model {
	t.Helper()
	q, err := wcat.New(dnn.NewMLP(1, 28, 28, []int{8}, 10, seed.Stream(3)), wcat.Config{Method: wcat.WCAT, Bits: 4, Grid: wcat.GridReference})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// A request resolves into the sweep's configuration: every model labelled
// (its entry's label, else its training method), one series per
// protection, the workers set; its errors name the spec file and entry.
func TestRequestConfig(t *testing.T) {
	q := mnistMLP(t)
	load := func(path string) (*wcat.Model, wcat.Info, error) {
		if strings.Contains(path, "missing") {
			return nil, wcat.Info{}, os.ErrNotExist
		}
		return q, wcat.Info{Method: wcat.WCAT, Bits: 4}, nil
	}
	secded, err := ecc.ParseProtection("secded")
	if err != nil {
		t.Fatal(err)
	}
	spec := func(models ...SpecModel) *Spec {
		return &Spec{File: filepath.Join("runs", "s.yaml"), Arch: "eyeriss-onchip", Voltages: []float64{0.5, 0.6},
			MC: mc.DefaultOptions(""), Faults: mc.FaultsIID, Seed: 4, Models: models}
	}
	acc := eyerissOf(t, builtinYAML(t, nil))
	methods := func(c Config) string {
		var ms []string
		for _, m := range c.Models {
			ms = append(ms, m.Method)
		}
		return strings.Join(ms, ",")
	}
	sp := spec(SpecModel{Checkpoint: "a.ckpt"}, SpecModel{Checkpoint: "b.ckpt", Label: "b", Protections: []ecc.Protection{secded}})
	cfg, err := Request{Spec: sp, Accel: acc, Load: load, Workers: 3}.Config()
	if err != nil || methods(cfg) != "wcat,b+secded" || cfg.MC.Workers != 3 || !strings.HasPrefix(cfg.Test.Name, "mnist") || cfg.Seed != 4 || len(cfg.Voltages) != 2 {
		t.Fatalf("config %q, workers %d, %v", methods(cfg), cfg.MC.Workers, err)
	}
	cfg, err = Request{Spec: sp, Accel: acc, Load: load, Protections: []ecc.Protection{{}, secded}}.Config()
	if err != nil || methods(cfg) != "wcat,wcat+secded,b,b+secded" {
		t.Fatalf("protections override: %q, %v", methods(cfg), err)
	}
	for _, c := range []struct {
		req  Request
		want string
	}{
		{Request{Spec: spec(SpecModel{Checkpoint: "a.ckpt"}, SpecModel{Checkpoint: "c.ckpt"}), Accel: acc, Load: load}, "each (model, method) pair may appear once"},
		{Request{Spec: spec(SpecModel{Checkpoint: "a.ckpt"}, SpecModel{Checkpoint: "missing.ckpt"}), Accel: acc, Load: load},
			filepath.Join("runs", "s.yaml") + ": models[1].checkpoint: file does not exist (a relative path is resolved against the spec's folder, runs)"},
		{Request{Spec: spec(SpecModel{Checkpoint: "a.ckpt"}), Load: load}, "no accelerator model"},
	} {
		if _, err := c.req.Config(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v, want %q", err, c.want)
		}
	}
}

// A shard interrupted after its first part keeps it in its journal; the
// resumed shard writes the results file of an uninterrupted one and
// removes the journal; resumed again, it is finished.
func TestShardOutResume(t *testing.T) {
	cfg := outConfig(t)
	sh := Shard{Index: 2, Count: 3}
	whole, err := RunShard(context.Background(), cfg, sh, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := NewShardFile(cfg, sh, []string{"--spec=s.yaml"}, whole)
	dir := filepath.Join(t.TempDir(), "shards")
	o, err := OpenShard(cfg, sh, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := o.Run(ctx, nil, func(e ShardEvent) {
		if e.Part != nil {
			cancel()
		}
	}); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted shard: %v", err)
	}
	o.Close()
	if _, err := OpenShard(cfg, sh, dir, false); !errors.Is(err, ErrJournalExists) {
		t.Fatalf("rerun without resume: %v", err)
	}
	o, err = OpenShard(cfg, sh, dir, true)
	if err != nil || o.Finished || o.Resumed() != 1 {
		t.Fatalf("resume: finished %v, %d parts resumed, %v", o != nil && o.Finished, o.Resumed(), err)
	}
	if _, err := o.Run(context.Background(), want.Args, nil); err != nil {
		t.Fatal(err)
	}
	o.Close()
	got, err := ReadShardFile(o.Path())
	if err != nil {
		t.Fatal(err)
	}
	want.Path = got.Path
	if a, b := reportJSONOf(t, want), reportJSONOf(t, got); !bytes.Equal(a, b) {
		t.Fatalf("resumed shard file differs:\n%s\n%s", a, b)
	}
	if _, err := os.Stat(o.Journal()); !os.IsNotExist(err) {
		t.Fatalf("journal left: %v", err)
	}
	if o, err := OpenShard(cfg, sh, dir, true); err != nil || !o.Finished {
		t.Fatalf("finished shard resumed: %v", err)
	}
}

// reportJSONOf is the JSON encoding of v.
func reportJSONOf(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
