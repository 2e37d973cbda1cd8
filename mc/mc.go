// Package mc estimates the accuracy of a quantized network whose weights sit
// in a faulty SRAM, by Monte Carlo over fault realisations.
//
// # Fault model
//
// One trial stores every quantized weight tensor's b-bit two's-complement
// codes in an sram.Memory (packed into words of the weight memory's width),
// flips every physical bit independently with probability p, reads the
// codes back and dequantizes them with the layer's clean step
// (docs/wcat-semantics.md §2.1). Trial t of a point draws its flips from
// seed.Stream(Seed, Key, t) — and, for the subset protocol, its images from
// seed.Stream(Seed, Key, t, 1) — so results never depend on the number of
// workers.
//
// Trials run on the compiled network (dnn.Inference) with the flips applied
// as sparse deltas: each flipped bit changes one code, which is
// dequantized and written into the engine, and the next trial undoes those
// changes — no per-trial copy of the memory or of the weights. The faulty
// weights are bit for bit those of the whole-memory path
// (EngineOptions.ModelForward), which is kept as the reference and the
// fallback.
//
// Chips (RunChips, Faults): instead of a fresh draw per point, trial c can be
// one chip (sram.Chip) scored at every bit error rate of a sweep on the same
// images, its failing bits nested as the rate grows; each rate still has
// exactly the i.i.d. marginal above.
//
// # Protocols
//
// The quantity estimated is μ = E_F[A(F)], the accuracy A on the whole
// evaluation set of N images averaged over fault realisations F.
//
// Reference (ProtocolReference, the authors' random_flip): every trial
// scores the whole set, Y_t = A(F_t); the summary is the mean, the population
// std (ddof 0), min and max of the Y_t and a Student-t CI of the mean.
//
// Subset (ProtocolSubset, the default): scoring all N images per trial
// removes only the small within-realisation variance (≈ 0.4 points at
// N = 10,000) while the variance between realisations (often 1–3 points) is
// what limits the CI, so trials are cheaper and more numerous. Trial t draws
// a stratified random subset S_t: n_c = round(n·N_c/N) images of class c
// without replacement (N_c images of class c in the set), and scores
//
//	Y_t = A_0 + Σ_c (N_c/N) · mean_{i∈S_t,c} (y_{t,i} − y_{0,i})
//
// where y_{t,i} ∈ {0,1} is the correctness of image i under F_t, y_{0,i} its
// correctness without faults and A_0 the clean accuracy on the whole set
// (computed once). Unbiasedness: given F_t, each class term is a simple
// random sample mean, so E[mean_{S_t,c} y_t − y_0 | F_t] = (1/N_c)Σ_{i∈c}
// (y_{t,i} − y_{0,i}), and Σ_c (N_c/N)(…) = A(F_t) − A_0; hence E[Y_t | F_t] =
// A(F_t) and E[Y_t] = μ. The clean term is a control variate: y_t − y_0 is
// zero wherever the faults do not change the prediction, so at low BER the
// subset noise nearly vanishes. Trials are i.i.d., so Var(Y_t) = Var_F(A(F))
// + E_F[Var(Y_t | F)] holds both sources of variance, and the sample variance
// s² of the Y_t estimates it without bias: the CI mean ± t_{0.975,T−1}·s/√T
// is honest for both. A trial whose flips change no weight (none drawn,
// all on padding bits, or all corrected by the memory's protection) runs
// the clean network, so Y_t = A_0 exactly in both protocols (its
// conditional expectation, so still unbiased); it is not scored again.
//
// # Adaptive stopping
//
// With CIHalfWidth > 0, a point stops at the first T ≥ MinTrials (in trial
// order) whose CI half-width is ≤ CIHalfWidth, or at Trials. Trials run in
// parallel, but the decision looks only at trials 0…T−1, so the result is
// the same for any number of workers. (A data-dependent stopping rule makes
// the nominal 95% coverage approximate; MinTrials guards the variance
// estimate.) Trial values of the subset protocol are clamped to [0, 100].
package mc

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"cosim/dnn"
	"cosim/ecc"
	"cosim/internal/enum"
	"cosim/internal/seed"
	"cosim/mc/accuracy"
	"cosim/sram"
	"cosim/wcat"
)

