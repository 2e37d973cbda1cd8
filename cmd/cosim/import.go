package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"cosim/dnn"
	"cosim/torchpth"
	"cosim/wcat"
)

func init() {
	register("import", "import a PyTorch checkpoint (.pth) in the WCAT code's or torchvision's layout as a cosim checkpoint", cmdImport)
}

// torchExts are the file extensions eval, sweep and energy read as PyTorch
// checkpoints (torch.save's usual .pth and .pt, and the WCAT trainer's
// epoch checkpoints, .tar).
var torchExts = []string{".pth", ".pt", ".tar"}

// loadModel reads a cosim checkpoint, or imports a PyTorch one (by its
// extension) with everything inferred from its keys.
func loadModel(path string) (*wcat.Model, wcat.Info, error) {
	for _, e := range torchExts {
		if strings.EqualFold(filepath.Ext(path), e) {
			return torchpth.Load(path, torchpth.Options{})
		}
	}
	return wcat.Load(path)
}

// floatWeights lists the conv/linear weights of q that stay float: not
// quantized, not stored in the weight memory, never faulted.
func floatWeights(q *wcat.Model) []string {
	quant := map[*dnn.Param]bool{}
	for _, l := range q.Layers {
		quant[l.W] = true
	}
	var out []string
	for _, p := range dnn.QuantWeights(q.Net) {
		if !quant[p] {
			out = append(out, p.Name)
		}
	}
	return out
}

// parseFileFlags parses flags before and after one positional FILE
// argument.
func parseFileFlags(fs *flag.FlagSet, args []string, what string) (string, error) {
	pos, err := parseFlagsArgs(fs, args)
	switch {
	case err != nil:
		return "", err
	case len(pos) == 0:
		return "", inputErrf("%s: %s is required", fs.Name(), what)
	case len(pos) > 1:
		return "", inputErrf("%s: unexpected argument %q", fs.Name(), pos[1])
	}
	return pos[0], nil
}

// checkOut refuses an output path that is a directory.
func checkOut(cmd, out string) error {
	if out == "" {
		return inputErrf("%s: --out is required", cmd)
	}
	if st, err := os.Stat(out); err == nil && st.IsDir() {
		return inputErrf("%s: --out %s is a directory", cmd, out)
	}
	return nil
}

func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("import", "FILE.pth --out MODEL.ckpt [--model NAME] [--method M] [--bits B] [--skip-downsample=BOOL]", stderr)
	out := fs.String("out", "", "cosim checkpoint to write (required)")
	model := fs.String("model", "", "architecture: resnet20, resnet32, resnet44, resnet56, resnet18 or mlp (default: read from the keys and shapes)")
	method := fs.String("method", "", "quantizer: normal, wcat, lsq or plclip (default: read from the quantizer keys — weight_q_range, weight_step_size, weight_alpha — or normal for a file without any; a float file imported as wcat or lsq gets its ranges initialised as cosim train does)")
	bits := fs.Int("bits", torchpth.DefaultBits, "weight width in bits (a state dict does not record it; the WCAT code's configs are all 4-bit)")
	skip := fs.Bool("skip-downsample", true, "keep the ResNets' 1×1 downsample convs float, as the WCAT code builds them (default: read from whether they carry a quantizer range; true for a file without ranges)")
	file, err := parseFileFlags(fs, args, "FILE.pth")
	if err != nil {
		return err
	}
	if err := checkOut("import", *out); err != nil {
		return err
	}
	opt := torchpth.Options{Model: *model, Bits: *bits}
	if *method != "" {
		m, err := wcat.ParseMethod(*method)
		if err != nil {
			return inputErrf("import: --method: %v", err)
		}
		opt.Method = m
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "skip-downsample" {
			opt.SkipDownsample = skip
		}
	})
	if *bits < 2 || *bits > 16 {
		return inputErrf("import: --bits %d: want 2..16", *bits)
	}
	q, info, err := torchpth.Load(file, opt)
	if err != nil {
		return inputErr(err)
	}
	if err := wcat.Save(*out, q, info); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	describeModel(stdout, file, q, info)
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	return nil
}

// describeModel prints what an imported model is and which weights stay float.
func describeModel(w io.Writer, name string, q *wcat.Model, info wcat.Info) {
	n := 0
	for _, l := range q.Layers {
		n += l.W.Len()
	}
	fmt.Fprintf(w, "%s: %s %s %d-bit, %d quantized weight tensors (%d weights)\n", name, q.Net.Arch(), info.Config().Label(), q.Cfg.Bits, len(q.Layers), n)
	if info.Source != "" {
		fmt.Fprintf(w, "imported from: %s\n", info.Source)
	}
	if fl := floatWeights(q); len(fl) > 0 {
		fmt.Fprintf(w, "float weights (not quantized, not in the weight memory, never faulted): %s\n", strings.Join(fl, ", "))
	}
}
