package mc

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"cosim/internal/enum"
	"cosim/internal/seed"
	"cosim/sram"
)

// Faults names a fault model.
type Faults string

const (
	// FaultsIID draws a fresh i.i.d. fault realisation for every (point,
	// trial): every bit flips with probability BER(V), independently of
	// every other point. It is the WCAT paper's model and the default.
	FaultsIID Faults = "iid"
	// FaultsChip makes each trial one chip (sram.Chip) whose weak cells
	// persist as the voltage drops; a failing cell reads its flipped value,
	// so every point has exactly the i.i.d. marginal.
	FaultsChip Faults = "chip"
	// FaultsChipStuck is FaultsChip with a failing cell reading its own
	// stuck value (0 or 1, fair and independent per cell, fixed per chip):
	// an error only where the stored bit differs, so about half as many
	// errors as FaultsChip at the same BER.
	FaultsChipStuck Faults = "chip-stuck"
)

// ParseFaults validates a fault model name; "" is FaultsIID.
func ParseFaults(s string) (Faults, error) {
	if s == "" {
		return FaultsIID, nil
	}
	return enum.Parse("fault model", s, FaultsIID, FaultsChip, FaultsChipStuck)
}

// Chips reports whether the model scores chips across voltages (RunChips)
// rather than independent points (Run).
func (f Faults) Chips() bool { return f == FaultsChip || f == FaultsChipStuck }

// RunChips scores opt.Trials chips at every bit error rate of bers and
// returns one Summary per rate, in the order of bers; Accs[c] of every
// Summary is chip c.
//
// Chip c is sram.NewChip(seed.Stream(Seed, Key, c), MemoryBits(), max(bers))
// over the stored bits (check bits included under a protection):
// its failing set at each rate is nested in the one at every higher rate,
// so the chip is drawn once and never redrawn. It is scored at every rate
// on the same images (its subset comes from seed.Stream(Seed, Key, c, 1)
// as in Run), so its accuracy-vs-rate curve is coherent; a rate whose
// failing set equals that of the next lower rate reuses its score, and a
// chip with no error scores the clean accuracy. Every chip runs all rates,
// so there is no adaptive stopping: CIHalfWidth must be 0. The result is
// the same for any number of workers, and a chip depends on the rates only
// through their maximum.
func (e *Engine) RunChips(ctx context.Context, bers []float64, faults Faults, opt Options) ([]Summary, error) {
	accs, flips, err := e.RunChipsRange(ctx, bers, faults, opt, 0, opt.Trials)
	if err != nil {
		return nil, err
	}
	opt, _ = e.normalise(bers[0], opt)
	out := make([]Summary, len(bers))
	for i, p := range bers {
		out[i] = e.summary(p, opt, accs[i], flips[i])
	}
	return out, nil
}

// RunChipsRange scores chips from … to−1 of RunChips (0 ≤ from < to ≤
// opt.Trials) and returns their accuracies and error counts per rate:
// accs[i][c−from] is chip c at bers[i]. Each chip is the one RunChips
// scores, so ranges run apart (shards) join into RunChips' result.
func (e *Engine) RunChipsRange(ctx context.Context, bers []float64, faults Faults, opt Options, from, to int) ([][]float64, [][]int, error) {
	if !faults.Chips() {
		return nil, nil, fmt.Errorf("mc: RunChips needs a chip fault model, not %q", faults)
	}
	if len(bers) == 0 {
		return nil, nil, fmt.Errorf("mc: RunChips needs at least one bit error rate")
	}
	if faults == FaultsChipStuck && e.prot != nil {
		return nil, nil, fmt.Errorf("mc: chip-stuck faults read a cell's stored value, which this engine knows only for an unprotected memory; use chip faults with a protected one")
	}
	if opt.CIHalfWidth != 0 {
		return nil, nil, fmt.Errorf("mc: chips are scored at every bit error rate, so a CI half-width (%g) cannot stop them early; set it to 0", opt.CIHalfWidth)
	}
	var err error
	for _, p := range bers {
		if opt, err = e.normalise(p, opt); err != nil {
			return nil, nil, err
		}
	}
	if from < 0 || to <= from || to > opt.Trials {
		return nil, nil, fmt.Errorf("mc: chip range [%d, %d) outside the %d chips", from, to, opt.Trials)
	}
	pMax := slices.Max(bers)
	order := make([]int, len(bers)) // rates ascending
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(bers[a], bers[b]) })
	n := to - from
	accs := make([][]float64, len(bers))
	flips := make([][]int, len(bers))
	for i := range bers {
		accs[i], flips[i] = make([]float64, n), make([]int, n)
	}
	part := opt
	part.Trials, part.Workers = n, min(opt.Workers, n)
	part.OnTrial = func(i int) {
		if opt.OnTrial != nil {
			opt.OnTrial(from + i)
		}
	}
	_, err = e.parallel(ctx, part, func(w *worker, k int) {
		t := from + k
		chip := sram.NewChip(seed.Stream(opt.Seed, opt.Key, uint64(t)), e.storedBits(), pMax)
		var cur []int
		prev, prevAcc := 0, e.cleanAcc
		for _, i := range order {
			if ctx.Err() != nil {
				return // cancelled: parallel discards the run
			}
			if faults == FaultsChipStuck {
				cur = chip.StuckFlips(bers[i], e.storedBit, cur)
			} else {
				cur = chip.Flips(bers[i], cur)
			}
			if len(cur) != prev { // nested sets: equal sizes are equal sets
				prev, prevAcc = len(cur), e.faulty(w, cur, opt, t)
			}
			accs[i][k], flips[i][k] = prevAcc, len(cur)
		}
	}, func(int) bool { return false })
	if err != nil {
		return nil, nil, err
	}
	return accs, flips, nil
}

// storedBit is the clean value of physical bit a of the weight memory
// (padding bits store 0).
func (e *Engine) storedBit(a int) bool {
	seg, j, bit, ok := e.mem.Locate(a)
	if !ok {
		return false
	}
	return sram.Encode(e.model.Layers[seg].Codes[j], e.mem.CodeBits())>>bit&1 == 1
}
