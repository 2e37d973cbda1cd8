// Command cosim-bench measures cosim's throughput figures and prints one per
// line as `name: value unit` (the output of `make bench`):
//
//	fma-peak-gflops                fp32 fused multiply-add peak, all cores (kernels.PeakGFLOPS)
//	fma-peak-gflops-1core          the same on one core
//	gemm-gflops                    kernels.Gemm over CIFAR ResNet-20's im2col GEMM shapes, all cores
//	gemm-pct-of-peak               gemm-gflops / fma-peak-gflops
//	resnet20-mc-images-per-s       Monte Carlo at BER 1e-3 (reference protocol: every trial on 10,000 images), all cores
//	resnet20-mc-images-per-s-1core the same with GOMAXPROCS=1
//	resnet20-train-images-per-s    training forward + backward at batch 256, all cores
//	resnet56-eval-peak-rss-mib     peak RSS of a child process evaluating ResNet-56 on 10,000 images
//	sweep-resnet20-51pts-seconds   `cosim sweep` of a trained ResNet-20 over 51 voltages 0.30–0.80 V
//	                               with the default adaptive Monte Carlo (±0.5-point CI) on the CIFAR-10 test set
//
// The Monte Carlo and RSS figures use the shipped WCAT ResNet-20 and the
// CIFAR-10 test set when both are at hand (--model, --data), and otherwise
// a freshly initialised network on 10,000 random images, which costs the
// same arithmetic. The sweep needs both and is skipped, with a note on
// stderr, without them.
package main

import (
	"bufio"
	"context"
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
	rssChild := flag.Bool("rss-child", false, "internal: evaluate ResNet-56 on 10,000 images and print the peak RSS")
	only := flag.String("only", "", "measure only the figures whose names start with this prefix")
	flag.Parse()
	want := func(name string) bool { return strings.HasPrefix(name, *only) }
	if *rssChild {
		if err := resnet56Eval(); err != nil {
			fail(err)
		}
		return
	}
	fmt.Fprintf(os.Stderr, "cosim-bench: kernels %s, %d cores (GOMAXPROCS)\n", kernels.Impl(), runtime.GOMAXPROCS(0))
	if want("fma") || want("gemm") {
		peak := bestOf(3, func() float64 { return kernels.PeakGFLOPS(300*time.Millisecond, runtime.GOMAXPROCS(0)) })
		line("fma-peak-gflops", peak, "GFLOPS")
		line("fma-peak-gflops-1core", bestOf(3, func() float64 { return kernels.PeakGFLOPS(300*time.Millisecond, 1) }), "GFLOPS")
		g := gemmGFLOPS()
		line("gemm-gflops", g, "GFLOPS")
		line("gemm-pct-of-peak", 100*g/peak, "%")
	}
	if want("resnet20-mc") {
		q, test := mcSetup(*model, *dataDir)
		for _, procs := range []int{runtime.GOMAXPROCS(0), 1} {
			name := "resnet20-mc-images-per-s"
			if procs == 1 {
				name += "-1core"
			}
			v, err := mcImagesPerS(q, test, procs)
			if err != nil {
				fail(err)
			}
			line(name, v, "img/s")
		}
	}
	if want("resnet20-train") {
		line("resnet20-train-images-per-s", trainImagesPerS(), "img/s")
	}
	if want("resnet56") {
		rss, err := childRSS()
		if err != nil {
			fail(err)
		}
		line("resnet56-eval-peak-rss-mib", rss, "MiB")
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

// mcImagesPerS runs reference-protocol trials at BER 1e-3 (four per core,
// each on every image) and returns images scored per second.
func mcImagesPerS(q *wcat.Model, test *dnn.Dataset, procs int) (float64, error) {
	prev := runtime.GOMAXPROCS(procs)
	defer runtime.GOMAXPROCS(prev)
	e, err := mc.NewEngine(q, 64, test, 0)
	if err != nil {
		return 0, err
	}
	trials := 4 * procs
	start := time.Now()
	s, err := e.Run(context.Background(), 1e-3, mc.Options{Protocol: mc.ProtocolReference, Trials: trials, Seed: 1, Workers: procs})
	if err != nil {
		return 0, err
	}
	return float64(s.Trials*s.Images) / time.Since(start).Seconds(), nil
}

// trainImagesPerS times training steps (forward, loss, backward) of a
// ResNet-20 at batch 256 for about five seconds.
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
	step := func() {
		dnn.ZeroGrads(m)
		logits := m.Forward(x, n, true)
		dnn.SoftmaxCrossEntropy(logits, labels, 10, dl)
		m.Backward(dl)
	}
	step()
	steps := 0
	start := time.Now()
	for time.Since(start) < 5*time.Second {
		step()
		steps++
	}
	return float64(steps*n) / time.Since(start).Seconds()
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
