package sram

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/optimize"
)

// EnergyModelKind names a model of how a memory's energy depends on its
// supply voltage.
type EnergyModelKind string

// The energy(V) models. With r = V/V_nom:
//
//   - Paper: dynamic and leakage energy × r² — WCAT (Chitsaz et al., TMLR
//     2023) appendix C eq. 12 scales "the energy consumption of the memory",
//     E = E_nom·V²/V_nom². The default, so that the paper's figure is
//     reproduced.
//   - DynamicOnly: dynamic × r², leakage constant: the conservative bound
//     (leakage power never rises as V falls).
//   - Physical: dynamic × r²; leakage power L_nom·[s·r^k + (1−s)·r], where
//     s is the subthreshold share of the leakage and k the exponent of
//     subthreshold leakage power (current ∝ r² at 22–32 nm and r⁴ at
//     45–90 nm in CACTI-P's technology model, times V for power: k = 3 and
//     5), and gate leakage power falls as r.
//
// Latency does not depend on V in any model (as in the paper), so leakage
// energy scales as leakage power.
const (
	Paper       EnergyModelKind = "paper"
	DynamicOnly EnergyModelKind = "dynamic-only"
	Physical    EnergyModelKind = "physical"
)

// EnergyModelKinds lists the models, default first.
var EnergyModelKinds = []EnergyModelKind{Paper, DynamicOnly, Physical}

// Validate checks that k names a model.
func (k EnergyModelKind) Validate() error {
	for _, m := range EnergyModelKinds {
		if k == m {
			return nil
		}
	}
	return fmt.Errorf("unknown energy model %q (want %s, %s or %s)", k, Paper, DynamicOnly, Physical)
}

// EnergyModel is how one memory's energy scales with its supply voltage.
type EnergyModel struct {
	Kind EnergyModelKind
	// SubthresholdShare (s) and Exponent (k) parameterise Physical.
	SubthresholdShare float64
	Exponent          float64
	// Source says where s and k came from (a CACTI row, the node, a fit).
	Source string
}

// DynamicFactor is E_dyn(V)/E_dyn(V_nom) = (V/V_nom)² in every model.
func (m EnergyModel) DynamicFactor(vddV, vNomV float64) float64 {
	r := vddV / vNomV
	return r * r
}

// LeakageFactor is P_leak(V)/P_leak(V_nom).
func (m EnergyModel) LeakageFactor(vddV, vNomV float64) float64 {
	r := vddV / vNomV
	switch m.Kind {
	case DynamicOnly:
		return 1
	case Physical:
		return leakageShape(m.SubthresholdShare, m.Exponent, r)
	default:
		return r * r
	}
}

func leakageShape(s, k, r float64) float64 { return s*math.Pow(r, k) + (1-s)*r }

// String describes the model and the provenance of its parameters, for
// reports.
func (m EnergyModel) String() string {
	switch m.Kind {
	case DynamicOnly:
		return "dynamic-only: dynamic × (V/V_nom)², leakage constant (conservative bound)"
	case Physical:
		return fmt.Sprintf("physical: dynamic × (V/V_nom)², leakage × [%.3g·(V/V_nom)^%.3g + %.3g·(V/V_nom)] (%s)",
			m.SubthresholdShare, m.Exponent, 1-m.SubthresholdShare, m.Source)
	default:
		return "paper: dynamic and leakage × (V/V_nom)² (WCAT appendix C, eq. 12)"
	}
}

// Validate checks the kind and, for Physical, 0 ≤ s ≤ 1 and k > 0.
func (m EnergyModel) Validate() error {
	switch m.Kind {
	case Paper, DynamicOnly:
		return nil
	case Physical:
		if !(m.SubthresholdShare >= 0 && m.SubthresholdShare <= 1) {
			return fmt.Errorf("subthreshold share %v is not in [0, 1]", m.SubthresholdShare)
		}
		if !(m.Exponent > 0) || math.IsInf(m.Exponent, 0) {
			return fmt.Errorf("leakage exponent %v is not a positive finite number", m.Exponent)
		}
		return nil
	}
	return m.Kind.Validate()
}

