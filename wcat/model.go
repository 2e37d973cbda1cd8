package wcat

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"cosim/dnn"
	"cosim/ecc"
	"cosim/internal/enum"
	"cosim/sram"
)

// Method names a weight quantization method.
type Method string

const (
	// Normal is max-abs linear quantization with no learned parameter (§4.1).
	Normal Method = "normal"
	// WCAT clips to a learned range α per layer (§1.2, §3).
	WCAT Method = "wcat"
	// PLClip clips each layer to plclip·max(0.2, max|W_l|/max_j max|W_j|) (§4.2).
	PLClip Method = "plclip"
	// LSQ learns the step size per layer (§4.3).
	LSQ Method = "lsq"
	// WOT is Normal quantization with throttling for zero-space ECC
	// (Guan et al., NeurIPS 2019): before every quantization, the latent
	// weights of the range-limited slots of ecc.Layout are clamped so
	// that their codes lie in its Range.
	WOT Method = "wot"
)

// Methods lists every method.
var Methods = []Method{Normal, WCAT, PLClip, LSQ, WOT}

// ParseMethod validates a method name.
func ParseMethod(s string) (Method, error) {
	return enum.Parse("quantization method", s, Methods...)
}

// Config describes how a network's weights are quantized and trained.
type Config struct {
	Method Method
	Bits   int
	Grid   Grid
	// BFN is the bit-flip-noise rate p0 injected at every training forward
	// (0 disables it). It is never applied at evaluation.
	BFN float64
	// PLClip is the PLClip hyper-parameter c (0.1 in the reference config).
	PLClip float64
	// SkipDownsample leaves the 1×1 downsample convolutions of the ResNets
	// unquantized (float, not stored in the weight SRAM), reproducing the
	// reference code's accident (docs/wcat-semantics.md §1.3).
	SkipDownsample bool
	// LSQReferenceGrad gives LSQ's step the reference code's gradient
	// (docs/wcat-semantics.md §4.3 quirk: ∂ŵ/∂s = q − γ·w/s inside the range,
	// qn or qp outside) instead of standard LSQ's γ·(q − w/s) and γ·qn,
	// γ·qp. See the package doc for why it is not the default.
	LSQReferenceGrad bool
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if _, err := ParseMethod(string(c.Method)); err != nil {
		return err
	}
	if c.Bits < 2 || c.Bits > 16 {
		return fmt.Errorf("bits = %d: want 2..16", c.Bits)
	}
	if c.Method == WOT {
		if _, err := ecc.NewLayout(c.Bits); err != nil {
			return fmt.Errorf("method wot: %w", err)
		}
	}
	if err := c.Grid.Validate(); err != nil {
		return err
	}
	if c.BFN < 0 || c.BFN > 0.5 || math.IsNaN(c.BFN) {
		return fmt.Errorf("bit-flip-noise rate %g: want 0..0.5", c.BFN)
	}
	if c.Method == PLClip && !(c.PLClip > 0) {
		return fmt.Errorf("plclip coefficient %g: want > 0", c.PLClip)
	}
	if c.LSQReferenceGrad && c.Method != LSQ {
		return fmt.Errorf("the reference LSQ step gradient applies to method lsq, not %s", c.Method)
	}
	return nil
}

// Label is the method name as shown in reports: "wcat", or "wcat+bfn" when
// trained with bit-flip noise.
func (c Config) Label() string {
	if c.BFN > 0 {
		return string(c.Method) + "+bfn"
	}
	return string(c.Method)
}

// Layer is one quantized weight tensor with its quantizer state.
type Layer struct {
	W *dnn.Param
	// Q is the learned quantizer parameter: α (WCAT, name <layer>.weight_q_range),
	// the step (LSQ, <layer>.weight_step_size) or the last α_l used (PLClip,
	// <layer>.weight_alpha, not trained). Nil for Normal.
	Q     *dnn.Param
	Codes []int32 // clean codes of the last Quantize
	Step  float32 // step s of the last Quantize
	eff   []float32
}

// Model is a network whose conv/linear weights are quantized by one method.
type Model struct {
	Net    dnn.Model
	Cfg    Config
	Layers []*Layer
}

