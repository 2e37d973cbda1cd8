package sram

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// BERSaturation is the ceiling of every BER model: a bit that flips with
// probability 1/2 carries no information, so the exponential model is clipped
// there (WCAT, Chitsaz et al., TMLR 2023, appendix C, eq. 11: the "min(…, 0.5)").
const BERSaturation = 0.5

// MaxSupplyV bounds every supply voltage cosim accepts [V]: no SRAM of the
// CACTI tables runs above 1.1 V, so a larger value is a typo (millivolts
// written as volts, a misplaced decimal point), not a design.
const MaxSupplyV = 5.0

// CheckSupply checks that v is a usable supply voltage, 0 < v ≤ MaxSupplyV.
func CheckSupply(v float64) error {
	if !(v > 0 && v <= MaxSupplyV) {
		return fmt.Errorf("supply voltage %g V: want 0 < V ≤ %g", v, MaxSupplyV)
	}
	return nil
}

// BERModel is the bit error rate of an SRAM cell as a function of its supply
// voltage, ε(V) = min(exp(A + B·V + C·V²), 0.5) with V in volts (WCAT,
// appendix C, eq. 11).
type BERModel struct{ A, B, C float64 }

// BER returns the probability that one stored bit flips at supply vddV [V].
func (m BERModel) BER(vddV float64) float64 {
	return math.Min(math.Exp(m.A+m.B*vddV+m.C*vddV*vddV), BERSaturation)
}

// PaperBER returns the model of the WCAT paper (Chitsaz et al., TMLR 2023,
// appendix C, eq. 11): a = 22.12, b = −68.14, c = 0, a quadratic regression of
// ln BER on the GF 22 nm FDX SRAM measurements of Di Mauro et al. (2020,
// fig. 11). The paper's nominal voltage for it is 0.8 V.
func PaperBER() BERModel { return BERModel{A: 22.12, B: -68.14, C: 0} }

// Validate checks that the coefficients are finite and that BER(V) never
// increases with V on 0..2 V. The exponent f(V) = A + B·V + C·V² has a
// linear derivative, so the set of voltages where f rises is one interval; BER
// rises somewhere iff f is below ln 0.5 (not saturated) at the interval's
// lower end.
func (m BERModel) Validate() error {
	for _, c := range []struct {
		name string
		v    float64
	}{{"a", m.A}, {"b", m.B}, {"c", m.C}} {
		if math.IsNaN(c.v) || math.IsInf(c.v, 0) {
			return fmt.Errorf("sram: BER model: coefficient %s = %v is not finite", c.name, c.v)
		}
	}
	const vMaxV = 2.0
	f := func(v float64) float64 { return m.A + m.B*v + m.C*v*v }
	lo, rising := 0.0, false // lo: lower end of {V in [0, 2] : f'(V) > 0}
	switch {
	case m.C == 0:
		rising = m.B > 0
	case m.C > 0: // f' > 0 for V > V* = −B/(2C)
		vStar := -m.B / (2 * m.C)
		rising = vStar < vMaxV
		lo = math.Max(vStar, 0)
	default: // f' > 0 for V < V*
		rising = -m.B/(2*m.C) > 0
	}
	if rising && f(lo) < math.Log(BERSaturation) {
		return fmt.Errorf("sram: BER model %+v: BER increases with supply voltage above %.4g V (BER there %.3g); a BER model must not increase with V on 0..%g V",
			m, lo, m.BER(lo), vMaxV)
	}
	return nil
}

// FitBER fits ε(V) = exp(a + b·V + c·V²) to measured (V, BER) pairs by linear
// least squares on ln BER (Householder QR from gonum/mat), as WCAT did for its
// appendix C model. Points with BER ≥ 0.5 lie on the saturated part of the
// model, where ln BER carries no information about a, b, c: they are excluded
// before fitting. It is an error if fewer than three usable points remain, if
// fewer than three distinct voltages remain (the system is singular), or if any
// voltage or BER is NaN or infinite, or any BER is ≤ 0. The fitted model is not
// checked with Validate (noisy data can give c > 0); call it if you need to.
func FitBER(vddV, ber []float64) (BERModel, error) {
	x, err := fitLogBER(vddV, ber, 3)
	if err != nil {
		return BERModel{}, fmt.Errorf("sram: FitBER: %w", err)
	}
	return BERModel{A: x[0], B: x[1], C: x[2]}, nil
}

// FitBERLinear is FitBER with c fixed at 0 (ε(V) = exp(a + b·V), the form the
// WCAT paper ended up with); it needs two usable points at distinct voltages.
func FitBERLinear(vddV, ber []float64) (BERModel, error) {
	x, err := fitLogBER(vddV, ber, 2)
	if err != nil {
		return BERModel{}, fmt.Errorf("sram: FitBERLinear: %w", err)
	}
	return BERModel{A: x[0], B: x[1]}, nil
}

// errSingular reports a least-squares system without a unique solution.
var errSingular = errors.New("singular least-squares system")

// fitLogBER solves min Σ (ln BER_i − Σ_k x_k V_i^k)² for k < nCoef.
func fitLogBER(vddV, ber []float64, nCoef int) ([]float64, error) {
	if len(vddV) != len(ber) {
		return nil, fmt.Errorf("%d voltages but %d BER values", len(vddV), len(ber))
	}
	var vs, ys []float64
	distinct := map[float64]bool{}
	for i := range vddV {
		v, e := vddV[i], ber[i]
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			return nil, fmt.Errorf("point %d: voltage %v is not finite", i, v)
		case math.IsNaN(e) || math.IsInf(e, 0):
			return nil, fmt.Errorf("point %d (V = %g): BER %v is not finite", i, v, e)
		case e <= 0:
			return nil, fmt.Errorf("point %d (V = %g): BER %g is not positive (ln BER undefined)", i, v, e)
		case e >= BERSaturation:
			continue // saturated: excluded, see doc comment
		}
		vs = append(vs, v)
		ys = append(ys, math.Log(e))
		distinct[v] = true
	}
	if len(vs) < nCoef {
		return nil, fmt.Errorf("%d usable points (BER < 0.5) out of %d, need at least %d", len(vs), len(vddV), nCoef)
	}
	if len(distinct) < nCoef {
		return nil, fmt.Errorf("%w: usable points lie at only %d distinct voltages, need %d", errSingular, len(distinct), nCoef)
	}
	a := mat.NewDense(len(vs), nCoef, nil)
	for i, v := range vs {
		p := 1.0
		for k := 0; k < nCoef; k++ {
			a.Set(i, k, p)
			p *= v
		}
	}
	var qr mat.QR
	qr.Factorize(a)
	var x mat.VecDense
	if err := qr.SolveVecTo(&x, false, mat.NewVecDense(len(ys), ys)); err != nil {
		return nil, fmt.Errorf("%w: %w", errSingular, err)
	}
	out := make([]float64, nCoef)
	for k := range out {
		out[k] = x.AtVec(k)
		if math.IsNaN(out[k]) || math.IsInf(out[k], 0) {
			return nil, fmt.Errorf("%w: coefficient %d = %v", errSingular, k, out[k])
		}
	}
	return out, nil
}
