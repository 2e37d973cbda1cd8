package sweep

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"cosim/internal/atomicfile"
	"cosim/internal/fileio"
	"cosim/internal/fingerprint"
	"cosim/mc"
	"cosim/results"
)

// ShardFile is the results file of one shard of a sweep (Shard.FileName):
// the sweep's configuration hash and fingerprint, the shard, how the sweep
// was given (Args: for the CLI, the flags that rebuild its configuration;
// this package does not read them) and the shard's parts, run.
type ShardFile struct {
	Kind        string            `json:"kind"`
	Config      string            `json:"config_sha256"`
	Fingerprint map[string]string `json:"config"`
	Shard       int               `json:"shard"`
	Of          int               `json:"of"`
	Args        []string          `json:"args"`
	Parts       []Part            `json:"parts"`
	// Path is the file it was read from.
	Path string `json:"-"`
}

const shardFileKind = "cosim-sweep-shard"

// NewShardFile is the results file of shard sh of the sweep cfg with its
// parts run.
func NewShardFile(cfg Config, sh Shard, args []string, parts []Part) *ShardFile {
	fp := cfg.Fingerprint()
	return &ShardFile{Kind: shardFileKind, Config: fp.Hash(), Fingerprint: fp.Map(), Shard: sh.Index, Of: sh.Count, Args: args, Parts: parts}
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

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// DecodeShardFile decodes a shard results file; path names it in errors.
func DecodeShardFile(path string, raw []byte) (*ShardFile, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var f ShardFile
	if err := dec.Decode(&f); err != nil || f.Kind != shardFileKind {
		if err == nil {
			err = fmt.Errorf("kind %q", f.Kind)
		}
		return nil, fmt.Errorf("%s: not a cosim sweep shard file (%v)", path, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: data after the shard", path)
	}
	if !sha256Hex.MatchString(f.Config) {
		return nil, fmt.Errorf("%s: config_sha256 %q is not a SHA-256", path, f.Config)
	}
	if f.Of < 1 || f.Shard < 1 || f.Shard > f.Of {
		return nil, fmt.Errorf("%s: shard %d of %d", path, f.Shard, f.Of)
	}
	for i, p := range f.Parts {
		if err := p.check(); err != nil {
			return nil, fmt.Errorf("%s: parts[%d]: %v", path, i, err)
		}
	}
	f.Path = path
	return &f, nil
}

// CheckShards checks that files are the shards of one sweep, each once and
// none missing: the same configuration hash and shard count, every index
// from 1 to the count exactly once. It sorts files by index.
func CheckShards(files []*ShardFile) error {
	if len(files) == 0 {
		return fmt.Errorf("no shard files")
	}
	first := files[0]
	for _, f := range files[1:] {
		if f.Config != first.Config {
			return fmt.Errorf("%s is a shard of another sweep than %s (%s)", f.Path, first.Path,
				fingerprint.Summary(configDiff(first.Fingerprint, f.Fingerprint), 3))
		}
		if f.Of != first.Of {
			return fmt.Errorf("%s is shard %d of %d, but %s is shard %d of %d: the shards of one run have one count", f.Path, f.Shard, f.Of, first.Path, first.Shard, first.Of)
		}
	}
	sort.SliceStable(files, func(i, j int) bool { return files[i].Shard < files[j].Shard })
	var missing []string
	next := 1
	for i, f := range files {
		if i > 0 && f.Shard == files[i-1].Shard {
			return fmt.Errorf("%s and %s are both shard %d/%d", files[i-1].Path, f.Path, f.Shard, f.Of)
		}
		for ; next < f.Shard; next++ {
			missing = append(missing, fmt.Sprint(next))
		}
		next = f.Shard + 1
	}
	for ; next <= first.Of; next++ {
		missing = append(missing, fmt.Sprint(next))
	}
	if len(missing) > 0 {
		return fmt.Errorf("shard %s of %d missing (%d files given)", strings.Join(missing, ", "), first.Of, len(files))
	}
	return nil
}

// configDiff names the fingerprint entries in which two configurations
// differ.
func configDiff(a, b map[string]string) []string {
	var s fingerprint.Set
	for k, v := range a {
		s.Add(k, v)
	}
	sort.Slice(s, func(i, j int) bool { return s[i].Key < s[j].Key })
	return s.Diff(b)
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
		want := c.Parts(Shard{f.Shard, f.Of})
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
