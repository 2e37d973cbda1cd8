package accel

import (
	"fmt"
	"math"
	"strings"

	"cosim/arch"
	"cosim/ecc"
	"cosim/sram"
	"cosim/workload"
)

// ComponentCost is the price list of one component at the nominal voltage.
type ComponentCost struct {
	Name      string
	Class     arch.Class
	Instances int
	Domain    arch.Domain // "" for a mac
	ReadPJ    float64     // per word read [pJ] (memories)
	WritePJ   float64     // per word write [pJ] (memories)
	OpPJ      float64     // per operation (mac), per word on the on-chip network (overhead) [pJ]
	CyclePJ   float64     // per clock cycle of a layer, all instances together (overhead) [pJ]
	LeakageMW float64     // all instances together [mW]
	// VoltageModel is how the energy of a Scaled memory depends on its
	// supply (arch.Component.VoltageModel).
	VoltageModel sram.EnergyModel
	// Provenance says where the numbers came from: the CACTI row or
	// interpolation (with any adjustment made here), or the YAML position and
	// source of an explicit energy.
	Provenance string
}

// Scaled reports whether the component runs at the swept voltage.
func (c ComponentCost) Scaled() bool { return c.Domain == arch.Scaled }

// factors are the multipliers of the component's nominal dynamic and
// leakage energy at supply vddV (1 and 1 unless Scaled).
func (c ComponentCost) factors(vddV, vNomV float64) (dyn, leak float64) {
	if !c.Scaled() {
		return 1, 1
	}
	return c.VoltageModel.DynamicFactor(vddV, vNomV), c.VoltageModel.LeakageFactor(vddV, vNomV)
}

// DynamicPJ prices the actions a at the nominal voltage: reads at ReadPJ,
// writes and updates at WritePJ, operations at OpPJ [pJ].
func (c ComponentCost) DynamicPJ(a Access) float64 {
	return float64(a.Reads)*c.ReadPJ + float64(a.Writes+a.Updates)*c.WritePJ + float64(a.Ops)*c.OpPJ
}

// Costs prices every component of s, in s.Components order. An SRAM or
// regfile without an explicit energy is priced from CACTI (arch.Component.CACTI,
// one bank): read and write energies are CACTI's per-access energies and
// leakage is CACTI's bank leakage × banks × instances. By default CACTI's
// energies are taken as the energies at the spec's nominal voltage, as WCAT
// does (appendix C: "E_nom … as reported by CACTI"); when the CACTI device's
// own supply differs from the nominal voltage the provenance says so and the
// numbers are not rescaled. With `voltage.rescale-cacti: true`
// (arch.Spec.RescaleCACTI) they are rescaled from CACTI's supply V_C to the
// nominal V_nom (RescaleCACTI). Explicit YAML energies are used as written
// (leakage per instance × instances); an overhead's cycle energy is per
// instance (× instances) and its transfer energy per word.
func Costs(s *arch.Spec) ([]ComponentCost, error) {
	var out []ComponentCost
	for _, c := range s.Components() {
		cc := ComponentCost{Name: c.Name, Class: c.Class, Instances: c.Instances}
		if c.IsMemory() {
			cc.Domain = c.Domain
			cc.VoltageModel = c.VoltageModel
		}
		switch {
		case c.PricedByCACTI():
			est, err := c.CACTI()
			if err != nil {
				return nil, fmt.Errorf("accel: pricing %s: %w", c.Name, err)
			}
			cc.ReadPJ, cc.WritePJ = est.ReadPJ, est.WritePJ
			cc.LeakageMW = est.LeakageMW * float64(c.Banks) * float64(c.Instances)
			notes := []string{est.Provenance}
			if c.Class == arch.Regfile {
				notes = append(notes, "regfile priced as an SRAM array")
			}
			if c.Banks > 1 {
				notes = append(notes, fmt.Sprintf("one of %d banks per access, leakage × %d banks", c.Banks, c.Banks))
			}
			switch {
			case est.VddV == s.NominalV:
			case s.RescaleCACTI:
				dyn, leak, note := RescaleCACTI(est, c.TechNM, s.NominalV)
				cc.ReadPJ *= dyn
				cc.WritePJ *= dyn
				cc.LeakageMW *= leak
				notes = append(notes, note)
			default:
				notes = append(notes, fmt.Sprintf("CACTI supply %g V taken as the nominal %g V, not rescaled", est.VddV, s.NominalV))
			}
			cc.Provenance = strings.Join(notes, "; ")
		case c.Class == arch.Overhead:
			cc.OpPJ = c.Energy.TransferPJ
			cc.CyclePJ = c.Energy.CyclePJ * float64(c.Instances)
			cc.Provenance = fmt.Sprintf("%s; %g pJ per cycle × %d instances, %g pJ per word on the on-chip network",
				c.Energy.Provenance(), c.Energy.CyclePJ, c.Instances, c.Energy.TransferPJ)
		case c.Energy != nil:
			cc.ReadPJ, cc.WritePJ, cc.OpPJ = c.Energy.ReadPJ, c.Energy.WritePJ, c.Energy.OpPJ
			cc.LeakageMW = c.Energy.LeakageMW * float64(c.Instances)
			cc.Provenance = c.Energy.Provenance()
		default: // arch.Parse requires an energy for every other class
			return nil, fmt.Errorf("accel: component %s (%s) has no energy", c.Name, c.Class)
		}
		out = append(out, cc)
	}
	return out, nil
}

