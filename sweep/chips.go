package sweep

import (
	"context"
	"fmt"

	"cosim/internal/seed"
	"cosim/mc"
	"cosim/results"
)

// chipKey is the Monte Carlo key of the chip population: chip t of a chip
// sweep is drawn from seed.Stream(Seed, chipKey, t) whatever the model or
// the voltage, so every model meets the same chips.
var chipKey = seed.String("chips")

// checkFaults validates the fault model and the Monte Carlo settings it
// needs: chips are scored at every voltage, so adaptive stopping does not
// apply to them.
func (c Config) checkFaults() error {
	if _, err := mc.ParseFaults(string(c.Faults)); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	if c.Faults.Chips() && c.MC.CIHalfWidth != 0 {
		return fmt.Errorf("sweep: %s faults score every chip at every voltage, so a CI half-width (%g points) cannot stop a point early; set it to 0 and give the number of chips as the trials", c.Faults, c.MC.CIHalfWidth)
	}
	return nil
}

// chipSummaries scores opt.Trials chips of eng's model at every voltage of
// vs (all of the sweep's voltages, so that a chip's faults are known down
// to the lowest) and returns one summary per voltage; chip c of every
// summary is the same chip.
func (c Config) chipSummaries(ctx context.Context, eng *mc.Engine, vs []float64, opt mc.Options) ([]mc.Summary, error) {
	opt.Key = chipKey
	return eng.RunChips(ctx, c.bers(vs), c.Faults, opt)
}

// bers is BER(V) at each voltage of vs.
func (c Config) bers(vs []float64) []float64 {
	bers := make([]float64, len(vs))
	for i, v := range vs {
		bers[i] = c.spec().BER.BER(v)
	}
	return bers
}

// mcNote describes the Monte Carlo settings in the report's notes.
func (c Config) mcNote(proto mc.Protocol) string {
	data := fmt.Sprintf("evaluation set %s (%d images); seed %d", c.Test.Name, c.Test.Len(), c.Seed)
	if !c.Faults.Chips() {
		return fmt.Sprintf("Monte Carlo (%s protocol): up to %d trials per point, each a whole-model fault realisation; stop at a 95%% CI half-width of %g points; %s",
			proto, c.MC.Trials, c.MC.CIHalfWidth, data)
	}
	read := "its flipped value"
	if c.Faults == mc.FaultsChipStuck {
		read = "its own stuck value (0 or 1, per cell)"
	}
	return fmt.Sprintf("Monte Carlo (%s protocol), %s faults: %d chips, each scored at every voltage on the same images; a chip's failing cells (threshold u ~ U(0,1) per bit, failing where u < BER(V)) persist as the voltage drops, and a failing cell reads %s; %s",
		proto, c.Faults, c.MC.Trials, read, data)
}

// point is newPoint, with the chips' accuracies under chip faults.
func (c Config) point(m Model, v, energyPJ float64, s mc.Summary) results.Point {
	p := newPoint(m, v, energyPJ, s)
	if c.Faults.Chips() {
		p.ChipAccs = s.Accs
	}
	return p
}
