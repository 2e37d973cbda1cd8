package sweep

import (
	"context"
	"sort"

	"cosim/mc"
)

// chipParts is Parts under chip faults. The unit of work is one chip of
// one model, scored at every voltage, so a shard holds a range of chips of
// a model as one part per voltage, all with that range: the
// Models·Trials chips, taken chip by chip across the models (chip 0 of
// every model, then chip 1, …), are cut into Count runs of equal length.
func (c Config) chipParts(sh Shard, vs []float64) []Part {
	var parts []Part
	for mi, m := range c.Models {
		from, to := sh.Span(len(c.Models), c.MC.Trials, mi)
		if from >= to {
			continue
		}
		for _, v := range vs {
			parts = append(parts, Part{Model: m.Name, Method: m.Method, VddV: v, From: from, To: to})
		}
	}
	return parts
}

// chipRuns runs, within one shard, each model's range of chips once at
// every voltage of the sweep and hands every part of that range its
// voltage's accuracies and error counts.
type chipRuns struct {
	cfg  Config
	vs   []float64
	done map[unit]chipRun // by the range's unit at the lowest voltage
}

// chipRun is a range of chips at every voltage: accs[i] and flips[i] at
// the i-th lowest.
type chipRun struct {
	accs  [][]float64
	flips [][]int
}

func (c Config) newChipRuns() *chipRuns {
	vs := append([]float64(nil), c.Voltages...)
	sort.Float64s(vs)
	return &chipRuns{cfg: c, vs: vs, done: map[unit]chipRun{}}
}

// part fills p from the chips of its range, running them (with eng and
// opt) on first use.
func (r *chipRuns) part(ctx context.Context, eng *mc.Engine, p *Part, opt mc.Options) error {
	key := unit{pointKey{p.Model, p.Method, r.vs[0]}, p.From, p.To}
	run, ok := r.done[key]
	if !ok {
		opt.Key = chipKey
		var err error
		if run.accs, run.flips, err = eng.RunChipsRange(ctx, r.cfg.bers(r.vs), r.cfg.Faults, opt, p.From, p.To); err != nil {
			return err
		}
		r.done[key] = run
	}
	i := sort.SearchFloat64s(r.vs, p.VddV)
	p.Accs, p.Flips = run.accs[i], run.flips[i]
	return nil
}
