package report

import (
	"fmt"
	"io"
	"path/filepath"

	"cosim/internal/atomicfile"
	"cosim/results"
)

// Names of the files WriteAll writes.
const (
	HTMLFile = "index.html"
	CSVFile  = "sweep.csv"
	JSONFile = "sweep.json"
)

// WriteAll validates r and writes dir/index.html, dir/sweep.csv (r.Points) and dir/sweep.json,
// creating dir if needed. Each file is replaced atomically (temporary file, sync, rename), so a
// reader never sees a half-written file; an invalid report writes nothing.
func WriteAll(dir string, r results.Report) error {
	if err := r.Validate(); err != nil {
		return fmt.Errorf("report: folder %s: %w", dir, err)
	}
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{CSVFile, func(w io.Writer) error { return results.WriteCSV(w, r.Points) }},
		{JSONFile, func(w io.Writer) error { return results.WriteJSON(w, r) }},
		{HTMLFile, func(w io.Writer) error { return WriteHTML(w, r) }},
	}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if err := atomicfile.Write(path, f.write); err != nil {
			return fmt.Errorf("report: write %s: %w", path, err)
		}
	}
	return nil
}
