package mc

import (
	"fmt"
	"math"
)

// Defaults of the Monte Carlo options, the same for every front end (eval,
// the sweep's flags, the sweep spec).
const (
	DefaultProtocol        = ProtocolSubset
	DefaultSubsetTrials    = 500
	DefaultReferenceTrials = 50
	DefaultMinTrials       = 10
	DefaultCIHalfWidth     = 0.5
	DefaultSubset          = 1000
	// MaxTrials bounds Trials: every trial's value is kept.
	MaxTrials = math.MaxInt32
)

// DefaultOptions returns the default options of protocol p ("" is
// DefaultProtocol): 500 trials on subsets of 1000 images, or 50 on the
// whole set for the reference protocol (the same number of images scored),
// stopping once the 95% CI half-width is 0.5 points after at least 10.
func DefaultOptions(p Protocol) Options {
	if p == "" {
		p = DefaultProtocol
	}
	o := Options{Protocol: p, Trials: DefaultSubsetTrials, MinTrials: DefaultMinTrials, CIHalfWidth: DefaultCIHalfWidth, Subset: DefaultSubset}
	if p == ProtocolReference {
		o.Trials = DefaultReferenceTrials
	}
	return o
}

// WithTrials returns o with at most n trials, MinTrials lowered to fit
// them (the default MinTrials with fewer trials than it); a MinTrials the
// user set is applied after.
func (o Options) WithTrials(n int) Options {
	o.Trials = n
	o.MinTrials = min(o.MinTrials, max(n, 2))
	return o
}

// Names spells the options as one front end does: flags, or the keys of a
// sweep spec's monte-carlo mapping.
type Names struct{ Protocol, Trials, MinTrials, CIHalfWidth, Subset string }

var (
	// FlagNames are the options as flags of eval and sweep.
	FlagNames = Names{"--protocol", "--trials", "--min-trials", "--ci", "--subset"}
	// KeyNames are the options as keys of a sweep spec.
	KeyNames = Names{"protocol", "max-trials", "min-trials", "ci-half-width", "subset"}
)

// OptionError is an invalid option: Name as its front end spells it, and
// what is wrong with it.
type OptionError struct{ Name, Problem string }

func (e *OptionError) Error() string { return e.Name + " " + e.Problem }

// Validate checks the options of an estimate and returns an *OptionError
// naming the first bad one with n: a known protocol, 1 ≤ Trials ≤
// MaxTrials, 2 ≤ MinTrials ≤ max(Trials, 2), a finite CIHalfWidth ≥ 0 and
// Subset ≥ 1.
func (o Options) Validate(n Names) error {
	bad := func(name, format string, a ...any) error {
		return &OptionError{Name: name, Problem: fmt.Sprintf(format, a...)}
	}
	if _, err := ParseProtocol(string(o.Protocol)); err != nil {
		return bad(n.Protocol, "%q: want subset or reference", o.Protocol)
	}
	switch {
	case o.Trials < 1 || o.Trials > MaxTrials:
		return bad(n.Trials, "%d: want 1..%d", o.Trials, MaxTrials)
	case o.MinTrials < 2:
		return bad(n.MinTrials, "%d: want ≥ 2", o.MinTrials)
	case o.MinTrials > max(o.Trials, 2):
		return bad(n.MinTrials, "%d exceeds %s %d", o.MinTrials, n.Trials, o.Trials)
	case !(o.CIHalfWidth >= 0) || math.IsInf(o.CIHalfWidth, 0):
		return bad(n.CIHalfWidth, "%g: want a finite number ≥ 0 (accuracy points; 0: run every trial)", o.CIHalfWidth)
	case o.Subset < 1:
		return bad(n.Subset, "%d: want ≥ 1", o.Subset)
	}
	return nil
}

// ForFaults returns o for the fault model f. A chip is scored at every
// voltage, so chips take no adaptive stopping: their CIHalfWidth becomes 0,
// and a non-zero one the user set (ciSet) is an *OptionError.
func (o Options) ForFaults(f Faults, ciSet bool, n Names) (Options, error) {
	if !f.Chips() {
		return o, nil
	}
	if ciSet && o.CIHalfWidth != 0 {
		return o, &OptionError{Name: n.CIHalfWidth, Problem: fmt.Sprintf("%g: %s faults score every chip at every voltage, so there is no adaptive stopping (omit it or set 0; %s is the number of chips)", o.CIHalfWidth, f, n.Trials)}
	}
	o.CIHalfWidth = 0
	return o, nil
}
