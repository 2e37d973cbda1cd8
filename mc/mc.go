// Package mc estimates the accuracy of a quantized network whose weights sit
// in a faulty SRAM, by Monte Carlo over fault realisations
// (wcat-semantics.md §2.1, the reference protocol): one trial stores every
// quantized weight tensor's b-bit two's-complement codes in an sram.Memory
// (packed into words of the weight memory's width), flips every physical bit
// independently with probability p, reads the codes back, dequantizes them
// with the layer's clean step, and scores the whole evaluation set with that
// single noisy network. The summary reports the mean, the population
// standard deviation (ddof 0, as the reference), the minimum and maximum of
// the trial accuracies, and a 95% Student-t confidence interval of the mean.
//
// Randomness: trial t of a point draws its flips from
// seed.Stream(Seed, Key, t), so results are identical for any number of
// workers. A trial that draws no flips reuses the clean accuracy, computed
// once.
package mc

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"cosim/dnn"
	"cosim/internal/seed"
	"cosim/sram"
	"cosim/wcat"
)

// Options controls a Monte Carlo estimate.
type Options struct {
	Trials int
	Seed   uint64
	// Key identifies the operating point (for example the voltage's bits), so
	// that different points draw different fault realisations.
	Key uint64
	// Workers runs trials in parallel; 0 means GOMAXPROCS.
	Workers int
	// Batch is the evaluation batch size (default 1000).
	Batch int
}

// Summary is the outcome of a Monte Carlo estimate at one bit error rate.
// Accuracies are in percent.
type Summary struct {
	BER            float64
	Trials         int
	Accs           []float64
	Flips          []int // flipped bits per trial
	Mean, Std      float64
	Min, Max       float64
	CILow, CIHigh  float64
	CleanAcc       float64
	MemoryBits     int
	ZeroFlipTrials int
}

// Engine evaluates one quantized model under faults. It holds the clean
// codes packed into the weight memory and the clean accuracy.
type Engine struct {
	model    *wcat.Model
	data     *dnn.Dataset
	mem      *sram.Memory
	batch    int
	cleanAcc float64
}

// NewEngine packs m's clean codes into a memory of wordBits-bit words and
// scores the clean network on data.
func NewEngine(m *wcat.Model, wordBits int, data *dnn.Dataset, batch int) (*Engine, error) {
	if batch <= 0 {
		batch = 1000
	}
	if data.Len() == 0 {
		return nil, fmt.Errorf("mc: evaluation set %s is empty", data.Name)
	}
	mem, err := sram.NewMemory(m.Cfg.Bits, wordBits)
	if err != nil {
		return nil, fmt.Errorf("mc: %w", err)
	}
	m.Quantize(nil)
	for _, l := range m.Layers {
		if _, err := mem.Store(l.Codes); err != nil {
			return nil, fmt.Errorf("mc: storing %s: %w", l.W.Name, err)
		}
	}
	e := &Engine{model: m, data: data, mem: mem, batch: batch}
	e.cleanAcc = 100 * float64(dnn.Evaluate(m.Net, data, batch)) / float64(data.Len())
	return e, nil
}

// CleanAcc is the accuracy (percent) without faults.
func (e *Engine) CleanAcc() float64 { return e.cleanAcc }

// MemoryBits is the number of physical bits of the weight memory image.
func (e *Engine) MemoryBits() int { return e.mem.Bits() }

// worker is one goroutine's private network and buffers.
type worker struct {
	net   dnn.Model
	ws    []*dnn.Param
	codes [][]int32
	eff   [][]float32
}

func (e *Engine) newWorker() *worker {
	w := &worker{net: e.model.Net.Clone()}
	w.ws = e.model.LayerParams(w.net)
	for _, p := range w.ws {
		w.codes = append(w.codes, make([]int32, p.Len()))
		eff := make([]float32, p.Len())
		w.eff = append(w.eff, eff)
		p.SetEffective(eff)
	}
	return w
}

// trial runs one fault realisation and returns its accuracy and flip count.
func (e *Engine) trial(w *worker, p float64, opt Options, t int) (float64, int) {
	r := seed.Stream(opt.Seed, opt.Key, uint64(t))
	flips := sram.SampleFlips(r, e.mem.Bits(), p, nil)
	if len(flips) == 0 {
		return e.cleanAcc, 0
	}
	mem := e.mem.Clone()
	for _, b := range flips {
		mem.Flip(b)
	}
	for i, l := range e.model.Layers {
		mem.Load(i, w.codes[i])
		wcat.Dequantize(w.codes[i], l.Step, w.eff[i])
	}
	return 100 * float64(dnn.Evaluate(w.net, e.data, e.batch)) / float64(e.data.Len()), len(flips)
}

// Run estimates the accuracy at bit error rate p.
func (e *Engine) Run(ctx context.Context, p float64, opt Options) (Summary, error) {
	if opt.Trials < 1 {
		return Summary{}, fmt.Errorf("mc: trials = %d, want ≥ 1", opt.Trials)
	}
	if !(p >= 0 && p <= 1) {
		return Summary{}, fmt.Errorf("mc: bit error rate %g outside [0, 1]", p)
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, opt.Trials)
	s := Summary{BER: p, Trials: opt.Trials, Accs: make([]float64, opt.Trials), Flips: make([]int, opt.Trials),
		CleanAcc: e.cleanAcc, MemoryBits: e.mem.Bits()}
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var w *worker
			for t := range next {
				if w == nil {
					w = e.newWorker()
				}
				s.Accs[t], s.Flips[t] = e.trial(w, p, opt, t)
			}
		}()
	}
	var err error
	for t := 0; t < opt.Trials; t++ {
		if err = ctx.Err(); err != nil {
			break
		}
		next <- t
	}
	close(next)
	wg.Wait()
	if err != nil {
		return Summary{}, err
	}
	for _, f := range s.Flips {
		if f == 0 {
			s.ZeroFlipTrials++
		}
	}
	s.summarise()
	return s, nil
}

// summarise fills mean, population std, min, max and the 95% CI.
func (s *Summary) summarise() {
	s.Mean, s.Std = stat.PopMeanStdDev(s.Accs, nil)
	s.Min, s.Max = s.Accs[0], s.Accs[0]
	for _, a := range s.Accs {
		s.Min, s.Max = math.Min(s.Min, a), math.Max(s.Max, a)
	}
	if s.ZeroFlipTrials == s.Trials {
		s.CILow, s.CIHigh = s.Mean, s.Mean // no fault was drawn: exact
		return
	}
	s.CILow, s.CIHigh = MeanCI(s.Accs, 0.95)
}

// MeanCI is the two-sided Student-t confidence interval of the mean of xs at
// the given level, clipped to [0, 100] (accuracies in percent). With one
// sample and nonzero spread unknown, it is the whole range [0, 100]; with
// identical samples it has zero width.
func MeanCI(xs []float64, level float64) (lo, hi float64) {
	n := len(xs)
	mean := stat.Mean(xs, nil)
	if n < 2 {
		return 0, 100
	}
	sd := stat.StdDev(xs, nil)
	if sd == 0 {
		return mean, mean
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.5 + level/2)
	h := t * sd / math.Sqrt(float64(n))
	return math.Max(0, mean-h), math.Min(100, mean+h)
}
