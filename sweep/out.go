package sweep

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"cosim/internal/outlock"
	"cosim/report"
	"cosim/results"
)

// JournalFile is the journal of a sweep inside its output directory.
const JournalFile = "points.jsonl"

// Out is a sweep's output directory, taken for one run by Open (or
// OpenMerge): locked against other runs, with the sweep's journal open.
// Run computes the sweep and writes its report there; Close lets the
// directory go.
type Out struct {
	// Dir is the output directory.
	Dir     string
	cfg     Config
	journal *Journal // nil for a merge
	resumed int
	release func()
}

// Open takes dir for a run of cfg's sweep: it creates the directory if
// needed, locks it (a second run into it is refused until Close) and opens
// the journal, dir/JournalFile. With resume, an existing journal of the
// same sweep is continued and its points are not computed again; without,
// a new one is created. Its errors are the caller's input: a directory in
// use, a journal left by another configuration or damaged, or a journal
// present without resume (it wraps ErrJournalExists).
func Open(cfg Config, dir string, resume bool) (*Out, error) {
	o, err := lock(cfg, dir)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	j, done, err := OpenJournal(o.Journal(), cfg.Fingerprint(), resume)
	if err != nil {
		o.Close()
		if errors.Is(err, ErrJournalExists) {
			return nil, err
		}
		return nil, fmt.Errorf("sweep: %w", err)
	}
	o.journal, o.resumed = j, len(done)
	o.cfg.Done, o.cfg.OnPoint = done, j.Append
	return o, nil
}

// OpenMerge takes dir, as Open does, for the report of cfg's sweep from
// the files of its shards (see Config.Merge, which checks them): Run then
// computes nothing, writes no journal and reports the merged points.
func OpenMerge(cfg Config, shards []*ShardFile, dir string) (*Out, error) {
	pts, err := cfg.Merge(shards)
	if err != nil {
		return nil, err
	}
	o, err := lock(cfg, dir)
	if err != nil {
		return nil, err
	}
	o.cfg.Done, o.cfg.OnPoint = pts, nil
	return o, nil
}

// lock creates and locks dir for cfg's sweep.
func lock(cfg Config, dir string) (*Out, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	release, err := outlock.Lock(dir)
	if err != nil {
		return nil, err
	}
	return &Out{Dir: dir, cfg: cfg, release: release}, nil
}

// Journal is the path of the sweep's journal.
func (o *Out) Journal() string { return filepath.Join(o.Dir, JournalFile) }

// Resumed is the number of finished points read from the journal.
func (o *Out) Resumed() int { return o.resumed }

// Run runs the sweep (see Run), appending every new point to the journal
// as it finishes, and writes the report into Dir (report.WriteAll). When
// the sweep completes, the journal is removed. Cancelled after some points
// have finished, it writes the report of those points, with a note that
// says so, keeps the journal for a resume and returns that partial report
// with ctx's error.
func (o *Out) Run(ctx context.Context, progress func(Event)) (results.Report, error) {
	rep, err := Run(ctx, o.cfg, progress)
	if err != nil {
		if errors.Is(err, context.Canceled) && len(rep.Points) > 0 {
			rep.Notes = append(rep.Notes, fmt.Sprintf("interrupted: %d of %d points finished", len(rep.Points), len(o.cfg.Voltages)*len(o.cfg.Models)))
			if werr := report.WriteAll(o.Dir, rep); werr != nil {
				return rep, fmt.Errorf("sweep: %w (and the report of the finished points: %v)", err, werr)
			}
		}
		return rep, fmt.Errorf("sweep: %w", err)
	}
	if err := report.WriteAll(o.Dir, rep); err != nil {
		return rep, fmt.Errorf("sweep: %w", err)
	}
	if o.journal != nil {
		err, o.journal = o.journal.Remove(), nil
		if err != nil {
			return rep, fmt.Errorf("sweep: %w", err)
		}
	}
	return rep, nil
}

// Close closes the journal, if still open, and unlocks the directory.
func (o *Out) Close() {
	if o.journal != nil {
		o.journal.Close()
		o.journal = nil
	}
	if o.release != nil {
		o.release()
		o.release = nil
	}
}
