package attack

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"

	"cosim/internal/atomicfile"
	"cosim/internal/fileio"
	"cosim/internal/fingerprint"
	"cosim/internal/shard"
)

// A run's trials — trials First … First+Trials−1 of every model — split
// into shards that run apart (a Slurm job array, say) and merge into the
// result of the unsharded run: trial t of a model is the same trial in any
// shard, since its draws come from (seed, t) alone. Shard i of N holds
// shard.Shard.Span of the trials taken trial by trial across the models,
// so every shard attacks every model about Trials/N times.

// resultsFormat names the semantics of an attack's trials; it changes when
// a change of the code changes the trials of an unchanged run.
const resultsFormat = "cosim-attack-results 1"

// Fingerprint flattens everything that determines the trials first …
// first+trials−1 of the run r of the attackers atts (one per model, in
// r.Models' order): the results format, r's attack, settings, seed, data
// set and models as recorded, the trial range, every model's quantizer and
// a checksum of each of its tensors, and checksums of the data.
func Fingerprint(r Result, atts []*Attacker, first, trials int) fingerprint.Set {
	s := fingerprint.Set{{Key: "format", Value: resultsFormat}}
	s.Append(fingerprint.Of("attack", struct {
		Attack             Kind
		Settings           Settings
		Seed               uint64
		Dataset            string
		Models             []Model
		FirstTrial, Trials int
	}{r.Attack, r.Settings, r.Seed, r.Dataset, r.Models, first, trials}))
	for i, a := range atts {
		key := fmt.Sprintf("attack.Models[%d]", i)
		s.Append(fingerprint.Of(key+".Quantizer", a.t.Model.Cfg))
		for _, p := range a.t.Model.State() {
			s.AddTensor(key+".Tensors["+p.Name+"]", p.Shape(), p.Data())
		}
	}
	if len(atts) > 0 {
		t := atts[0].t
		s.Add("attack.Test", t.Test.Name+" sha256:"+t.Test.Hash())
		if r.Settings.FromTrain {
			s.Add("attack.Train", t.Train.Name+" sha256:"+t.Train.Hash())
		}
	}
	return s
}

// Span returns the trials [from, to) of model m (of models) that shard sh
// of a run of trials first … first+trials−1 holds.
func Span(sh shard.Shard, models, first, trials, m int) (from, to int) {
	from, to = sh.Span(models, trials, m)
	return first + from, first + to
}

// ShardFile is the results file of one shard of an attack run
// (ShardFileName): the head (the hash and entries of the run's
// Fingerprint, the shard), the run's trial range, and the shard's result —
// the run's settings and models with the trials the shard holds.
type ShardFile struct {
	shard.File
	FirstTrial int    `json:"first_trial"`
	Trials     int    `json:"trials"`
	Result     Result `json:"result"`
}

const shardFileKind = "cosim-attack-shard"

// ShardFileName is the name of the results file of shard sh of an attack
// of kind k: KIND-shard-I-of-N.json.
func ShardFileName(k Kind, sh shard.Shard) string {
	return fmt.Sprintf("%s-shard-%d-of-%d.json", k, sh.Index, sh.Count)
}

// NewShardFile is the results file of shard sh of the run with
// fingerprint fp of trials first … first+trials−1, holding r.
func NewShardFile(fp fingerprint.Set, sh shard.Shard, first, trials int, r Result) *ShardFile {
	r.Summarise()
	return &ShardFile{File: shard.NewFile(shardFileKind, fp, sh), FirstTrial: first, Trials: trials, Result: r}
}

// Write writes the file to path atomically.
func (f *ShardFile) Write(path string) error {
	return atomicfile.Write(path, func(w io.Writer) error { return json.NewEncoder(w).Encode(f) })
}

// ReadShardFile reads and checks a shard results file.
func ReadShardFile(path string) (*ShardFile, error) {
	raw, err := fileio.ReadFile(path, fileio.TableLimit)
	if err != nil {
		return nil, err
	}
	return DecodeShardFile(path, raw)
}

// IsShardFile reports whether the file at path is an attack shard's
// results file: it holds a JSON object whose kind says so (it is not
// checked further).
func IsShardFile(path string) bool {
	raw, err := fileio.ReadFile(path, fileio.TableLimit)
	if err != nil {
		return false
	}
	return shard.Kind(raw) == shardFileKind
}

// DecodeShardFile decodes a shard results file (JSON, unknown keys
// refused) and checks it: a shard of a run, whose trials are of the run's
// models and trial range. path names it in errors.
func DecodeShardFile(path string, raw []byte) (*ShardFile, error) {
	var f ShardFile
	if err := shard.Decode(path, raw, shardFileKind, &f); err != nil {
		return nil, err
	}
	if f.FirstTrial < 0 || f.Trials < 1 {
		return nil, fmt.Errorf("%s: first_trial %d, trials %d: want ≥ 0 and ≥ 1", path, f.FirstTrial, f.Trials)
	}
	if err := f.Result.Validate(); err != nil {
		return nil, fmt.Errorf("%s: result: %w", path, err)
	}
	for i, t := range f.Result.Trials {
		if t.Trial < f.FirstTrial || t.Trial-f.FirstTrial >= f.Trials {
			return nil, fmt.Errorf("%s: result.trials[%d]: trial %d outside the run's trials %d–%d", path, i, t.Trial, f.FirstTrial, f.FirstTrial+f.Trials-1)
		}
	}
	return &f, nil
}

// MergeShards joins the shard files of one attack run into the result of
// the unsharded run. The files must be every shard of one run, once
// (shard.Check), each holding all of its trials and no others.
func MergeShards(files []*ShardFile) (Result, error) {
	hs := make([]*shard.File, len(files))
	for i, f := range files {
		hs[i] = &f.File
	}
	if err := shard.Check("attack run", hs); err != nil {
		return Result{}, err
	}
	first := files[0]
	rs, names := make([]Result, len(files)), make([]string, len(files))
	for i, f := range files {
		r := f.Result
		if f.FirstTrial != first.FirstTrial || f.Trials != first.Trials || r.Attack != first.Result.Attack || r.Settings != first.Result.Settings ||
			r.Seed != first.Result.Seed || r.Dataset != first.Result.Dataset || r.EvalImages != first.Result.EvalImages || !reflect.DeepEqual(r.Models, first.Result.Models) {
			return Result{}, fmt.Errorf("%s: its run differs from %s's, but their config_sha256 is the same (an edited file?)", f.Path, first.Path)
		}
		if err := f.checkWork(); err != nil {
			return Result{}, err
		}
		rs[i], names[i] = r, f.Path
	}
	return Merge(rs, names)
}

// checkWork checks that f holds exactly its shard's trials.
func (f *ShardFile) checkWork() error {
	sh := f.Part()
	ms := f.Result.Models
	held := map[string]map[int]bool{}
	for _, t := range f.Result.Trials {
		if held[t.Model] == nil {
			held[t.Model] = map[int]bool{}
		}
		held[t.Model][t.Trial] = true
	}
	for m, model := range ms {
		from, to := Span(sh, len(ms), f.FirstTrial, f.Trials, m)
		for t := from; t < to; t++ {
			if !held[model.Name][t] {
				return fmt.Errorf("%s: trial %d of %s missing: shard %s has not finished (rerun it with --resume)", f.Path, t, model.Name, sh)
			}
			delete(held[model.Name], t)
		}
		if extra := slices.Sorted(maps.Keys(held[model.Name])); len(extra) > 0 {
			return fmt.Errorf("%s: holds trial %d of %s, which is not shard %s's work", f.Path, extra[0], model.Name, sh)
		}
	}
	return nil
}
