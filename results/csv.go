package results

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"cosim/mc/accuracy"
)

// csvHeader is the CSV column order. The first five columns are exactly those of the WCAT
// reference code's random_flip_result.csv (docs/wcat-semantics.md §2.1), accuracy in percent.
var csvHeader = []string{
	"BER", "acc_mean", "acc_std", "acc_min", "acc_max",
	"vdd_v", "energy_pj", "model", "method", "trials", "ci_low", "ci_high",
	"protocol", "images",
}

// csvLegacyColumns is the number of columns of files written before the protocol and images
// columns were added: the first twelve of csvHeader. ReadCSV still reads them.
const csvLegacyColumns = 12

// csvColumn maps a Point field name (as used in FieldError.Path) to its CSV column.
var csvColumn = map[string]int{
	"ber": 0, "acc_mean": 1, "acc_std": 2, "acc_min": 3, "acc_max": 4,
	"vdd_v": 5, "energy_pj": 6, "model": 7, "method": 8, "trials": 9, "ci_low": 10, "ci_high": 11,
	"protocol": 12, "images": 13,
}

// csvText holds the columns that are not floats: strings and integers.
var csvText = map[int]bool{
	csvColumn["model"]: true, csvColumn["method"]: true, csvColumn["trials"]: true,
	csvColumn["protocol"]: true, csvColumn["images"]: true,
}

// CSVHeader returns the CSV header WriteCSV writes and ReadCSV requires.
func CSVHeader() []string { return append([]string(nil), csvHeader...) }

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// CSV rounding: accuracies (percent) to AccuracyDecimals decimals, the bit error rate and the
// energy to CSVSignificant significant digits; voltages as they are.
const (
	// AccuracyDecimals is 0.01 percentage point: one image in 10,000, finer than any confidence
	// interval a sweep reaches (its default target half-width is 0.5 point).
	AccuracyDecimals = 2
	// CSVSignificant digits of BER and energy: the BER model's coefficients and the CACTI
	// energies carry fewer.
	CSVSignificant = 6
)

func roundAcc(v float64) float64 {
	const scale = 100 // 10^AccuracyDecimals
	return math.Round(v*scale) / scale
}

func formatAcc(v float64) string { return formatFloat(roundAcc(v)) }

func formatSig(v float64) string { return strconv.FormatFloat(v, 'g', CSVSignificant, 64) }

