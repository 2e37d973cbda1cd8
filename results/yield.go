package results

import "math"

// YieldSpec asks for the lowest supply voltage at which a fraction Yield of chips keep at least
// TargetPct accuracy (a sweep under chip faults, whose points carry ChipAccs).
type YieldSpec struct {
	TargetPct float64 `json:"target_pct"` // accuracy target A, percent, in (0, 100]
	Yield     float64 `json:"yield"`      // fraction Y of chips, in (0, 1]
	// Confidence is the level of the two-sided Clopper–Pearson intervals, in (0, 1) (0.95 when
	// zero).
	Confidence float64 `json:"confidence,omitempty"`
}

// DefaultYieldConfidence is the confidence level of the yield intervals when a YieldSpec does not
// give one.
const DefaultYieldConfidence = 0.95

// Level returns the confidence level, with the default filled in.
func (y YieldSpec) Level() float64 {
	if y.Confidence == 0 {
		return DefaultYieldConfidence
	}
	return y.Confidence
}

// Validate checks the target, the yield and the confidence level.
func (y YieldSpec) Validate() error {
	if err := y.check(); err != nil {
		return err
	}
	return nil
}

func (y YieldSpec) check() *FieldError {
	switch {
	case !(y.TargetPct > 0 && y.TargetPct <= 100):
		return fieldErr("target_pct", "accuracy target %v%% is outside (0, 100]", y.TargetPct)
	case !(y.Yield > 0 && y.Yield <= 1):
		return fieldErr("yield", "yield %v is outside (0, 1]", y.Yield)
	case math.IsNaN(y.Confidence) || y.Confidence < 0 || y.Confidence >= 1:
		return fieldErr("confidence", "confidence level %v is outside (0, 1)", y.Confidence)
	}
	return nil
}
