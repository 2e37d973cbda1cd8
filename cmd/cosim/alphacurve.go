package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"cosim/report"
	"cosim/results"
	"cosim/wcat"
)

func init() {
	register("alpha-curve", "appendix A, figure 10b: the expected-MSE-optimal clip range α* versus BER for four weight distributions", cmdAlphaCurve)
}

func cmdAlphaCurve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("alpha-curve", "[--bits 4] [--ber LIST] [--json]", stderr)
	bits := fs.Int("bits", 4, "weight bits")
	grid := fs.String("grid", string(wcat.GridReference), "quantization grid: reference or paper")
	berList := fs.String("ber", "0,1e-5,1e-4,3e-4,1e-3,3e-3,1e-2,3e-2,1e-1", "comma-separated bit error rates")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	out := fs.String("out", "", "also write the chart (index.html) and the data (sweep.json) into this directory")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	g := wcat.Grid(*grid)
	if err := g.Validate(); err != nil {
		return inputErrf("alpha-curve: --grid: %v", err)
	}
	bers, err := parseFloats(*berList)
	if err != nil {
		return inputErrf("alpha-curve: --ber: %v", err)
	}
	pts, err := wcat.AlphaCurve(wcat.StandardDensities(), bers, *bits, g)
	if err != nil {
		return inputErr(err)
	}
	ds := wcat.StandardDensities()
	if *out != "" {
		c := results.Curve{ID: "alpha-vs-ber", Title: "Optimal clip range α* versus bit error rate (WCAT paper, figure 10b)",
			Caption: fmt.Sprintf("α* minimising the expected %d-bit quantization MSE E_w E_ε[(w − s·dec(enc(q(w)) ⊕ ε))²] (%s grid), by Gauss–Legendre quadrature and Nelder–Mead.", *bits, g),
			XLabel:  "bit error rate", YLabel: "α*", LogX: true}
		for j, d := range ds {
			sr := results.Series{Name: d.Name}
			for i := range bers {
				sr.X = append(sr.X, bers[i])
				sr.Y = append(sr.Y, pts[j*len(bers)+i].Alpha)
			}
			c.Series = append(c.Series, sr)
		}
		rep := results.Report{Title: "cosim alpha-curve", Arch: "none (an analysis of weight distributions)", Notes: []string{"appendix A of Chitsaz et al., TMLR 2023"}, Curves: []results.Curve{c}}
		if err := report.WriteAll(*out, rep); err != nil {
			return fmt.Errorf("alpha-curve: %w", err)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(pts)
	}
	fmt.Fprintf(stdout, "α* minimising the expected quantization MSE under bit errors (%d-bit, %s grid)\n", *bits, g)
	fmt.Fprintf(stdout, "%-10s", "BER")
	for _, d := range ds {
		fmt.Fprintf(stdout, " %14s", d.Name)
	}
	fmt.Fprintln(stdout)
	for i, p := range bers {
		fmt.Fprintf(stdout, "%-10g", p)
		for j := range ds {
			fmt.Fprintf(stdout, " %14.4f", pts[j*len(bers)+i].Alpha)
		}
		fmt.Fprintln(stdout)
	}
	return nil
}

// parseFloats parses a comma-separated list of numbers.
func parseFloats(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", f)
		}
		out = append(out, v)
	}
	return out, nil
}