// Protocol selects how trials are scored.
type Protocol string

const (
	// ProtocolSubset scores each trial on a stratified random subset with a
	// clean-accuracy control variate (the default).
	ProtocolSubset Protocol = "subset"
	// ProtocolReference scores every trial on the whole evaluation set, as
	// the WCAT reference code does.
	ProtocolReference Protocol = "reference"
)

// ParseProtocol validates a protocol name.
func ParseProtocol(s string) (Protocol, error) {
	return enum.Parse("Monte Carlo protocol", s, ProtocolSubset, ProtocolReference)
}

// Options controls a Monte Carlo estimate.
type Options struct {
	Protocol Protocol // default DefaultProtocol
	// Trials is the (maximum) number of trials.
	Trials int
	// MinTrials is the least number of trials before adaptive stopping
	// (default 10, at most Trials).
	MinTrials int
	// CIHalfWidth is the target 95% CI half-width in accuracy points; 0
	// runs all Trials.
	CIHalfWidth float64
	// Subset is the number of images per trial of ProtocolSubset (default
	// 1000; the whole set if larger).
	Subset int
	Seed   uint64
	// Key identifies the operating point (for example the voltage's bits), so
	// that different points draw different fault realisations.
	Key uint64 `fingerprint:"-"`
	// Workers runs trials in parallel; 0 means GOMAXPROCS. Results do not
	// depend on it.
	Workers int `fingerprint:"-"`
	// OnTrial, if set, is called (from Run's goroutine) as each trial is
	// taken into the estimate, in trial order.
	OnTrial func(trial int) `fingerprint:"-"`
}

// Summary is the outcome of a Monte Carlo estimate at one bit error rate:
// the accuracy statistics (accuracy.Stats, percent) and the trials behind
// them.
type Summary struct {
	accuracy.Stats
	BER            float64
	Accs           []float64
	Flips          []int // flipped bits per trial
	CleanAcc       float64
	MemoryBits     int
	ZeroFlipTrials int
}

// Engine evaluates one quantized model under faults. It holds the clean
// codes packed into the weight memory, the clean accuracy and the clean
// per-image correctness.
type Engine struct {
	model    *wcat.Model
	data     *dnn.Dataset
	mem      *sram.Memory
	batch    int
	cleanAcc float64
	clean    []bool  // correctness of every image without faults
	all      []int   // 0 … N−1: the whole evaluation set
	classes  [][]int // image indices per class
	// inf is the compiled network (nil: the slow path through
	// Model.Forward) and tensor[i] the engine tensor of layer i.
	inf    *dnn.Inference
	tensor []int
	prot   *protection // nil: unprotected
}

// EngineOptions selects how an Engine evaluates the network.
type EngineOptions struct {
	// Batch is the number of images per forward pass (default 500 for
	// Model.Forward, 1024 for the compiled engine).
	Batch int
	// ModelForward evaluates every trial by installing the whole faulty
	// weight set into a clone of the training network and running
	// Model.Forward, instead of the compiled engine (dnn.Inference) with
	// the flips applied as sparse deltas. It is the slow, obviously
	// correct path the fast one is tested against, and the fallback for
	// networks dnn.Compile does not handle.
	ModelForward bool
	// Protection protects the weight memory (ecc.Protection; the zero
	// value is none): flips are drawn over its stored bits and every word
	// that received any is read through its decoder.
	Protection ecc.Protection
	// OnClean, if set, is called as the clean pass (the clean network
	// scored on the whole evaluation set, once per engine) goes: after each
	// batch, with the images scored so far of total.
	OnClean func(images, total int)
}

// NewEngine packs m's clean codes into a memory of wordBits-bit words and
// scores the clean network on data (in batches of batch images; 0 means the
// default), with the compiled engine when the network compiles.
func NewEngine(m *wcat.Model, wordBits int, data *dnn.Dataset, batch int) (*Engine, error) {
	return NewEngineWith(m, wordBits, data, EngineOptions{Batch: batch})
}

