package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"cosim/dnn/kernels"
)

func init() {
	register("version", "prints the build, the platform and the kernel path in use", runVersion)
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", "", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	rev, experiment := "(revision unknown)", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					rev += " (modified)"
				}
			case "GOEXPERIMENT":
				experiment = " GOEXPERIMENT=" + s.Value
			}
		}
	}
	fmt.Fprintf(stdout, "cosim %s\n", rev)
	fmt.Fprintf(stdout, "built with %s %s/%s%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, experiment)
	fmt.Fprintf(stdout, "kernels: %s\n", kernels.Describe())
	return nil
}
