package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"cosim/attack"
	"cosim/dnn"
	"cosim/internal/fingerprint"
	"cosim/internal/progress"
	"cosim/internal/shard"
	"cosim/wcat"
)

func init() {
	register("attack", "adversarial bit flips: `attack bfa` (progressive bit search, N_flip to random-guess accuracy) and `attack tbfa` (targeted)", cmdAttack)
}

func cmdAttack(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "bfa" && args[0] != "tbfa") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(stderr, "Usage: cosim attack bfa|tbfa [flags]   (cosim attack bfa -h for the flags)")
			return flag.ErrHelp
		}
		return inputErrf("attack: want a sub-command, bfa or tbfa (cosim attack bfa -h)")
	}
	kind := attack.Kind(args[0])
	synopsis := "--model CHECKPOINT [--model …] --data DIR [--trials N] [--seed S] [--preset wcat|rakin] [--json] [--out DIR [--shard I/N]]"
	if kind == attack.TBFA {
		synopsis = "--model CHECKPOINT [--model …] --data DIR --source CLASS --target CLASS [--trials N] [--seed S] [--json] [--out DIR [--shard I/N]]"
	}
	fs := newFlags("attack "+args[0], synopsis, stderr)
	var models stringList
	fs.Var(&models, "model", "trained checkpoint to attack (repeat for several)")
	data := fs.String("data", "", "data directory of the data set")
	trials := fs.Int("trials", 5, "attack trials per model (trial t draws its attack images from (seed, t))")
	first := fs.Int("first-trial", 0, "number of the first trial: runs trials first … first+trials−1 (a part of a run, to merge with cosim report)")
	seedV := fs.Uint64("seed", 1337, "random seed")
	preset := fs.String("preset", "wcat", "BFA settings: wcat (the WCAT authors': k_top 100, 64 test images, stop at 100/C+1/C %) or rakin (Rakin et al.'s: k_top 10, 128 training images labelled by the model, stop at 11% or 20 iterations)")
	kTop := fs.Int("k-top", 0, "weights per layer whose bits are scored (default: the preset's)")
	batch := fs.Int("batch", 0, "attack images (default: the preset's)")
	threshold := fs.Float64("threshold", 0, "BFA: stop once the accuracy is at most this percent (default: the preset's)")
	goal := fs.Float64("goal", 99.9, "T-BFA: stop once the attack success rate on held-out source images reaches this percent")
	source := fs.Int("source", -1, "T-BFA: source class")
	target := fs.Int("target", -1, "T-BFA: target class")
	maxFlips := fs.Int("max-flips", 0, "flip budget per trial (default: 1000 for BFA, 200 for T-BFA)")
	fullCheck := fs.Bool("full-check", false, "score the whole evaluation set after every flip (exact accuracy per flip; the flips and N_flip are the same)")
	threads := fs.Int("threads", 0, "threads of the inference engine (default: all cores; results do not depend on it)")
	out := fs.String("out", "", "write KIND.json, KIND.csv, KIND-flips.csv and KIND.html into this directory (after every trial)")
	resume := fs.Bool("resume", false, "keep the finished trials of --out's KIND.json (with --shard: of the shard's file) and run only the others")
	shardV := fs.String("shard", "", "run only part I of N (I/N) of the trials and write OUT/KIND-shard-I-of-N.json; cosim merge joins the N parts")
	asJSON := fs.Bool("json", false, "print the result as JSON instead of a table")
	quiet := fs.Bool("quiet", false, "no progress bar (there is none either when stderr is not a terminal)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	name := "attack " + args[0]
	if len(models) == 0 {
		return inputErrf("%s: --model is required", name)
	}
	if *trials < 1 {
		return inputErrf("%s: --trials %d: want ≥ 1", name, *trials)
	}
	if *first < 0 {
		return inputErrf("%s: --first-trial %d: want ≥ 0", name, *first)
	}
	if *resume && *out == "" {
		return inputErrf("%s: --resume needs --out", name)
	}
	var sh *shard.Shard
	if *shardV != "" {
		v, err := shard.Parse(*shardV)
		switch {
		case err != nil:
			return inputErrf("%s: --shard: %v", name, err)
		case *out == "":
			return inputErrf("%s: --shard needs --out (the shard writes its results file there)", name)
		case *asJSON:
			return inputErrf("%s: --shard writes a results file for cosim merge; --json is for whole runs", name)
		}
		sh = &v
	}
	if kind == attack.TBFA && (set["preset"] || set["threshold"]) {
		return inputErrf("%s: --preset and --threshold are BFA flags", name)
	}
	if kind == attack.BFA && (set["source"] || set["target"] || set["goal"]) {
		return inputErrf("%s: --source, --target and --goal are T-BFA flags", name)
	}
	if kind == attack.TBFA && (!set["source"] || !set["target"]) {
		return inputErrf("%s: --source and --target are required", name)
	}
	// Load and check everything before any attack runs or any file is written.
	var qs []*wcat.Model
	var infos []wcat.Info
	dsName := ""
	for _, p := range models {
		q, info, err := wcat.Load(p)
		if err != nil {
			return inputErr(err)
		}
		ds, err := dnn.DatasetFor(q.Net.Arch())
		if err != nil {
			return inputErrf("%s: %v", p, err)
		}
		if dsName != "" && ds != dsName {
			return inputErrf("%s: model of %s, but %s is of %s", name, ds, models[0], dsName)
		}
		dsName = ds
		qs, infos = append(qs, q), append(infos, info)
	}
	train, test, err := dnn.LoadDataset(dsName, *data)
	if err != nil {
		return inputErrf("%s: %v", name, err)
	}
	presetName := *preset
	if kind == attack.TBFA {
		presetName = "tbfa"
	}
	s, err := attack.Preset(presetName, test.Classes)
	if err != nil {
		return inputErrf("%s: --preset: %v", name, err)
	}
	custom := false
	for _, o := range []struct {
		flag string
		dst  any
		val  any
	}{{"k-top", &s.KTop, *kTop}, {"batch", &s.Batch, *batch}, {"threshold", &s.ThresholdPct, *threshold}, {"goal", &s.GoalPct, *goal},
		{"max-flips", &s.MaxFlips, *maxFlips}} {
		if !set[o.flag] {
			continue
		}
		custom = custom || o.flag != "goal"
		switch d := o.dst.(type) {
		case *int:
			*d = o.val.(int)
		case *float64:
			*d = o.val.(float64)
		}
	}
	if custom {
		s.Preset += "+custom"
	}
	s.FullCheck = *fullCheck
	s.Source, s.Target = max(*source, 0), max(*target, 0)
	var atts []*attack.Attacker
	res := attack.Result{Attack: kind, Settings: s, Seed: *seedV, Dataset: test.Name}
	for i, q := range qs {
		mname := strings.TrimSuffix(filepath.Base(models[i]), filepath.Ext(models[i]))
		if slices.ContainsFunc(res.Models, func(m attack.Model) bool { return m.Name == mname }) {
			return inputErrf("%s: two models named %s", name, mname)
		}
		a, err := attack.New(kind, s, attack.Target{Name: mname, Model: q, Test: test, Train: train})
		if err != nil {
			return inputErrf("%s: %s: %v", name, models[i], err)
		}
		atts = append(atts, a)
		res.Models = append(res.Models, attack.Model{Name: mname, Path: models[i], Arch: q.Net.Arch(), Method: infos[i].Config().Label(),
			Bits: q.Cfg.Bits, Layers: a.LayerNames()})
	}
	res.EvalImages = evalImages(kind, s, test)
	// The run's trials of model m are span(m); its files are written after
	// every trial (save) and read back by --resume (prev).
	span := func(int) (int, int) { return *first, *first + *trials }
	save := func() error {
		if *out == "" {
			return nil
		}
		return attack.WriteFiles(*out, res)
	}
	var prev attack.Result
	if sh != nil {
		fp := attack.Fingerprint(res, atts, *first, *trials)
		path := filepath.Join(*out, attack.ShardFileName(kind, *sh))
		span = func(m int) (int, int) { return attack.Span(*sh, len(atts), *first, *trials, m) }
		save = func() error { return attack.NewShardFile(fp, *sh, *first, *trials, res).Write(path) }
		if *resume {
			f, err := attack.ReadShardFile(path)
			switch {
			case errors.Is(err, os.ErrNotExist):
			case err != nil:
				return inputErr(err)
			case f.Config != fp.Hash() || f.Part() != *sh:
				diff := fp.Diff(f.Fingerprint)
				if f.Part() != *sh {
					diff = append(diff, fmt.Sprintf("shard: %s → %s", f.Part(), *sh))
				}
				return inputErrf("%s: %s was written for another run (%s); run without --resume or with another --out", name, path, fingerprint.Summary(diff, 3))
			default:
				prev = f.Result
			}
		}
	} else if *resume {
		path := filepath.Join(*out, attack.JSONFile(kind))
		r, err := attack.ReadResult(path)
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return inputErr(err)
		case r.Settings != s || r.Seed != *seedV || r.Dataset != test.Name:
			return inputErrf("%s: %s was written with other settings, seed or data; run without --resume or with another --out", name, path)
		default:
			prev = r
		}
	}
	done := map[string]bool{}
	for _, t := range prev.Trials {
		m := slices.IndexFunc(res.Models, func(m attack.Model) bool { return m.Name == t.Model })
		if m < 0 {
			continue
		}
		if from, to := span(m); t.Trial >= from && t.Trial < to {
			res.Trials = append(res.Trials, t)
			done[fmt.Sprintf("%s\x00%d", t.Model, t.Trial)] = true
		}
	}
	todo := 0
	for i := range atts {
		from, to := span(i)
		for t := from; t < to; t++ {
			if !done[fmt.Sprintf("%s\x00%d", res.Models[i].Name, t)] {
				todo++
			}
		}
	}
	bar := progress.New(stderr, *quiet, todo, "trials")
	defer bar.Finish()
	for i, a := range atts {
		from, to := span(i)
		for t := from; t < to; t++ {
			if done[fmt.Sprintf("%s\x00%d", res.Models[i].Name, t)] {
				continue
			}
			name := res.Models[i].Name
			bar.Describe(fmt.Sprintf("%s trial %d", name, t))
			onFlip := func(f attack.Flip) {
				bar.Describe(fmt.Sprintf("%s trial %d: %d flips, %.1f%%", name, t, f.N, f.ValuePct))
			}
			start := time.Now()
			tr, err := a.Run(ctx, t, attack.Options{Seed: *seedV, Threads: *threads, OnFlip: onFlip})
			if err != nil {
				return err
			}
			res.Trials = append(res.Trials, tr)
			bar.Clear()
			fmt.Fprintf(stderr, "%s trial %d: N_flip %d (reached %v), %.2f%% → %.2f%%, %.1f s\n", tr.Model, tr.Trial, tr.NFlip, tr.Reached, tr.CleanPct, tr.FinalPct, time.Since(start).Seconds())
			bar.Add(1)
			if err := save(); err != nil {
				return err
			}
		}
	}
	if err := save(); err != nil {
		return err
	}
	res.Summarise()
	if sh != nil {
		fmt.Fprintf(stdout, "shard %s: %d %s trials of %d models (%d run now); wrote %s\n", *sh, len(res.Trials), kind, len(res.Models),
			len(res.Trials)-len(done), filepath.Join(*out, attack.ShardFileName(kind, *sh)))
		return nil
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	what := map[attack.Kind]string{attack.BFA: fmt.Sprintf("bits flipped until the accuracy is ≤ %g%%", s.ThresholdPct),
		attack.TBFA: fmt.Sprintf("bits flipped until %g%% of held-out class-%d images are classified as %d", s.GoalPct, s.Source, s.Target)}[kind]
	fmt.Fprintf(stdout, "%s (%s settings, seed %d) on %s: N_flip = %s\n", kind, s.Preset, *seedV, test.Name, what)
	for _, m := range res.Summaries {
		fmt.Fprintf(stdout, "%-28s %-10s N_flip %6.1f ± %5.1f  min %4d  max %4d  reached %d/%d  clean %.2f%%  final %.2f%%",
			m.Model, m.Method, m.Mean, m.Std, m.Min, m.Max, m.Reached, m.Trials, m.CleanPct, m.FinalPct)
		if kind == attack.TBFA {
			fmt.Fprintf(stdout, "  other classes %.2f%%", m.OtherPct)
		}
		fmt.Fprintln(stdout)
	}
	return nil
}

