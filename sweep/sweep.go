// Package sweep ties the pieces of cosim together: for every model and every
// supply voltage V of the architecture's scaled weight memory it computes
// the bit error rate BER(V) (the spec's BER model), the energy of one
// inference (accel/eyeriss priced with CACTI, dynamic energy of the scaled
// memories × V²/V_nom²) and the Monte Carlo accuracy of the network whose
// quantized weights sit in that memory (package mc), and collects the
// points, the BER curve and energy breakdowns into a pareto.Report.
//
// Decisions: the faulty memory is the architecture's one weight-holding
// memory in the scaled voltage domain (a spec with none, or with several, is
// rejected); codes are packed into words of its width; trial t at voltage V
// draws its faults from seed.Stream(Seed, bits(V), t), so every model meets
// the same random stream at a given voltage and results do not depend on the
// number of threads. Energy breakdowns are reported at the nominal voltage
// and at the lowest voltage of the sweep.
package sweep

import (
	"context"
	"fmt"
	"math"
	"sort"

	"cosim/accel"
	"cosim/accel/eyeriss"
	"cosim/arch"
	"cosim/dnn"
	"cosim/internal/seed"
	"cosim/mc"
	"cosim/pareto"
	"cosim/wcat"
)

// Model is one trained, quantized network to sweep.
type Model struct {
	// Name labels the network in reports (its architecture, e.g. resnet20).
	Name string
	// Method labels the training method (e.g. wcat, wcat+bfn).
	Method string
	Q      *wcat.Model
}

// Config describes a sweep.
type Config struct {
	Spec     *arch.Spec
	Models   []Model
	Voltages []float64
	Trials   int
	Seed     uint64
	Test     *dnn.Dataset
	Workers  int
}

// Event reports one finished point.
type Event struct {
	Done, Total int
	Point       pareto.Point
}

// Voltages returns the grid vmin, vmin+step, …, vmax (inclusive, rounded to
// 1 µV so that 0.30 + k·0.01 lands on decimal values).
func Voltages(vmin, vmax, step float64) ([]float64, error) {
	if !(vmin > 0) || !(vmax >= vmin) || !(step > 0) || math.IsInf(vmax, 0) {
		return nil, fmt.Errorf("voltage grid %g..%g step %g: want 0 < vmin ≤ vmax and step > 0", vmin, vmax, step)
	}
	n := int(math.Floor((vmax-vmin)/step+1e-9)) + 1
	if n > 100000 {
		return nil, fmt.Errorf("voltage grid %g..%g step %g has %d points (at most 100000)", vmin, vmax, step, n)
	}
	vs := make([]float64, n)
	for i := range vs {
		vs[i] = math.Round((vmin+float64(i)*step)*1e6) / 1e6
	}
	return vs, nil
}