// RescaleCACTI gives the factors that take a CACTI estimate at its supply
// V_C = est.VddV to the supply vNomV of a node of techNM nm, and a note for
// the provenance: dynamic energy × (V_nom/V_C)² (CV²), leakage power by the
// rule of the physical energy(V) model (sram.Physical) with r = V_nom/V_C,
// s·r^k + (1−s)·r, s the subthreshold share of CACTI's leakage for this
// array and k = sram.SubthresholdExponent(techNM) (5 at 45–90 nm: CACTI-P's
// subthreshold current ∝ V⁴, times V; gate leakage power ∝ V).
func RescaleCACTI(est sram.CACTIEstimate, techNM int, vNomV float64) (dyn, leak float64, note string) {
	m := sram.EnergyModel{Kind: sram.Physical, Exponent: sram.SubthresholdExponent(techNM)}
	if est.LeakageMW > 0 {
		m.SubthresholdShare = est.SubthresholdMW / est.LeakageMW
	}
	dyn = m.DynamicFactor(vNomV, est.VddV)
	leak = m.LeakageFactor(vNomV, est.VddV)
	note = fmt.Sprintf("rescaled from CACTI's supply %g V to the nominal %g V (rescale-cacti): dynamic × (%g/%g)² = %.4g, leakage × [s·r^k + (1−s)·r] = %.4g with r = %.4g, subthreshold share s = %.3f (CACTI), k = %g (%d nm)",
		est.VddV, vNomV, vNomV, est.VddV, dyn, leak, vNomV/est.VddV, m.SubthresholdShare, m.Exponent, techNM)
	return dyn, leak, note
}

// LeakagePJ is the energy [pJ] of a leakage power leakageMW sustained for
// cycles clock cycles at clockMHz: mW · cycles/(MHz·10⁶ s⁻¹) = 10⁻³ J/s ·
// cycles/clockMHz · 10⁻⁶ s = cycles/clockMHz · 10⁻⁹ J per mW, i.e.
// leakageMW · cycles / clockMHz · 10³ pJ.
func LeakagePJ(leakageMW float64, cycles int64, clockMHz float64) float64 {
	return leakageMW * float64(cycles) / clockMHz * 1e3
}

// EnergyReport is one inference of a workload priced at the nominal voltage,
// kept in a form that gives the energy at any supply voltage cheaply: the
// dynamic and leakage energy of each Scaled memory are multiplied by the
// factors of its energy(V) model (sram.EnergyModel: by default the WCAT
// paper's V²/V_nom² for both, appendix C eq. 12); everything else (nominal
// memories and the macs) does not depend on V. The latency does not depend
// on V either, so leakage energy scales as leakage power.
type EnergyReport struct {
	Arch        string // spec name
	Accelerator string // Accelerator.Name
	Workload    string
	NominalV    float64 // [V]
	ClockMHz    float64
	PEs         int             // MAC units of the spec (instances of every mac component)
	Components  []ComponentCost // in spec order; every per-component slice below is indexed like it
	Layers      []LayerEnergy   // in workload order

	fixedPJ float64 // energy at V_nom of everything that is not Scaled
	// scaledDynPJ and scaledLeakPJ are, by component, the dynamic and
	// leakage energy at V_nom of the Scaled memories (0 for the others).
	scaledDynPJ, scaledLeakPJ []float64
}

// LayerEnergy is the priced counts of one layer at the nominal voltage.
type LayerEnergy struct {
	Layer       workload.Layer
	Cycles      int64
	StallCycles int64     // part of Cycles spent waiting for memory bandwidth
	ActivePEs   int       // Counts.ActivePEs
	Mapping     string    // Counts.Mapping
	Access      []Access  // by component
	DynamicPJ   []float64 // by component, at the nominal voltage [pJ]
	LeakagePJ   []float64 // by component, over the layer's cycles [pJ]
}

