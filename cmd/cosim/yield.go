package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"text/tabwriter"

	"cosim/chipyield"
	"cosim/report"
	"cosim/results"
	"cosim/sweep"
)

func init() {
	register("yield", "lowest supply voltage at which a fraction of chips keep an accuracy target (chip-fault sweep), with Clopper–Pearson intervals", cmdYield)
}

func cmdYield(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("yield", "(--spec FILE | --in RESULTS) --target PCT --yield Y [flags]", stderr)
	specFile := fs.String("spec", "", "sweep spec file whose faults are chip or chip-stuck: runs the sweep (as cosim sweep --spec) and analyses it")
	in := fs.String("in", "", "results file of a chip-fault sweep (sweep.json or points.jsonl) to analyse instead of running one")
	target := fs.Float64("target", 0, "accuracy target, percent (required)")
	yieldF := fs.Float64("yield", 0, "fraction of chips that must keep the target, in (0, 1] (required)")
	confidence := fs.Float64("confidence", results.DefaultYieldConfidence, "level of the two-sided Clopper–Pearson intervals")
	out := fs.String("out", "", "output directory of the report (with --spec: default the spec's out or reports; with --in: none written unless given)")
	fs.String("data", "", "data directory of the evaluation set (with --spec)")
	fs.String("energy-model", "", "override the architecture's energy(V) model (with --spec)")
	fs.Int("workers", 0, "parallel chips (with --spec; default: all cores)")
	fs.Bool("resume", false, "continue an interrupted sweep (with --spec)")
	fs.Bool("quiet", false, "no progress bar (with --spec)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if (*specFile == "") == (*in == "") {
		return inputErrf("yield: give exactly one of --spec and --in")
	}
	switch {
	case !(*target > 0 && *target <= 100):
		return inputErrf("yield: --target %g: want an accuracy in (0, 100] percent", *target)
	case !(*yieldF > 0 && *yieldF <= 1):
		return inputErrf("yield: --yield %g: want a fraction of chips in (0, 1]", *yieldF)
	case !(*confidence > 0 && *confidence < 1):
		return inputErrf("yield: --confidence %g: want a level in (0, 1)", *confidence)
	}
	y := results.YieldSpec{TargetPct: *target, Yield: *yieldF, Confidence: *confidence}
	if *in != "" {
		for _, f := range []string{"data", "energy-model", "workers", "resume", "quiet"} {
			if set[f] {
				return inputErrf("yield: --%s applies to --spec, not --in", f)
			}
		}
	}

	if *specFile != "" {
		sp, err := sweep.LoadSpec(*specFile)
		if err != nil {
			return inputErr(err)
		}
		if !sp.Faults.Chips() {
			return inputErrf("yield: %s: the sweep's faults are %s; a yield needs chips (add `faults: chip` or `faults: chip-stuck`)", *specFile, sp.Faults)
		}
		if *out == "" {
			*out = sp.Out
		}
		if *out == "" {
			*out = "reports"
		}
		sweepArgs := []string{"--spec", *specFile, "--out", *out}
		for _, f := range []string{"data", "energy-model", "workers", "resume", "quiet"} {
			if set[f] {
				sweepArgs = append(sweepArgs, "--"+f+"="+fs.Lookup(f).Value.String())
			}
		}
		if err := cmdSweep(ctx, sweepArgs, stdout, stderr); err != nil {
			return err
		}
		*in = filepath.Join(*out, report.JSONFile)
	}
	rep, err := sweep.ReadResults(*in)
	if err != nil {
		return inputErr(err)
	}
	rep.Yield = y
	ys, err := chipyield.Yields(rep, y)
	if err != nil {
		return inputErrf("yield: %s: %v", *in, err)
	}
	if *out != "" {
		if err := report.WriteAll(*out, rep); err != nil {
			return fmt.Errorf("yield: %w", err)
		}
	}
	writeYields(stdout, y, ys)
	if *out != "" {
		fmt.Fprintf(stdout, "wrote %s (section \"Lowest supply voltage at a yield\"), %s, %s\n",
			filepath.Join(*out, report.HTMLFile), filepath.Join(*out, report.CSVFile), filepath.Join(*out, report.JSONFile))
	}
	return nil
}

// writeYields prints the V_min table of ys.
func writeYields(w io.Writer, y results.YieldSpec, ys []chipyield.ChipYield) {
	lvl := fmt.Sprintf("%g%%", 100*y.Level())
	fmt.Fprintf(w, "lowest V with at least %g%% accuracy on %g%% of chips (a chip passes at V when it keeps the target at V and every swept voltage above)\n",
		y.TargetPct, 100*y.Yield)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "model\tmethod\tchips\tV_min (V)\t%s interval (V)\tpassing at V_min (%s yield interval)\tenergy (µJ)\tsaved vs nominal\tconservative V_min (V)\tenergy (µJ)\tsaved\n", lvl, lvl)
	for _, c := range ys {
		at := "–"
		if k, lo, hi, ok := c.At(c.VminV); ok {
			at = fmt.Sprintf("%d/%d (%.1f%%–%.1f%%)", k, c.Chips, 100*lo, 100*hi)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s – %s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Model, c.Method, c.Chips,
			volt(c.VminV), volt(c.VminLowV), volt(c.VminHighV), at, microjoules(c.EnergyPJ), percent(c.SavingPct(), c.NominalV),
			volt(c.VminHighV), microjoules(c.EnergyHighPJ), percent(c.SavingHighPct(), c.NominalV))
	}
	tw.Flush()
	if y.Yield < 1 {
		need := chipyield.ChipsNeeded(y.Yield, y.Level())
		for _, c := range ys {
			if c.Chips < need {
				fmt.Fprintf(w, "note: a %s lower bound reaches a %g%% yield only with at least %d chips, all passing; %s %s has %d, so its conservative V_min cannot be shown\n",
					lvl, 100*y.Yield, need, c.Model, c.Method, c.Chips)
			}
		}
	}
}

func volt(v float64) string {
	if math.IsNaN(v) {
		return "not reached"
	}
	return fmt.Sprintf("%.3g", v)
}

func microjoules(pj float64) string {
	if math.IsNaN(pj) {
		return "–"
	}
	return fmt.Sprintf("%.2f", pj/1e6)
}

func percent(p, nominalV float64) string {
	if math.IsNaN(p) {
		return "–"
	}
	return fmt.Sprintf("%.1f%% (vs %g V)", p, nominalV)
}
