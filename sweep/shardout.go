package sweep

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ShardOut is one shard of a sweep in its output directory (OpenShard):
// its results file, dir/shard-I-of-N.json, and, while it runs, its journal
// of finished parts beside it (.jsonl). The tasks of a sharded run write
// into one directory at once, so it is not locked; each shard has its own
// files.
type ShardOut struct {
	cfg     Config
	sh      Shard
	path    string
	journal *Journal
	done    []Part
	// Finished reports that the shard's results file, of this sweep, is
	// already there (resume only): Run has nothing to do.
	Finished bool
}

// OpenShard opens shard sh of cfg's sweep in dir (created if needed): its
// journal is created, or continued with resume, so that a killed task
// loses at most the part in progress; with resume, a shard whose results
// file is already there is Finished. Its errors are the caller's input as
// Open's are.
func OpenShard(cfg Config, sh Shard, dir string, resume bool) (*ShardOut, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	o := &ShardOut{cfg: cfg, sh: sh, path: filepath.Join(dir, ShardFileName(sh))}
	fp := cfg.Fingerprint()
	if f, err := ReadShardFile(o.path); resume && err == nil && f.Config == fp.Hash() && f.Shard == sh.Index && f.Of == sh.Count {
		o.Finished = true
		return o, nil
	}
	j, done, err := OpenShardJournal(o.Journal(), fp, sh, resume)
	if err != nil {
		if errors.Is(err, ErrJournalExists) {
			return nil, err
		}
		return nil, fmt.Errorf("sweep: %w", err)
	}
	o.journal, o.done = j, done
	return o, nil
}

// Path is the shard's results file.
func (o *ShardOut) Path() string { return o.path }

// Journal is the path of the shard's journal.
func (o *ShardOut) Journal() string { return strings.TrimSuffix(o.path, ".json") + ".jsonl" }

// Resumed is the number of finished parts read from the journal.
func (o *ShardOut) Resumed() int { return len(o.done) }

// Run runs the shard's parts (RunShard), appending each to the journal as
// it finishes, writes the results file with args (ShardFile.Args) and
// removes the journal; it returns the parts, all run. Cancelled, it keeps
// the journal for a resume.
func (o *ShardOut) Run(ctx context.Context, args []string, progress func(ShardEvent)) ([]Part, error) {
	if o.Finished {
		return nil, fmt.Errorf("sweep: shard %s: already finished in %s", o.sh, o.path)
	}
	parts, err := RunShard(ctx, o.cfg, o.sh, o.done, o.journal.AppendPart, progress)
	if err != nil {
		return nil, fmt.Errorf("sweep: shard %s: %w", o.sh, err)
	}
	if err := NewShardFile(o.cfg, o.sh, args, parts).Write(o.path); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	err, o.journal = o.journal.Remove(), nil
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	return parts, nil
}

// Close closes the journal, if still open.
func (o *ShardOut) Close() {
	if o.journal != nil {
		o.journal.Close()
		o.journal = nil
	}
}
