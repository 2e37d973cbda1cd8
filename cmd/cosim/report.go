package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"cosim/attack"
	"cosim/chipyield"
	"cosim/internal/fileio"
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
	rep := results.Report{Title: "cosim report"}
	arches := map[string]bool{}
	seen := map[string]string{}
	for _, in := range ins {
		r, err := readResults(in)
		if err != nil {
			return inputErr(err)
		}
		if r.Title != "" && rep.Title == "cosim report" {
			rep.Title = r.Title
		}
		if r.Arch != "" && !arches[r.Arch] {
			arches[r.Arch] = true
			rep.Arch = strings.TrimPrefix(rep.Arch+", "+r.Arch, ", ")
		}
		for _, p := range r.Points {
			k := fmt.Sprintf("%s\x00%s\x00%v", p.Model, p.Method, p.VddV)
			if prev, dup := seen[k]; dup {
				return inputErrf("report: %s and %s both hold %s %s at %g V", prev, in, p.Model, p.Method, p.VddV)
			}
			seen[k] = in
			rep.Points = append(rep.Points, p)
		}
		for _, n := range r.Nominal {
			if !slices.ContainsFunc(rep.Nominal, func(m results.NominalEnergy) bool { return m.Model == n.Model && m.Method == n.Method }) {
				rep.Nominal = append(rep.Nominal, n)
			}
		}
		rep.Notes = append(rep.Notes, r.Notes...)
		rep.Breakdowns = append(rep.Breakdowns, r.Breakdowns...)
		rep.Curves = append(rep.Curves, r.Curves...)
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
	if rep.Arch == "" {
		rep.Arch = "unknown (not recorded in the inputs)"
	}
	bers := map[float64]float64{}
	for _, p := range rep.Points {
		bers[p.VddV] = p.BER
	}
	for v, b := range bers {
		rep.BERCurve = append(rep.BERCurve, results.BERPoint{VddV: v, BER: b})
	}
	sort.Slice(rep.BERCurve, func(i, j int) bool { return rep.BERCurve[i].VddV < rep.BERCurve[j].VddV })
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

// readResults reads a results file by its extension.
func readResults(path string) (results.Report, error) {
	f, err := fileio.Open(path, fileio.TableLimit)
	if err != nil {
		return results.Report{}, err
	}
	defer f.Close()
	switch filepath.Ext(path) {
	case ".json":
		return results.ReadJSON(f, path)
	case ".csv":
		pts, err := results.ReadCSV(f, path)
		return results.Report{Points: pts}, err
	case ".jsonl":
		pts, err := sweep.ReadJournal(path)
		return results.Report{Points: pts}, err
	}
	return results.Report{}, fmt.Errorf("%s: unknown results file type (want .json, .csv or .jsonl)", path)
}
