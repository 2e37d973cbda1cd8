package sweep

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"cosim/internal/atomicfile"
	"cosim/internal/fileio"
	"cosim/internal/fingerprint"
	"cosim/internal/shard"
	"cosim/mc"
	"cosim/results"
)

// ShardFile is the results file of one shard of a sweep
// (dir/shard-I-of-N.json): its head (the sweep's configuration hash and
// fingerprint, the shard), how the sweep was given (Args: for the CLI, the
// flags that rebuild its configuration; this package does not read them)
// and the shard's parts, run.
type ShardFile struct {
	shard.File
	Args  []string `json:"args"`
	Parts []Part   `json:"parts"`
}

const shardFileKind = "cosim-sweep-shard"

// NewShardFile is the results file of shard sh of the sweep cfg with its
// parts run.
func NewShardFile(cfg Config, sh Shard, args []string, parts []Part) *ShardFile {
	return &ShardFile{File: shard.NewFile(shardFileKind, cfg.Fingerprint(), sh), Args: args, Parts: parts}
}

// Write writes the file to path atomically.
func (f *ShardFile) Write(path string) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		return enc.Encode(f)
	})
}

// ReadShardFile reads and checks a shard results file.
func ReadShardFile(path string) (*ShardFile, error) {
	raw, err := fileio.ReadFile(path, fileio.TableLimit)
	if err != nil {
		return nil, err
	}
	return DecodeShardFile(path, raw)
}

// DecodeShardFile decodes a shard results file; path names it in errors.
func DecodeShardFile(path string, raw []byte) (*ShardFile, error) {
	var f ShardFile
	if err := shard.Decode(path, raw, shardFileKind, &f); err != nil {
		return nil, err
	}
	for i, p := range f.Parts {
		if err := p.check(); err != nil {
			return nil, fmt.Errorf("%s: parts[%d]: %v", path, i, err)
		}
	}
	return &f, nil
}

// CheckShards checks that files are the shards of one sweep, each once and
// none missing (shard.Check), and sorts them by index.
func CheckShards(files []*ShardFile) error {
	heads := make([]*shard.File, len(files))
	for i, f := range files {
		heads[i] = &f.File
	}
	if err := shard.Check("sweep", heads); err != nil {
		return err
	}
	sort.SliceStable(files, func(i, j int) bool { return files[i].Shard < files[j].Shard })
	return nil
}

// Merge joins the parts of the shards of cfg's sweep (checked with
// CheckShards) into its points, exactly the points an unsharded run
// computes: each point's trials, in order, are summarised by mc.Combine as
// mc.Engine.Run summarises them. Shards of another configuration, or whose
// parts are not their shard's work, are errors. Pass the points as
// cfg.Done to Run for the sweep's report.
func (c Config) Merge(files []*ShardFile) ([]results.Point, error) {
	if err := CheckShards(files); err != nil {
		return nil, err
	}
	fp := c.Fingerprint()
	if h := fp.Hash(); files[0].Config != h {
		return nil, fmt.Errorf("%s: the shards were run for another configuration than the sweep's now (%s)", files[0].Path,
			fingerprint.Summary(fp.Diff(files[0].Fingerprint), 3))
	}
	_, _, energies, err := c.prepare()
	if err != nil {
		return nil, err
	}
	trials := map[pointKey][]Part{}
	for _, f := range files {
		want := c.Parts(Shard{Index: f.Shard, Count: f.Of})
		if len(want) != len(f.Parts) {
			return nil, fmt.Errorf("%s: %d parts, but shard %d/%d of this sweep has %d", f.Path, len(f.Parts), f.Shard, f.Of, len(want))
		}
		for i, p := range f.Parts {
			if p.unit() != want[i].unit() {
				return nil, fmt.Errorf("%s: parts[%d] is %s, but shard %d/%d of this sweep has %s there", f.Path, i, p, f.Shard, f.Of, want[i])
			}
			key := pointKey{p.Model, p.Method, p.VddV}
			trials[key] = append(trials[key], p)
		}
	}
	vs := append([]float64(nil), c.Voltages...)
	sort.Float64s(vs)
	var points []results.Point
	for mi, m := range c.Models {
		for _, v := range vs {
			parts := trials[pointKey{m.Name, m.Method, v}]
			sort.Slice(parts, func(i, j int) bool { return parts[i].From < parts[j].From })
			var accs []float64
			var flips []int
			for i, p := range parts {
				if i+1 < len(parts) && len(p.Accs) != p.To-p.From {
					return nil, fmt.Errorf("part %s: %d of its %d trials", p, len(p.Accs), p.To-p.From)
				}
				accs, flips = append(accs, p.Accs...), append(flips, p.Flips...)
			}
			ber := c.spec().BER.BER(v)
			s, err := mc.Combine(ber, c.pointMC(v), c.Test.Len(), accs, flips)
			if err != nil {
				return nil, fmt.Errorf("sweep: %s %s at %g V: %w", m.Name, m.Method, v, err)
			}
			points = append(points, c.point(m, v, energies[mi].TotalPJ(v), s))
		}
	}
	return points, nil
}
