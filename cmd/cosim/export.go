package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"cosim/internal/atomicfile"
	"cosim/torchpth"
	"cosim/wcat"
)

func init() {
	register("export", "write a cosim checkpoint as a PyTorch checkpoint (.pth) in the WCAT code's layout", cmdExport)
}

func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export", "MODEL.ckpt --out FILE.pth [--skip-downsample]", stderr)
	out := fs.String("out", "", "PyTorch checkpoint to write (required)")
	skip := fs.Bool("skip-downsample", false, "write the ResNets' downsample convs without quantizer ranges, as the WCAT code as published builds them (they become float there: a different model unless it was trained with --skip-downsample)")
	file, err := parseFileFlags(fs, args, "MODEL.ckpt")
	if err != nil {
		return err
	}
	if err := checkOut("export", *out); err != nil {
		return err
	}
	q, info, err := wcat.Load(file)
	if err != nil {
		return inputErr(err)
	}
	if *skip && !q.Cfg.SkipDownsample {
		// The same network, its downsample convs left float; the other
		// layers keep their ranges.
		ranges := map[string][]float32{}
		for _, l := range q.Layers {
			if l.Q != nil {
				ranges[l.W.Name] = l.Q.Data()
			}
		}
		cfg := q.Cfg
		cfg.SkipDownsample = true
		if q, err = wcat.New(q.Net, cfg); err != nil {
			return inputErrf("%s: %v", file, err)
		}
		for _, l := range q.Layers {
			if l.Q != nil {
				copy(l.Q.Data(), ranges[l.W.Name])
			}
		}
	}
	ts, err := torchpth.Export(q, info.BatchesTracked)
	if err != nil {
		return inputErrf("%s: %v", file, err)
	}
	if err := atomicfile.Write(*out, func(w io.Writer) error { return torchpth.Write(w, ts) }); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %s: %s %s %d-bit, %d tensors in the WCAT layout (torch zip format)\n", *out, q.Net.Arch(), q.Cfg.Method, q.Cfg.Bits, len(ts))
	var notes []string
	if q.Cfg.Bits != torchpth.DefaultBits {
		notes = append(notes, fmt.Sprintf("a .pth does not record the width: import it with --bits %d", q.Cfg.Bits))
	}
	if q.Cfg.Method == wcat.Normal && len(floatWeights(q)) == 0 && strings.HasPrefix(q.Net.Arch(), "resnet") {
		notes = append(notes, "normal records no quantizer keys: import it with --skip-downsample=false to quantize the downsample convs again")
	}
	if q.Cfg.Method != wcat.Normal && len(floatWeights(q)) == 0 && strings.HasPrefix(q.Net.Arch(), "resnet") {
		notes = append(notes, "the downsample convs carry ranges, which the WCAT code as published does not build (its strict load refuses them; --skip-downsample writes its layout)")
	}
	for _, n := range notes {
		fmt.Fprintf(stdout, "note: %s\n", n)
	}
	return nil
}