// Price maps every layer of w with a and prices the counts with Costs, with
// the protection of the spec's faulty weight memory (PriceWith). It checks
// that the mapping only counts components of the spec, reads and writes
// only on memories, operations only on macs, and no negative counts.
func Price(a Accelerator, w workload.Workload) (*EnergyReport, error) {
	var p ecc.Protection
	if mem, err := a.Spec().FaultyWeightMemory(); err == nil {
		p = mem.Protection
	}
	return PriceWith(a, w, p)
}

// PriceWith is Price with protection p of the faulty weight memory in
// place of the spec's: the components it adds (protectionCosts) follow the
// spec's, doing the memory's accesses.
func PriceWith(a Accelerator, w workload.Workload, p ecc.Protection) (*EnergyReport, error) {
	if err := w.Validate(); err != nil {
		return nil, err
	}
	s := a.Spec()
	costs, err := Costs(s)
	if err != nil {
		return nil, err
	}
	extra, err := protectionCosts(s, p, w.Layers[0].WeightBits, costs)
	if err != nil {
		return nil, err
	}
	for _, x := range extra {
		costs = append(costs, x.ComponentCost)
	}
	index := map[string]int{}
	for i, c := range costs {
		index[c.Name] = i
	}
	r := &EnergyReport{Arch: s.Name, Accelerator: a.Name(), Workload: w.Name, NominalV: s.NominalV,
		ClockMHz: s.ClockMHz, Components: costs,
		scaledDynPJ: make([]float64, len(costs)), scaledLeakPJ: make([]float64, len(costs))}
	for _, m := range s.MACs() {
		r.PEs += m.Instances
	}
	for _, l := range w.Layers {
		cnt, err := a.Map(l)
		if err != nil {
			return nil, fmt.Errorf("accel: mapping layer %q of %s onto %s: %w", l.Name, w.Name, s.Name, err)
		}
		if cnt.Cycles < 0 || cnt.StallCycles < 0 || cnt.StallCycles > cnt.Cycles {
			return nil, fmt.Errorf("accel: %s: layer %q: bad cycle counts %d (stalls %d)", a.Name(), l.Name, cnt.Cycles, cnt.StallCycles)
		}
		le := LayerEnergy{Layer: l, Cycles: cnt.Cycles, StallCycles: cnt.StallCycles, ActivePEs: cnt.ActivePEs,
			Mapping: cnt.Mapping, Access: make([]Access, len(costs)),
			DynamicPJ: make([]float64, len(costs)), LeakagePJ: make([]float64, len(costs))}
		for name, acc := range cnt.Access {
			i, ok := index[name]
			if !ok {
				return nil, fmt.Errorf("accel: %s: layer %q: counts for %q, which is not a component of %s", a.Name(), l.Name, name, s.Name)
			}
			c := costs[i]
			switch {
			case acc.Reads < 0 || acc.Writes < 0 || acc.Updates < 0 || acc.Ops < 0:
				return nil, fmt.Errorf("accel: %s: layer %q: negative counts %+v for %s", a.Name(), l.Name, acc, name)
			case c.Class.IsMemory() && acc.Ops != 0:
				return nil, fmt.Errorf("accel: %s: layer %q: operations counted on memory %s", a.Name(), l.Name, name)
			case !c.Class.IsMemory() && (acc.Reads != 0 || acc.Writes != 0 || acc.Updates != 0):
				return nil, fmt.Errorf("accel: %s: layer %q: reads, writes or updates counted on %s %s", a.Name(), l.Name, c.Class, name)
			}
			le.Access[i] = acc
			le.DynamicPJ[i] = c.DynamicPJ(acc)
		}
		for j, x := range extra {
			i := len(costs) - len(extra) + j
			le.Access[i] = le.Access[x.of]
			le.DynamicPJ[i] = costs[i].DynamicPJ(le.Access[i])
		}
		for i, c := range costs {
			// Overheads cost energy every clock cycle of the layer, the
			// cycles spent waiting on memory bandwidth included.
			le.DynamicPJ[i] += c.CyclePJ * float64(cnt.Cycles)
			le.LeakagePJ[i] = LeakagePJ(c.LeakageMW, cnt.Cycles, s.ClockMHz)
			if c.Scaled() {
				r.scaledDynPJ[i] += le.DynamicPJ[i]
				r.scaledLeakPJ[i] += le.LeakagePJ[i]
			} else {
				r.fixedPJ += le.DynamicPJ[i] + le.LeakagePJ[i]
			}
		}
		r.Layers = append(r.Layers, le)
	}
	return r, nil
}

