package main

import (
	"flag"
	"fmt"

	"cosim/mc"
)

// mcFlags are the Monte Carlo flags of eval and sweep: mc's names
// (mc.FlagNames) and defaults (mc.DefaultOptions).
type mcFlags struct {
	protocol          *string
	trials, minTrials *int
	subset            *int
	ci                *float64 // nil: no adaptive stopping (eval)
}

// addMCFlags declares --protocol (default proto), --trials and --subset on
// fs and, when adaptive, --min-trials and --ci.
func addMCFlags(fs *flag.FlagSet, proto mc.Protocol, adaptive bool) *mcFlags {
	d := mc.DefaultOptions(proto)
	trials := "trials per point"
	if adaptive {
		trials = "maximum trials per point"
	}
	f := &mcFlags{
		protocol: fs.String("protocol", string(proto), "Monte Carlo protocol: subset (stratified subsets with a clean-accuracy control variate) or reference (every trial on the whole test set, as the WCAT code)"),
		trials: fs.Int("trials", 0, fmt.Sprintf("%s, each a whole-model fault realisation (default %d for subset, %d for reference)",
			trials, mc.DefaultSubsetTrials, mc.DefaultReferenceTrials)),
		subset: fs.Int("subset", d.Subset, "images per trial of the subset protocol"),
	}
	if adaptive {
		f.minTrials = fs.Int("min-trials", d.MinTrials, "trials before a point may stop early")
		f.ci = fs.Float64("ci", d.CIHalfWidth, "stop a point when its 95% CI half-width reaches this many accuracy points (0: always run --trials)")
	}
	return f
}

// options returns the options the flags give: the protocol's defaults
// with every flag given (set) applied, checked (mc.Options.Validate).
// Without adaptive stopping every trial runs.
func (f *mcFlags) options(set map[string]bool) (mc.Options, error) {
	o := mc.DefaultOptions(mc.Protocol(*f.protocol))
	if set["trials"] {
		o = o.WithTrials(*f.trials)
	}
	o.Subset = *f.subset
	if f.ci == nil {
		o.CIHalfWidth = 0
	} else {
		o.CIHalfWidth = *f.ci
		if set["min-trials"] {
			o.MinTrials = *f.minTrials
		}
	}
	return o, o.Validate(mc.FlagNames)
}
