package sweep

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"cosim/pareto"
)

// Journal is the append-only results file of a sweep (JSON Lines): a header
// line naming the sweep's configuration hash, then one finished point per
// line, each appended and fsynced as soon as it is computed, so a run killed
// at any moment loses at most the point in progress. A torn last line (the
// kill hit mid-write) is dropped on resume.
type Journal struct {
	f    *os.File
	path string
}

type journalHeader struct {
	Kind   string `json:"kind"`
	Config string `json:"config_sha256"`
}

const journalKind = "cosim-sweep-journal"

// ErrJournalExists is returned by OpenJournal when a journal is present
// and resume was not asked for.
var ErrJournalExists = errors.New("a results journal of an earlier run exists")

// OpenJournal opens (resume) or creates the journal at path for a sweep
// whose configuration hashes to config. Resuming returns the points already
// finished; a journal written for another configuration is an error, and so
// is an existing journal without resume.
func OpenJournal(path, config string, resume bool) (*Journal, []pareto.Point, error) {
	raw, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, nil, err
		}
		j := &Journal{f: f, path: path}
		if err := j.writeLine(journalHeader{Kind: journalKind, Config: config}); err != nil {
			f.Close()
			return nil, nil, err
		}
		return j, nil, nil
	case err != nil:
		return nil, nil, err
	case !resume:
		return nil, nil, fmt.Errorf("%s: %w; pass --resume to continue it or delete it to start over", path, ErrJournalExists)
	}
	// Drop a torn last line.
	if i := bytes.LastIndexByte(raw, '\n'); i+1 != len(raw) {
		raw = raw[:i+1]
		if err := os.Truncate(path, int64(len(raw))); err != nil {
			return nil, nil, err
		}
	}
	h, pts, err := parseJournal(raw, path)
	if err != nil {
		return nil, nil, err
	}
	if h.Config != config {
		return nil, nil, fmt.Errorf("%s: written by a sweep with another configuration (models, architecture, voltages, Monte Carlo settings, seed or data); resume needs the same one", path)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, nil, err
	}
	return &Journal{f: f, path: path}, pts, nil
}

func (j *Journal) writeLine(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if _, err := j.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("%s: %w", j.path, err)
	}
	return j.f.Sync()
}

// Append records a finished point durably.
func (j *Journal) Append(p pareto.Point) error { return j.writeLine(p) }

// Close closes the journal file.
func (j *Journal) Close() error { return j.f.Close() }

// ReadJournal returns the points of the journal at path (for re-rendering
// the report of an interrupted sweep); a torn last line is ignored.
func ReadJournal(path string) ([]pareto.Point, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if i := bytes.LastIndexByte(raw, '\n'); i+1 != len(raw) {
		raw = raw[:i+1]
	}
	_, pts, err := parseJournal(raw, path)
	return pts, err
}

// parseJournal decodes a journal's whole lines.
func parseJournal(raw []byte, path string) (journalHeader, []pareto.Point, error) {
	var h journalHeader
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var pts []pareto.Point
	line := 0
	for sc.Scan() {
		line++
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if line == 1 {
			if err := dec.Decode(&h); err != nil || h.Kind != journalKind {
				return h, nil, fmt.Errorf("%s:1: not a cosim sweep journal", path)
			}
			continue
		}
		var p pareto.Point
		if err := dec.Decode(&p); err != nil {
			return h, nil, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		if err := p.Validate(); err != nil {
			return h, nil, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		pts = append(pts, p)
	}
	if err := sc.Err(); err != nil {
		return h, nil, fmt.Errorf("%s: %w", path, err)
	}
	if line == 0 {
		return h, nil, fmt.Errorf("%s: empty journal", path)
	}
	return h, pts, nil
}
