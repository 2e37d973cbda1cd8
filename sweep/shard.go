package sweep

import (
	"context"
	"fmt"
	"math"
	"sort"

	"cosim/internal/fingerprint"
	"cosim/internal/shard"
	"cosim/mc"
)

// Shard is part Index of Count (1 ≤ Index ≤ Count) of a sweep's work, run
// by RunShard on its own (a Slurm array task, say); Merge joins the Count
// parts into the results of the whole sweep.
//
// The work is split into Parts deterministically and in balance. A point
// with a fixed number of trials T (no adaptive stopping: CI half-width 0,
// as in the reference protocol of the WCAT code) is split into trial
// ranges: the P·T trials of the sweep's P points, taken trial by trial
// across the points (trial 0 of every point, then trial 1, …), are cut into
// Count runs of equal length, so every shard holds about T/Count trials of
// every point (or, with more shards than trials, single trials of some
// points). A point that stops adaptively needs its trials in order, so it
// stays whole; such points are dealt to the shards in turn (point k to
// shard k mod Count + 1), which spreads cheap and expensive voltages.
// Under chip faults a chip is scored at every voltage, so the unit is a
// chip of a model (see chipParts).
// Trial t of a point is the same trial in any shard (its draws come from
// (seed, point, trial) alone), so the merge is exact.
type Shard = shard.Shard

// ParseShard reads a shard "I/N".
func ParseShard(s string) (Shard, error) { return shard.Parse(s) }

// ShardFileName is the name of the results file of shard sh,
// shard-I-of-N.json.
func ShardFileName(sh Shard) string { return fmt.Sprintf("shard-%d-of-%d.json", sh.Index, sh.Count) }

// Part is a piece of a sharded sweep's work: trials [From, To) of the point
// (Model, Method, VddV). Once run it holds the trials' accuracies (percent)
// and flip counts: all of them, or — for a whole point that stops
// adaptively — as many as its stopping rule took.
type Part struct {
	Model  string    `json:"model"`
	Method string    `json:"method"`
	VddV   float64   `json:"vdd_v"`
	From   int       `json:"from"`
	To     int       `json:"to"`
	Accs   []float64 `json:"accs"`
	Flips  []int     `json:"flips"`
}

// unit identifies a part's work.
type unit struct {
	point    pointKey
	from, to int
}

func (p Part) unit() unit { return unit{pointKey{p.Model, p.Method, p.VddV}, p.From, p.To} }

func (p Part) String() string {
	return fmt.Sprintf("%s %s at %g V, trials %d–%d", p.Model, p.Method, p.VddV, p.From, p.To-1)
}

// check validates a part's shape and values.
func (p Part) check() error {
	switch {
	case p.Model == "" || !(p.VddV > 0) || math.IsInf(p.VddV, 0):
		return fmt.Errorf("part %s: no model or no voltage", p)
	case p.From < 0 || p.To <= p.From:
		return fmt.Errorf("part %s: empty trial range", p)
	case len(p.Accs) != len(p.Flips) || len(p.Accs) == 0 || len(p.Accs) > p.To-p.From:
		return fmt.Errorf("part %s: %d accuracies and %d flip counts", p, len(p.Accs), len(p.Flips))
	}
	for i, a := range p.Accs {
		if !(a >= 0 && a <= 100) || p.Flips[i] < 0 {
			return fmt.Errorf("part %s: trial %d has accuracy %g%% and %d flips", p, p.From+i, a, p.Flips[i])
		}
	}
	return nil
}

// splitsTrials reports whether points split into trial ranges: they run a
// fixed number of trials.
func (c Config) splitsTrials() bool { return c.MC.CIHalfWidth == 0 }

// Parts returns the work of shard sh (see Shard), in the order Run computes
// points; a shard may have none when there are more shards than pieces.
func (c Config) Parts(sh Shard) []Part {
	vs := append([]float64(nil), c.Voltages...)
	sort.Float64s(vs)
	if c.Faults.Chips() {
		return c.chipParts(sh, vs)
	}
	var parts []Part
	P, T, N := len(c.Models)*len(vs), c.MC.Trials, sh.Count
	for mi, m := range c.Models {
		for vi, v := range vs {
			p := mi*len(vs) + vi
			from, to := 0, T
			if c.splitsTrials() {
				from, to = sh.Span(P, T, p)
			} else if p%N != sh.Index-1 {
				continue
			}
			if from < to {
				parts = append(parts, Part{Model: m.Name, Method: m.Method, VddV: v, From: from, To: to})
			}
		}
	}
	return parts
}