// NewEngineWith is NewEngine with options.
//
// The fast path (the default) compiles m.Net with its clean dequantized
// weights (dnn.Compile: batch norm folded, Winograd) and, per trial, turns
// every sampled flip into a change of one code (sram.Memory.Locate,
// sram.FlipBit), dequantizes that code with the layer's step exactly as
// wcat.Dequantize does and hands it to Inference.SetWeight; Reset undoes
// the trial's changes. The faulty effective weights are therefore bit for
// bit those of the slow path, and the work per trial beyond the forward
// passes is proportional to the number of flips. Clean correctness (the
// control variate of the subset protocol) is scored with the same engine,
// so the two terms share their rounding.
func NewEngineWith(m *wcat.Model, wordBits int, data *dnn.Dataset, opt EngineOptions) (*Engine, error) {
	if data.Len() == 0 {
		return nil, fmt.Errorf("mc: evaluation set %s is empty", data.Name)
	}
	if c, h, w := m.Net.InputShape(); c != data.C || h != data.H || w != data.W || m.Net.Classes() != data.Classes {
		return nil, fmt.Errorf("mc: %s takes %d×%d×%d inputs in %d classes, but %s has %d×%d×%d images in %d classes",
			m.Net.Arch(), c, h, w, m.Net.Classes(), data.Name, data.C, data.H, data.W, data.Classes)
	}
	mem, err := storeModel(m, wordBits)
	if err != nil {
		return nil, err
	}
	e := &Engine{model: m, data: data, mem: mem, batch: opt.Batch, classes: make([][]int, data.Classes)}
	if e.prot, err = newProtection(opt.Protection, mem, func(seg int) string { return m.Layers[seg].W.Name }); err != nil {
		return nil, err
	}
	if !opt.ModelForward {
		if err := e.compile(); err != nil {
			return nil, err
		}
	}
	if e.batch <= 0 {
		e.batch = 500
		if e.inf != nil {
			e.batch = 1024
		}
	}
	for i, l := range data.Labels {
		e.classes[l] = append(e.classes[l], i)
	}
	e.all = make([]int, data.Len())
	for i := range e.all {
		e.all[i] = i
	}
	e.clean = make([]bool, data.Len())
	w := &worker{net: m.Net, inf: e.inf}
	correct := 0
	for start := 0; start < len(e.all); start += e.batch {
		end := min(start+e.batch, len(e.all))
		correct += e.score(w, e.all[start:end], e.clean[start:end])
		if opt.OnClean != nil {
			opt.OnClean(end, len(e.all))
		}
	}
	e.cleanAcc = 100 * float64(correct) / float64(data.Len())
	if e.inf != nil {
		e.inf.SetThreads(1) // workers clone it; trials run in parallel
	}
	return e, nil
}

// compile builds the compiled engine of the clean network, or leaves e.inf
// nil when dnn.Compile does not handle the architecture.
func (e *Engine) compile() error {
	inf, err := dnn.Compile(e.model.Net)
	if errors.Is(err, dnn.ErrNotCompilable) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mc: %w", err)
	}
	for _, l := range e.model.Layers {
		i := inf.WeightIndex(l.W.Name)
		if i < 0 || inf.WeightLen(i) != len(l.Codes) {
			return fmt.Errorf("mc: compiled %s has no weight tensor %s of %d entries", e.model.Net.Arch(), l.W.Name, len(l.Codes))
		}
		e.tensor = append(e.tensor, i)
	}
	e.inf = inf
	return nil
}

// Compiled reports whether trials run on the compiled engine (the fast
// path) rather than through Model.Forward.
func (e *Engine) Compiled() bool { return e.inf != nil }

// CleanAcc is the accuracy (percent) without faults.
func (e *Engine) CleanAcc() float64 { return e.cleanAcc }

// MemoryBits is the number of physical bits of the weight memory image,
// check bits included.
func (e *Engine) MemoryBits() int { return e.storedBits() }

// worker is one goroutine's private network and buffers.
type worker struct {
	net     dnn.Model      // slow path
	inf     *dnn.Inference // fast path
	eff     [][]float32
	codes   [][]int32
	x       []float32
	labels  []uint8
	correct []bool
	changed [][2]int32 // fast path: (layer, index) of the codes a trial changed
}

