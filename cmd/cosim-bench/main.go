// Command cosim-bench measures cosim's throughput figures and prints one per
// line as `name: value unit` (the output of `make bench`), value a decimal
// number:
//
//	kernel-vector-bits                vector width of the kernel path in use:
//	                                  512 (avx512), 256 (avx2), 32 (generic)
//	fma-peak-gflops                   fp32 fused multiply-add peak, all cores (kernels.PeakGFLOPS)
//	fma-peak-gflops-1core             the same on one core
//	gemm-gflops                       kernels.Gemm over CIFAR ResNet-20's im2col GEMM shapes, all cores
//	gemm-pct-of-peak                  gemm-gflops / fma-peak-gflops
//	resnet20-mc-images-per-s          Monte Carlo at BER 1e-3 (reference protocol: every trial on
//	                                  10,000 images), all cores, four trials per core
//	resnet20-mc-images-per-s-1core    the same with GOMAXPROCS=1
//	resnet20-mc-images-per-s-generic  the same on all cores with the plain-Go kernels
//	                                  (kernels.Use("generic"), then back), two trials per core
//	                                  on the first 2,000 images
//	resnet20-mc-speedup-vs-torch      resnet20-mc-images-per-s / torch-resnet20-mc-images-per-s (x)
//	resnet20-train-images-per-s       training steps at batch 256, all cores: forward, cross-entropy,
//	                                  backward and the update of real training (wcat.SGD, lr 0.1,
//	                                  Nesterov momentum 0.9, weight decay 5e-4), float32 weights
//	resnet20-train-speedup-vs-torch   resnet20-train-images-per-s / torch-resnet20-train-images-per-s (x)
//	torch-resnet20-mc-images-per-s    PyTorch's Monte Carlo trial of the same network
//	                                  (tools/torchbench/resnet20_bench.py): 4-bit codes of all 22
//	                                  weight tensors, every bit flipped with probability 1e-3,
//	                                  dequantized and loaded, then eval-mode inference of as many
//	                                  (random) images as cosim's at batch 500 under no_grad; fault
//	                                  sampling included; two trials after a warm-up
//	torch-resnet20-train-images-per-s PyTorch's training step: forward, cross-entropy, backward and
//	                                  the same SGD update at batch 256, about five seconds
//	resnet56-eval-peak-rss-mib        peak RSS of a child process evaluating ResNet-56 on 10,000 images
//	sweep-resnet20-51pts-seconds      `cosim sweep` of a trained ResNet-20 over 51 voltages 0.30–0.80 V
//	                                  with the default adaptive Monte Carlo (±0.5-point CI) on the
//	                                  CIFAR-10 test set
//	resnet20-bfa-trial-seconds        one whole BFA trial (the WCAT authors' settings, attack.Preset
//	                                  "wcat") on the trained WCAT ResNet-20 and CIFAR-10, all cores
//
// The kernel path's name is not a number, so it is not a figure of its own:
// it is named on stderr (with the paths available) at the start of every
// run, and kernel-vector-bits carries it on stdout in the `name: value unit`
// form.
//
// The Monte Carlo and RSS figures use the shipped WCAT ResNet-20 and the
// CIFAR-10 test set when both are at hand (--model, --data), and otherwise
// a freshly initialised network on 10,000 random images, which costs the
// same arithmetic. The sweep needs both and is skipped, with a note on
// stderr, without them.
//
// The torch figures run the script --torch-script as a child process, after
// cosim's own figures so that the two never share the cores, with
// --threads = GOMAXPROCS (and one inter-op thread). The interpreter is
// $COSIM_PYTHON when set, otherwise the first of python3 (on PATH) and
// /usr/bin/python3 (Debian's python3-torch) that can import torch; without
// one the torch figures and the speedups are skipped with a note on stderr.
// When cosim's kernel path is avx2 (COSIM_KERNELS=avx2, e.g. emulating an
// AVX2-only machine on an AVX-512 one) the child gets ATEN_CPU_CAPABILITY=avx2,
// DNNL_MAX_CPU_ISA=AVX2 and ONEDNN_MAX_CPU_ISA=AVX2 so that both sides use the
// same instruction set; otherwise torch runs unrestricted.
//
// --only PREFIX measures the figures whose names start with PREFIX and the
// figures they are computed from (a speedup needs both of its rates), and
// prints all of those. For example --only resnet20-mc gives cosim's three
// Monte Carlo rates, torch's and the speedup; --only torch gives just the
// two torch rates; --only resnet20-mc-speedup gives the speedup with its two
// rates.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"cosim/attack"
	"cosim/dnn"
	"cosim/dnn/kernels"
	"cosim/internal/seed"
	"cosim/mc"
	"cosim/wcat"
)

