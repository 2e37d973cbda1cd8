// Package sweep ties the pieces of cosim together: for every model and every
// supply voltage V of the architecture's scaled weight memory it computes
// the bit error rate BER(V) (the spec's BER model), the energy of one
// inference (the accelerator model's access counts priced with CACTI,
// dynamic energy of the scaled memories × V²/V_nom²) and the Monte Carlo accuracy of the network whose
// quantized weights sit in that memory (package mc), and collects the
// points, the BER curve and energy breakdowns into a results.Report.
//
// Decisions: the faulty memory is the architecture's one weight-holding
// memory in the scaled voltage domain (a spec with none, or with several, is
// rejected); codes are packed into words of its width; trial t at voltage V
// draws its faults from seed.Stream(Seed, bits(V), t), so every model meets
// the same random stream at a given voltage and results do not depend on the
// number of threads. Energy breakdowns are reported, per model, at the
// nominal voltage and at its iso-accuracy point (the lowest-energy voltage
// whose mean accuracy is within pareto.IsoAccuracyTolPts of its best).
//
// The use case, as cosim sweep runs it: a Spec (LoadSpec, or one built from
// flags) and an accelerator model make a Request, whose Config loads and
// checks everything before any work; Open takes the output directory
// (locked, with a Journal of finished points, so that a killed or
// interrupted run resumes where it stopped) and Out.Run computes the sweep
// and writes its report, a partial one when interrupted. A sweep also runs
// in shards (Shard, OpenShard) that OpenMerge joins into the report of the
// whole; Join joins results files for cosim report.
package sweep

import (
	"context"
	"fmt"
	"math"
	"sort"

	"cosim/accel"
	"cosim/arch"
	"cosim/dnn"
	"cosim/ecc"
	"cosim/internal/fingerprint"
	"cosim/internal/seed"
	"cosim/mc"
	"cosim/pareto"
	"cosim/results"
	"cosim/sram"
	"cosim/wcat"
)

// Model is one trained, quantized network to sweep.
type Model struct {
	// Name labels the network in reports (its architecture, e.g. resnet20).
	Name string
	// Method labels the training method (e.g. wcat, wcat+bfn).
	Method string
	// Q is fingerprinted by its quantizer configuration and tensors (see
	// Config.Fingerprint).
	Q *wcat.Model `fingerprint:"-"`
	// Protection is the protection of the faulty weight memory for this
	// model: its Monte Carlo reads through it and its energy prices it
	// (accel.PriceWith). The zero value is none.
	Protection ecc.Protection
}

// Config describes a sweep.
type Config struct {
	// Accel maps the networks onto the architecture swept, its Spec (for
	// example accel/eyeriss's row-stationary model); it is fingerprinted by
	// its name and its whole Spec.
	Accel accel.Accelerator `fingerprint:"-"`
	// Models are fingerprinted by index (see Config.Fingerprint).
	Models   []Model `fingerprint:"-"`
	Voltages []float64
	// MC holds the Monte Carlo settings of every point (protocol, trials,
	// adaptive stopping, subset size, workers); its Key and OnTrial are set
	// per point.
	MC   mc.Options
	Seed uint64
	// Faults is the fault model ("" or mc.FaultsIID: a fresh draw per
	// point; mc.FaultsChip or mc.FaultsChipStuck: each trial is one chip,
	// scored at every voltage, see chipSummaries).
	Faults mc.Faults
	// Test is fingerprinted by its name and content hash.
	Test *dnn.Dataset `fingerprint:"-"`
	// Done holds points finished by an earlier run of the same sweep (from
	// its journal); they are kept as they are and not recomputed.
	Done []results.Point `fingerprint:"-"`
	// OnPoint, if set, is called with every newly computed point before
	// the sweep moves on (to make it durable); an error stops the sweep.
	OnPoint func(results.Point) error `fingerprint:"-"`
}

// Event reports progress: a finished point (Point set), a finished trial
// (Trial set) or a batch of a model's clean pass (Work.Clean set).
type Event struct {
	Done, Total int // points
	Trial       int // trials taken into the current point so far
	Point       *results.Point
	// Current names the point in progress (model, method and voltage), or
	// the model and method of the clean pass in progress.
	Current string
	Work    Work
}