// evalImages is the size of the evaluation set of an attack.
func evalImages(k attack.Kind, s attack.Settings, test *dnn.Dataset) int {
	switch {
	case k == attack.TBFA:
		n := 0
		for _, l := range test.Labels {
			if int(l) == s.Source {
				n++
			}
		}
		return n - min(s.Batch/2, n-1)
	case s.FromTrain:
		return test.Len()
	}
	return test.Len() - s.Batch
}

// reportAttack merges attack result files and writes their report into out.
func reportAttack(ins []string, out string, stdout io.Writer) error {
	var rs []attack.Result
	for _, in := range ins {
		r, err := attack.ReadResult(in)
		if err != nil {
			return inputErrf("report: %v", err)
		}
		rs = append(rs, r)
	}
	r, err := attack.Merge(rs, ins)
	if err != nil {
		return inputErrf("report: %v", err)
	}
	return writeAttack("report", r, out, fmt.Sprintf("%d files", len(ins)), stdout)
}

// mergeAttack joins the shard files of an attack run (cosim attack …
// --shard I/N) into the files the unsharded run writes into out.
func mergeAttack(paths []string, out string, stdout io.Writer) error {
	var files []*attack.ShardFile
	for _, p := range paths {
		f, err := attack.ReadShardFile(p)
		if err != nil {
			return inputErrf("merge: %v", err)
		}
		files = append(files, f)
	}
	r, err := attack.MergeShards(files)
	if err != nil {
		return inputErrf("merge: %v", err)
	}
	return writeAttack("merge", r, out, fmt.Sprintf("%d shards", len(files)), stdout)
}

// writeAttack writes the merged result r into out and says so.
func writeAttack(cmd string, r attack.Result, out, from string, stdout io.Writer) error {
	if err := attack.WriteFiles(out, r); err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	fmt.Fprintf(stdout, "%d %s trials of %d models from %s; wrote %s\n", len(r.Trials), r.Attack, len(r.Models), from, filepath.Join(out, string(r.Attack)+".html"))
	return nil
}
