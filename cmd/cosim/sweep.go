package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"cosim/arch"
	"cosim/dnn"
	"cosim/ecc"
	"cosim/internal/progress"
	"cosim/mc"
	"cosim/pareto"
	"cosim/report"
	"cosim/results"
	"cosim/sram"
	"cosim/sweep"
)

func init() {
	register("sweep", "sweep the weight-SRAM supply voltage: BER, energy and Monte Carlo accuracy, Pareto report", cmdSweep)
}

// journalFile is the results journal of a sweep inside its output directory.
const journalFile = "points.jsonl"

func cmdSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return sweepCommand(ctx, args, stdout, stderr, nil)
}

// sweepCommand is cmdSweep; with shards, it merges them (cosim merge)
// instead of running the sweep that args describe.
func sweepCommand(ctx context.Context, args []string, stdout, stderr io.Writer, shards []*sweep.ShardFile) error {
	fs := newFlags("sweep", "(--spec FILE | --model CHECKPOINT [--model …] [flags])", stderr)
	specFile := fs.String("spec", "", "sweep spec YAML (architecture, models, voltages, Monte Carlo settings, seed, output); excludes --arch, --model, --label, --v*, --protocol, --min-trials, --ci, --subset, --seed, --faults; --trials, --out, --data, --energy-model and --protection override the spec")
	archName := fs.String("arch", "eyeriss-onchip", "architecture: a built-in name ("+joinNames(arch.BuiltinNames())+") or a YAML file")
	energyModel := fs.String("energy-model", "", "override the architecture's default energy(V) model of its scaled memories: paper, dynamic-only or physical (also with --spec)")
	var models stringList
	fs.Var(&models, "model", "trained checkpoint (cosim train --out); repeat for several")
	var labels stringList
	fs.Var(&labels, "label", "label of a --model's series in the reports (default: its training method); repeat once per --model, in the same order")
	protection := fs.String("protection", "", "protections of the weight memory, comma-separated, overriding the architecture's and the spec's: each model runs once per protection, as its own series (none, secded, zero-space, msb:FRACTION; secded:zero, zero-space:zero)")
	vmin := fs.Float64("vmin", 0.30, "lowest supply voltage [V]")
	vmax := fs.Float64("vmax", 0.80, "highest supply voltage [V]")
	vstep := fs.Float64("vstep", 0.01, "voltage step [V]")
	protocol := fs.String("protocol", string(mc.ProtocolSubset), "Monte Carlo protocol: subset (stratified subsets + control variate, the default) or reference (every trial on the whole test set, as the WCAT code)")
	trials := fs.Int("trials", 0, fmt.Sprintf("maximum trials per point (default %d for subset, %d for reference)", sweep.DefaultSubsetTrials, sweep.DefaultReferenceTrials))
	minTrials := fs.Int("min-trials", sweep.DefaultMinTrials, "trials before a point may stop early")
	ci := fs.Float64("ci", sweep.DefaultCIHalfWidth, "stop a point when its 95% CI half-width reaches this many accuracy points (0: always run --trials)")
	subset := fs.Int("subset", sweep.DefaultSubset, "images per trial of the subset protocol")
	seedV := fs.Uint64("seed", 1337, "random seed of the fault realisations")
	faults := fs.String("faults", string(mc.FaultsIID), "fault model: iid (a fresh draw per point, the paper's), chip (each trial one chip whose weak cells persist as V drops, scored at every voltage; --trials chips, no --ci) or chip-stuck (chip, with failing cells stuck at 0 or 1 per cell)")
	data := fs.String("data", "", "data directory of the evaluation set (MNIST: default the GoMNIST module's data folder)")
	workers := fs.Int("workers", 0, "parallel trials (default: all cores)")
	out := fs.String("out", "reports", "output directory for index.html, sweep.csv, sweep.json")
	resume := fs.Bool("resume", false, "continue an interrupted sweep from OUT/"+journalFile)
	quiet := fs.Bool("quiet", false, "no progress bar")
	shardFlag := fs.String("shard", "", "run only shard I/N of the sweep (with --spec) and write OUT/shard-I-of-N.json; cosim merge joins the N shards")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	shard, err := parseShardFlag(*shardFlag, *specFile)
	if err != nil {
		return err
	}
	*quiet = *quiet || !isTerminal(stderr)
	set := setFlags(fs)

	var sp *sweep.Spec
	if *specFile != "" {
		for _, f := range []string{"arch", "model", "label", "vmin", "vmax", "vstep", "protocol", "min-trials", "ci", "subset", "seed", "faults"} {
			if set[f] {
				return inputErrf("sweep: --%s cannot be combined with --spec (set it in the spec)", f)
			}
		}
		s, err := sweep.LoadSpec(*specFile)
		if err != nil {
			return inputErr(err)
		}
		sp = s
		if set["trials"] {
			if *trials < 1 {
				return inputErrf("sweep: --trials %d: want ≥ 1", *trials)
			}
			sp.MC.Trials = *trials
			sp.MC.MinTrials = min(sp.MC.MinTrials, max(*trials, 2))
		}
		if set["energy-model"] {
			sp.EnergyModel = sram.EnergyModelKind(*energyModel)
		}
		if !set["data"] && s.Data != "" {
			*data = s.Data
		}
		if !set["out"] && s.Out != "" {
			*out = s.Out
		}
	} else {
		if len(models) == 0 {
			return inputErrf("sweep: at least one --model CHECKPOINT (or --spec FILE) is required")
		}
		if len(labels) > 0 && len(labels) != len(models) {
			return inputErrf("sweep: %d --label for %d --model: give one per model, in the same order", len(labels), len(models))
		}
		vs, err := sweep.Voltages(*vmin, *vmax, *vstep)
		if err != nil {
			return inputErrf("sweep: %v", err)
		}
		proto, err := mc.ParseProtocol(*protocol)
		if err != nil {
			return inputErrf("sweep: --protocol: %v", err)
		}
		o := sweep.DefaultMC(proto)
		if set["trials"] {
			o.Trials = *trials
		}
		o.MinTrials, o.CIHalfWidth, o.Subset = *minTrials, *ci, *subset
		if !set["min-trials"] {
			o.MinTrials = min(o.MinTrials, max(o.Trials, 2))
		}
		switch {
		case o.Trials < 1:
			return inputErrf("sweep: --trials %d: want ≥ 1", o.Trials)
		case o.MinTrials < 2 || o.MinTrials > max(o.Trials, 2):
			return inputErrf("sweep: --min-trials %d: want 2..%d (--trials)", o.MinTrials, o.Trials)
		case o.CIHalfWidth < 0:
			return inputErrf("sweep: --ci %g: want ≥ 0", o.CIHalfWidth)
		case o.Subset < 1:
			return inputErrf("sweep: --subset %d: want ≥ 1", o.Subset)
		}
		f, err := mc.ParseFaults(*faults)
		if err != nil {
			return inputErrf("sweep: --faults: %v", err)
		}
		if f.Chips() {
			if set["ci"] && o.CIHalfWidth != 0 {
				return inputErrf("sweep: --ci %g: --faults %s scores every chip at every voltage, so there is no adaptive stopping (give the chips with --trials)", o.CIHalfWidth, f)
			}
			o.CIHalfWidth = 0
		}
		sp = &sweep.Spec{Arch: *archName, EnergyModel: sram.EnergyModelKind(*energyModel), Voltages: vs, MC: o, Faults: f, Seed: *seedV}
		for i, m := range models {
			sm := sweep.SpecModel{Checkpoint: m}
			if len(labels) > 0 {
				if err := results.CheckLabel(labels[i]); err != nil {
					return inputErrf("sweep: --label %q: %v", labels[i], err)
				}
				sm.Label = labels[i]
			}
			sp.Models = append(sp.Models, sm)
		}
	}
	var protections []ecc.Protection
	if set["protection"] {
		for _, s := range strings.Split(*protection, ",") {
			p, err := ecc.ParseProtection(strings.TrimSpace(s))
			if err != nil {
				return inputErrf("sweep: --protection: %v", err)
			}
			protections = append(protections, p)
		}
	}
	if *workers < 0 {
		return inputErrf("sweep: --workers %d: want ≥ 0 (0: all cores)", *workers)
	}
	spec, err := arch.ResolveWith(sp.Arch, arch.Options{EnergyModel: sp.EnergyModel})
	if err != nil {
		if sp.File != "" {
			return inputErrf("%s: arch: %v", sp.File, err)
		}
		return inputErr(err)
	}
	cfg := sweep.Config{Spec: spec, Voltages: sp.Voltages, MC: sp.MC, Faults: sp.Faults, Seed: sp.Seed}
	cfg.MC.Workers = *workers
	dsName := ""
	for i, sm := range sp.Models {
		q, info, err := loadModel(sm.Checkpoint)
		if err != nil {
			if sp.File != "" {
				return inputErrf("%s: models[%d].checkpoint: %v (a relative path is resolved against the spec's folder, %s)", sp.File, i, err, filepath.Dir(sp.File))
			}
			return inputErr(err)
		}
		name, err := dnn.DatasetFor(q.Net.Arch())
		if err != nil {
			return inputErrf("%s: %v", sm.Checkpoint, err)
		}
		if dsName != "" && name != dsName {
			return inputErrf("%s: a %s model evaluates on %s, the others on %s", sm.Checkpoint, q.Net.Arch(), name, dsName)
		}
		if cfg.Test == nil {
			if _, cfg.Test, err = dnn.LoadDataset(name, *data); err != nil {
				return inputErrf("sweep: %v", err)
			}
			dsName = name
		}
		label := sm.Label
		if label == "" {
			label = info.Config().Label()
		}
		prots := sm.Protections
		if protections != nil {
			prots = protections
		}
		if len(prots) == 0 {
			var p ecc.Protection
			if mem, err := spec.FaultyWeightMemory(); err == nil {
				p = mem.Protection
			}
			prots = []ecc.Protection{p}
		}
		for _, p := range prots {
			method := label
			if p.WithDefaults().Scheme != ecc.None {
				method += "+" + p.Label()
			}
			cfg.Models = append(cfg.Models, sweep.Model{Name: q.Net.Arch(), Method: method, Q: q, Protection: p})
		}
	}
	if err := cfg.Validate(); err != nil {
		return inputErr(err)
	}
	if err := checkOutDir(*out); err != nil {
		return inputErrf("sweep: %v", err)
	}
	switch {
	case shards != nil:
		return mergeShards(ctx, cfg, shards, *out, stdout)
	case shard.Count > 0:
		return runShard(ctx, cfg, shard, shardArgs(fs), *out, *resume, *quiet, stdout, stderr)
	}
	release, err := lockOutDir(*out)
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	defer release()
	jpath := filepath.Join(*out, journalFile)
	journal, done, err := sweep.OpenJournal(jpath, cfg.Fingerprint(), *resume)
	if err != nil {
		if errors.Is(err, sweep.ErrJournalExists) {
			return inputErr(err)
		}
		return inputErrf("sweep: %v", err)
	}
	defer journal.Close()
	cfg.Done, cfg.OnPoint = done, journal.Append
	if len(done) > 0 {
		fmt.Fprintf(stderr, "resuming: %d finished points read from %s\n", len(done), jpath)
	}

	bar := progress.New(stderr, *quiet, len(sp.Voltages)*len(cfg.Models), "points")
	rep, err := sweep.Run(ctx, cfg, func(e sweep.Event) {
		if e.Point != nil {
			bar.Set(e.Done)
			return
		}
		bar.Describe(fmt.Sprintf("%s, trial %d", e.Current, e.Trial))
	})
	bar.Finish()
	if err != nil {
		if errors.Is(err, context.Canceled) && len(rep.Points) > 0 {
			rep.Notes = append(rep.Notes, fmt.Sprintf("interrupted: %d of %d points finished", len(rep.Points), len(sp.Voltages)*len(cfg.Models)))
			if werr := report.WriteAll(*out, rep); werr == nil {
				fmt.Fprintf(stderr, "interrupted: %d finished points kept in %s (report of them in %s); rerun with --resume to continue\n", len(rep.Points), jpath, *out)
			}
		}
		return fmt.Errorf("sweep: %w", err)
	}
	if err := report.WriteAll(*out, rep); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	journal.Close()
	if err := os.Remove(jpath); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	front := pareto.Frontier(rep.Points)
	fmt.Fprintf(stdout, "%d points (%d models × %d voltages), %d on the Pareto frontier\n", len(rep.Points), len(cfg.Models), len(sp.Voltages), len(front))
	fmt.Fprintf(stdout, "wrote %s, %s, %s\n", filepath.Join(*out, report.HTMLFile), filepath.Join(*out, report.CSVFile), filepath.Join(*out, report.JSONFile))
	return nil
}

func joinNames(ns []string) string {
	s := ""
	for i, n := range ns {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s
}
