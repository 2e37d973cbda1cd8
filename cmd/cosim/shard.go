package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

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

// runShard runs shard sh of the sweep cfg and writes OUT/shard-I-of-N.json
// (sweep.OpenShard: --resume continues a killed task, and skips a shard
// already finished).
func runShard(ctx context.Context, cfg sweep.Config, sh sweep.Shard, args []string, out string, resume, quiet bool, stdout, stderr io.Writer) error {
	o, err := sweep.OpenShard(cfg, sh, out, resume)
	if err != nil {
		return inputErr(err)
	}
	defer o.Close()
	if o.Finished {
		fmt.Fprintf(stdout, "shard %s: already finished in %s\n", sh, o.Path())
		return nil
	}
	if o.Resumed() > 0 {
		fmt.Fprintf(stderr, "resuming: %d finished parts of shard %s read from %s\n", o.Resumed(), sh, o.Journal())
	}
	bar := &workBar{w: stderr, quiet: quiet}
	parts, err := o.Run(ctx, args, func(e sweep.ShardEvent) {
		bar.show(e.Work, fmt.Sprintf("%d/%d parts", e.Done, e.Total), e.Current, e.Trial)
	})
	bar.finish()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(stderr, "interrupted: the finished parts are kept in %s; rerun with --resume to continue\n", o.Journal())
		}
		return err
	}
	trials := 0
	for _, p := range parts {
		trials += len(p.Accs)
	}
	fmt.Fprintf(stdout, "shard %s: %d parts of the sweep's work (%d trials); wrote %s\n", sh, len(parts), trials, o.Path())
	return nil
}