func (e *Engine) newWorker() *worker {
	if e.inf != nil {
		w := &worker{inf: e.inf.Clone()}
		for _, l := range e.model.Layers {
			w.codes = append(w.codes, append([]int32(nil), l.Codes...))
		}
		return w
	}
	w := &worker{net: e.model.Net.Clone()}
	for _, p := range e.model.LayerParams(w.net) {
		eff := make([]float32, p.Len())
		w.eff = append(w.eff, eff)
		w.codes = append(w.codes, make([]int32, p.Len()))
		p.SetEffective(eff)
	}
	return w
}

// score evaluates images idx with w's network, writes each image's
// correctness into correct (indexed like idx) and returns the count.
func (e *Engine) score(w *worker, idx []int, correct []bool) int {
	classes := e.model.Net.Classes()
	n := 0
	for start := 0; start < len(idx); start += e.batch {
		part := idx[start:min(start+e.batch, len(idx))]
		w.x, w.labels = e.data.Batch(part, w.x, w.labels, nil)
		var logits []float32
		if w.inf != nil {
			logits = w.inf.Forward(w.x, len(part))
		} else {
			logits = w.net.Forward(w.x, len(part), false)
		}
		for i := range part {
			row := logits[i*classes : (i+1)*classes]
			best := 0
			for j, v := range row {
				if v > row[best] {
					best = j
				}
			}
			ok := best == int(w.labels[i])
			correct[start+i] = ok
			if ok {
				n++
			}
		}
	}
	return n
}

// install puts the faulty weights (clean memory with flips applied) into w
// and reports whether any weight differs from the clean one (a trial whose
// flips all fell on padding, or all were corrected, runs the clean network).
func (e *Engine) install(w *worker, flips []int) bool {
	if w.inf != nil {
		return e.installSparse(w, flips)
	}
	mem := e.mem.Clone()
	if e.prot == nil {
		for _, b := range flips {
			mem.Flip(b)
		}
	}
	for i := range e.model.Layers {
		mem.Load(i, w.codes[i])
	}
	changed := false
	if e.prot != nil {
		e.readProtected(flips, func(seg, j int, q int32) { w.codes[seg][j], changed = q, true })
	} else {
		for _, b := range flips {
			_, _, _, ok := e.mem.Locate(b)
			changed = changed || ok
		}
	}
	for i, l := range e.model.Layers {
		wcat.Dequantize(w.codes[i], l.Step, w.eff[i])
	}
	return changed
}

// installSparse restores w's compiled engine and codes to the clean state,
// applies flips as changes of single codes and reports whether any code
// changed.
func (e *Engine) installSparse(w *worker, flips []int) bool {
	w.inf.Reset()
	for _, c := range w.changed {
		w.codes[c[0]][c[1]] = e.model.Layers[c[0]].Codes[c[1]]
	}
	w.changed = w.changed[:0]
	var val [1]float32
	set := func(seg, j int, q int32) {
		codes := w.codes[seg]
		codes[j] = q
		w.changed = append(w.changed, [2]int32{int32(seg), int32(j)})
		wcat.Dequantize(codes[j:j+1], e.model.Layers[seg].Step, val[:])
		w.inf.SetWeight(e.tensor[seg], j, val[0])
	}
	if e.prot != nil {
		e.readProtected(flips, set)
		return len(w.changed) > 0
	}
	bits := e.mem.CodeBits()
	for _, b := range flips {
		seg, j, bit, ok := e.mem.Locate(b)
		if !ok {
			continue // padding bit: holds no weight
		}
		set(seg, j, sram.FlipBit(w.codes[seg][j], bit, bits))
	}
	return len(w.changed) > 0
}