func main() {
	dataDir := flag.String("data", "../shared/data/cifar10", "CIFAR-10 directory (optional)")
	model := flag.String("model", "models/resnet20-4bit-wcat.ckpt", "trained ResNet-20 checkpoint (optional)")
	cosimBin := flag.String("cosim", "bin/cosim", "cosim binary for the sweep figure")
	torchScript := flag.String("torch-script", "tools/torchbench/resnet20_bench.py", "PyTorch anchor script for the torch figures")
	rssChild := flag.Bool("rss-child", false, "internal: evaluate ResNet-56 on 10,000 images and print the peak RSS")
	only := flag.String("only", "", "measure only the figures whose names start with this prefix (and those they are computed from)")
	flag.Parse()
	want := func(name string) bool { return strings.HasPrefix(name, *only) }
	if *rssChild {
		if err := resnet56Eval(); err != nil {
			fail(err)
		}
		return
	}
	procs := runtime.GOMAXPROCS(0)
	fmt.Fprintf(os.Stderr, "cosim-bench: kernels %s (available: %s), %d cores (GOMAXPROCS)\n",
		kernels.Impl(), strings.Join(kernels.Available(), ", "), procs)
	if want("kernel-vector-bits") {
		if bits, ok := vectorBits[kernels.Impl()]; ok {
			fmt.Printf("kernel-vector-bits: %d bits\n", bits)
		}
	}
	if want("fma") || want("gemm") {
		peak := bestOf(3, func() float64 { return kernels.PeakGFLOPS(300*time.Millisecond, procs) })
		line("fma-peak-gflops", peak, "GFLOPS")
		line("fma-peak-gflops-1core", bestOf(3, func() float64 { return kernels.PeakGFLOPS(300*time.Millisecond, 1) }), "GFLOPS")
		g := gemmGFLOPS()
		line("gemm-gflops", g, "GFLOPS")
		line("gemm-pct-of-peak", 100*g/peak, "%")
	}

	// Which of the Monte Carlo, training and torch figures to measure: the
	// ones asked for and the rates a wanted speedup is computed from.
	const (
		mcName, trainName           = "resnet20-mc-images-per-s", "resnet20-train-images-per-s"
		mcSpeedName, trainSpeedName = "resnet20-mc-speedup-vs-torch", "resnet20-train-speedup-vs-torch"
		torchMCName, torchTrainName = "torch-resnet20-mc-images-per-s", "torch-resnet20-train-images-per-s"
	)
	doMC := want(mcName) || want(mcSpeedName)
	doMC1 := want(mcName + "-1core")
	doMCGeneric := want(mcName + "-generic")
	doTrain := want(trainName) || want(trainSpeedName)
	doTorchMC := want(torchMCName) || want(mcSpeedName)
	doTorchTrain := want(torchTrainName) || want(trainSpeedName)

	var q *wcat.Model
	var test *dnn.Dataset
	if doMC || doMC1 || doMCGeneric {
		q, test = mcSetup(*model, *dataDir)
	}
	var mcRate, trainRate float64
	if doMC {
		v, err := mcImagesPerS(q, test, procs, 4)
		if err != nil {
			fail(err)
		}
		mcRate = v
		line(mcName, v, "img/s")
	}
	if doMC1 {
		v, err := mcImagesPerS(q, test, 1, 4)
		if err != nil {
			fail(err)
		}
		line(mcName+"-1core", v, "img/s")
	}
	if doMCGeneric {
		v, err := mcGenericImagesPerS(q, test, procs)
		if err != nil {
			fail(err)
		}
		line(mcName+"-generic", v, "img/s")
	}
	if doTrain {
		trainRate = trainImagesPerS()
		line(trainName, trainRate, "img/s")
	}
	if doTorchMC || doTorchTrain {
		n := 10000 // CIFAR-10's test set and the random stand-in alike
		if test != nil {
			n = test.Len()
		}
		tr, err := torchBench(*torchScript, procs, doTorchMC, doTorchTrain, n)
		switch {
		case errors.Is(err, errSkipped):
			fmt.Fprintln(os.Stderr, "cosim-bench: torch figures skipped:", strings.TrimPrefix(err.Error(), errSkipped.Error()+": "))
		case err != nil:
			fail(err)
		default:
			if doTorchMC {
				line(torchMCName, tr.MC.ImagesPerS, "img/s")
			}
			if doTorchTrain {
				line(torchTrainName, tr.Train.ImagesPerS, "img/s")
			}
			if doMC && doTorchMC {
				line(mcSpeedName, mcRate/tr.MC.ImagesPerS, "x")
			}
			if doTrain && doTorchTrain {
				line(trainSpeedName, trainRate/tr.Train.ImagesPerS, "x")
			}
		}
	}

	if want("resnet56") {
		rss, err := childRSS()
		if err != nil {
			fail(err)
		}
		line("resnet56-eval-peak-rss-mib", rss, "MiB")
	}
	if want("resnet20-bfa") {
		secs, err := bfaTrialSeconds(*model, *dataDir)
		switch {
		case errors.Is(err, errSkipped):
			fmt.Fprintln(os.Stderr, "cosim-bench: resnet20-bfa-trial-seconds skipped:", err)
		case err != nil:
			fail(err)
		default:
			line("resnet20-bfa-trial-seconds", secs, "s")
		}
	}
	if want("sweep") {
		secs, err := sweepSeconds(*cosimBin, *model, *dataDir)
		switch {
		case errors.Is(err, errSkipped):
			fmt.Fprintln(os.Stderr, "cosim-bench: sweep-resnet20-51pts-seconds skipped:", err)
		case err != nil:
			fail(err)
		default:
			line("sweep-resnet20-51pts-seconds", secs, "s")
		}
	}
}