// WeightMemory returns the scaled memory of spec that holds the weights.
func WeightMemory(spec *arch.Spec) (*arch.Component, error) {
	var found []*arch.Component
	for _, c := range spec.ScaledMemories() {
		if c.Holds(arch.Weights) {
			found = append(found, c)
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("%s: no memory holds weights in the scaled voltage domain, so the voltage sweep would inject no faults", spec.File)
	case 1:
		return found[0], nil
	}
	return nil, fmt.Errorf("%s: %d scaled memories hold weights (%s, %s, …); cosim models faults in exactly one", spec.File, len(found), found[0].Name, found[1].Name)
}

// Run performs the sweep. Points come out grouped by model, in voltage
// order.
func Run(ctx context.Context, cfg Config, progress func(Event)) (pareto.Report, error) {
	rep := pareto.Report{Title: "cosim voltage sweep", Arch: cfg.Spec.Name}
	if len(cfg.Models) == 0 || len(cfg.Voltages) == 0 {
		return rep, fmt.Errorf("sweep: need at least one model and one voltage")
	}
	if cfg.Trials < 1 {
		return rep, fmt.Errorf("sweep: trials = %d, want ≥ 1", cfg.Trials)
	}
	mem, err := WeightMemory(cfg.Spec)
	if err != nil {
		return rep, err
	}
	acc, err := eyeriss.New(cfg.Spec)
	if err != nil {
		return rep, err
	}
	vs := append([]float64(nil), cfg.Voltages...)
	sort.Float64s(vs)
	for _, v := range vs {
		rep.BERCurve = append(rep.BERCurve, pareto.BERPoint{VddV: v, BER: cfg.Spec.BER.BER(v)})
	}
	seen := map[string]bool{}
	total := len(cfg.Models) * len(vs)
	done := 0
	for _, m := range cfg.Models {
		key := m.Name + "\x00" + m.Method
		if seen[key] {
			return rep, fmt.Errorf("sweep: two models are both %s trained with %s; each (model, method) pair may appear once", m.Name, m.Method)
		}
		seen[key] = true
		bits := int64(0)
		for _, l := range m.Q.Layers {
			bits += int64(len(l.Codes)) * int64(m.Q.Cfg.Bits)
		}
		if capBits := int64(mem.DepthWords) * int64(mem.WidthBits); bits > capBits {
			return rep, fmt.Errorf("sweep: %s needs %d bits of weights, %s holds %d", m.Name, bits, mem.Name, capBits)
		}
		wl, err := dnn.Workload(m.Q.Net, 1, m.Q.Cfg.Bits)
		if err != nil {
			return rep, err
		}
		energy, err := accel.Price(acc, wl)
		if err != nil {
			return rep, fmt.Errorf("sweep: pricing %s: %w", m.Name, err)
		}
		eng, err := mc.NewEngine(m.Q, mem.WidthBits, cfg.Test, 0)
		if err != nil {
			return rep, err
		}
		for _, v := range vs {
			ber := cfg.Spec.BER.BER(v)
			s, err := eng.Run(ctx, ber, mc.Options{Trials: cfg.Trials, Seed: cfg.Seed, Key: seed.Float(v), Workers: cfg.Workers})
			if err != nil {
				return rep, err
			}
			p := pareto.Point{Model: m.Name, Method: m.Method, VddV: v, BER: ber, EnergyPJ: energy.TotalPJ(v),
				AccMean: s.Mean, AccStd: s.Std, AccMin: s.Min, AccMax: s.Max, CILow: s.CILow, CIHigh: s.CIHigh, Trials: s.Trials}
			rep.Points = append(rep.Points, p)
			done++
			if progress != nil {
				progress(Event{Done: done, Total: total, Point: p})
			}
		}
		for _, v := range []float64{cfg.Spec.NominalV, vs[0]} {
			rep.Breakdowns = append(rep.Breakdowns, breakdown(m, energy, v))
		}
	}
	rep.Notes = []string{
		fmt.Sprintf("architecture %s (%s); faulty weight memory %s, %d-bit words", cfg.Spec.Name, cfg.Spec.File, mem.Name, mem.WidthBits),
		fmt.Sprintf("BER(V) = min(exp(%g %s·V %s·V²), 0.5); nominal %g V", cfg.Spec.BER.A, signed(cfg.Spec.BER.B), signed(cfg.Spec.BER.C), cfg.Spec.NominalV),
		fmt.Sprintf("Monte Carlo: %d trials per point, each a whole-model fault realisation scored on %d images of %s; seed %d", cfg.Trials, cfg.Test.Len(), cfg.Test.Name, cfg.Seed),
		fmt.Sprintf("energy model: %s, batch 1", acc.Name()),
	}
	return rep, nil
}

// breakdown is the per-component and per-layer energy of m at vddV.
func breakdown(m Model, r *accel.EnergyReport, vddV float64) pareto.Breakdown {
	b := r.At(vddV)
	out := pareto.Breakdown{Model: m.Name + " " + m.Method, VddV: vddV}
	for _, c := range b.Components {
		out.Components = append(out.Components, pareto.Share{Name: c.Name, PJ: c.TotalPJ})
	}
	for _, l := range b.Layers {
		out.Layers = append(out.Layers, pareto.Share{Name: l.Name, PJ: l.TotalPJ})
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
