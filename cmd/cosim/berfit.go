package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"cosim/arch"
)

func init() {
	register("ber-fit", "fits BER(V) = min(exp(a + bV + cV²), 0.5) to measured (V, BER) points", cmdBERFit)
}

func cmdBERFit(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("ber-fit", "--points FILE.csv [--fit quadratic|linear] [--json]", stderr)
	points := fs.String("points", "", "CSV file of measured points: columns vdd_v, ber (a header line, '#' comments)")
	form := fs.String("fit", "quadratic", "quadratic (a + bV + cV²) or linear (c = 0, the WCAT paper's form)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *points == "" {
		return inputErrf("ber-fit: --points is required")
	}
	if *form != "quadratic" && *form != "linear" {
		return inputErrf("ber-fit: --fit %q: want quadratic or linear", *form)
	}
	vs, bers, err := readBERPoints(*points)
	if err != nil {
		return inputErr(err)
	}
	m, fit, err := arch.NewBERFit(*form, vs, bers)
	if err != nil {
		return inputErrf("ber-fit: %s: %v", *points, err)
	}
	if err := m.Validate(); err != nil {
		return inputErrf("ber-fit: %s: the fitted model is not usable: %v", *points, err)
	}
	if *asJSON {
		type pt struct {
			V        float64  `json:"vdd_v"`
			BER      float64  `json:"ber"`
			Fitted   float64  `json:"fitted_ber"`
			Residual *float64 `json:"ln_residual,omitempty"` // absent for saturated points
		}
		out := struct {
			Fit    string  `json:"fit"`
			A      float64 `json:"a"`
			B      float64 `json:"b"`
			C      float64 `json:"c"`
			RMSLn  float64 `json:"rms_ln_residual"`
			Points []pt    `json:"points"`
		}{Fit: *form, A: m.A, B: m.B, C: m.C, RMSLn: fit.RMS()}
		for i := range vs {
			p := pt{V: vs[i], BER: bers[i], Fitted: m.BER(vs[i])}
			if r := fit.Residuals[i]; !math.IsNaN(r) {
				p.Residual = &r
			}
			out.Points = append(out.Points, p)
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(stdout, "BER(V) = min(exp(a + b·V + c·V²), 0.5), %s least-squares fit on ln BER of %d points (%s)\n", *form, len(vs), *points)
	fmt.Fprintf(stdout, "a = %.6g\nb = %.6g\nc = %.6g\n", m.A, m.B, m.C)
	fmt.Fprintf(stdout, "rms of ln residuals: %.4g\n\n%8s  %12s  %12s  %12s\n", fit.RMS(), "V", "BER", "fitted", "ln residual")
	for i := range vs {
		res := "saturated"
		if r := fit.Residuals[i]; !math.IsNaN(r) {
			res = fmt.Sprintf("%+.4f", r)
		}
		fmt.Fprintf(stdout, "%8.4g  %12.4g  %12.4g  %12s\n", vs[i], bers[i], m.BER(vs[i]), res)
	}
	fmt.Fprintf(stdout, "\nfor an architecture spec:\n  voltage:\n    ber: {a: %.6g, b: %.6g, c: %.6g}\n", m.A, m.B, m.C)
	return nil
}

// readBERPoints reads a CSV of (vdd_v, ber) rows; errors name file:line.
func readBERPoints(path string) (vs, bers []float64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("ber-fit: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("ber-fit: %w", err)
	}
	if !st.Mode().IsRegular() || st.Size() > 1<<20 {
		return nil, nil, fmt.Errorf("ber-fit: %s: not a regular file of at most 1 MiB", path)
	}
	r := csv.NewReader(f)
	r.Comment = '#'
	r.FieldsPerRecord = 2
	r.TrimLeadingSpace = true
	header := true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return nil, nil, fmt.Errorf("ber-fit: %s: %w", path, err)
		}
		if header {
			header = false
			if strings.TrimSpace(rec[0]) == "vdd_v" && strings.TrimSpace(rec[1]) == "ber" {
				continue
			}
			return nil, nil, fmt.Errorf("ber-fit: %s:%d: want the header line \"vdd_v,ber\", got %q", path, line, strings.Join(rec, ","))
		}
		var pt [2]float64
		for i, name := range []string{"vdd_v", "ber"} {
			x, err := strconv.ParseFloat(strings.TrimSpace(rec[i]), 64)
			if err != nil || !(x > 0) || math.IsInf(x, 0) || (i == 1 && x > 1) {
				return nil, nil, fmt.Errorf("ber-fit: %s:%d: column %s: %q is not a positive number%s", path, line, name, rec[i], map[bool]string{true: " at most 1", false: ""}[i == 1])
			}
			pt[i] = x
		}
		vs, bers = append(vs, pt[0]), append(bers, pt[1])
	}
	if len(vs) == 0 {
		return nil, nil, fmt.Errorf("ber-fit: %s: no points", path)
	}
	return vs, bers, nil
}