// New wraps net with quantizers for every weight tensor. Quantizer
// parameters start at zero: call InitRanges before training or Quantize.
func New(net dnn.Model, cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Model{Net: net, Cfg: cfg}
	for _, w := range dnn.QuantWeights(net) {
		if cfg.SkipDownsample && strings.Contains(w.Name, ".downsample.") {
			continue
		}
		l := &Layer{W: w, Codes: make([]int32, w.Len()), eff: make([]float32, w.Len())}
		base := trimWeight(w.Name)
		switch cfg.Method {
		case WCAT:
			l.Q = dnn.NewParam(base+".weight_q_range", dnn.KindQuant)
		case LSQ:
			l.Q = dnn.NewParam(base+".weight_step_size", dnn.KindQuant)
		case PLClip:
			l.Q = dnn.NewParam(base+".weight_alpha", dnn.KindBuffer)
		}
		w.SetEffective(l.eff)
		m.Layers = append(m.Layers, l)
	}
	return m, nil
}

// LayerParams returns, for each quantized layer of m in order, the parameter
// of net (a clone of m.Net) with the same name.
func (m *Model) LayerParams(net dnn.Model) []*dnn.Param {
	byName := map[string]*dnn.Param{}
	for _, p := range net.Params() {
		byName[p.Name] = p
	}
	ps := make([]*dnn.Param, len(m.Layers))
	for i, l := range m.Layers {
		ps[i] = byName[l.W.Name]
		if ps[i] == nil {
			panic("wcat: network has no parameter " + l.W.Name)
		}
	}
	return ps
}

func trimWeight(name string) string {
	const suf = ".weight"
	if len(name) > len(suf) && name[len(name)-len(suf):] == suf {
		return name[:len(name)-len(suf)]
	}
	return name
}

// Params lists the network's learnable parameters followed by the learned
// quantizer parameters (α or step), in a fixed order.
func (m *Model) Params() []*dnn.Param {
	ps := append([]*dnn.Param(nil), m.Net.Params()...)
	for _, l := range m.Layers {
		if l.Q != nil && l.Q.Kind == dnn.KindQuant {
			ps = append(ps, l.Q)
		}
	}
	return ps
}

// State lists every tensor a checkpoint holds: parameters, quantizer state
// and buffers.
func (m *Model) State() []*dnn.Param {
	ps := append([]*dnn.Param(nil), m.Net.Params()...)
	for _, l := range m.Layers {
		if l.Q != nil {
			ps = append(ps, l.Q)
		}
	}
	return append(ps, m.Net.Buffers()...)
}

func scalar(p *dnn.Param) float32 { return p.Data()[0] }

// minRange keeps a learned α or step positive: the reference code does not
// guard it, but a non-positive range would divide by zero.
const minRange = 1e-8

// Quantize computes every layer's clean codes and step from the latent
// weights, and installs the dequantized weights as the values the forward
// pass uses. With noise non-nil and Cfg.BFN > 0 (training), fresh bit-flip
// noise at rate BFN is applied to the installed values (§2.3); Codes keep
// the clean codes.
func (m *Model) Quantize(noise *rand.Rand) {
	var plMax float32
	if m.Cfg.Method == PLClip {
		for _, l := range m.Layers {
			plMax = max(plMax, MaxAbs(l.W.Data()))
		}
	}
	for _, l := range m.Layers {
		w := l.W.Data()
		switch m.Cfg.Method {
		case Normal, WOT:
			l.Step = MaxAbs(w) / m.Cfg.Grid.Levels(m.Cfg.Bits)
			if l.Step == 0 {
				l.Step = minRange
			}
			if m.Cfg.Method == WOT {
				Throttle(w, l.Step, m.Cfg.Bits)
			}
			StepQuantize(w, l.Step, m.Cfg.Bits, m.Cfg.Grid, l.Codes)
		case WCAT:
			a := max(scalar(l.Q), minRange)
			l.Step = ClipQuantize(w, a, m.Cfg.Bits, m.Cfg.Grid, l.Codes)
		case PLClip:
			k := float32(0)
			if plMax > 0 {
				k = MaxAbs(w) / plMax
			}
			a := float32(m.Cfg.PLClip) * max(0.2, k)
			l.Q.Data()[0] = a
			l.Step = ClipQuantize(w, a, m.Cfg.Bits, m.Cfg.Grid, l.Codes)
		case LSQ:
			l.Step = max(scalar(l.Q), minRange)
			StepQuantize(w, l.Step, m.Cfg.Bits, m.Cfg.Grid, l.Codes)
		}
		Dequantize(l.Codes, l.Step, l.eff)
		if noise != nil && m.Cfg.BFN > 0 {
			injectNoise(l, m.Cfg.Bits, m.Cfg.BFN, noise)
		}
	}
}

