package main

import (
	"context"
	"io"
	"strings"

	"cosim/arch"
	"cosim/sweep"
)

func init() {
	register("schema", "print the JSON Schema of an architecture spec (schema arch) or a sweep spec (schema sweep), for editors", cmdSchema)
}

func cmdSchema(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("schema", "arch | sweep", stderr)
	rest, err := parseFlagsArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) == 1 {
		switch rest[0] {
		case "arch":
			_, err := stdout.Write(arch.Schema)
			return err
		case "sweep":
			_, err := stdout.Write(sweep.Schema)
			return err
		}
	}
	return inputErrf("schema: want `cosim schema arch` or `cosim schema sweep`, got %q", strings.Join(rest, " "))
}
