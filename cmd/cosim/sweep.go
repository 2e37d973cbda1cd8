package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"cosim/arch"
	"cosim/dnn"
	"cosim/pareto"
	"cosim/sweep"
	"cosim/wcat"
)

func init() {
	register("sweep", "sweep the weight-SRAM supply voltage: BER, energy and Monte Carlo accuracy, Pareto report", cmdSweep)
}

func cmdSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sweep", "--model CHECKPOINT [--model CHECKPOINT …] [flags]", stderr)
	archName := fs.String("arch", "eyeriss-onchip", "architecture: a built-in name ("+joinNames(arch.BuiltinNames())+") or a YAML file")
	var models stringList
	fs.Var(&models, "model", "trained checkpoint (cosim train --out); repeat for several")
	vmin := fs.Float64("vmin", 0.30, "lowest supply voltage [V]")
	vmax := fs.Float64("vmax", 0.80, "highest supply voltage [V]")
	vstep := fs.Float64("vstep", 0.01, "voltage step [V]")
	trials := fs.Int("trials", 50, "Monte Carlo trials per point (the reference protocol uses 50)")
	seedV := fs.Uint64("seed", 1337, "random seed of the fault realisations")
	data := fs.String("data", "", "data directory of the evaluation set (MNIST: default the GoMNIST module's data folder)")
	workers := fs.Int("workers", 0, "parallel trials (default: all cores)")
	out := fs.String("out", "reports", "output directory for index.html, sweep.csv, sweep.json")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	*quiet = *quiet || !isTerminal(stderr)
	if len(models) == 0 {
		return inputErrf("sweep: at least one --model CHECKPOINT is required")
	}
	if *trials < 1 {
		return inputErrf("sweep: --trials %d: want ≥ 1", *trials)
	}
	spec, err := arch.Resolve(*archName)
	if err != nil {
		return inputErr(err)
	}
	vs, err := sweep.Voltages(*vmin, *vmax, *vstep)
	if err != nil {
		return inputErrf("sweep: %v", err)
	}
	var (
		entries []sweep.Model
		test    *dnn.Dataset
		dsName  string
	)
	for _, path := range models {
		q, info, err := wcat.Load(path)
		if err != nil {
			return inputErr(err)
		}
		name, err := dnn.DatasetFor(q.Net.Arch())
		if err != nil {
			return inputErrf("%s: %v", path, err)
		}
		if dsName != "" && name != dsName {
			return inputErrf("%s: a %s model evaluates on %s, the others on %s", path, q.Net.Arch(), name, dsName)
		}
		if test == nil {
			if _, test, err = dnn.LoadDataset(name, *data); err != nil {
				return inputErrf("sweep: %v", err)
			}
			dsName = name
		}
		entries = append(entries, sweep.Model{Name: q.Net.Arch(), Method: info.Config().Label(), Q: q})
	}
	var bar *progressbar.ProgressBar
	if !*quiet {
		bar = progressbar.NewOptions(len(vs)*len(entries), progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetPredictTime(true), progressbar.OptionShowCount(), progressbar.OptionSetWidth(30),
			progressbar.OptionSetDescription("points"), progressbar.OptionThrottle(200*time.Millisecond))
	}
	rep, err := sweep.Run(ctx, sweep.Config{Spec: spec, Models: entries, Voltages: vs, Trials: *trials, Seed: *seedV, Test: test, Workers: *workers},
		func(e sweep.Event) {
			if bar != nil {
				bar.Describe(fmt.Sprintf("%s %s %.3f V", e.Point.Model, e.Point.Method, e.Point.VddV))
				bar.Add(1)
			}
		})
	if bar != nil {
		bar.Finish()
		fmt.Fprintln(stderr)
	}
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	if err := pareto.WriteAll(*out, rep); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	front := pareto.Frontier(rep.Points)
	fmt.Fprintf(stdout, "%d points (%d models × %d voltages), %d on the Pareto frontier\n", len(rep.Points), len(entries), len(vs), len(front))
	fmt.Fprintf(stdout, "wrote %s/%s, %s/%s, %s/%s\n", *out, pareto.HTMLFile, *out, pareto.CSVFile, *out, pareto.JSONFile)
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