// vectorBits is the vector width of each kernel path, for kernel-vector-bits.
var vectorBits = map[string]int{"avx512": 512, "avx2": 256, "generic": 32}

var errSkipped = errors.New("skipped")

func line(name string, v float64, unit string) {
	prec := 0
	if v < 100 {
		prec = 1
	}
	fmt.Printf("%s: %.*f %s\n", name, prec, v, unit)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "cosim-bench:", err)
	os.Exit(1)
}

func bestOf(n int, f func() float64) float64 {
	best := 0.0
	for range n {
		best = max(best, f())
	}
	return best
}

// gemmShapes are the im2col GEMMs (M = output channels, K = C·R·S,
// N = batch·P·Q) of CIFAR ResNet-20 at batch 64, and its classifier.
var gemmShapes = []struct{ m, k, n int }{
	{16, 27, 65536}, {16, 144, 65536}, {32, 144, 16384}, {32, 288, 16384},
	{64, 288, 4096}, {64, 576, 4096}, {32, 16, 16384}, {64, 32, 4096}, {10, 64, 64},
}

// gemmGFLOPS runs every shape for about a second in total and returns the
// overall rate.
func gemmGFLOPS() float64 {
	r := seed.Stream(3)
	flops, secs := 0.0, 0.0
	for _, s := range gemmShapes {
		a, b, c := randSlice(r, s.m*s.k), randSlice(r, s.k*s.n), make([]float32, s.m*s.n)
		kernels.Gemm(s.m, s.n, s.k, a, s.k, b, s.n, c, s.n, false)
		reps := 0
		start := time.Now()
		for time.Since(start) < 120*time.Millisecond {
			kernels.Gemm(s.m, s.n, s.k, a, s.k, b, s.n, c, s.n, false)
			reps++
		}
		secs += time.Since(start).Seconds()
		flops += 2 * float64(s.m*s.n*s.k) * float64(reps)
	}
	return flops / secs / 1e9
}

func randSlice(r interface{ Float32() float32 }, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = 2*r.Float32() - 1
	}
	return v
}

