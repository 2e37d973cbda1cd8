package sweep

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"cosim/internal/fileio"
	"cosim/internal/fingerprint"
	"cosim/results"
)

// Journal is the append-only results file of a sweep (JSON Lines): a header
// line with the sweep's whole configuration (its Fingerprint) and hash, then
// one finished point per line with the SHA-256 of its JSON, each appended
// and fsynced as soon as it is computed, so a run killed at any moment loses
// at most the point in progress. A torn last line (the kill hit mid-write)
// is dropped on resume; any other damaged line is an error.
type Journal struct {
	f    *os.File
	path string
}

type journalHeader struct {
	Kind   string            `json:"kind"`
	Hash   string            `json:"config_sha256"`
	Config map[string]string `json:"config"`
}

// journalLine is a record (a point, or a shard's part) and its checksum.
type journalLine struct {
	SHA256 string          `json:"sha256"`
	Record json.RawMessage `json:"point"`
}

const journalKind = "cosim-sweep-journal"

// ErrJournalExists is returned by OpenJournal when a journal is present
// and resume was not asked for.
var ErrJournalExists = errors.New("a results journal of an earlier run exists")

// OpenJournal opens (resume) or creates the journal at path for a sweep
// with configuration config. Resuming returns the points already finished;
// a journal written for another configuration is an error naming what
// changed, and so is an existing journal without resume.
func OpenJournal(path string, config fingerprint.Set, resume bool) (*Journal, []results.Point, error) {
	return openJournal(path, journalKind, config, resume, results.Point.Validate)
}

// openJournal is OpenJournal for a journal of kind whose records are Ts,
// each checked by check.
func openJournal[T any](path, kind string, config fingerprint.Set, resume bool, check func(T) error) (*Journal, []T, error) {
	raw, err := fileio.ReadFile(path, fileio.TableLimit)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, nil, err
		}
		j := &Journal{f: f, path: path}
		if err := j.writeLine(journalHeader{Kind: kind, Hash: config.Hash(), Config: config.Map()}); err != nil {
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
	h, pts, err := parseJournal(raw, path, kind, check)
	if err != nil {
		return nil, nil, err
	}
	if h.Hash != config.Hash() {
		return nil, nil, fmt.Errorf("%s: written by a sweep with another configuration (%s); resume needs the same one, or delete the journal to start over", path, fingerprint.Summary(config.Diff(h.Config), 3))
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
func (j *Journal) Append(p results.Point) error { return j.append(p) }

// append records v and its checksum durably.
func (j *Journal) append(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	return j.writeLine(journalLine{SHA256: hex.EncodeToString(sum[:]), Record: b})
}

// Close closes the journal file.
func (j *Journal) Close() error { return j.f.Close() }

// Remove closes the journal and deletes its file: the run it records is
// complete.
func (j *Journal) Remove() error {
	if err := j.f.Close(); err != nil {
		return err
	}
	return os.Remove(j.path)
}

// ReadJournal returns the points of the journal at path (for re-rendering
// the report of an interrupted sweep); a torn last line is ignored.
func ReadJournal(path string) ([]results.Point, error) {
	raw, err := fileio.ReadFile(path, fileio.TableLimit)
	if err != nil {
		return nil, err
	}
	if i := bytes.LastIndexByte(raw, '\n'); i+1 != len(raw) {
		raw = raw[:i+1]
	}
	_, pts, err := parseJournal(raw, path, journalKind, results.Point.Validate)
	return pts, err
}

// parseJournal decodes the whole lines of a journal of kind.
func parseJournal[T any](raw []byte, path, kind string, check func(T) error) (journalHeader, []T, error) {
	var h journalHeader
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var pts []T
	line := 0
	for sc.Scan() {
		line++
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if line == 1 {
			if err := dec.Decode(&h); err != nil || h.Kind != kind {
				return h, nil, fmt.Errorf("%s:1: not a %s", path, strings.ReplaceAll(kind, "-", " "))
			}
			continue
		}
		var l journalLine
		if err := dec.Decode(&l); err != nil {
			return h, nil, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		if sum := sha256.Sum256(l.Record); hex.EncodeToString(sum[:]) != l.SHA256 {
			return h, nil, fmt.Errorf("%s:%d: record does not match its checksum (the journal was edited or damaged)", path, line)
		}
		var p T
		pdec := json.NewDecoder(bytes.NewReader(l.Record))
		pdec.DisallowUnknownFields()
		if err := pdec.Decode(&p); err != nil {
			return h, nil, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		if err := check(p); err != nil {
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
