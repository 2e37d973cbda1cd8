package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"cosim/arch"
)

func init() {
	register("arch", "list the built-in architectures (arch list) or print one's YAML to start a spec from (arch show NAME)", cmdArch)
}

func cmdArch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("arch", "list | show NAME", stderr)
	rest, err := parseFlagsArgs(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(rest) == 1 && rest[0] == "list":
		for _, n := range arch.BuiltinNames() {
			s, err := arch.Builtin(n)
			if err != nil {
				return err
			}
			mem, err := s.FaultyWeightMemory()
			where := "no faulty weight memory"
			if err == nil {
				where = fmt.Sprintf("faulty weights in %s", mem.Name)
			}
			fmt.Fprintf(stdout, "%-24s %d nm, %g MHz, V_nom %g V, %s\n", n, s.TechNM, s.ClockMHz, s.NominalV, where)
		}
		return nil
	case len(rest) == 2 && rest[0] == "show":
		src, err := arch.BuiltinSource(rest[1])
		if err != nil {
			return inputErr(err)
		}
		_, err = stdout.Write(src)
		return err
	}
	return inputErrf("arch: want `cosim arch list` or `cosim arch show NAME` (built-ins: %s), got %q", strings.Join(arch.BuiltinNames(), ", "), strings.Join(rest, " "))
}
