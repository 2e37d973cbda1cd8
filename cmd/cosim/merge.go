package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"cosim/attack"
	"cosim/pareto"
	"cosim/report"
	"cosim/sweep"
)

func init() {
	register("merge", "join the shards of a sweep or an attack (cosim sweep|attack … --shard I/N) into its results and report, as one unsharded run writes them", cmdMerge)
}

func cmdMerge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("merge", "SHARD.json … --out DIR", stderr)
	out := fs.String("out", "", "output directory for index.html, sweep.csv, sweep.json (attack shards: KIND.json, KIND.csv, KIND-flips.csv, KIND.html) (required)")
	paths, err := parseFlagsArgs(fs, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 || *out == "" {
		return inputErrf("merge: give the shard files (OUT/shard-I-of-N.json of cosim sweep --shard, OUT/KIND-shard-I-of-N.json of cosim attack --shard) and --out DIR")
	}
	if attack.IsShardFile(paths[0]) {
		return mergeAttack(paths, *out, stdout)
	}
	var shards []*sweep.ShardFile
	for _, p := range paths {
		f, err := sweep.ReadShardFile(p)
		if err != nil {
			return inputErrf("merge: %v", err)
		}
		shards = append(shards, f)
	}
	if err := sweep.CheckShards(shards); err != nil {
		return inputErrf("merge: %v", err)
	}
	// The sweep is rebuilt from the flags its shards recorded, exactly as
	// `cosim sweep` builds it; Merge checks it is the one they ran.
	sweepArgs := append(append([]string(nil), shards[0].Args...), "--out="+*out, "--quiet")
	return sweepCommand(ctx, sweepArgs, stdout, stderr, shards)
}

// mergeShards writes the results and report of the sweep cfg from its
// shards into out.
func mergeShards(ctx context.Context, cfg sweep.Config, shards []*sweep.ShardFile, out string, stdout io.Writer) error {
	o, err := sweep.OpenMerge(cfg, shards, out)
	if err != nil {
		return inputErrf("merge: %v", err)
	}
	defer o.Close()
	rep, err := o.Run(ctx, nil)
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	fmt.Fprintf(stdout, "%d points from %d shards, %d on the Pareto frontier\n", len(rep.Points), len(shards), len(pareto.Frontier(rep.Points)))
	fmt.Fprintf(stdout, "wrote %s, %s, %s\n", filepath.Join(out, report.HTMLFile), filepath.Join(out, report.CSVFile), filepath.Join(out, report.JSONFile))
	return nil
}