// subset draws the stratified sample of trial t and returns it with the
// weight N_c/(N·n_c) of each drawn image's class.
func (e *Engine) subset(r interface{ IntN(int) int }, n int, idx []int, wt []float64) ([]int, []float64) {
	idx, wt = idx[:0], wt[:0]
	total := e.data.Len()
	for _, members := range e.classes {
		nc := int(math.Round(float64(n) * float64(len(members)) / float64(total)))
		nc = max(min(nc, len(members)), min(1, len(members)))
		pool := append([]int(nil), members...)
		for k := 0; k < nc; k++ { // partial Fisher–Yates
			j := k + r.IntN(len(pool)-k)
			pool[k], pool[j] = pool[j], pool[k]
			idx = append(idx, pool[k])
			wt = append(wt, float64(len(members))/float64(total)/float64(nc))
		}
	}
	return idx, wt
}

// trial runs trial t and returns its value (percent) and flip count.
func (e *Engine) trial(w *worker, p float64, opt Options, t int) (float64, int) {
	flips := sram.SampleFlips(seed.Stream(opt.Seed, opt.Key, uint64(t)), e.storedBits(), p, nil)
	return e.faulty(w, flips, opt, t), len(flips)
}

// faulty scores the network with flips installed on the images of trial t
// (its subset, or the whole set) and returns the trial's value (percent).
func (e *Engine) faulty(w *worker, flips []int, opt Options, t int) float64 {
	if len(flips) == 0 || !e.install(w, flips) {
		return e.cleanAcc
	}
	if opt.Protocol == ProtocolReference || opt.Subset >= e.data.Len() {
		w.correct = growBools(w.correct, len(e.all))
		return 100 * float64(e.score(w, e.all, w.correct)) / float64(len(e.all))
	}
	idx, wt := e.subset(seed.Stream(opt.Seed, opt.Key, uint64(t), 1), opt.Subset, nil, nil)
	w.correct = growBools(w.correct, len(idx))
	e.score(w, idx, w.correct)
	y := e.cleanAcc / 100
	for k, i := range idx {
		y += wt[k] * (b2f(w.correct[k]) - b2f(e.clean[i]))
	}
	return math.Min(100, math.Max(0, 100*y))
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func growBools(b []bool, n int) []bool {
	if cap(b) >= n {
		return b[:n]
	}
	return make([]bool, n)
}

// normalise fills defaults and checks the options.
func (e *Engine) normalise(p float64, opt Options) (Options, error) {
	return normalise(p, opt, e.data.Len())
}

// normalise fills defaults and checks the options of an estimate on an
// evaluation set of n images.
func normalise(p float64, opt Options, n int) (Options, error) {
	if opt.Protocol == "" {
		opt.Protocol = DefaultProtocol
	}
	if _, err := ParseProtocol(string(opt.Protocol)); err != nil {
		return opt, fmt.Errorf("mc: %w", err)
	}
	if opt.Trials < 1 {
		return opt, fmt.Errorf("mc: trials = %d, want ≥ 1", opt.Trials)
	}
	if !(p >= 0 && p <= 1) {
		return opt, fmt.Errorf("mc: bit error rate %g outside [0, 1]", p)
	}
	if opt.CIHalfWidth < 0 || math.IsNaN(opt.CIHalfWidth) {
		return opt, fmt.Errorf("mc: CI half-width %g, want ≥ 0", opt.CIHalfWidth)
	}
	if opt.MinTrials <= 0 {
		opt.MinTrials = DefaultMinTrials
	}
	opt.MinTrials = min(max(opt.MinTrials, 2), opt.Trials)
	if opt.Subset <= 0 {
		opt.Subset = DefaultSubset
	}
	if opt.Subset > n || opt.Protocol == ProtocolReference {
		opt.Subset = n
	}
	if opt.Workers < 0 {
		return opt, fmt.Errorf("mc: workers = %d, want ≥ 0", opt.Workers)
	}
	if opt.Workers == 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	opt.Workers = min(opt.Workers, opt.Trials)
	return opt, nil
}

// Run estimates the accuracy at bit error rate p.
func (e *Engine) Run(ctx context.Context, p float64, opt Options) (Summary, error) {
	opt, err := e.normalise(p, opt)
	if err != nil {
		return Summary{}, err
	}
	accs := make([]float64, opt.Trials)
	flips := make([]int, opt.Trials)
	used, err := e.parallel(ctx, opt, func(w *worker, t int) {
		accs[t], flips[t] = e.trial(w, p, opt, t)
	}, func(t int) bool { return stops(opt, accs[:t+1]) })
	if err != nil {
		return Summary{}, err
	}
	return e.summary(p, opt, accs[:used], flips[:used]), nil
}

// summary summarises the trial values accs and flip counts flips at p.
func (e *Engine) summary(p float64, opt Options, accs []float64, flips []int) Summary {
	s := newSummary(p, opt, accs, flips)
	s.CleanAcc, s.MemoryBits = e.cleanAcc, e.storedBits()
	return s
}

// newSummary summarises the trial values accs and flip counts flips at p
// (normalised options).
func newSummary(p float64, opt Options, accs []float64, flips []int) Summary {
	s := Summary{Stats: accuracy.Stats{Protocol: string(opt.Protocol), Images: opt.Subset, Trials: len(accs)}, BER: p, Accs: accs, Flips: flips}
	for _, f := range s.Flips {
		if f == 0 {
			s.ZeroFlipTrials++
		}
	}
	s.summarise()
	return s
}

// parallel runs do(w, t) for trials t = 0 … opt.Trials−1 on opt.Workers
// goroutines, each with its own worker, and takes the trials in trial order
// as they finish: opt.OnTrial(t), then stop(t), which ends the run after t
// when it returns true. It returns the number of trials taken; the result
// depends only on trials 0 … t, so not on the number of workers.
func (e *Engine) parallel(ctx context.Context, opt Options, do func(w *worker, t int), stop func(t int) bool) (int, error) {
	done := make([]chan struct{}, opt.Trials)
	for i := range done {
		done[i] = make(chan struct{})
	}
	var (
		mu      sync.Mutex
		next    int
		stopped bool
		wg      sync.WaitGroup
	)
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if stopped || next >= opt.Trials || ctx.Err() != nil {
			return 0, false
		}
		next++
		return next - 1, true
	}
	for range opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var w *worker
			for {
				t, ok := take()
				if !ok {
					return
				}
				if w == nil {
					w = e.newWorker()
				}
				do(w, t)
				close(done[t])
			}
		}()
	}
	used := opt.Trials
	for t := 0; t < opt.Trials; t++ {
		select {
		case <-done[t]:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		if opt.OnTrial != nil {
			opt.OnTrial(t)
		}
		if stop(t) {
			used = t + 1
			break
		}
	}
	mu.Lock()
	stopped = true
	mu.Unlock()
	wg.Wait()
	return used, ctx.Err()
}