// ShardEvent reports a sharded run's progress: a finished part (Part set)
// or a finished trial of the part in progress.
type ShardEvent struct {
	Done, Total int // parts
	Trial       int // trials of the current part finished so far
	Part        *Part
	// Current names the part in progress, or the model and method of the
	// clean pass in progress.
	Current string
	// Work counts a part and a model's clean pass as a unit each (see
	// Work).
	Work Work
}

// RunShard runs the parts of shard sh of the sweep cfg (cfg.Done and
// cfg.OnPoint are not used). Parts finished by an earlier run of the same
// shard (done, from its journal) are kept as they are; onPart, if set, is
// called with every newly finished part before the run moves on. It
// returns the shard's parts in order, all run; cancelling ctx stops it
// between trials.
func RunShard(ctx context.Context, cfg Config, sh Shard, done []Part, onPart func(Part) error, progress func(ShardEvent)) ([]Part, error) {
	if sh.Index < 1 || sh.Index > sh.Count {
		return nil, fmt.Errorf("sweep: shard %s: want 1 ≤ I ≤ N", sh)
	}
	mem, _, _, err := cfg.prepare()
	if err != nil {
		return nil, err
	}
	finished := map[unit]Part{}
	for _, p := range done {
		finished[p.unit()] = p
	}
	parts := cfg.Parts(sh)
	// todo[mi] counts the parts of model mi left to run; a model with
	// parts has a clean pass.
	todo := make([]int, len(cfg.Models))
	work, workTotal := 0.0, len(parts)
	for mi, m := range cfg.Models {
		has := false
		for _, p := range parts {
			if p.Model == m.Name && p.Method == m.Method {
				has = true
				if _, ok := finished[p.unit()]; !ok {
					todo[mi]++
				}
			}
		}
		if has {
			workTotal++
			if todo[mi] == 0 {
				work++ // no clean pass needed
			}
		}
	}
	emit := func(e ShardEvent, frac float64) {
		if progress != nil {
			e.Total = len(parts)
			e.Work.Done, e.Work.Total = work+frac, workTotal
			progress(e)
		}
	}
	chips := cfg.newChipRuns()
	for mi, m := range cfg.Models {
		var eng *mc.Engine
		for i := range parts {
			p := &parts[i]
			if p.Model != m.Name || p.Method != m.Method {
				continue
			}
			if f, ok := finished[p.unit()]; ok {
				*p = f
				work++
				emit(ShardEvent{Done: i + 1, Part: p}, 0)
				continue
			}
			if eng == nil {
				clean := m.Name + " " + m.Method
				if eng, err = cfg.engine(cfg.Models[mi], mem, func(n, of int) {
					emit(ShardEvent{Done: i, Current: clean, Work: Work{Clean: n, CleanOf: of}}, float64(n)/float64(of))
				}); err != nil {
					return nil, err
				}
				work++
			}
			ber := cfg.spec().BER.BER(p.VddV)
			opt := cfg.pointMC(p.VddV)
			current := p.String()
			// Under chip faults the first part of a model runs its chips
			// at every voltage: all its parts advance together.
			span := 1.0
			if cfg.Faults.Chips() {
				span = float64(todo[mi])
			}
			opt.OnTrial = func(t int) {
				emit(ShardEvent{Done: i, Trial: t + 1 - p.From, Current: current}, span*float64(t+1-p.From)/float64(p.To-p.From))
			}
			if cfg.Faults.Chips() {
				err = chips.part(ctx, eng, p, opt)
			} else if cfg.splitsTrials() {
				p.Accs, p.Flips, err = eng.RunRange(ctx, ber, opt, p.From, p.To)
			} else {
				var s mc.Summary
				s, err = eng.Run(ctx, ber, opt)
				p.Accs, p.Flips = s.Accs, s.Flips
			}
			if err != nil {
				return nil, err
			}
			if onPart != nil {
				if err := onPart(*p); err != nil {
					return nil, err
				}
			}
			todo[mi]--
			work++
			emit(ShardEvent{Done: i + 1, Part: p}, 0)
		}
	}
	return parts, nil
}

const shardJournalKind = "cosim-shard-journal"

// OpenShardJournal opens (resume) or creates the journal of finished parts
// of shard sh of the sweep with configuration config (see OpenJournal).
func OpenShardJournal(path string, config fingerprint.Set, sh Shard, resume bool) (*Journal, []Part, error) {
	s := append(fingerprint.Set{{Key: "shard", Value: sh.String()}}, config...)
	return openJournal(path, shardJournalKind, s, resume, Part.check)
}

// AppendPart records a finished part durably.
func (j *Journal) AppendPart(p Part) error { return j.append(p) }
