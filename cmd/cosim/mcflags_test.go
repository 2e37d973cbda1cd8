package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// eval and sweep declare the Monte Carlo flags once: the same names, help
// and defaults; a bad value is refused by mc's validation, naming the
// flag, before anything is read.
func TestMonteCarloFlagsShared(t *testing.T) {
	flagLines := func(cmd string) map[string]string {
		code, _, errs := cosim(t, cmd, "--help")
		if code != 0 {
			t.Fatalf("%s --help: exit %d", cmd, code)
		}
		lines := strings.Split(errs, "\n")
		got := map[string]string{}
		for i, l := range lines {
			for _, f := range []string{"-trials", "-subset", "-protocol"} {
				if strings.HasPrefix(strings.TrimSpace(l), f+" ") && i+1 < len(lines) {
					got[f] = strings.TrimSpace(lines[i+1])
				}
			}
		}
		return got
	}
	eval, sweep := flagLines("eval"), flagLines("sweep")
	if len(eval) != 3 || !strings.Contains(eval["-trials"], "default 500 for subset, 50 for reference") {
		t.Fatalf("eval's Monte Carlo flags: %q", eval)
	}
	for _, f := range []string{"-subset"} {
		if eval[f] != sweep[f] {
			t.Errorf("%s: eval %q, sweep %q", f, eval[f], sweep[f])
		}
	}
	missing := filepath.Join(t.TempDir(), "none.ckpt")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"eval", "--model", missing, "--ber", "0.01", "--trials", "0"}, "eval: --trials 0: want 1..2147483647"},
		{[]string{"eval", "--model", missing, "--ber", "0.01", "--protocol", "fast"}, `eval: --protocol "fast": want subset or reference`},
		{[]string{"sweep", "--model", missing, "--vmin", "0.5", "--vmax", "0.5", "--ci", "NaN", "--out", t.TempDir()}, "sweep: --ci NaN: want a finite number ≥ 0"},
		{[]string{"sweep", "--model", missing, "--vmin", "0.5", "--vmax", "0.5", "--trials", "4", "--min-trials", "6", "--out", t.TempDir()}, "sweep: --min-trials 6 exceeds --trials 4"},
		{[]string{"sweep", "--model", missing, "--vmin", "0.5", "--vmax", "0.5", "--faults", "chip", "--ci", "1", "--out", t.TempDir()}, "sweep: --ci 1: chip faults score every chip"},
	} {
		code, _, errs := cosim(t, c.args...)
		if code != 2 || !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: exit %d, %q; want 2 and %q on one line", c.args, code, errs, c.want)
		}
	}
}