// stops is the adaptive stopping rule: the trials accs (0 … T−1, in order)
// end the estimate once T ≥ MinTrials and their 95% CI half-width is at most
// CIHalfWidth.
func stops(opt Options, accs []float64) bool {
	return opt.CIHalfWidth > 0 && len(accs) >= opt.MinTrials && halfWidth(accs) <= opt.CIHalfWidth
}

// halfWidth is the 95% Student-t CI half-width of the mean of xs.
func halfWidth(xs []float64) float64 {
	if len(xs) < 2 {
		return math.Inf(1)
	}
	sd := stat.StdDev(xs, nil)
	if sd == 0 {
		return 0
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(xs) - 1)}.Quantile(0.975) * sd / math.Sqrt(float64(len(xs)))
}

// summarise fills mean, population std, min, max and the 95% CI.
func (s *Summary) summarise() {
	s.AccMean, s.AccStd = stat.PopMeanStdDev(s.Accs, nil)
	s.AccMin, s.AccMax = s.Accs[0], s.Accs[0]
	for _, a := range s.Accs {
		s.AccMin, s.AccMax = math.Min(s.AccMin, a), math.Max(s.AccMax, a)
	}
	if s.ZeroFlipTrials == s.Trials {
		s.CILow, s.CIHigh = s.AccMean, s.AccMean // no fault was drawn: exact
		return
	}
	s.CILow, s.CIHigh = MeanCI(s.Accs, 0.95)
}

// MeanCI is the two-sided Student-t confidence interval of the mean of xs at
// the given level, clipped to [0, 100] (accuracies in percent). With one
// sample the spread is unknown and it is the whole range [0, 100]; with
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
