package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"cosim/dnn"
	"cosim/internal/progress"
	"cosim/internal/seed"
	"cosim/wcat"
)

func init() {
	register("train", "train a quantized network (normal, wcat, plclip, lsq, wot; optional bit-flip noise)", cmdTrain)
}

// modelAliases maps short model names to architectures.
var modelAliases = map[string]string{"mlp": "mlp-784-100-10"}

func cmdTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("train", "--model NAME --method METHOD --out FILE [flags]", stderr)
	model := fs.String("model", "mlp", "architecture: mlp (= mlp-784-100-10, the paper's appendix-A MLP on MNIST), mlp-<in>-<hidden>…-<out> (MNIST), resnet20, resnet32, resnet44, resnet56 (CIFAR-10)")
	method := fs.String("method", "wcat", "quantization method: normal, wcat, plclip, lsq, wot (normal with throttling for zero-space ECC; with --from it stops as soon as the validation accuracy reaches the starting model's, before the first epoch when the throttled start already does)")
	from := fs.String("from", "", "start from the network weights and batch-norm statistics of this trained checkpoint (its architecture; its quantizer is replaced by --method/--bits)")
	schedule := fs.String("lr-schedule", "cosine", "learning-rate schedule: cosine (annealed to 0 over the epochs) or constant")
	bits := fs.Int("bits", 4, "weight bits")
	grid := fs.String("grid", string(wcat.GridReference), "quantization grid: reference (authors' code) or paper (symmetric, eq. 3–4)")
	bfn := fs.Float64("bfn", 0, "bit-flip-noise rate p0 during training (the paper uses 0.005)")
	plclip := fs.Float64("plclip", 0.1, "PLClip coefficient c")
	epochs := fs.Int("epochs", 0, "epochs (default: 10 for MLPs, 300 for ResNets)")
	batch := fs.Int("batch", 0, "batch size (default: 128 for MLPs, 256 for ResNets)")
	lr := fs.Float64("lr", 0.1, "initial learning rate (cosine schedule)")
	alphaDecay := fs.Float64("alpha-decay", 0.01, "weight decay λ of WCAT's α")
	initHow := fs.String("init", string(wcat.InitMSE), "α initialisation: max-abs, mse, noisy-mse")
	initBER := fs.Float64("init-ber", 1e-3, "BER of the noisy-mse initialisation")
	valid := fs.Float64("valid", 0.1, "fraction of the training set held out to pick the best epoch")
	data := fs.String("data", "", "data directory (MNIST: default the GoMNIST module's data folder)")
	seedV := fs.Uint64("seed", 1337, "random seed (initialisation, split, shuffles, augmentation, noise)")
	out := fs.String("out", "", "checkpoint file to write (required)")
	resume := fs.Bool("resume", false, "continue an interrupted run from its training state FILE.state (written after every epoch)")
	lsqRef := fs.Bool("lsq-reference-grad", false, "LSQ: train the step with the reference code's gradient (q − γ·w/s, unscaled outside) instead of standard LSQ's; it collapses from scratch at lr 0.1")
	skipDown := fs.Bool("skip-downsample", false, "leave the ResNets' 1×1 downsample convs unquantized, as the reference code does by accident")
	quiet := fs.Bool("quiet", false, "no progress bar (there is none either when stderr is not a terminal)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	*quiet = *quiet || !isTerminal(stderr)
	if *out == "" {
		return inputErrf("train: --out is required")
	}
	set := setFlags(fs)
	for name, v := range map[string]int{"epochs": *epochs, "batch": *batch} {
		if set[name] && v < 1 {
			return inputErrf("train: --%s %d: want ≥ 1", name, v)
		}
	}
	if err := checkWritable(*out); err != nil {
		return inputErrf("train: --out: %v", err)
	}
	arch := *model
	if a, ok := modelAliases[arch]; ok {
		arch = a
	}
	if *schedule != "cosine" && *schedule != "constant" {
		return inputErrf("train: --lr-schedule %q: want cosine or constant", *schedule)
	}
	var src *wcat.Model
	if *from != "" {
		var err error
		if src, _, err = wcat.Load(*from); err != nil {
			return inputErrf("train: --from: %v", err)
		}
		if set["model"] && arch != src.Net.Arch() {
			return inputErrf("train: --model %s, but --from %s holds a %s", *model, *from, src.Net.Arch())
		}
		arch = src.Net.Arch()
	}
	dsName, err := dnn.DatasetFor(arch)
	if err != nil {
		return inputErrf("train: --model: %v", err)
	}
	m, err := wcat.ParseMethod(*method)
	if err != nil {
		return inputErrf("train: --method: %v", err)
	}
	in, err := wcat.ParseInit(*initHow)
	if err != nil {
		return inputErrf("train: --init: %v", err)
	}
	cfg := wcat.Config{Method: m, Bits: *bits, Grid: wcat.Grid(*grid), BFN: *bfn, PLClip: *plclip, SkipDownsample: *skipDown, LSQReferenceGrad: *lsqRef}
	if err := cfg.Validate(); err != nil {
		return inputErrf("train: %v", err)
	}
	recipe := wcat.MNISTRecipe()
	if dsName == "cifar10" {
		recipe = wcat.CIFARRecipe()
	}
	if *epochs > 0 {
		recipe.Epochs = *epochs
	}
	if *batch > 0 {
		recipe.BatchSize = *batch
	}
	recipe.ConstantLR = *schedule == "constant"
	recipe.LR, recipe.AlphaDecay, recipe.Init, recipe.InitBER, recipe.ValidFraction, recipe.Seed = *lr, *alphaDecay, in, *initBER, *valid, *seedV
	if err := recipe.Validate(); err != nil {
		return inputErrf("train: %v", err)
	}
	statePath := *out + ".state"
	if fileExists(statePath) && !*resume {
		return inputErrf("train: %s exists (an interrupted run); pass --resume to continue it or delete it to start over", statePath)
	}
	train, test, err := dnn.LoadDataset(dsName, *data)
	if err != nil {
		return inputErrf("train: %v", err)
	}
	var (
		net     dnn.Model
		stopAcc float64
	)
	if src != nil {
		if c, h, w := src.Net.InputShape(); c != train.C || h != train.H || w != train.W || src.Net.Classes() != train.Classes {
			return inputErrf("train: --from %s takes %dx%dx%d images in %d classes, %s has %dx%dx%d in %d", *from, c, h, w, src.Net.Classes(), train.Name, train.C, train.H, train.W, train.Classes)
		}
		net = src.Net
		if m == wcat.WOT {
			_, validIdx := recipe.Split(train.Len())
			if len(validIdx) > 0 {
				stopAcc = 100 * float64(dnn.Evaluate(src.Net, train.Subset(train.Name+"-valid", validIdx), 1000)) / float64(len(validIdx))
				fmt.Fprintf(stderr, "starting model %s: validation accuracy %.2f%%; stopping once it is reached\n", *from, stopAcc)
			}
		}
	} else if net, err = dnn.Build(arch, train.C, train.H, train.W, train.Classes, seed.Stream(*seedV, seed.String("init"))); err != nil {
		return inputErrf("train: --model: %v", err)
	}
	qm, err := wcat.New(net, cfg)
	if err != nil {
		return inputErrf("train: %v", err)
	}
	if *resume {
		if !fileExists(statePath) {
			return inputErrf("train: --resume: there is no training state %s to continue; leave out --resume to start", statePath)
		}
		if err := wcat.CheckState(statePath, qm, recipe, train); err != nil {
			return inputErrf("train: --resume: %v; delete it to start over", err)
		}
	}
	fmt.Fprintf(stderr, "training %s, %s %d-bit%s, %d epochs on %s (%d images, %d%% held out)\n",
		arch, m, *bits, bfnNote(*bfn), recipe.Epochs, train.Name, train.Len(), int(math.Round(100*recipe.ValidFraction)))
	var bar *progress.Bar
	started := false
	hooks := wcat.Hooks{
		Batch: func(b wcat.BatchStats) {
			if !started {
				bar, started = progress.New(stderr, *quiet, b.Batches*recipe.Epochs, ""), true
			}
			bar.Describe(fmt.Sprintf("epoch %d/%d loss %.3f acc %5.1f%%", b.Epoch, recipe.Epochs, b.Loss, b.Acc))
			bar.Add(1)
		},
		Epoch: func(s wcat.EpochStats) {
			bar.Clear()
			best := ""
			if s.Best {
				best = " (best)"
			}
			fmt.Fprintf(stderr, "epoch %3d/%d  lr %.4f  loss %.4f  train %.2f%%  valid %.2f%%%s  %.1fs\n",
				s.Epoch, s.Epochs, s.LR, s.TrainLoss, s.TrainAcc, s.ValidAcc, best, s.Seconds)
		},
	}
	stats, err := wcat.Train(ctx, qm, train, recipe, wcat.Options{Hooks: hooks, StatePath: statePath, StopAcc: stopAcc})
	bar.Finish()
	if err != nil {
		if fileExists(statePath) {
			fmt.Fprintf(stderr, "training state kept in %s: rerun with --resume to continue\n", statePath)
		}
		return fmt.Errorf("train: %w", err)
	}
	info := wcat.Info{Recipe: &recipe, Dataset: train.Name, DatasetSHA256: train.Hash(),
		Command: "cosim train " + strings.Join(args, " ")}
	for _, s := range stats {
		if s.Epoch > 0 { // epoch 0: the starting model already reached --method wot's target
			info.EpochsRun++
		}
		info.TrainSeconds += s.Seconds
		if s.Best {
			info.BestEpoch, info.ValidAcc = s.Epoch, s.ValidAcc
		}
	}
	info.TestAcc = 100 * float64(dnn.Evaluate(qm.Net, test, 1000)) / float64(test.Len())
	if err := wcat.Save(*out, qm, info); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if err := os.Remove(statePath); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("train: %w", err)
	}
	fmt.Fprintf(stdout, "%s: %s %s %d-bit, test accuracy %.2f%% (best epoch %d), %.0fs\n",
		*out, arch, cfg.Label(), *bits, info.TestAcc, info.BestEpoch, info.TrainSeconds)
	return nil
}

func bfnNote(p float64) string {
	if p > 0 {
		return fmt.Sprintf(" with bit-flip noise p0=%g", p)
	}
	return ""
}

// fileExists reports whether path names an existing file.
// checkWritable checks, before any work, that a file can be written at path:
// it is not a directory, and its directory exists and accepts a new file.
func checkWritable(path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a directory", path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".cosim-write-check-*")
	if err != nil {
		return fmt.Errorf("cannot write in the directory of %s: %w", path, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

// isTerminal reports whether w is a terminal (progress bars only go there).
func isTerminal(w io.Writer) bool { return progress.IsTerminal(w) }
