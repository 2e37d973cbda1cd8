package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"cosim/internal/progress"
	"cosim/sweep"
)

// parseShardFlag reads sweep's --shard I/N ("": no shard); it needs --spec,
// which the merge reads again.
func parseShardFlag(v, spec string) (sweep.Shard, error) {
	if v == "" {
		return sweep.Shard{}, nil
	}
	if spec == "" {
		return sweep.Shard{}, inputErrf("sweep: --shard needs --spec (cosim merge rebuilds the sweep from it)")
	}
	sh, err := sweep.ParseShard(v)
	if err != nil {
		return sweep.Shard{}, inputErrf("sweep: --shard: %v", err)
	}
	return sh, nil
}

// shardArgs are the flags of a sharded sweep that describe its work, as
// `cosim merge` passes them back to sweepCommand: every flag given except
// those of the run itself, with the spec and data paths made absolute.
func shardArgs(fs *flag.FlagSet) []string {
	var args []string
	fs.Visit(func(f *flag.Flag) {
		v := f.Value.String()
		switch f.Name {
		case "shard", "out", "resume", "workers", "quiet":
			return
		case "spec", "data":
			if abs, err := filepath.Abs(v); err == nil {
				v = abs
			}
		}
		args = append(args, "--"+f.Name+"="+v)
	})
	return args
}

// runShard runs shard sh of the sweep cfg and writes OUT/shard-I-of-N.json.
// Its finished parts go to OUT/shard-I-of-N.jsonl as they finish, so
// --resume continues a killed task; with --resume, a shard whose results
// file is already there is not run again.
//
// The tasks of a sharded run write into one folder at once, so it is not
// locked (lockOutDir); each shard has its own files.
func runShard(ctx context.Context, cfg sweep.Config, sh sweep.Shard, args []string, out string, resume, quiet bool, stdout, stderr io.Writer) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	path := filepath.Join(out, sh.FileName())
	fp := cfg.Fingerprint()
	if f, err := sweep.ReadShardFile(path); resume && err == nil && f.Config == fp.Hash() && f.Shard == sh.Index && f.Of == sh.Count {
		fmt.Fprintf(stdout, "shard %s: already finished in %s\n", sh, path)
		return nil
	}
	jpath := strings.TrimSuffix(path, ".json") + ".jsonl"
	journal, done, err := sweep.OpenShardJournal(jpath, fp, sh, resume)
	if err != nil {
		if errors.Is(err, sweep.ErrJournalExists) {
			return inputErr(err)
		}
		return inputErrf("sweep: %v", err)
	}
	defer journal.Close()
	if len(done) > 0 {
		fmt.Fprintf(stderr, "resuming: %d finished parts of shard %s read from %s\n", len(done), sh, jpath)
	}
	total := len(cfg.Parts(sh))
	bar := progress.New(stderr, quiet, total, "parts")
	parts, err := sweep.RunShard(ctx, cfg, sh, done, journal.AppendPart, func(e sweep.ShardEvent) {
		if e.Part != nil {
			bar.Set(e.Done)
			return
		}
		bar.Describe(fmt.Sprintf("%s: %d", e.Current, e.Trial))
	})
	bar.Finish()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(stderr, "interrupted: the finished parts are kept in %s; rerun with --resume to continue\n", jpath)
		}
		return fmt.Errorf("sweep: shard %s: %w", sh, err)
	}
	if err := sweep.NewShardFile(cfg, sh, args, parts).Write(path); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	journal.Close()
	if err := os.Remove(jpath); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	trials := 0
	for _, p := range parts {
		trials += len(p.Accs)
	}
	fmt.Fprintf(stdout, "shard %s: %d parts of the sweep's work (%d trials); wrote %s\n", sh, total, trials, path)
	return nil
}
