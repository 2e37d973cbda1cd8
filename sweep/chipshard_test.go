package sweep

import (
	"context"
	"reflect"
	"testing"

	"cosim/mc"
	"cosim/wcat"
)

// TestChipShardsMergeEqualRun: a chip sweep split into any number of shards
// (each a range of chips of a model, at every voltage) merges into exactly
// the points of the unsharded run, chips' accuracies included.
func TestChipShardsMergeEqualRun(t *testing.T) {
	w, d := tiny(t, wcat.WCAT)
	n, _ := tiny(t, wcat.Normal)
	ctx := context.Background()
	for _, f := range []mc.Faults{mc.FaultsChip, mc.FaultsChipStuck} {
		cfg := Config{Accel: eyerissOf(t, builtinYAML(t, nil)), Voltages: []float64{0.40, 0.36, 0.8}, Faults: f, Seed: 11, Test: d,
			MC:     mc.Options{Protocol: mc.ProtocolSubset, Trials: 5, Subset: 100},
			Models: []Model{{Name: "mlp", Method: "wcat", Q: w}, {Name: "mlp", Method: "normal", Q: n}}}
		full, err := Run(ctx, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, count := range []int{1, 3, 13} {
			var files []*ShardFile
			for i := 1; i <= count; i++ {
				sh := Shard{Index: i, Count: count}
				parts, err := RunShard(ctx, cfg, sh, nil, nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				ranges := map[string][2]int{}
				for _, p := range parts {
					r, seen := ranges[p.Method]
					if seen && r != [2]int{p.From, p.To} {
						t.Fatalf("%s, shard %s: a model's parts have different chip ranges: %v", f, sh, parts)
					}
					ranges[p.Method] = [2]int{p.From, p.To}
				}
				files = append(files, NewShardFile(cfg, sh, nil, parts))
			}
			pts, err := cfg.Merge(files)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(pts, full.Points) {
				t.Fatalf("%s, %d shards: merged points differ from the run:\n%+v\n%+v", f, count, pts, full.Points)
			}
		}
	}
}