// Work is the progress of a run in units of work: one per point (per part,
// in a shard) and one per model's clean pass — its clean network scored
// once on the whole evaluation set before its first point, as long as many
// trials —, the unit in progress counted by its fraction done (trials of
// its maximum, images of the clean pass). A clean pass that is not needed
// (every point of the model resumed) counts as done.
type Work struct {
	Done  float64
	Total int
	// Clean is the number of images of the clean pass in progress scored
	// so far, of CleanOf; both 0 outside a clean pass.
	Clean, CleanOf int
}

// Voltages returns the grid vmin, vmin+step, …, vmax (inclusive, rounded to
// 1 µV so that 0.30 + k·0.01 lands on decimal values).
func Voltages(vmin, vmax, step float64) ([]float64, error) {
	if !(vmin > 0) || !(vmax >= vmin) || !(step > 0) || math.IsInf(vmax, 0) {
		return nil, fmt.Errorf("voltage grid %g..%g step %g: want 0 < vmin ≤ vmax and step > 0", vmin, vmax, step)
	}
	for _, v := range []float64{vmin, vmax} {
		if err := sram.CheckSupply(v); err != nil {
			return nil, fmt.Errorf("voltage grid %g..%g step %g: %v", vmin, vmax, step, err)
		}
	}
	const maxPoints = 100000
	nf := math.Floor((vmax-vmin)/step+1e-9) + 1
	if nf > maxPoints {
		return nil, fmt.Errorf("voltage grid %g..%g step %g has %.3g points (at most %d)", vmin, vmax, step, nf, maxPoints)
	}
	vs := make([]float64, int(nf))
	for i := range vs {
		vs[i] = math.Round((vmin+float64(i)*step)*1e6) / 1e6
	}
	return vs, nil
}

// pointKey identifies a point of a sweep.
type pointKey struct {
	model, method string
	vddV          float64
}

// Validate checks everything a sweep needs before any work is done or any
// file written: models and voltages given, trials ≥ 1, one faulty weight
// memory, each (model, method) pair once, every model's weights fit, and
// every model's energy finite at every voltage.
func (c Config) Validate() error {
	_, _, _, err := c.prepare()
	return err
}

// spec is the architecture swept.
func (c Config) spec() *arch.Spec { return c.Accel.Spec() }

// prepare validates c and returns the faulty weight memory, the
// accelerator model and each model's priced energy report.
func (c Config) prepare() (*arch.Component, accel.Accelerator, []*accel.EnergyReport, error) {
	if c.Accel == nil || c.Accel.Spec() == nil {
		return nil, nil, nil, fmt.Errorf("sweep: no accelerator model")
	}
	if len(c.Models) == 0 || len(c.Voltages) == 0 {
		return nil, nil, nil, fmt.Errorf("sweep: need at least one model and one voltage")
	}
	if c.MC.Trials < 1 {
		return nil, nil, nil, fmt.Errorf("sweep: trials = %d, want ≥ 1", c.MC.Trials)
	}
	if err := c.checkFaults(); err != nil {
		return nil, nil, nil, err
	}
	for _, m := range c.Models {
		for _, l := range []string{m.Name, m.Method} {
			if err := results.CheckLabel(l); err != nil {
				return nil, nil, nil, fmt.Errorf("sweep: model %q, method %q: %v", m.Name, m.Method, err)
			}
		}
	}
	mem, err := c.spec().FaultyWeightMemory()
	if err != nil {
		return nil, nil, nil, err
	}
	acc := c.Accel
	seen := map[string]bool{}
	var energies []*accel.EnergyReport
	for _, m := range c.Models {
		key := m.Name + "\x00" + m.Method
		if seen[key] {
			return nil, nil, nil, fmt.Errorf("sweep: two models are both %s trained with %s; each (model, method) pair may appear once", m.Name, m.Method)
		}
		seen[key] = true
		wl, err := dnn.Workload(m.Q.Net, 1, m.Q.Cfg.Bits)
		if err != nil {
			return nil, nil, nil, err
		}
		if m.Protection.WithDefaults().Scheme != ecc.None {
			if c.Faults.Chips() {
				return nil, nil, nil, fmt.Errorf("sweep: %s %s: chip faults are drawn over the unprotected memory; use iid faults with a protection", m.Name, m.Method)
			}
			if err := mc.CheckProtection(m.Q, mem.WidthBits, m.Protection); err != nil {
				return nil, nil, nil, fmt.Errorf("sweep: %s %s: %w", m.Name, m.Method, err)
			}
		}
		if err := c.spec().CheckWeights(fmt.Sprintf("%s (%d-bit)", m.Name, m.Q.Cfg.Bits), wl.WeightBits()); err != nil {
			return nil, nil, nil, err
		}
		energy, err := accel.PriceWith(acc, wl, m.Protection)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("sweep: pricing %s: %w", m.Name, err)
		}
		if err := energy.CheckFinite(c.Voltages...); err != nil {
			return nil, nil, nil, fmt.Errorf("sweep: %w", err)
		}
		energies = append(energies, energy)
	}
	return mem, acc, energies, nil
}

