package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `cosim slurm` writes the job array of a spec's shards, the merge job and
// the script that submits them; --submit runs sbatch (here a stand-in that
// logs its calls) and prints the job ids; bad flags are refused with exit 2
// before anything is written.
func TestSlurmJobs(t *testing.T) {
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "w.ckpt")
	os.WriteFile(ckpt, []byte("checked only for existence here"), 0o644)
	spec := filepath.Join(dir, "s.yaml")
	os.WriteFile(spec, []byte("sweep:\n  models:\n    - checkpoint: w.ckpt\n  voltages: [0.4, 0.5]\n"), 0o644)
	out := filepath.Join(dir, "run")
	code, stdout, errs := cosim(t, "slurm", "--spec", spec, "--tasks", "4", "--max-running", "2", "--cpus", "3", "--time", "2:00:00", "--partition", "debug", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(stdout, "sh "+filepath.Join(out, "submit.sh")) {
		t.Errorf("stdout %q does not say how to submit", stdout)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	array, merge, submit := read("sweep.sbatch"), read("merge.sbatch"), read("submit.sh")
	for _, want := range []string{"#SBATCH --array=0-3%2\n", "#SBATCH --cpus-per-task=3\n", "#SBATCH --time=2:00:00\n", "#SBATCH --partition=debug\n",
		"#SBATCH --output=" + filepath.Join(out, "logs", "sweep-%A_%a.out") + "\n",
		" sweep --spec " + spec + ` --shard "$((SLURM_ARRAY_TASK_ID+1))/4" --out ` + filepath.Join(out, "shards") + " --workers 3 --resume --quiet\n"} {
		if !strings.Contains(array, want) {
			t.Errorf("sweep.sbatch lacks %q:\n%s", want, array)
		}
	}
	shards := filepath.Join(out, "shards", "shard-")
	if want := " merge " + shards + "1-of-4.json " + shards + "2-of-4.json " + shards + "3-of-4.json " + shards + "4-of-4.json --out " + out + "\n"; !strings.Contains(merge, want) {
		t.Errorf("merge.sbatch lacks %q:\n%s", want, merge)
	}
	if !strings.Contains(submit, "--dependency=afterok:") {
		t.Errorf("submit.sh has no afterok dependency:\n%s", submit)
	}
	for _, d := range []string{"logs", "shards"} {
		if st, err := os.Stat(filepath.Join(out, d)); err != nil || !st.IsDir() {
			t.Errorf("%s/ not made: %v", d, err)
		}
	}

	bin := filepath.Join(dir, "bin")
	os.Mkdir(bin, 0o755)
	log := filepath.Join(dir, "sbatch.log")
	os.WriteFile(filepath.Join(bin, "sbatch"), []byte("#!/bin/sh\necho \"$*\" >> "+log+"\nwc -l < "+log+"\n"), 0o755)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	code, stdout, errs = cosim(t, "slurm", "--spec", spec, "--tasks", "2", "--out", out, "--submit")
	if code != 0 || !strings.Contains(stdout, "sweep job array 1 (2 tasks), merge job 2") {
		t.Fatalf("--submit: exit %d, %q, %q", code, stdout, errs)
	}
	calls, _ := os.ReadFile(log)
	if want := "--parsable " + filepath.Join(out, "sweep.sbatch") + "\n--parsable --dependency=afterok:1 " + filepath.Join(out, "merge.sbatch") + "\n"; string(calls) != want {
		t.Errorf("sbatch calls %q, want %q", calls, want)
	}

	bad := filepath.Join(dir, "bad")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--tasks", "2"}, "--spec is required"},
		{[]string{"--spec", spec}, "--tasks 0"},
		{[]string{"--spec", spec, "--tasks", "2", "--time", "2h"}, `time limit "2h"`},
		{[]string{"--spec", spec, "--tasks", "2", "--partition", "a;rm -rf /"}, "partition"},
		{[]string{"--spec", spec, "--tasks", "2", "--cpus", "0"}, "0 CPUs"},
		{[]string{"--spec", spec, "--tasks", "2", "--max-running", "-1"}, "--max-running -1"},
		{[]string{"--spec", filepath.Join(dir, "missing.yaml"), "--tasks", "2"}, "missing.yaml"},
	} {
		code, _, errs := cosim(t, append(append([]string{"slurm"}, c.args...), "--out", bad)...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want exit 2 with %q", c.args, code, errs, c.want)
		}
	}
	os.Remove(ckpt)
	if code, _, errs := cosim(t, "slurm", "--spec", spec, "--tasks", "2", "--out", bad); code != 2 || !strings.Contains(errs, "w.ckpt") {
		t.Errorf("missing checkpoint: exit %d, %q", code, errs)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("refused slurm commands left %s", bad)
	}
}
