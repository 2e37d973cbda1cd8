// Package slurm writes Slurm batch scripts: a job array whose tasks each run
// one shard of a command, and a job that runs once every task of the array
// has succeeded (sbatch --dependency=afterok), with the shell script that
// submits the pair. cosim schedules nothing itself; Slurm does.
package slurm

import (
	"fmt"
	"regexp"
	"strings"
)

// Job is one batch job, or a job array.
type Job struct {
	// Name is the job name (--job-name).
	Name string
	// Partition, if set, is the partition (--partition); a comma-separated
	// list lets Slurm pick.
	Partition string
	// Time, if set, is the time limit (--time): minutes, MM:SS, HH:MM:SS,
	// D-HH, D-HH:MM or D-HH:MM:SS.
	Time string
	// CPUs is the number of cores per task (--cpus-per-task), at least 1.
	CPUs int
	// Output is the file of the job's stdout and stderr (--output), with
	// Slurm's patterns: %A the array's job id, %a the task, %j the job id.
	Output string
	// Tasks > 0 makes a job array of tasks 0 … Tasks−1 (--array); the task
	// reads its index from $SLURM_ARRAY_TASK_ID.
	Tasks int
	// MaxRunning > 0 lets at most that many tasks of the array run at once
	// (--array=0-N%K).
	MaxRunning int
	// Command is the shell command the job runs (quote its words with
	// Quote).
	Command string
}

var (
	timeRE = regexp.MustCompile(`^([0-9]+(:[0-9]+){0,2}|[0-9]+-[0-9]+(:[0-9]+){0,2}|UNLIMITED|INFINITE)$`)
	nameRE = regexp.MustCompile(`^[A-Za-z0-9_.,+-]+$`)
	wordRE = regexp.MustCompile(`^[A-Za-z0-9_./=:,+@%-]+$`)
)

// Validate checks the job's fields, so that every #SBATCH line says what
// it means.
func (j Job) Validate() error {
	switch {
	case !nameRE.MatchString(j.Name):
		return fmt.Errorf("slurm: job name %q: want letters, digits and _.,+-", j.Name)
	case j.Partition != "" && !nameRE.MatchString(j.Partition):
		return fmt.Errorf("slurm: partition %q: want letters, digits and _.,+- (a comma-separated list)", j.Partition)
	case j.Time != "" && !timeRE.MatchString(j.Time):
		return fmt.Errorf("slurm: time limit %q: want minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS", j.Time)
	case j.CPUs < 1:
		return fmt.Errorf("slurm: %d CPUs per task: want ≥ 1", j.CPUs)
	case j.Tasks < 0 || j.MaxRunning < 0:
		return fmt.Errorf("slurm: %d tasks, at most %d running: want ≥ 0", j.Tasks, j.MaxRunning)
	case j.Output == "" || strings.ContainsAny(j.Output, " \t\n\r\"'\\$"):
		return fmt.Errorf("slurm: output file %q: an #SBATCH line cannot hold a path with blanks, quotes, $ or \\", j.Output)
	case j.Command == "":
		return fmt.Errorf("slurm: no command")
	}
	return nil
}

// Script is the job's batch script; header lines, if any, are comments
// after the #! line.
func (j Job) Script(header ...string) string {
	var b strings.Builder
	b.WriteString("#!/bin/bash\n")
	for _, h := range header {
		fmt.Fprintf(&b, "# %s\n", h)
	}
	fmt.Fprintf(&b, "#SBATCH --job-name=%s\n", j.Name)
	if j.Tasks > 0 {
		fmt.Fprintf(&b, "#SBATCH --array=0-%d", j.Tasks-1)
		if j.MaxRunning > 0 {
			fmt.Fprintf(&b, "%%%d", j.MaxRunning)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "#SBATCH --cpus-per-task=%d\n", j.CPUs)
	if j.Partition != "" {
		fmt.Fprintf(&b, "#SBATCH --partition=%s\n", j.Partition)
	}
	if j.Time != "" {
		fmt.Fprintf(&b, "#SBATCH --time=%s\n", j.Time)
	}
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", j.Output)
	b.WriteString("set -euo pipefail\n")
	b.WriteString(j.Command + "\n")
	return b.String()
}

// SubmitScript is a POSIX shell script that submits the job array in the
// batch script array and then the batch script after, which starts only
// once every task of the array has succeeded; it prints
// "array JOBID" and "after JOBID".
func SubmitScript(array, after string) string {
	return "#!/bin/sh\nset -eu\n" +
		"array=$(sbatch --parsable " + Quote(array) + ")\n" +
		"array=${array%%;*}\n" +
		"after=$(sbatch --parsable --dependency=afterok:\"$array\" " + Quote(after) + ")\n" +
		"echo \"array $array\"\n" +
		"echo \"after ${after%%;*}\"\n"
}

// Quote makes s one word of a shell command, taken literally.
func Quote(s string) string {
	if wordRE.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