// Run performs the sweep. Points come out grouped by model, in voltage
// order. Cancelling ctx stops it between trials; the points finished so far
// (Done and new ones) are returned with the error.
func Run(ctx context.Context, cfg Config, progress func(Event)) (results.Report, error) {
	rep := results.Report{Title: "cosim voltage sweep"}
	mem, acc, energies, err := cfg.prepare()
	if err != nil {
		return rep, err
	}
	rep.Arch = cfg.spec().Name
	vs := append([]float64(nil), cfg.Voltages...)
	sort.Float64s(vs)
	for _, v := range vs {
		rep.BERCurve = append(rep.BERCurve, results.BERPoint{VddV: v, BER: cfg.spec().BER.BER(v)})
	}
	if f := cfg.spec().BERFit; f != nil {
		for i := range f.V {
			rep.BERMeasured = append(rep.BERMeasured, results.BERPoint{VddV: f.V[i], BER: f.BER[i]})
		}
	}
	done := map[pointKey]results.Point{}
	for _, p := range cfg.Done {
		done[pointKey{p.Model, p.Method, p.VddV}] = p
	}
	total := len(cfg.Models) * len(vs)
	finished := 0
	work, workTotal := 0.0, len(cfg.Models)*(len(vs)+1)
	emit := func(e Event, frac float64) {
		if progress != nil {
			e.Done, e.Total = finished, total
			e.Work.Done, e.Work.Total = work+frac, workTotal
			progress(e)
		}
	}
	for mi, m := range cfg.Models {
		energy := energies[mi]
		var eng *mc.Engine
		var mine []results.Point
		var chips []mc.Summary // chip faults: every voltage's summary, computed at once
		todo := 0
		for _, v := range vs {
			if _, ok := done[pointKey{m.Name, m.Method, v}]; !ok {
				todo++
			}
		}
		if todo == 0 {
			work++ // no clean pass needed
		}
		for vi, v := range vs {
			if p, ok := done[pointKey{m.Name, m.Method, v}]; ok {
				rep.Points = append(rep.Points, p)
				mine = append(mine, p)
				finished++
				work++
				emit(Event{Point: &p}, 0)
				continue
			}
			if eng == nil {
				clean := m.Name + " " + m.Method
				if eng, err = cfg.engine(m, mem, func(n, of int) {
					emit(Event{Current: clean, Work: Work{Clean: n, CleanOf: of}}, float64(n)/float64(of))
				}); err != nil {
					return rep, err
				}
				work++
			}
			ber := cfg.spec().BER.BER(v)
			opt := cfg.pointMC(v)
			current := fmt.Sprintf("%s %s %.3f V", m.Name, m.Method, v)
			opt.OnTrial = func(t int) { emit(Event{Trial: t + 1, Current: current}, float64(t+1)/float64(opt.Trials)) }
			var s mc.Summary
			if cfg.Faults.Chips() {
				if chips == nil {
					// Every chip is scored at every voltage: the model's
					// points advance together.
					current := fmt.Sprintf("%s %s, chips at %d voltages", m.Name, m.Method, len(vs))
					opt.OnTrial = func(t int) {
						emit(Event{Trial: t + 1, Current: current}, float64(todo)*float64(t+1)/float64(opt.Trials))
					}
					if chips, err = cfg.chipSummaries(ctx, eng, vs, opt); err != nil {
						return rep, err
					}
				}
				s = chips[vi]
			} else if s, err = eng.Run(ctx, ber, opt); err != nil {
				return rep, err
			}
			p := cfg.point(m, v, energy.TotalPJ(v), s)
			if cfg.OnPoint != nil {
				if err := cfg.OnPoint(p); err != nil {
					return rep, err
				}
			}
			rep.Points = append(rep.Points, p)
			mine = append(mine, p)
			finished++
			work++
			emit(Event{Point: &p}, 0)
		}
		rep.Nominal = append(rep.Nominal, results.NominalEnergy{Model: m.Name, Method: m.Method, VddV: cfg.spec().NominalV, EnergyPJ: energy.TotalPJ(cfg.spec().NominalV)})
		rep.Breakdowns = append(rep.Breakdowns, breakdown(m, energy, cfg.spec().NominalV, fmt.Sprintf("nominal %.2f V", cfg.spec().NominalV)))
		if iso := pareto.IsoAccuracy(mine, pareto.IsoAccuracyTolPts); len(iso) == 1 && iso[0].Iso.VddV != cfg.spec().NominalV {
			rep.Breakdowns = append(rep.Breakdowns, breakdown(m, energy, iso[0].Iso.VddV,
				fmt.Sprintf("lowest energy within %g point of the best accuracy, %.3f V", pareto.IsoAccuracyTolPts, iso[0].Iso.VddV)))
		}
	}
	proto := cfg.MC.Protocol
	if proto == "" {
		proto = mc.ProtocolSubset
	}
	rep.Notes = []string{
		fmt.Sprintf("architecture %s (%s); faulty weight memory %s, %d-bit words", cfg.spec().Name, cfg.spec().File, mem.Name, mem.WidthBits),
		fmt.Sprintf("BER(V) = min(exp(%g %s·V %s·V²), 0.5)%s; nominal %g V", cfg.spec().BER.A, signed(cfg.spec().BER.B), signed(cfg.spec().BER.C), berSource(cfg.spec()), cfg.spec().NominalV),
		cfg.mcNote(proto),
		fmt.Sprintf("energy model: %s, batch 1; savings are against the nominal %g V", acc.Name(), cfg.spec().NominalV),
	}
	for _, m := range cfg.Models {
		if p := m.Protection.WithDefaults(); p.Scheme != ecc.None {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s %s: %s protected by %s (uncorrectable words: %s; codec %g pJ per word read, %g per word written: %s)",
				m.Name, m.Method, mem.Name, p.Label(), p.Uncorrectable, p.DecoderPJ, p.EncoderPJ, p.Source))
		}
	}
	for _, c := range cfg.spec().ScaledMemories() {
		rep.Notes = append(rep.Notes, fmt.Sprintf("energy(V) of %s: %s", c.Name, c.VoltageModel))
	}
	for _, c := range cfg.spec().EnergyOnlyMemories() {
		rep.Notes = append(rep.Notes, fmt.Sprintf("energy only: %s is voltage-scaled with `faults: none`; its energy falls with the supply but its bits never flip", c.Name))
	}
	if n := noisyPoints(rep.BERCurve); n > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("warning: %d swept voltages have BER above %g; the network is noise there", n, NoisyBER))
	}
	return rep, nil
}