// mcSetup returns the trained ResNet-20 and the CIFAR-10 test set, or a
// freshly initialised 4-bit WCAT ResNet-20 and 10,000 random images.
func mcSetup(model, dataDir string) (*wcat.Model, *dnn.Dataset) {
	if q, _, err := wcat.Load(model); err == nil {
		if _, test, err := dnn.LoadCIFAR10(dataDir); err == nil {
			fmt.Fprintf(os.Stderr, "cosim-bench: Monte Carlo on %s and the CIFAR-10 test set\n", model)
			return q, test
		}
	}
	fmt.Fprintln(os.Stderr, "cosim-bench: Monte Carlo on a fresh ResNet-20 and 10,000 random images (no trained model or CIFAR-10)")
	return freshModel(20), randomImages(10000)
}

func freshModel(depth int) *wcat.Model {
	q, err := wcat.New(dnn.NewResNetCIFAR(depth, 10, seed.Stream(11)), wcat.Config{Method: wcat.WCAT, Bits: 4, Grid: wcat.GridReference})
	if err != nil {
		fail(err)
	}
	if err := q.InitRanges(wcat.InitMaxAbs, 0); err != nil {
		fail(err)
	}
	return q
}

func randomImages(n int) *dnn.Dataset {
	r := seed.Stream(12)
	d := &dnn.Dataset{Name: "random", C: 3, H: 32, W: 32, Classes: 10,
		Mean: []float32{0.49, 0.48, 0.45}, Std: []float32{0.25, 0.24, 0.26},
		Pixels: make([]uint8, n*3*32*32), Labels: make([]uint8, n)}
	for i := range d.Pixels {
		d.Pixels[i] = uint8(r.IntN(256))
	}
	for i := range d.Labels {
		d.Labels[i] = uint8(i % 10)
	}
	return d
}

// mcImagesPerS runs reference-protocol trials at BER 1e-3 (perCore per
// core, each on every image) on the kernel path in use and returns images
// scored per second. Building the engine (compiling the network, scoring it
// without faults) is not timed.
func mcImagesPerS(q *wcat.Model, test *dnn.Dataset, procs, perCore int) (float64, error) {
	prev := runtime.GOMAXPROCS(procs)
	defer runtime.GOMAXPROCS(prev)
	e, err := mc.NewEngine(q, 64, test, 0)
	if err != nil {
		return 0, err
	}
	trials := perCore * procs
	start := time.Now()
	s, err := e.Run(context.Background(), 1e-3, mc.Options{Protocol: mc.ProtocolReference, Trials: trials, Seed: 1, Workers: procs})
	if err != nil {
		return 0, err
	}
	return float64(s.Trials*s.Images) / time.Since(start).Seconds(), nil
}

// mcGenericImagesPerS is mcImagesPerS on all cores with the plain-Go
// kernels, two trials per core on the first 2,000 images (the work per
// image is the same, and the whole set would take many minutes). The engine
// is built under the generic path too, since the Winograd panels it packs
// are laid out for the path current at packing time. The previous path is
// restored afterwards.
func mcGenericImagesPerS(q *wcat.Model, test *dnn.Dataset, procs int) (float64, error) {
	if n := 2000; test.Len() > n {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		test = test.Subset(test.Name+" (first 2000)", idx)
	}
	prev := kernels.Impl()
	if err := kernels.Use("generic"); err != nil {
		return 0, err
	}
	defer func() {
		if err := kernels.Use(prev); err != nil {
			fail(err)
		}
	}()
	return mcImagesPerS(q, test, procs, 2)
}