// WriteCSV writes pts with the header
// BER,acc_mean,acc_std,acc_min,acc_max,vdd_v,energy_pj,model,method,trials,ci_low,ci_high,protocol,images.
// Numbers are rounded for reading (accuracies to AccuracyDecimals decimals, BER and energy to
// CSVSignificant significant digits, which keeps every order the points satisfy); the JSON file
// holds them exactly. Writing what ReadCSV read from such a file gives the same bytes. images is
// left empty when it is 0 (not recorded). Every point is validated first; nothing is written if
// one is invalid.
func WriteCSV(w io.Writer, pts []Point) error {
	for i, p := range pts {
		if err := p.check(); err != nil {
			return fmt.Errorf("results: write CSV: %w", prefixed(fmt.Sprintf("points[%d]", i), err))
		}
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("results: write CSV: %w", err)
	}
	for _, p := range pts {
		// Rounding keeps every order between the statistics except possibly the bound of the
		// std by half the range, which is clamped.
		lo, hi := roundAcc(p.AccMin), roundAcc(p.AccMax)
		std := formatFloat(math.Min(roundAcc(p.AccStd), (hi-lo)/2))
		rec := []string{
			formatSig(p.BER), formatAcc(p.AccMean), std,
			formatFloat(lo), formatFloat(hi), formatFloat(p.VddV),
			formatSig(p.EnergyPJ), p.Model, p.Method, strconv.Itoa(p.Trials),
			formatAcc(p.CILow), formatAcc(p.CIHigh), p.Protocol, "",
		}
		if p.Images != 0 {
			rec[csvColumn["images"]] = strconv.Itoa(p.Images)
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("results: write CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("results: write CSV: %w", err)
	}
	return nil
}

// ReadCSV reads points written by WriteCSV. name is used in error messages only. It is strict: the
// header must be exactly WriteCSV's, or its first twelve columns (files written before the
// protocol and images columns were added; their points read with Protocol "" and Images 0); every
// record has as many fields as the header; numbers are decimal floats, trials a decimal integer,
// images empty (0) or a decimal integer; and every point must pass Point.Validate. Errors read
// "name:line:col: what" (line and col 1-based, col in bytes, pointing at the offending field) and
// wrap the underlying *csv.ParseError, strconv error or *FieldError.
func ReadCSV(r io.Reader, name string) ([]Point, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s:1:1: empty file, want header %q", name, strings.Join(csvHeader, ","))
	}
	if err != nil {
		return nil, csvParseErr(name, err)
	}
	for i, want := range csvHeader {
		if i >= len(header) {
			if i == csvLegacyColumns {
				break // a file written before the protocol and images columns
			}
			line, col := cr.FieldPos(len(header) - 1)
			return nil, fmt.Errorf("%s:%d:%d: header has %d columns, want %d (or the first %d, as written before protocol,images were added): %q",
				name, line, col, len(header), len(csvHeader), csvLegacyColumns, strings.Join(csvHeader, ","))
		}
		if header[i] != want {
			line, col := cr.FieldPos(i)
			return nil, fmt.Errorf("%s:%d:%d: header column %d is %q, want %q (header %q)",
				name, line, col, i+1, header[i], want, strings.Join(csvHeader, ","))
		}
	}
	if len(header) > len(csvHeader) {
		line, col := cr.FieldPos(len(csvHeader))
		return nil, fmt.Errorf("%s:%d:%d: unexpected header column %q, want %d columns",
			name, line, col, header[len(csvHeader)], len(csvHeader))
	}
	var pts []Point
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return pts, nil
		}
		if err != nil {
			return nil, csvParseErr(name, err)
		}
		p, err := parseRecord(rec, func(col int) (int, int) { return cr.FieldPos(col) }, name)
		if err != nil {
			return nil, err
		}
		pts = append(pts, p)
	}
}

func csvParseErr(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d:%d: %w", name, pe.Line, pe.Column, err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// parseRecord converts one CSV record; pos gives the line and column of a field.
func parseRecord(rec []string, pos func(col int) (int, int), name string) (Point, error) {
	at := func(col int, err error) error {
		line, c := pos(col)
		return fmt.Errorf("%s:%d:%d: column %s: %w", name, line, c, csvHeader[col], err)
	}
	vals := make([]float64, len(csvHeader))
	for col, s := range rec {
		if csvText[col] {
			continue
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return Point{}, at(col, fmt.Errorf("%q is not a number: %w", s, err))
		}
		vals[col] = v
	}
	tcol := csvColumn["trials"]
	trials, err := strconv.Atoi(rec[tcol])
	if err != nil {
		return Point{}, at(tcol, fmt.Errorf("%q is not an integer: %w", rec[tcol], err))
	}
	p := Point{
		BER: vals[0], VddV: vals[5], EnergyPJ: vals[6], Model: rec[7], Method: rec[8],
		Stats: accuracy.Stats{AccMean: vals[1], AccStd: vals[2], AccMin: vals[3], AccMax: vals[4],
			CILow: vals[10], CIHigh: vals[11], Trials: trials},
	}
	if len(rec) > csvLegacyColumns {
		p.Protocol = rec[csvColumn["protocol"]]
		if icol := csvColumn["images"]; rec[icol] != "" {
			if p.Images, err = strconv.Atoi(rec[icol]); err != nil {
				return Point{}, at(icol, fmt.Errorf("%q is not an integer: %w", rec[icol], err))
			}
		}
	}
	if ferr := p.check(); ferr != nil {
		line, c := pos(csvColumn[ferr.Path])
		return Point{}, fmt.Errorf("%s:%d:%d: %w", name, line, c, ferr)
	}
	return p, nil
}
