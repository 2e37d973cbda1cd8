package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"cosim/internal/atomicfile"
	"cosim/slurm"
	"cosim/sweep"
)

func init() {
	register("slurm", "write Slurm jobs for a sweep spec: a job array of its shards and the merge after them (--submit submits them)", cmdSlurm)
}

// Files `cosim slurm` writes into its output directory.
const (
	slurmArrayFile  = "sweep.sbatch"
	slurmMergeFile  = "merge.sbatch"
	slurmSubmitFile = "submit.sh"
)

func cmdSlurm(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("slurm", "--spec FILE --tasks N [--partition P] [--time T] [--cpus C] [--max-running K] [--out DIR] [--submit]", stderr)
	specFile := fs.String("spec", "", "sweep spec YAML (required)")
	tasks := fs.Int("tasks", 0, "array tasks: the sweep runs in this many shards, one a task (required)")
	partition := fs.String("partition", "", "Slurm partition (default: the cluster's)")
	timeLimit := fs.String("time", "", "time limit of each task and of the merge: minutes, HH:MM:SS or D-HH:MM:SS (default: the partition's)")
	cpus := fs.Int("cpus", 1, "cores per task (--cpus-per-task); the shard runs that many trials at once")
	maxRunning := fs.Int("max-running", 0, "let at most this many tasks run at once (--array=0-N%K; 0: no limit)")
	out := fs.String("out", "", "output directory for the job scripts, shards/, logs/ and the merged report (default: the spec's out, else reports)")
	submit := fs.Bool("submit", false, "submit the jobs with sbatch and print their ids")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *specFile == "":
		return inputErrf("slurm: --spec is required")
	case *tasks < 1:
		return inputErrf("slurm: --tasks %d: want ≥ 1", *tasks)
	case *maxRunning < 0:
		return inputErrf("slurm: --max-running %d: want ≥ 0", *maxRunning)
	}
	sp, err := sweep.LoadSpec(*specFile)
	if err != nil {
		return inputErr(err)
	}
	for _, m := range sp.Models {
		if _, err := os.Stat(m.Checkpoint); err != nil {
			return inputErrf("slurm: %s: %v", *specFile, err)
		}
	}
	if *out == "" {
		*out = sp.Out
		if *out == "" {
			*out = "reports"
		}
	}
	spec, err1 := filepath.Abs(*specFile)
	dir, err2 := filepath.Abs(*out)
	exe, err3 := os.Executable()
	if err := firstErr(err1, err2, err3); err != nil {
		return fmt.Errorf("slurm: %w", err)
	}
	shards := filepath.Join(dir, "shards")
	var merge []string
	for i := 1; i <= *tasks; i++ {
		merge = append(merge, slurm.Quote(filepath.Join(shards, sweep.ShardFileName(sweep.Shard{Index: i, Count: *tasks}))))
	}
	array := slurm.Job{Name: "cosim-sweep", Partition: *partition, Time: *timeLimit, CPUs: *cpus, Tasks: *tasks, MaxRunning: *maxRunning,
		Output: filepath.Join(dir, "logs", "sweep-%A_%a.out"),
		Command: fmt.Sprintf(`exec %s sweep --spec %s --shard "$((SLURM_ARRAY_TASK_ID+1))/%d" --out %s --workers %d --resume --quiet`,
			slurm.Quote(exe), slurm.Quote(spec), *tasks, slurm.Quote(shards), *cpus)}
	after := slurm.Job{Name: "cosim-merge", Partition: *partition, Time: *timeLimit, CPUs: 1, Output: filepath.Join(dir, "logs", "merge-%j.out"),
		Command: fmt.Sprintf("exec %s merge %s --out %s", slurm.Quote(exe), strings.Join(merge, " "), slurm.Quote(dir))}
	for _, j := range []slurm.Job{array, after} {
		if err := j.Validate(); err != nil {
			return inputErrf("slurm: --out, --partition, --time or --cpus: %v", err)
		}
	}
	arrayPath, mergePath, submitPath := filepath.Join(dir, slurmArrayFile), filepath.Join(dir, slurmMergeFile), filepath.Join(dir, slurmSubmitFile)
	files := []struct{ path, text string }{
		{arrayPath, array.Script(
			fmt.Sprintf("cosim sweep of %s in %d shards: task i runs shard i+1 and writes %s/shard-(i+1)-of-%d.json.", spec, *tasks, shards, *tasks),
			fmt.Sprintf("A failed task I reruns alone, from its journal: sbatch --array=I %s; then sbatch %s.", arrayPath, mergePath))},
		{mergePath, after.Script(fmt.Sprintf("Merges the %d shards of %s into the report of one unsharded run in %s.", *tasks, spec, dir))},
		{submitPath, slurm.SubmitScript(arrayPath, mergePath)},
	}
	for _, d := range []string{filepath.Join(dir, "logs"), shards} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("slurm: %w", err)
		}
	}
	for _, f := range files {
		if err := atomicfile.Write(f.path, func(w io.Writer) error { _, err := io.WriteString(w, f.text); return err }); err != nil {
			return fmt.Errorf("slurm: %w", err)
		}
	}
	fmt.Fprintf(stdout, "wrote %s (%d tasks), %s and %s\n", arrayPath, *tasks, mergePath, submitPath)
	if !*submit {
		fmt.Fprintf(stdout, "submit with: sh %s\n", submitPath)
		return nil
	}
	var o, e bytes.Buffer
	cmd := exec.CommandContext(ctx, "sh", submitPath)
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("slurm: submitting with %s: %v: %s", submitPath, err, strings.TrimSpace(e.String()))
	}
	ids := map[string]string{}
	sc := bufio.NewScanner(&o)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), " "); ok {
			ids[k] = v
		}
	}
	fmt.Fprintf(stdout, "submitted: sweep job array %s (%d tasks), merge job %s (starts when every task has succeeded)\n", ids["array"], *tasks, ids["after"])
	return nil
}

// firstErr is the first non-nil error.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