// engine is the Monte Carlo engine of model m in the faulty weight memory
// mem; onClean follows its clean pass (mc.EngineOptions.OnClean).
func (c Config) engine(m Model, mem *arch.Component, onClean func(images, total int)) (*mc.Engine, error) {
	return mc.NewEngineWith(m.Q, mem.WidthBits, c.Test, mc.EngineOptions{Protection: m.Protection, OnClean: onClean})
}

// pointMC is the Monte Carlo options of the point at voltage v: its trials
// draw from (Seed, v, trial).
func (c Config) pointMC(v float64) mc.Options {
	opt := c.MC
	opt.Seed, opt.Key = c.Seed, seed.Float(v)
	return opt
}

// newPoint is the point of model m at v with energy energyPJ and the Monte
// Carlo summary s.
func newPoint(m Model, v, energyPJ float64, s mc.Summary) results.Point {
	return results.Point{Model: m.Name, Method: m.Method, VddV: v, BER: s.BER, EnergyPJ: energyPJ, Stats: s.Stats}
}

// berSource says where the spec's BER model came from.
func berSource(s *arch.Spec) string {
	switch {
	case s.BERFit != nil:
		return fmt.Sprintf(", %s least-squares fit on ln BER to %d measured points (%s), rms ln-residual %.3g", s.BERFit.Form, len(s.BERFit.V), s.BERFit.Pos, s.BERFit.RMS())
	case !s.BERFromYAML:
		return " (WCAT appendix C)"
	}
	return ""
}

