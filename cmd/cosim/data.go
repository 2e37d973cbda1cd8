package main

import (
	"context"
	"fmt"
	"io"

	"cosim/dnn"
)

func init() {
	register("data", "data sets: `cosim data fetch --out DIR` downloads and verifies CIFAR-10", cmdData)
}

func cmdData(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "fetch" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(stderr, "Usage: cosim data fetch --out DIR [--url URL]")
			return nil
		}
		return inputErrf("data: want `cosim data fetch --out DIR`")
	}
	fs := newFlags("data fetch", "--out DIR [--url URL]", stderr)
	out := fs.String("out", "", "directory to put the CIFAR-10 binary files in (required)")
	url := fs.String("url", dnn.CIFAR10BaseURL, "base URL of cifar-10-binary.tar.gz")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *out == "" {
		return inputErrf("data fetch: --out is required")
	}
	if err := dnn.FetchCIFAR10(ctx, *url, *out, stderr); err != nil {
		return fmt.Errorf("data fetch: %w", err)
	}
	fmt.Fprintf(stdout, "CIFAR-10 verified (SHA-256) in %s; use --data %s\n", *out, *out)
	return nil
}