// Throttle clamps, in place, the latent weights of a tensor's range-limited
// slots under the zero-space layout of b-bit codes (ecc.Layout) to
// [lo·s, hi·s], so that step s quantizes them to codes in [lo, hi]; the
// other weights are left alone. b must be a width ecc.NewLayout accepts.
func Throttle(w []float32, s float32, bits int) {
	z, err := ecc.NewLayout(bits)
	if err != nil {
		panic("wcat: Throttle: " + err.Error())
	}
	lo, hi := z.Range()
	flo, fhi := s*float32(lo), s*float32(hi)
	for i := range w {
		if z.IsConstrained(i) {
			w[i] = min(max(w[i], flo), fhi)
		}
	}
}

// injectNoise flips every bit of every stored code with probability p and
// rewrites the affected dequantized values (bit-flip-noise training, §2.3).
// Flips come sorted, so the bits of one weight are adjacent.
func injectNoise(l *Layer, bits int, p float64, r *rand.Rand) {
	flips := sram.SampleFlips(r, len(l.Codes)*bits, p, nil)
	for k := 0; k < len(flips); {
		i := flips[k] / bits
		q := l.Codes[i]
		for ; k < len(flips) && flips[k]/bits == i; k++ {
			q = sram.FlipBit(q, flips[k]%bits, bits)
		}
		l.eff[i] = l.Step * float32(q)
	}
}

// Backward turns the gradients that the network accumulated with respect to
// the installed (dequantized) weights into gradients of the latent weights
// and of the quantizer parameters, after net.Backward:
//   - Normal and WCAT: straight-through for every weight (§3.2, §4.1);
//     WCAT's α gets (1/√N)(Σ_{w>α} g − Σ_{w<−α} g);
//   - PLClip: the weight gradient is zero outside [−α_l, α_l] (§4.2);
//   - LSQ: the weight gradient is zero where w/s is outside [qn, qp]; the
//     step gets standard LSQ's gradient γ·(q − w/s) inside, γ·qn or γ·qp
//     outside, γ = 1/√(qp·N) (or, with Config.LSQReferenceGrad, the
//     reference code's, §4.3).
func (m *Model) Backward() {
	qn, qp := m.Cfg.Grid.Range(m.Cfg.Bits)
	for _, l := range m.Layers {
		w, g := l.W.Data(), l.W.Grad
		switch m.Cfg.Method {
		case WCAT:
			a := max(scalar(l.Q), minRange)
			var sum float64
			for i, v := range w {
				if v > a {
					sum += float64(g[i])
				} else if v < -a {
					sum -= float64(g[i])
				}
			}
			l.Q.Grad[0] += float32(sum / math.Sqrt(float64(len(w))))
		case PLClip:
			a := scalar(l.Q)
			for i, v := range w {
				if v > a || v < -a {
					g[i] = 0
				}
			}
		case LSQ:
			s := l.Step
			gamma := 1 / math.Sqrt(float64(qp)*float64(len(w)))
			var outside, inside float64 // Σ g·(qn or qp) and Σ g·(q − w/s) or Σ g·(q − γ·w/s)
			for i, v := range w {
				x := v / s
				switch {
				case x < float32(qn):
					outside += float64(g[i]) * float64(qn)
					g[i] = 0
				case x > float32(qp):
					outside += float64(g[i]) * float64(qp)
					g[i] = 0
				case m.Cfg.LSQReferenceGrad:
					inside += float64(g[i]) * (float64(l.Codes[i]) - gamma*float64(x))
				default:
					inside += float64(g[i]) * (float64(l.Codes[i]) - float64(x))
				}
			}
			if m.Cfg.LSQReferenceGrad {
				l.Q.Grad[0] += float32(outside + inside)
			} else {
				l.Q.Grad[0] += float32(gamma * (outside + inside))
			}
		}
	}
}
