package wcat

import (
	"fmt"
	"math"
)

// Grid selects the integer grid and step of the quantizer.
type Grid string

const (
	// GridReference is the authors' code (the default): codes in
	// [−2^(b−1), 2^(b−1)−1], step α/2^(b−1), so −α is a level and the largest
	// level is (2^(b−1)−1)/2^(b−1)·α (docs/wcat-semantics.md §1.1–1.2).
	GridReference Grid = "reference"
	// GridPaper is the symmetric grid of the paper's eq. 3–4: codes in
	// ±(2^(b−1)−1), step α/(2^(b−1)−1).
	GridPaper Grid = "paper"
)

// Range returns the code range [qn, qp] of a b-bit signed grid.
func (g Grid) Range(bits int) (qn, qp int32) {
	qp = int32(1)<<(bits-1) - 1
	if g == GridPaper {
		return -qp, qp
	}
	return -qp - 1, qp
}

// Levels is the divisor of α that gives the step: 2^(b−1) for the reference
// grid, 2^(b−1)−1 for the paper's.
func (g Grid) Levels(bits int) float32 {
	if g == GridPaper {
		return float32(int32(1)<<(bits-1) - 1)
	}
	return float32(int32(1) << (bits - 1))
}

// Validate checks that g is a known grid.
func (g Grid) Validate() error {
	switch g {
	case GridReference, GridPaper:
		return nil
	}
	return fmt.Errorf("unknown quantization grid %q (want reference or paper)", g)
}

// roundHalfEven rounds like PyTorch's torch.round.
func roundHalfEven(x float32) float32 { return float32(math.RoundToEven(float64(x))) }

// ClipQuantize computes the WCAT codes of w for a clipping range alpha:
// c = clip(w, ±α), q = clamp(round_half_even(c/s), qn, qp) with s = α/levels
// (docs/wcat-semantics.md §1.2). It writes the codes into codes and returns s.
func ClipQuantize(w []float32, alpha float32, bits int, g Grid, codes []int32) float32 {
	s := alpha / g.Levels(bits)
	qn, qp := g.Range(bits)
	fqn, fqp := float32(qn), float32(qp)
	for i, v := range w {
		if v > alpha {
			v = alpha
		} else if v < -alpha {
			v = -alpha
		}
		q := roundHalfEven(v / s)
		if q < fqn {
			q = fqn
		} else if q > fqp {
			q = fqp
		}
		codes[i] = int32(q)
	}
	return s
}

// StepQuantize computes codes for a given step s the way Normal and LSQ do:
// q = round_half_even(clamp(w/s, qn, qp)) (docs/wcat-semantics.md §4.1, §4.3).
func StepQuantize(w []float32, s float32, bits int, g Grid, codes []int32) {
	qn, qp := g.Range(bits)
	fqn, fqp := float32(qn), float32(qp)
	for i, v := range w {
		x := v / s
		if x < fqn {
			x = fqn
		} else if x > fqp {
			x = fqp
		}
		codes[i] = int32(roundHalfEven(x))
	}
}

// Dequantize writes s·q into dst.
func Dequantize(codes []int32, s float32, dst []float32) {
	for i, q := range codes {
		dst[i] = s * float32(q)
	}
}

// MaxAbs returns max|w|.
func MaxAbs(w []float32) float32 {
	var m float32
	for _, v := range w {
		if v < 0 {
			v = -v
		}
		if v > m {
			m = v
		}
	}
	return m
}

// MeanAbs returns mean|w|.
func MeanAbs(w []float32) float64 {
	var s float64
	for _, v := range w {
		s += math.Abs(float64(v))
	}
	return s / float64(len(w))
}
