package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"cosim/attack"
	"cosim/chipyield"
	"cosim/pareto"
	"cosim/report"
	"cosim/results"
	"cosim/sweep"
)

func init() {
	register("report", "re-render the HTML/CSV/JSON report from results files (sweep.json, sweep.csv or an interrupted sweep's points.jsonl)", cmdReport)
}

func cmdReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", "--in FILE [--in FILE …] --out DIR [--title T]", stderr)
	var ins stringList
	fs.Var(&ins, "in", "results file: sweep.json, sweep.csv or points.jsonl (repeat to merge several sweeps)")
	out := fs.String("out", "", "output directory (required)")
	title := fs.String("title", "", "report title (default: the first JSON input's)")
	target := fs.Float64("target", 0, "with --yield: add the V_min-at-yield section and the frontier at that yield (chip-fault results; see cosim yield)")
	yieldF := fs.Float64("yield", 0, "with --target: the fraction of chips that must keep the target accuracy")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if len(ins) == 0 || *out == "" {
		return inputErrf("report: --in and --out are required")
	}
	if attack.IsResult(ins[0]) {
		return reportAttack(ins, *out, stdout)
	}
	if err := checkOutDir(*out); err != nil {
		return inputErrf("report: --out: %v", err)
	}
	rep, err := sweep.Join(ins)
	if err != nil {
		return inputErr(err)
	}
	if *title != "" {
		rep.Title = *title
	}
	if *target != 0 || *yieldF != 0 {
		rep.Yield = results.YieldSpec{TargetPct: *target, Yield: *yieldF}
		if err := rep.Yield.Validate(); err != nil {
			return inputErrf("report: --target/--yield: %v", err)
		}
		if _, err := chipyield.Yields(rep, rep.Yield); err != nil {
			return inputErrf("report: --yield: %v", err)
		}
	}
	release, err := lockOutDir(*out)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer release()
	if err := report.WriteAll(*out, rep); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	fmt.Fprintf(stdout, "%d points from %d files, %d on the Pareto frontier; wrote %s\n", len(rep.Points), len(ins), len(pareto.Frontier(rep.Points)), filepath.Join(*out, report.HTMLFile))
	return nil
}
