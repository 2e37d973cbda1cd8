package mc

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// Trials run in ranges (in any grouping, with any workers) and combined give
// Run's summary exactly, with and without adaptive stopping, in both
// protocols; incomplete or impossible trial lists are refused.
func TestRunRangeCombineEqualsRun(t *testing.T) {
	m, d := tinyModel(t)
	e, err := NewEngine(m, 16, d, 100)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, opt := range []Options{
		{Protocol: ProtocolReference, Trials: 9, Seed: 4, Key: 2},
		{Protocol: ProtocolSubset, Trials: 9, Subset: 60, Seed: 4, Key: 2},
		{Protocol: ProtocolSubset, Trials: 40, MinTrials: 3, CIHalfWidth: 4, Subset: 60, Seed: 4, Key: 2},
	} {
		want, err := e.Run(ctx, 0.03, opt)
		if err != nil {
			t.Fatal(err)
		}
		var accs []float64
		var flips []int
		for i, r := range [][2]int{{0, 2}, {2, 3}, {3, opt.Trials}} {
			o := opt
			o.Workers = 1 + i
			a, f, err := e.RunRange(ctx, 0.03, o, r[0], r[1])
			if err != nil {
				t.Fatal(err)
			}
			accs, flips = append(accs, a...), append(flips, f...)
		}
		got, err := Combine(0.03, opt, d.Len(), accs, flips)
		if err != nil {
			t.Fatal(err)
		}
		want.CleanAcc, want.MemoryBits = 0, 0
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s, ci %g: combined %+v\nRun %+v", opt.Protocol, opt.CIHalfWidth, got, want)
		}
		if opt.CIHalfWidth > 0 {
			if want.Trials >= opt.Trials {
				t.Fatalf("adaptive case did not stop early (%d trials): the test needs it to", want.Trials)
			}
			// The trials Run took are enough; fewer are not.
			if s, err := Combine(0.03, opt, d.Len(), accs[:want.Trials], flips[:want.Trials]); err != nil || !reflect.DeepEqual(s, want) {
				t.Fatalf("Run's own trials: %v", err)
			}
			if _, err := Combine(0.03, opt, d.Len(), accs[:want.Trials-1], flips[:want.Trials-1]); err == nil || !strings.Contains(err.Error(), "needs more") {
				t.Fatalf("too few trials accepted: %v", err)
			}
		}
	}
	opt := Options{Protocol: ProtocolReference, Trials: 4}
	for _, c := range []struct {
		accs  []float64
		flips []int
	}{{[]float64{90, 91, 92}, []int{1, 2, 3}}, {[]float64{90}, []int{1, 2}}, {nil, nil}, {[]float64{90, 91, 92, 93, 94}, []int{1, 1, 1, 1, 1}}, {[]float64{90, 101, 92, 93}, []int{1, 1, 1, 1}}} {
		if _, err := Combine(0.01, opt, 100, c.accs, c.flips); err == nil {
			t.Errorf("Combine(%v, %v) accepted", c.accs, c.flips)
		}
	}
	for _, r := range [][2]int{{-1, 2}, {2, 2}, {3, 5}} {
		if _, _, err := e.RunRange(ctx, 0.03, opt, r[0], r[1]); err == nil {
			t.Errorf("range %v of 4 trials accepted", r)
		}
	}
}