// SubthresholdExponent is k for node techNM: 3 up to 32 nm, 5 from 45 nm
// (CACTI-P's technology model: subthreshold current ∝ (V/V_nom)² at 22–32 nm
// and (V/V_nom)⁴ at 45–90 nm, times V for power), linear in between.
func SubthresholdExponent(techNM int) float64 {
	switch {
	case techNM <= 32:
		return 3
	case techNM >= 45:
		return 5
	}
	return 3 + 2*float64(techNM-32)/13
}

// LeakagePoint is one measured leakage power at a supply voltage.
type LeakagePoint struct {
	V, MW float64
}

// LeakageFit is the result of FitLeakage.
type LeakageFit struct {
	NominalMW         float64 // fitted L_nom, the leakage at V_nom [mW]
	SubthresholdShare float64 // s
	Exponent          float64 // k
	RMSLog            float64 // root mean square of the ln-residuals
	Residuals         []float64
}

// FitLeakage fits L(V) = L_nom·[s·r^k + (1−s)·r], r = V/vNomV, to measured
// points by least squares on ln L, with gonum's Nelder–Mead over (ln L_nom,
// logit s, ln k). It needs at least three points at distinct positive
// voltages with positive, finite leakage.
func FitLeakage(points []LeakagePoint, vNomV float64) (LeakageFit, error) {
	if !(vNomV > 0) || math.IsInf(vNomV, 0) {
		return LeakageFit{}, fmt.Errorf("nominal voltage %v is not positive and finite", vNomV)
	}
	distinct := map[float64]bool{}
	for i, p := range points {
		if !(p.V > 0) || math.IsInf(p.V, 0) || !(p.MW > 0) || math.IsInf(p.MW, 0) {
			return LeakageFit{}, fmt.Errorf("leakage point %d (%v V, %v mW): voltage and leakage must be positive and finite", i+1, p.V, p.MW)
		}
		distinct[p.V] = true
	}
	if len(distinct) < 3 {
		return LeakageFit{}, errors.New("fitting leakage(V) needs at least three points at distinct voltages")
	}
	unpack := func(x []float64) (l0, s, k float64) {
		return math.Exp(x[0]), 1 / (1 + math.Exp(-x[1])), math.Exp(x[2])
	}
	loss := func(x []float64) float64 {
		l0, s, k := unpack(x)
		sum := 0.0
		for _, p := range points {
			d := math.Log(l0*leakageShape(s, k, p.V/vNomV)) - math.Log(p.MW)
			sum += d * d
		}
		return sum
	}
	// Start from the point nearest V_nom, half subthreshold, k = 4.
	near := points[0]
	for _, p := range points {
		if math.Abs(p.V-vNomV) < math.Abs(near.V-vNomV) {
			near = p
		}
	}
	x0 := []float64{math.Log(near.MW), 0, math.Log(4)}
	res, err := optimize.Minimize(optimize.Problem{Func: loss}, x0, &optimize.Settings{
		Converger: &optimize.FunctionConverge{Absolute: 1e-14, Iterations: 200},
	}, &optimize.NelderMead{})
	if err != nil && res == nil {
		return LeakageFit{}, fmt.Errorf("fitting leakage(V): %w", err)
	}
	l0, s, k := unpack(res.X)
	fit := LeakageFit{NominalMW: l0, SubthresholdShare: s, Exponent: k}
	for _, p := range points {
		d := math.Log(l0*leakageShape(s, k, p.V/vNomV)) - math.Log(p.MW)
		fit.Residuals = append(fit.Residuals, d)
		fit.RMSLog += d * d
	}
	fit.RMSLog = math.Sqrt(fit.RMSLog / float64(len(points)))
	if math.IsNaN(fit.RMSLog) {
		return LeakageFit{}, errors.New("fitting leakage(V): the fit did not converge")
	}
	return fit, nil
}