// NoisyBER is the bit error rate above which a sweep warns that the network
// computes noise.
const NoisyBER = 0.1

func noisyPoints(curve []results.BERPoint) int {
	n := 0
	for _, b := range curve {
		if b.BER > NoisyBER {
			n++
		}
	}
	return n
}

// resultsFormat names the semantics of a sweep's results; it changes when
// a change of the code changes the results of an unchanged configuration.
const resultsFormat = "cosim-sweep-results 2"

// Fingerprint flattens everything that determines a sweep's results: every
// field of the configuration and of the resolved architecture (by
// reflection, so no field can be forgotten), the accelerator model's name,
// every model's quantizer configuration and the SHA-256 of each of its
// tensors, and the name and content hash of the evaluation data. Worker
// counts and kernel paths are not in it: results do not depend on them.
func (c Config) Fingerprint() fingerprint.Set {
	s := fingerprint.Set{{Key: "format", Value: resultsFormat}}
	if c.Accel != nil {
		s.Append(fingerprint.Of("sweep.Spec", c.Accel.Spec()))
		s.Add("sweep.Accel", c.Accel.Name())
	}
	s.Append(fingerprint.Of("sweep", c))
	for i, m := range c.Models {
		key := fmt.Sprintf("sweep.Models[%d]", i)
		s.Append(fingerprint.Of(key, m))
		s.Append(fingerprint.Of(key+".Quantizer", m.Q.Cfg))
		for _, p := range m.Q.State() {
			s.AddTensor(fmt.Sprintf("%s.Tensors[%s]", key, p.Name), p.Shape(), p.Data())
		}
	}
	if c.Test != nil {
		s.Add("sweep.Test", c.Test.Name+" sha256:"+c.Test.Hash())
	}
	return s
}

// Hash is the SHA-256 of the sweep's Fingerprint.
func (c Config) Hash() string { return c.Fingerprint().Hash() }

// breakdown is the per-component and per-layer energy of m at vddV.
func breakdown(m Model, r *accel.EnergyReport, vddV float64, label string) results.Breakdown {
	b := r.At(vddV)
	out := results.Breakdown{Model: m.Name + " " + m.Method, VddV: vddV, Label: label}
	for _, c := range b.Components {
		out.Components = append(out.Components, results.Share{Name: c.Name, PJ: c.TotalPJ, DynamicPJ: c.DynamicPJ, LeakagePJ: c.LeakagePJ})
	}
	for _, l := range b.Layers {
		out.Layers = append(out.Layers, results.Share{Name: l.Name, PJ: l.TotalPJ, DynamicPJ: l.DynamicPJ, LeakagePJ: l.LeakagePJ})
	}
	return out
}

// signed formats x with an explicit sign and a space: "− 68.14", "+ 0".
func signed(x float64) string {
	if x < 0 {
		return fmt.Sprintf("− %g", -x)
	}
	return fmt.Sprintf("+ %g", x)
}
