package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"cosim/accel/eyeriss"
	"cosim/arch"
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
	mcf := addMCFlags(fs, mc.DefaultProtocol, true)
	seedV := fs.Uint64("seed", 1337, "random seed of the fault realisations")
	faults := fs.String("faults", string(mc.FaultsIID), "fault model: iid (a fresh draw per point, the paper's), chip (each trial one chip whose weak cells persist as V drops, scored at every voltage; --trials chips, no --ci) or chip-stuck (chip, with failing cells stuck at 0 or 1 per cell)")
	data := fs.String("data", "", "data directory of the evaluation set (MNIST: default the GoMNIST module's data folder)")
	workers := fs.Int("workers", 0, "parallel trials (default: all cores)")
	out := fs.String("out", "reports", "output directory for index.html, sweep.csv, sweep.json")
	resume := fs.Bool("resume", false, "continue an interrupted sweep from OUT/"+sweep.JournalFile)
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
		if sp, err = sweep.LoadSpec(*specFile); err != nil {
			return inputErr(err)
		}
		if set["trials"] {
			sp.MC = sp.MC.WithTrials(*mcf.trials)
			if err := sp.MC.Validate(mc.FlagNames); err != nil {
				return inputErrf("sweep: %v", err)
			}
		}
	} else {
		if len(models) == 0 {
			return inputErrf("sweep: at least one --model CHECKPOINT (or --spec FILE) is required")
		}
		if len(labels) > 0 && len(labels) != len(models) {
			return inputErrf("sweep: %d --label for %d --model: give one per model, in the same order", len(labels), len(models))
		}
		sp = &sweep.Spec{Arch: *archName, Seed: *seedV}
		if sp.Voltages, err = sweep.Voltages(*vmin, *vmax, *vstep); err != nil {
			return inputErrf("sweep: %v", err)
		}
		if sp.Faults, err = mc.ParseFaults(*faults); err != nil {
			return inputErrf("sweep: --faults: %v", err)
		}
		if sp.MC, err = mcf.options(set); err == nil {
			sp.MC, err = sp.MC.ForFaults(sp.Faults, set["ci"], mc.FlagNames)
		}
		if err != nil {
			return inputErrf("sweep: %v", err)
		}
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
	if set["energy-model"] || *specFile == "" {
		sp.EnergyModel = sram.EnergyModelKind(*energyModel)
	}
	if set["data"] || *specFile == "" {
		sp.Data = *data
	}
	if set["out"] || sp.Out == "" {
		sp.Out = *out
	}
	req := sweep.Request{Spec: sp, Workers: *workers, Load: loadModel}
	if set["protection"] {
		for _, s := range strings.Split(*protection, ",") {
			p, err := ecc.ParseProtection(strings.TrimSpace(s))
			if err != nil {
				return inputErrf("sweep: --protection: %v", err)
			}
			req.Protections = append(req.Protections, p)
		}
	}
	if *workers < 0 {
		return inputErrf("sweep: --workers %d: want ≥ 0 (0: all cores)", *workers)
	}
	spec, err := sp.ResolveArch()
	if err != nil {
		return inputErr(err)
	}
	if req.Accel, err = eyeriss.New(spec); err != nil {
		return inputErr(err)
	}
	cfg, err := req.Config()
	if err != nil {
		return inputErr(err)
	}
	if err := checkOutDir(sp.Out); err != nil {
		return inputErrf("sweep: %v", err)
	}
	switch {
	case shards != nil:
		return mergeShards(ctx, cfg, shards, sp.Out, stdout)
	case shard.Count > 0:
		return runShard(ctx, cfg, shard, shardArgs(fs), sp.Out, *resume, *quiet, stdout, stderr)
	}
	o, err := sweep.Open(cfg, sp.Out, *resume)
	if err != nil {
		return inputErr(err)
	}
	defer o.Close()
	if o.Resumed() > 0 {
		fmt.Fprintf(stderr, "resuming: %d finished points read from %s\n", o.Resumed(), o.Journal())
	}
	bar := &workBar{w: stderr, quiet: *quiet}
	rep, err := o.Run(ctx, func(e sweep.Event) {
		bar.show(e.Work, fmt.Sprintf("%d/%d points", e.Done, e.Total), e.Current, e.Trial)
	})
	bar.finish()
	if err != nil {
		if errors.Is(err, context.Canceled) && len(rep.Points) > 0 {
			fmt.Fprintf(stderr, "interrupted: %d finished points kept in %s (report of them in %s); rerun with --resume to continue\n", len(rep.Points), o.Journal(), sp.Out)
		}
		return err
	}
	fmt.Fprintf(stdout, "%d points (%d models × %d voltages), %d on the Pareto frontier\n", len(rep.Points), len(cfg.Models), len(sp.Voltages), len(pareto.Frontier(rep.Points)))
	fmt.Fprintf(stdout, "wrote %s, %s, %s\n", filepath.Join(sp.Out, report.HTMLFile), filepath.Join(sp.Out, report.CSVFile), filepath.Join(sp.Out, report.JSONFile))
	return nil
}

// workBar draws the progress of a sweep or a shard on w (nothing when
// quiet): its work done, each model's clean pass included (sweep.Work),
// and what is in progress.
type workBar struct {
	w       io.Writer
	quiet   bool
	bar     *progress.Bar
	started bool
}

// show moves the bar to work; done counts the points (or parts) finished,
// current and trial name the one in progress.
func (b *workBar) show(work sweep.Work, done, current string, trial int) {
	if !b.started {
		b.bar, b.started = progress.NewFraction(b.w, b.quiet, work.Total, ""), true
	}
	switch {
	case work.CleanOf > 0:
		done += fmt.Sprintf(", %s: clean pass, %d/%d images", current, work.Clean, work.CleanOf)
	case trial > 0:
		done += fmt.Sprintf(", %s, trial %d", current, trial)
	}
	b.bar.Describe(done)
	b.bar.SetFraction(work.Done)
}

func (b *workBar) finish() { b.bar.Finish() }

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
