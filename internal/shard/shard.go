// Package shard numbers the parts of a run that is split to execute
// apart (the tasks of a Slurm job array, say), divides trials among them
// deterministically and in balance, reads the head of their results files
// and checks that a set of them is the whole run: every part of one
// configuration, each exactly once.
package shard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"cosim/internal/fingerprint"
)

// Shard is part Index of Count (1 ≤ Index ≤ Count).
type Shard struct{ Index, Count int }

// Parse reads a shard "I/N".
func Parse(s string) (Shard, error) {
	i, n, ok := strings.Cut(s, "/")
	a, err1 := strconv.Atoi(i)
	b, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || b < 1 || a < 1 || a > b {
		return Shard{}, fmt.Errorf("shard %q: want I/N with 1 ≤ I ≤ N", s)
	}
	return Shard{a, b}, nil
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Span returns the trials [from, to) of unit u (0 ≤ u < units) that s
// holds when the units·trials trials of a run — trials 0 … trials−1 of
// each of units units — are taken trial by trial across the units (trial
// 0 of every unit, then trial 1, …) and cut into Count runs of equal
// length (within one): every shard holds about trials/Count trials of
// every unit, and trial t of unit u is item t·units + u, in shard i
// (from 0) when ⌊i·n/Count⌋ ≤ t·units + u < ⌊(i+1)·n/Count⌋, n =
// units·trials. The range is empty (from = to) when s holds none.
func (s Shard) Span(units, trials, u int) (from, to int) {
	n := units * trials
	lo, hi := (s.Index-1)*n/s.Count, s.Index*n/s.Count
	return firstTrial(lo, u, units), min(firstTrial(hi, u, units), trials)
}

// firstTrial is the least t ≥ 0 with t·units + u ≥ item.
func firstTrial(item, u, units int) int {
	if item <= u {
		return 0
	}
	return (item - u + units - 1) / units
}

// File is the head of a shard's results file: its kind, the hash and
// entries of its run's configuration (fingerprint.Set's Hash and Map) and
// the shard. A results file embeds it.
type File struct {
	Kind        string            `json:"kind"`
	Config      string            `json:"config_sha256"`
	Fingerprint map[string]string `json:"config"`
	Shard       int               `json:"shard"`
	Of          int               `json:"of"`
	// Path is the file it was read from.
	Path string `json:"-"`
}

// NewFile is the head of the results file of kind kind of shard sh of the
// run whose configuration is fp.
func NewFile(kind string, fp fingerprint.Set, sh Shard) File {
	return File{Kind: kind, Config: fp.Hash(), Fingerprint: fp.Map(), Shard: sh.Index, Of: sh.Count}
}

// Head returns f; a results file that embeds File has it too.
func (f *File) Head() *File { return f }

// Part is the shard f holds.
func (f *File) Part() Shard { return Shard{f.Shard, f.Of} }

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Decode decodes a results file of kind kind (JSON, unknown keys refused,
// nothing after it) from raw into v, a results file that embeds File, and
// checks its head; path names the file in errors and goes to Path.
func Decode(path string, raw []byte, kind string, v interface{ Head() *File }) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	f := v.Head()
	if err := dec.Decode(v); err != nil || f.Kind != kind {
		if err == nil {
			err = fmt.Errorf("kind %q", f.Kind)
		}
		return fmt.Errorf("%s: not a %s file (%v)", path, kind, err)
	}
	switch {
	case dec.More():
		return fmt.Errorf("%s: data after the shard", path)
	case !sha256Hex.MatchString(f.Config):
		return fmt.Errorf("%s: config_sha256 %q is not a SHA-256", path, f.Config)
	case f.Of < 1 || f.Shard < 1 || f.Shard > f.Of:
		return fmt.Errorf("%s: shard %d of %d", path, f.Shard, f.Of)
	}
	f.Path = path
	return nil
}

// Kind returns the kind of the results file raw, or "" when it does not
// start with a JSON object. It checks nothing else.
func Kind(raw []byte) string {
	var probe struct {
		Kind string `json:"kind"`
	}
	if json.NewDecoder(bytes.NewReader(raw)).Decode(&probe) != nil {
		return ""
	}
	return probe.Kind
}

// Check checks that fs are the shards of one run, each once and none
// missing: the same configuration hash and shard count, every index from
// 1 to the count exactly once. what names the run in errors ("sweep",
// "attack run"). It sorts fs by index.
func Check(what string, fs []*File) error {
	if len(fs) == 0 {
		return fmt.Errorf("no shard files")
	}
	first := fs[0]
	for _, f := range fs[1:] {
		if f.Config != first.Config {
			return fmt.Errorf("%s is a shard of another %s than %s (%s)", f.Path, what, first.Path,
				fingerprint.Summary(diff(first.Fingerprint, f.Fingerprint), 3))
		}
		if f.Of != first.Of {
			return fmt.Errorf("%s is shard %s, but %s is shard %s: the shards of one run have one count", f.Path, f.Part(), first.Path, first.Part())
		}
	}
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Shard < fs[j].Shard })
	var missing []string
	next := 1
	for i, f := range fs {
		if i > 0 && f.Shard == fs[i-1].Shard {
			return fmt.Errorf("%s and %s are both shard %s", fs[i-1].Path, f.Path, f.Part())
		}
		for ; next < f.Shard; next++ {
			missing = append(missing, strconv.Itoa(next))
		}
		next = f.Shard + 1
	}
	for ; next <= first.Of; next++ {
		missing = append(missing, strconv.Itoa(next))
	}
	if len(missing) > 0 {
		return fmt.Errorf("shard %s of %d missing (%d files given)", strings.Join(missing, ", "), first.Of, len(fs))
	}
	return nil
}

// diff names the fingerprint entries that changed from old to new.
func diff(old, new map[string]string) []string {
	var s fingerprint.Set
	for k, v := range new {
		s.Add(k, v)
	}
	sort.Slice(s, func(i, j int) bool { return s[i].Key < s[j].Key })
	return s.Diff(old)
}
