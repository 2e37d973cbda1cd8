package sweep

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"cosim/internal/fileio"
	"cosim/results"
)

// ReadResults reads a sweep's results file by its extension: a report
// (.json, as report.WriteAll writes it), its points (.csv) or the journal
// of an interrupted sweep (.jsonl).
func ReadResults(path string) (results.Report, error) {
	if filepath.Ext(path) == ".jsonl" {
		pts, err := ReadJournal(path)
		return results.Report{Points: pts}, err
	}
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
	}
	return results.Report{}, fmt.Errorf("%s: unknown results file type (want .json, .csv or .jsonl)", path)
}

// DefaultTitle is the title of a joined report whose inputs have none.
const DefaultTitle = "cosim report"

// Join reads the results files paths (ReadResults) and joins them into one
// report: the first title found (else DefaultTitle), each architecture
// named once, every point — a (model, method, voltage) held by two files
// is an error —, the nominal energy of each (model, method) once, and all
// notes, breakdowns and curves; the BER curve is rebuilt from the points.
// The partial report of an interrupted sweep and the reports of several
// sweeps join the same way.
func Join(paths []string) (results.Report, error) {
	rep := results.Report{Title: DefaultTitle}
	arches := map[string]bool{}
	seen := map[string]string{}
	for _, in := range paths {
		r, err := ReadResults(in)
		if err != nil {
			return rep, err
		}
		if r.Title != "" && rep.Title == DefaultTitle {
			rep.Title = r.Title
		}
		if r.Arch != "" && !arches[r.Arch] {
			arches[r.Arch] = true
			rep.Arch = strings.TrimPrefix(rep.Arch+", "+r.Arch, ", ")
		}
		for _, p := range r.Points {
			k := fmt.Sprintf("%s\x00%s\x00%v", p.Model, p.Method, p.VddV)
			if prev, dup := seen[k]; dup {
				return rep, fmt.Errorf("%s and %s both hold %s %s at %g V", prev, in, p.Model, p.Method, p.VddV)
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
	return rep, nil
}
