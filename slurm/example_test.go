package slurm_test

import (
	"fmt"

	"cosim/slurm"
)

// A job array of four shards, two at a time, each on 2 cores.
func Example() {
	j := slurm.Job{Name: "cosim-sweep", CPUs: 2, Tasks: 4, MaxRunning: 2, Time: "1:00:00", Output: "/runs/fig7/logs/sweep-%A_%a.out",
		Command: `exec cosim sweep --spec ` + slurm.Quote("/runs/fig7/my spec.yaml") + ` --shard "$((SLURM_ARRAY_TASK_ID+1))/4" --out /runs/fig7/shards --workers 2 --resume`}
	if err := j.Validate(); err != nil {
		panic(err)
	}
	fmt.Print(j.Script())
	// Output:
	// #!/bin/bash
	// #SBATCH --job-name=cosim-sweep
	// #SBATCH --array=0-3%2
	// #SBATCH --cpus-per-task=2
	// #SBATCH --time=1:00:00
	// #SBATCH --output=/runs/fig7/logs/sweep-%A_%a.out
	// set -euo pipefail
	// exec cosim sweep --spec '/runs/fig7/my spec.yaml' --shard "$((SLURM_ARRAY_TASK_ID+1))/4" --out /runs/fig7/shards --workers 2 --resume
}
