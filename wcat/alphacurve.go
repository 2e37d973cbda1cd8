package wcat

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/stat/distuv"
)

// Density is a weight distribution for the appendix-A analysis: its density
// and the interval [Lo, Hi] it is integrated over (the mass outside is below
// 1e−15).
type Density struct {
	Name   string
	Prob   func(float64) float64
	Lo, Hi float64
}

// StandardDensities are the four distributions of the WCAT paper's figure
// 10b: N(0,1), U(−1,1), Laplace(0,1) (gonum's distuv) and von Mises(0, κ=4)
// on [−π, π] (gonum has none: its density exp(κ cos x) is normalised here by
// quadrature).
func StandardDensities() []Density {
	n := distuv.Normal{Mu: 0, Sigma: 1}
	u := distuv.Uniform{Min: -1, Max: 1}
	l := distuv.Laplace{Mu: 0, Scale: 1}
	const kappa = 4
	vm := func(x float64) float64 { return math.Exp(kappa * math.Cos(x)) }
	z := integrate(vm, -math.Pi, math.Pi)
	return []Density{
		{Name: "N(0,1)", Prob: n.Prob, Lo: -9, Hi: 9},
		{Name: "U(-1,1)", Prob: u.Prob, Lo: -1, Hi: 1},
		{Name: "Laplace(0,1)", Prob: l.Prob, Lo: -36, Hi: 36},
		{Name: "vonMises(0,4)", Prob: func(x float64) float64 { return vm(x) / z }, Lo: -math.Pi, Hi: math.Pi},
	}
}

// integrate is ∫_a^b f by 64-point Gauss–Legendre on [a,0] and [0,b]
// separately when the interval straddles 0 (where Laplace has its kink).
func integrate(f func(float64) float64, a, b float64) float64 {
	if !(b > a) {
		return 0
	}
	if a < 0 && b > 0 {
		return integrate(f, a, 0) + integrate(f, 0, b)
	}
	return quad.Fixed(f, a, b, 64, quad.Legendre{}, 0)
}

// DensityMSE is the expected squared error E_w E_ε[(w − s·dec(enc(q(w)) ⊕ ε))²]
// of the WCAT quantizer with clip range alpha for weights w drawn from d,
// every stored bit flipping with probability ber: the sum over codes q of
// ∫ (w² − 2·s·w·E[X_q] + s²·E[X_q²]) f(w) dw over the interval of w that
// rounds to q.
func DensityMSE(d Density, alpha float64, bits int, g Grid, ber float64) float64 {
	m1, m2 := flipMoments(bits, ber)
	return densityMSE(d, alpha, bits, g, m1, m2)
}

func densityMSE(d Density, alpha float64, bits int, g Grid, m1, m2 map[int32]float64) float64 {
	if !(alpha > 0) {
		return math.Inf(1)
	}
	s := alpha / float64(g.Levels(bits))
	qn, qp := g.Range(bits)
	var sum float64
	for q := qn; q <= qp; q++ {
		lo, hi := (float64(q)-0.5)*s, (float64(q)+0.5)*s
		if q == qn {
			lo = d.Lo
		}
		if q == qp {
			hi = d.Hi
		}
		lo, hi = math.Max(lo, d.Lo), math.Min(hi, d.Hi)
		if hi <= lo {
			continue
		}
		a, b := m1[q], m2[q]
		sum += integrate(func(w float64) float64 { return (w*w - 2*s*w*a + s*s*b) * d.Prob(w) }, lo, hi)
	}
	return sum
}

// OptimalAlphaDensity minimises DensityMSE over α with the Nelder–Mead
// search of OptimalAlpha, from α0 = 2·√(2^(b−1)−1)·E|w|.
func OptimalAlphaDensity(d Density, bits int, g Grid, ber float64) float64 {
	m1, m2 := flipMoments(bits, ber)
	meanAbs := integrate(func(w float64) float64 { return math.Abs(w) * d.Prob(w) }, d.Lo, d.Hi)
	return minimiseAlpha(func(a float64) float64 { return densityMSE(d, a, bits, g, m1, m2) }, alphaStart(meanAbs, bits))
}

// AlphaPoint is one point of an α*-versus-BER curve.
type AlphaPoint struct {
	Dist  string  `json:"distribution"`
	BER   float64 `json:"ber"`
	Alpha float64 `json:"alpha"`
}

// AlphaCurve computes α*(BER) for each density at each bit error rate (the
// WCAT paper's figure 10b).
func AlphaCurve(ds []Density, bers []float64, bits int, g Grid) ([]AlphaPoint, error) {
	if bits < 2 || bits > 8 {
		return nil, fmt.Errorf("alpha curve: bits = %d, want 2..8", bits)
	}
	var out []AlphaPoint
	for _, d := range ds {
		for _, p := range bers {
			if !(p >= 0 && p <= 0.5) {
				return nil, fmt.Errorf("alpha curve: BER %g outside [0, 0.5]", p)
			}
			out = append(out, AlphaPoint{Dist: d.Name, BER: p, Alpha: OptimalAlphaDensity(d, bits, g, p)})
		}
	}
	return out, nil
}
