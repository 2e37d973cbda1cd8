package mc

import (
	"context"
	"fmt"
)

// RunRange runs trials from, …, to−1 of the estimate Run makes at bit error
// rate p with opt — all of them, without adaptive stopping — and returns
// their values (percent) and flip counts. Trial t is Run's trial t (its
// draws come from (Seed, Key, t) alone), so the trials of one point can be
// run in ranges, on different machines, and joined with Combine into
// exactly Run's summary.
func (e *Engine) RunRange(ctx context.Context, p float64, opt Options, from, to int) ([]float64, []int, error) {
	opt, err := e.normalise(p, opt)
	if err != nil {
		return nil, nil, err
	}
	if from < 0 || to <= from || to > opt.Trials {
		return nil, nil, fmt.Errorf("mc: trial range [%d, %d) outside the %d trials", from, to, opt.Trials)
	}
	n := to - from
	accs, flips := make([]float64, n), make([]int, n)
	part := opt
	part.Trials, part.Workers = n, min(opt.Workers, n)
	onTrial := opt.OnTrial
	part.OnTrial = func(i int) {
		if onTrial != nil {
			onTrial(from + i)
		}
	}
	if _, err := e.parallel(ctx, part, func(w *worker, i int) {
		accs[i], flips[i] = e.trial(w, p, opt, from+i)
	}, func(int) bool { return false }); err != nil {
		return nil, nil, err
	}
	return accs, flips, nil
}

// Combine summarises the values accs and flip counts flips of trials 0, 1,
// … of a point (at bit error rate p, with opt, on an evaluation set of
// images images) exactly as Run does: it applies the adaptive stopping rule
// to the trials in order and summarises the trials taken. The trials given
// must reach Run's end: opt.Trials of them, or as many as the stopping rule
// takes. CleanAcc and MemoryBits are left zero.
func Combine(p float64, opt Options, images int, accs []float64, flips []int) (Summary, error) {
	opt, err := normalise(p, opt, images)
	if err != nil {
		return Summary{}, err
	}
	if len(accs) != len(flips) || len(accs) == 0 || len(accs) > opt.Trials {
		return Summary{}, fmt.Errorf("mc: %d trial values and %d flip counts for at most %d trials", len(accs), len(flips), opt.Trials)
	}
	for t, a := range accs {
		if !(a >= 0 && a <= 100) || flips[t] < 0 {
			return Summary{}, fmt.Errorf("mc: trial %d: accuracy %g%%, %d flips", t, a, flips[t])
		}
	}
	used := len(accs)
	for t := range accs {
		if stops(opt, accs[:t+1]) {
			used = t + 1
			break
		}
	}
	if used == len(accs) && used < opt.Trials && !stops(opt, accs) {
		return Summary{}, fmt.Errorf("mc: %d of %d trials given, and the stopping rule needs more", len(accs), opt.Trials)
	}
	return newSummary(p, opt, accs[:used], flips[:used]), nil
}
