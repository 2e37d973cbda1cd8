package shard_test

import (
	"fmt"

	"cosim/internal/shard"
)

// Two models with five trials each, split into three shards: each shard
// runs about a third of the trials of every model.
func Example() {
	for i := 1; i <= 3; i++ {
		sh := shard.Shard{Index: i, Count: 3}
		for m, name := range []string{"normal", "wcat"} {
			from, to := sh.Span(2, 5, m)
			fmt.Printf("shard %s: %s trials %d–%d\n", sh, name, from, to-1)
		}
	}
	// Output:
	// shard 1/3: normal trials 0–1
	// shard 1/3: wcat trials 0–0
	// shard 2/3: normal trials 2–2
	// shard 2/3: wcat trials 1–2
	// shard 3/3: normal trials 3–4
	// shard 3/3: wcat trials 3–4
}
