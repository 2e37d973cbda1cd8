package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"cosim/arch"
	"cosim/dnn"
	"cosim/ecc"
	"cosim/internal/progress"
	"cosim/internal/seed"
	"cosim/mc"
	"cosim/mc/accuracy"
	"cosim/sram"
	"cosim/wcat"
)

func init() {
	register("eval", "Monte Carlo accuracy of a checkpoint whose weights sit in a memory with bit error rate P", cmdEval)
}

// evalResult is the JSON form of `cosim eval --json`. Its accuracy keys
// (acc_mean … ci_high, trials, protocol, images: the images scored per
// trial) are those of a point of sweep.json.
type evalResult struct {
	Model      string  `json:"model"`
	Arch       string  `json:"arch"`
	Method     string  `json:"method"`
	Bits       int     `json:"bits"`
	Dataset    string  `json:"dataset"`
	TestImages int     `json:"test_images"` // images in the test set
	WordBits   int     `json:"word_bits"`
	Protection string  `json:"protection"`
	MemoryBits int     `json:"memory_bits"`
	BER        float64 `json:"ber"`
	Seed       uint64  `json:"seed"`
	CleanAcc   float64 `json:"clean_acc"`
	accuracy.Stats
	MeanFlips float64   `json:"mean_flips"`
	Accs      []float64 `json:"accs"`
	// FloatWeights are the conv/linear weights kept float: not quantized,
	// not in the weight memory, never faulted.
	FloatWeights []string `json:"float_weights,omitempty"`
	// Checkpoint is what the checkpoint records about its training.
	Checkpoint wcat.Info `json:"checkpoint"`
}

func cmdEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("eval", "--model CHECKPOINT --ber P [--trials N] [flags]", stderr)
	model := fs.String("model", "", "trained checkpoint (required)")
	berList := fs.String("ber", "0", "bit error rate of every stored weight bit, or a comma-separated list of rates (one engine, one clean pass)")
	mcf := addMCFlags(fs, mc.ProtocolReference, false)
	seedV := fs.Uint64("seed", 1337, "random seed of the fault realisations")
	archName := fs.String("arch", "eyeriss-onchip", "architecture whose scaled weight memory's word width packs the codes")
	data := fs.String("data", "", "data directory of the test set")
	workers := fs.Int("workers", 0, "parallel trials (default: all cores)")
	protection := fs.String("protection", "", "protection of the weight memory, overriding the architecture's: none, secded, zero-space (models trained with --method wot), msb:FRACTION; secded:zero or zero-space:zero zero the weights of a detected, uncorrectable word")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	quiet := fs.Bool("quiet", false, "no progress bar (there is none either when stderr is not a terminal)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *model == "" {
		return inputErrf("eval: --model is required")
	}
	bers, err := parseBERs(*berList)
	if err != nil {
		return inputErrf("eval: --ber %s: %v", *berList, err)
	}
	opt, err := mcf.options(setFlags(fs))
	if err != nil {
		return inputErrf("eval: %v", err)
	}
	if *workers < 0 {
		return inputErrf("eval: --workers %d: want ≥ 0 (0: all cores)", *workers)
	}
	opt.Seed, opt.Workers = *seedV, *workers
	var opts arch.Options
	if *protection != "" {
		p, err := ecc.ParseProtection(*protection)
		if err != nil {
			return inputErrf("eval: --protection: %v", err)
		}
		opts.Protection = &p
	}
	spec, err := arch.ResolveWith(*archName, opts)
	if err != nil {
		return inputErr(err)
	}
	mem, err := spec.FaultyWeightMemory()
	if err != nil {
		return inputErr(err)
	}
	q, info, err := loadModel(*model)
	if err != nil {
		return inputErr(err)
	}
	if err := checkWeights(spec, *model, q); err != nil {
		return inputErr(err)
	}
	dsName, err := dnn.DatasetFor(q.Net.Arch())
	if err != nil {
		return inputErrf("%s: %v", *model, err)
	}
	_, test, err := dnn.LoadDataset(dsName, *data)
	if err != nil {
		return inputErrf("eval: %v", err)
	}
	if err := mem.Protection.Check(q.Cfg.Bits, mem.WidthBits); err != nil {
		return inputErrf("%s: %s: %v", *model, mem.Name, err)
	}
	clean := progress.New(stderr, *quiet, test.Len(), "clean pass, images")
	eng, err := mc.NewEngineWith(q, mem.WidthBits, test, mc.EngineOptions{Protection: mem.Protection, OnClean: func(n, _ int) { clean.Set(n) }})
	clean.Finish()
	if errors.Is(err, mc.ErrProtection) {
		return inputErrf("%s: %v", *model, err)
	}
	if err != nil {
		return err
	}
	var rs []evalResult
	for _, ber := range bers {
		bar := progress.New(stderr, *quiet, opt.Trials, fmt.Sprintf("BER %g, trials", ber))
		opt.Key, opt.OnTrial = seed.Float(ber), func(int) { bar.Add(1) }
		s, err := eng.Run(ctx, ber, opt)
		bar.Finish()
		if err != nil {
			return err
		}
		flips := 0
		for _, f := range s.Flips {
			flips += f
		}
		rs = append(rs, evalResult{Model: *model, Arch: q.Net.Arch(), Method: info.Config().Label(), Bits: q.Cfg.Bits, Dataset: test.Name,
			TestImages: test.Len(), WordBits: mem.WidthBits, Protection: mem.Protection.Label(), MemoryBits: s.MemoryBits, BER: ber, Seed: *seedV,
			CleanAcc: s.CleanAcc, Stats: s.Stats, MeanFlips: float64(flips) / float64(s.Trials), Accs: s.Accs, FloatWeights: floatWeights(q), Checkpoint: info})
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if len(rs) == 1 {
			return enc.Encode(rs[0])
		}
		return enc.Encode(rs)
	}
	r := rs[0]
	fmt.Fprintf(stdout, "%s: %s %s %d-bit on %s (%d images)\n", r.Model, r.Arch, r.Method, r.Bits, r.Dataset, r.TestImages)
	if info.Source != "" {
		fmt.Fprintf(stdout, "imported from: %s\n", info.Source)
	}
	if len(r.FloatWeights) > 0 {
		fmt.Fprintf(stdout, "float weights (not quantized, not in the weight memory, never faulted): %s\n", strings.Join(r.FloatWeights, ", "))
	}
	if info.Command != "" {
		fmt.Fprintf(stdout, "trained by: %s\n", info.Command)
		fmt.Fprintf(stdout, "training:   %d epochs (best validation %.2f%% at epoch %d), %.0f s; test accuracy %.2f%% at save\n",
			info.EpochsRun, info.ValidAcc, info.BestEpoch, info.TrainSeconds, info.TestAcc)
	}
	for i, r := range rs {
		fmt.Fprintf(stdout, "weight memory: %d bits in %d-bit words (protection %s); BER %g → %.1f flipped bits per trial on average\n", r.MemoryBits, r.WordBits, r.Protection, r.BER, r.MeanFlips)
		if i == 0 {
			fmt.Fprintf(stdout, "clean accuracy      %.2f%%\n", r.CleanAcc)
			fmt.Fprintf(stdout, "protocol            %s, %d images per trial\n", r.Protocol, r.Images)
		}
		fmt.Fprintf(stdout, "accuracy (%d trials) mean %.2f%%  std %.2f  min %.2f  max %.2f  95%% CI [%.2f, %.2f]\n",
			r.Trials, r.AccMean, r.AccStd, r.AccMin, r.AccMax, r.CILow, r.CIHigh)
	}
	return nil
}

// parseBERs reads a comma-separated list of distinct bit error rates in
// [0, 0.5].
func parseBERs(list string) ([]float64, error) {
	var out []float64
	seen := map[float64]bool{}
	for _, f := range strings.Split(list, ",") {
		p, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", f)
		}
		if !(p >= 0 && p <= sram.BERSaturation) {
			return nil, fmt.Errorf("rate %g: want 0..%g", p, sram.BERSaturation)
		}
		if seen[p] {
			return nil, fmt.Errorf("rate %g appears twice", p)
		}
		seen[p] = true
		out = append(out, p)
	}
	return out, nil
}