// trainImagesPerS times training steps of a float32 ResNet-20 at batch 256
// for about five seconds: forward, softmax cross-entropy, backward and the
// optimiser step of real training (wcat.SGD with the CIFAR recipe's lr 0.1,
// Nesterov momentum 0.9 and weight decay 5e-4), as the torch figure does.
func trainImagesPerS() float64 {
	const n = 256
	m := dnn.NewResNetCIFAR(20, 10, seed.Stream(13))
	d := randomImages(n)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	x, labels := d.Batch(idx, nil, nil, nil)
	dl := make([]float32, n*10)
	r := wcat.CIFARRecipe()
	opt := wcat.SGD{Momentum: r.Momentum, Nesterov: r.Nesterov}
	params := m.Params()
	decay := func(*dnn.Param) float64 { return r.WeightDecay }
	step := func() {
		dnn.ZeroGrads(m)
		logits := m.Forward(x, n, true)
		dnn.SoftmaxCrossEntropy(logits, labels, 10, dl)
		m.Backward(dl)
		opt.Step(params, r.LR, decay)
	}
	step()
	step() // the first step allocates the momentum buffers
	steps := 0
	start := time.Now()
	for time.Since(start) < 5*time.Second {
		step()
		steps++
	}
	return float64(steps*n) / time.Since(start).Seconds()
}

// torchResult is the JSON that tools/torchbench/resnet20_bench.py prints.
type torchResult struct {
	Torch         string            `json:"torch"`
	Threads       int               `json:"threads"`
	CPUCapability string            `json:"cpu_capability"`
	Env           map[string]string `json:"env"`
	MC            *struct {
		ImagesPerS float64   `json:"images_per_s"`
		Trials     int       `json:"trials"`
		Images     int       `json:"images"`
		Flips      []int     `json:"flips_per_trial"`
		Accuracy   []float64 `json:"accuracy"`
	} `json:"mc"`
	Train *struct {
		ImagesPerS float64 `json:"images_per_s"`
		Steps      int     `json:"steps"`
	} `json:"train"`
}

// torchTrials is the number of timed Monte Carlo trials of the torch child
// (each on every image, after a warm-up on two batches).
const torchTrials = 2

// torchBench runs the PyTorch anchor script with threads intra-op threads
// for the Monte Carlo figure (on images images) and/or the training figure. It returns an error wrapping
// errSkipped when there is no script or no Python with torch.
func torchBench(script string, threads int, doMC, doTrain bool, images int) (*torchResult, error) {
	if _, err := os.Stat(script); err != nil {
		return nil, fmt.Errorf("%w: no PyTorch anchor script %s (--torch-script)", errSkipped, script)
	}
	python, err := findTorch()
	if err != nil {
		return nil, err
	}
	var what []string
	if doMC {
		what = append(what, "mc")
	}
	if doTrain {
		what = append(what, "train")
	}
	args := []string{script, "--threads", strconv.Itoa(threads), "--what", strings.Join(what, ","),
		"--batch", "500", "--trials", strconv.Itoa(torchTrials), "--ber", "1e-3",
		"--train-batch", "256", "--train-seconds", "5", "--images", strconv.Itoa(images)}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, args...)
	cmd.Env = os.Environ()
	if kernels.Impl() == "avx2" {
		// the same instruction set on both sides
		cmd.Env = append(cmd.Env, "ATEN_CPU_CAPABILITY=avx2", "DNNL_MAX_CPU_ISA=AVX2", "ONEDNN_MAX_CPU_ISA=AVX2")
	}
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", python, script, err)
	}
	var r torchResult
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("%s printed %q: %w", script, out, err)
	}
	if (doMC && (r.MC == nil || !(r.MC.ImagesPerS > 0))) || (doTrain && (r.Train == nil || !(r.Train.ImagesPerS > 0))) {
		return nil, fmt.Errorf("%s printed no rate for %s: %q", script, strings.Join(what, ","), out)
	}
	fmt.Fprintf(os.Stderr, "cosim-bench: torch %s (%s), %d threads, CPU capability %s", r.Torch, python, r.Threads, r.CPUCapability)
	for _, k := range []string{"ATEN_CPU_CAPABILITY", "DNNL_MAX_CPU_ISA", "ONEDNN_MAX_CPU_ISA"} {
		if v, ok := r.Env[k]; ok {
			fmt.Fprintf(os.Stderr, ", %s=%s", k, v)
		}
	}
	if r.MC != nil {
		fmt.Fprintf(os.Stderr, "; Monte Carlo %d trials × %d images, flips %v, accuracy %v", r.MC.Trials, r.MC.Images, r.MC.Flips, r.MC.Accuracy)
	}
	fmt.Fprintln(os.Stderr)
	return &r, nil
}

