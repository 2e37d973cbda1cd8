package wcat

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/optimize"

	"cosim/internal/enum"
	"cosim/sram"
)

// Init names an α initialisation (docs/wcat-semantics.md §3.4).
type Init string

const (
	// InitMaxAbs sets α = max|w|.
	InitMaxAbs Init = "max-abs"
	// InitMSE minimises the quantization MSE mean_i (w_i − Q_α(w_i))² by
	// Nelder–Mead from α0 = 2·√(2^(b−1)−1)·mean|w| (the reference's default
	// for WCAT).
	InitMSE Init = "mse"
	// InitNoisyMSE minimises the expected MSE under a bit error rate (eq. 10),
	// computed exactly by enumerating the 2^b error patterns.
	InitNoisyMSE Init = "noisy-mse"
)

// ParseInit validates an initialisation name.
func ParseInit(s string) (Init, error) {
	return enum.Parse("α initialisation", s, InitMaxAbs, InitMSE, InitNoisyMSE)
}

// InitRanges sets the quantizer parameters from the current latent weights:
// α for WCAT by the given method (ber is used by InitNoisyMSE), the step
// s0 = 2·mean|w|/√qp for LSQ (§4.3). Normal and PLClip have nothing to set.
func (m *Model) InitRanges(how Init, ber float64) error {
	for _, l := range m.Layers {
		w := l.W.Data()
		switch m.Cfg.Method {
		case WCAT:
			var a float64
			switch how {
			case InitMaxAbs:
				a = float64(MaxAbs(w))
			case InitMSE:
				a = OptimalAlpha(w, m.Cfg.Bits, m.Cfg.Grid, 0)
			case InitNoisyMSE:
				a = OptimalAlpha(w, m.Cfg.Bits, m.Cfg.Grid, ber)
			default:
				return fmt.Errorf("unknown α initialisation %q", how)
			}
			l.Q.Data()[0] = float32(a)
		case LSQ:
			_, qp := m.Cfg.Grid.Range(m.Cfg.Bits)
			l.Q.Data()[0] = float32(2 * MeanAbs(w) / math.Sqrt(float64(qp)))
		}
	}
	return nil
}

// flipMoments returns, for every code q of the grid's b-bit two's-complement
// range, E[X] and E[X²] of X = dec(enc(q) ⊕ ε) where every bit of ε is 1 with
// probability p independently: an exact sum over the 2^b patterns.
func flipMoments(bits int, p float64) (m1, m2 map[int32]float64) {
	m1, m2 = map[int32]float64{}, map[int32]float64{}
	lo, hi := -int32(1)<<(bits-1), int32(1)<<(bits-1)-1
	for q := lo; q <= hi; q++ {
		var e1, e2 float64
		for eps := uint32(0); eps < 1<<bits; eps++ {
			k := popcount(eps)
			pr := math.Pow(p, float64(k)) * math.Pow(1-p, float64(bits-k))
			x := float64(sram.Decode(sram.Encode(q, bits)^eps, bits))
			e1 += pr * x
			e2 += pr * x * x
		}
		m1[q], m2[q] = e1, e2
	}
	return m1, m2
}

func popcount(x uint32) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// ExpectedMSE is E_ε[mean_i (w_i − s·dec(enc(q_i) ⊕ ε))²] for the clip range
// alpha (WCAT forward) when every stored bit flips with probability ber
// (the paper's eq. 10; eq. 9 when ber = 0). By linearity of expectation the
// sum over 2^b patterns per code is exact for independent per-bit errors.
func ExpectedMSE(w []float32, alpha float64, bits int, g Grid, ber float64) float64 {
	return newMSEObjective(w, bits, g, ber)(alpha)
}

// newMSEObjective precomputes the flip moments once and returns α ↦ MSE.
func newMSEObjective(w []float32, bits int, g Grid, ber float64) func(float64) float64 {
	m1, m2 := flipMoments(bits, ber)
	codes := make([]int32, len(w))
	return func(alpha float64) float64 {
		if !(alpha > 0) {
			return math.Inf(1)
		}
		s := float64(ClipQuantize(w, float32(alpha), bits, g, codes))
		var sum float64
		for i, v := range w {
			x := float64(v)
			q := codes[i]
			sum += x*x - 2*s*x*m1[q] + s*s*m2[q]
		}
		return sum / float64(len(w))
	}
}

// OptimalAlpha minimises ExpectedMSE over α with Nelder–Mead (gonum), from
// α0 = 2·√(2^(b−1)−1)·mean|w| with an initial simplex {α0, 1.05·α0} as scipy
// builds it (the reference uses scipy's Nelder–Mead, tolerance 1e−6).
func OptimalAlpha(w []float32, bits int, g Grid, ber float64) float64 {
	return minimiseAlpha(newMSEObjective(w, bits, g, ber), alphaStart(MeanAbs(w), bits))
}

// alphaStart is the reference's Nelder–Mead start 2·√(2^(b−1)−1)·mean|w|.
func alphaStart(meanAbs float64, bits int) float64 {
	return 2 * math.Sqrt(float64(int(1)<<(bits-1)-1)) * meanAbs
}

// minimiseAlpha runs the 1-D Nelder–Mead search of OptimalAlpha on f from a0.
func minimiseAlpha(f func(float64) float64, a0 float64) float64 {
	if !(a0 > 0) {
		return minRange
	}
	prob := optimize.Problem{Func: func(x []float64) float64 { return f(x[0]) }}
	nm := &optimize.NelderMead{InitialVertices: [][]float64{{a0}, {1.05 * a0}}}
	nm.InitialValues = []float64{f(a0), f(1.05 * a0)}
	settings := &optimize.Settings{
		Converger:       &optimize.FunctionConverge{Absolute: 1e-6 * nm.InitialValues[0], Relative: 1e-9, Iterations: 40},
		MajorIterations: 1000,
	}
	res, err := optimize.Minimize(prob, []float64{a0}, settings, nm)
	if err != nil || res == nil || !(res.X[0] > 0) {
		// Nelder–Mead only stops early on a non-finite simplex; α0 is then
		// the best defensible answer.
		return a0
	}
	return res.X[0]
}
