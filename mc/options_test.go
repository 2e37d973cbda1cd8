package mc

import (
	"errors"
	"math"
	"testing"
)

// The defaults of both protocols score the same number of images per point
// (500 × 1000 = 50 × 10,000 on CIFAR-10) and are valid.
func TestDefaultOptions(t *testing.T) {
	sub, ref := DefaultOptions(""), DefaultOptions(ProtocolReference)
	if sub.Protocol != ProtocolSubset || sub.Trials != 500 || sub.MinTrials != 10 || sub.CIHalfWidth != 0.5 || sub.Subset != 1000 {
		t.Errorf("subset defaults %+v", sub)
	}
	if ref.Protocol != ProtocolReference || ref.Trials != 50 || ref.MinTrials != 10 || ref.CIHalfWidth != 0.5 {
		t.Errorf("reference defaults %+v", ref)
	}
	for _, o := range []Options{sub, ref} {
		if err := o.Validate(FlagNames); err != nil {
			t.Errorf("%+v: %v", o, err)
		}
	}
	if o := sub.WithTrials(4); o.Trials != 4 || o.MinTrials != 4 {
		t.Errorf("WithTrials(4): %+v, want MinTrials lowered to 4", o)
	}
	if o := sub.WithTrials(1); o.MinTrials != 2 || o.Validate(FlagNames) != nil {
		t.Errorf("WithTrials(1): %+v (MinTrials stays ≥ 2 and valid)", o)
	}
	if o := sub.WithTrials(40); o.MinTrials != 10 {
		t.Errorf("WithTrials(40): %+v", o)
	}
}

// Every bad option is an *OptionError naming it as the front end spells it.
func TestValidateNamesTheField(t *testing.T) {
	ok := DefaultOptions(ProtocolSubset)
	for _, c := range []struct {
		edit func(*Options)
		flag string // the error as a flag front end reports it
		key  string // as the sweep spec does
	}{
		{func(o *Options) { o.Protocol = "fast" }, `--protocol "fast": want subset or reference`, `protocol "fast": want subset or reference`},
		{func(o *Options) { o.Trials = 0 }, "--trials 0: want 1..2147483647", "max-trials 0: want 1..2147483647"},
		{func(o *Options) { o.MinTrials = 1 }, "--min-trials 1: want ≥ 2", "min-trials 1: want ≥ 2"},
		{func(o *Options) { o.Trials, o.MinTrials = 5, 8 }, "--min-trials 8 exceeds --trials 5", "min-trials 8 exceeds max-trials 5"},
		{func(o *Options) { o.CIHalfWidth = -1 }, "--ci -1: want a finite number ≥ 0 (accuracy points; 0: run every trial)", "ci-half-width -1: want a finite number ≥ 0 (accuracy points; 0: run every trial)"},
		{func(o *Options) { o.CIHalfWidth = math.NaN() }, "--ci NaN: want a finite number ≥ 0 (accuracy points; 0: run every trial)", ""},
		{func(o *Options) { o.CIHalfWidth = math.Inf(1) }, "--ci +Inf: want a finite number ≥ 0 (accuracy points; 0: run every trial)", ""},
		{func(o *Options) { o.Subset = 0 }, "--subset 0: want ≥ 1", "subset 0: want ≥ 1"},
	} {
		o := ok
		c.edit(&o)
		err := o.Validate(FlagNames)
		var oe *OptionError
		if !errors.As(err, &oe) || err.Error() != c.flag {
			t.Errorf("%+v: %v, want %q", o, err, c.flag)
		}
		if c.key != "" {
			if err := o.Validate(KeyNames); err == nil || err.Error() != c.key {
				t.Errorf("%+v: %v, want %q", o, err, c.key)
			}
		}
	}
	// Trials 1 with MinTrials 2: adaptive stopping never fires, but the
	// options are consistent.
	if err := ok.WithTrials(1).Validate(FlagNames); err != nil {
		t.Error(err)
	}
}

// Chips take no adaptive stopping: the default CI half-width becomes 0, and
// one the user set is refused.
func TestForFaults(t *testing.T) {
	o := DefaultOptions(ProtocolSubset)
	if got, err := o.ForFaults(FaultsIID, true, FlagNames); err != nil || got.CIHalfWidth != o.CIHalfWidth {
		t.Errorf("iid: %+v, %v", got, err)
	}
	if got, err := o.ForFaults(FaultsChip, false, FlagNames); err != nil || got.CIHalfWidth != 0 {
		t.Errorf("chip, CI not set: %+v, %v", got, err)
	}
	zero := o
	zero.CIHalfWidth = 0
	if _, err := zero.ForFaults(FaultsChipStuck, true, KeyNames); err != nil {
		t.Errorf("chip-stuck, CI set to 0: %v", err)
	}
	_, err := o.ForFaults(FaultsChip, true, FlagNames)
	if oe := (*OptionError)(nil); !errors.As(err, &oe) || oe.Name != "--ci" {
		t.Errorf("chip with --ci 0.5: %v", err)
	}
}