// findTorch returns a Python interpreter that can import torch:
// $COSIM_PYTHON when set, otherwise the first of python3 and
// /usr/bin/python3 that can.
func findTorch() (string, error) {
	candidates := []string{"python3", "/usr/bin/python3"}
	if p := os.Getenv("COSIM_PYTHON"); p != "" {
		candidates = []string{p}
	}
	var why []string
	for _, p := range candidates {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		out, err := exec.CommandContext(ctx, p, "-c", "import torch").CombinedOutput()
		cancel()
		if err == nil {
			return p, nil
		}
		msg := strings.TrimSpace(string(out))
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:]
		}
		if msg == "" {
			msg = err.Error()
		}
		why = append(why, fmt.Sprintf("%s: %s", p, msg))
	}
	return "", fmt.Errorf("%w: no Python that can import torch (%s); apt-get install python3-torch or set COSIM_PYTHON",
		errSkipped, strings.Join(why, "; "))
}

// resnet56Eval is the child process: the eval path (mc.NewEngine scores the
// clean network on every image, then one fault trial) for a 4-bit ResNet-56
// on 10,000 images, then the peak RSS.
func resnet56Eval() error {
	e, err := mc.NewEngine(freshModel(56), 64, randomImages(10000), 0)
	if err != nil {
		return err
	}
	if _, err := e.Run(context.Background(), 1e-3, mc.Options{Protocol: mc.ProtocolReference, Trials: 1, Seed: 1}); err != nil {
		return err
	}
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			fmt.Println(strings.TrimSpace(v))
			return nil
		}
	}
	return errors.New("no VmHWM in /proc/self/status")
}

func childRSS() (float64, error) {
	out, err := exec.Command(os.Args[0], "-rss-child").Output()
	if err != nil {
		return 0, fmt.Errorf("ResNet-56 child: %w", err)
	}
	f := strings.Fields(string(out))
	if len(f) != 2 || f[1] != "kB" {
		return 0, fmt.Errorf("ResNet-56 child printed %q", out)
	}
	kb, err := strconv.ParseFloat(f[0], 64)
	return kb / 1024, err
}

// sweepSeconds times `cosim sweep` of the trained ResNet-20 over 51
// voltages with the default Monte Carlo settings.
func sweepSeconds(bin, model, dataDir string) (float64, error) {
	for _, p := range []string{model, filepath.Join(dataDir, "test_batch.bin.gz"), bin} {
		if _, err := os.Stat(p); err != nil {
			if _, err2 := os.Stat(strings.TrimSuffix(p, ".gz")); strings.HasSuffix(p, ".gz") && err2 == nil {
				continue
			}
			return 0, fmt.Errorf("%w: %s not found", errSkipped, p)
		}
	}
	out, err := os.MkdirTemp("", "cosim-bench-sweep")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(out)
	cmd := exec.Command(bin, "sweep", "--model", model, "--data", dataDir,
		"--vmin", "0.30", "--vmax", "0.80", "--vstep", "0.01", "--out", out)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("cosim sweep: %w", err)
	}
	return time.Since(start).Seconds(), nil
}

// bfaTrialSeconds times trial 0 of the WCAT authors' BFA on the trained
// ResNet-20 and the CIFAR-10 test set.
func bfaTrialSeconds(model, dataDir string) (float64, error) {
	q, _, err := wcat.Load(model)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", errSkipped, err)
	}
	_, test, err := dnn.LoadCIFAR10(dataDir)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", errSkipped, err)
	}
	s, err := attack.Preset("wcat", test.Classes)
	if err != nil {
		return 0, err
	}
	a, err := attack.New(attack.BFA, s, attack.Target{Name: filepath.Base(model), Model: q, Test: test})
	if err != nil {
		return 0, err
	}
	start := time.Now()
	tr, err := a.Run(context.Background(), 0, attack.Options{Seed: 1337})
	if err != nil {
		return 0, err
	}
	fmt.Fprintf(os.Stderr, "cosim-bench: BFA trial on %s: N_flip %d, %.2f%% → %.2f%%\n", model, tr.NFlip, tr.CleanPct, tr.FinalPct)
	return time.Since(start).Seconds(), nil
}