// CheckFinite returns an error unless the energy at every supply in vs (and
// at the nominal voltage) is a finite number: a spec whose energies overflow
// is bad input, found before any work is done with the report.
func (r *EnergyReport) CheckFinite(vs ...float64) error {
	for _, v := range append([]float64{r.NominalV}, vs...) {
		if e := r.TotalPJ(v); math.IsNaN(e) || math.IsInf(e, 0) {
			return fmt.Errorf("accel: %s on %s: the energy at %g V is %v; check the spec's energies and bandwidths", r.Workload, r.Arch, v, e)
		}
	}
	return nil
}

// TotalPJ is the energy of one inference at supply vddV of the scaled
// memories [pJ], in time proportional to the number of components.
func (r *EnergyReport) TotalPJ(vddV float64) float64 {
	e := r.fixedPJ
	for i, c := range r.Components {
		if c.Scaled() {
			df, lf := c.factors(vddV, r.NominalV)
			e += r.scaledDynPJ[i]*df + r.scaledLeakPJ[i]*lf
		}
	}
	return e
}

// ScaledPJ is the part of TotalPJ(NominalV) that moves with the supply: the
// dynamic and the leakage energy of the scaled memories at the nominal
// voltage [pJ].
func (r *EnergyReport) ScaledPJ() (dynamic, leakage float64) {
	for i := range r.Components {
		dynamic += r.scaledDynPJ[i]
		leakage += r.scaledLeakPJ[i]
	}
	return dynamic, leakage
}

// SavingPct is the energy saved at vddV against the nominal voltage, in
// percent of TotalPJ(NominalV).
func (r *EnergyReport) SavingPct(vddV float64) float64 {
	nom := r.TotalPJ(r.NominalV)
	return 100 * (nom - r.TotalPJ(vddV)) / nom
}

// Cycles is the latency of one inference.
func (r *EnergyReport) Cycles() int64 {
	var n int64
	for _, l := range r.Layers {
		n += l.Cycles
	}
	return n
}

// Breakdown is an EnergyReport evaluated at one supply voltage. All
// energies are in pJ.
type Breakdown struct {
	VddV      float64
	TotalPJ   float64 // = TotalPJ(VddV)
	DynamicPJ float64
	LeakagePJ float64
	Cycles    int64
	// Components is indexed like EnergyReport.Components.
	Components []ComponentEnergy
	Layers     []LayerBreakdown
}

// ComponentEnergy is one component's energy over the whole inference.
type ComponentEnergy struct {
	Name      string
	Access    Access // summed over layers
	DynamicPJ float64
	LeakagePJ float64
	TotalPJ   float64
}

// LayerBreakdown is one layer's energy.
type LayerBreakdown struct {
	Name        string
	Cycles      int64
	DynamicPJ   float64
	LeakagePJ   float64
	TotalPJ     float64
	ComponentPJ []float64 // dynamic + leakage, indexed like EnergyReport.Components
}

// At evaluates the report at supply vddV of the scaled memories.
func (r *EnergyReport) At(vddV float64) Breakdown {
	b := Breakdown{VddV: vddV, TotalPJ: r.TotalPJ(vddV), Cycles: r.Cycles(), Components: make([]ComponentEnergy, len(r.Components))}
	for i, c := range r.Components {
		b.Components[i].Name = c.Name
	}
	for _, l := range r.Layers {
		lb := LayerBreakdown{Name: l.Layer.Name, Cycles: l.Cycles, ComponentPJ: make([]float64, len(r.Components))}
		for i, c := range r.Components {
			df, lf := c.factors(vddV, r.NominalV)
			dyn, leak := l.DynamicPJ[i]*df, l.LeakagePJ[i]*lf
			ce := &b.Components[i]
			ce.Access = ce.Access.add(l.Access[i])
			ce.DynamicPJ += dyn
			ce.LeakagePJ += leak
			lb.DynamicPJ += dyn
			lb.LeakagePJ += leak
			lb.ComponentPJ[i] = dyn + leak
		}
		lb.TotalPJ = lb.DynamicPJ + lb.LeakagePJ
		b.Layers = append(b.Layers, lb)
	}
	for i := range b.Components {
		ce := &b.Components[i]
		ce.TotalPJ = ce.DynamicPJ + ce.LeakagePJ
		b.DynamicPJ += ce.DynamicPJ
		b.LeakagePJ += ce.LeakagePJ
	}
	return b
}
