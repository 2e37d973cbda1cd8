package attack

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"cosim/dnn"
	"cosim/internal/seed"
	"cosim/sram"
	"cosim/wcat"
)

// Kind names an attack.
type Kind string

const (
	// BFA is the untargeted progressive bit search.
	BFA Kind = "bfa"
	// TBFA is the targeted bit-flip attack.
	TBFA Kind = "tbfa"
)

// Settings says how an attack runs. Preset gives the published ones.
type Settings struct {
	// Preset names the settings: "wcat" (the WCAT authors' BFA), "rakin"
	// (Rakin et al.'s original BFA), "tbfa", or "custom".
	Preset string `json:"preset"`
	// KTop is the number of weights per layer whose bits are scored.
	KTop int `json:"k_top"`
	// Batch is the number of attack images.
	Batch int `json:"batch"`
	// FromTrain draws the attack images from the training set and labels
	// them with the clean model's predictions (Rakin); otherwise they are
	// test images with their labels, removed from the evaluation set.
	FromTrain bool `json:"from_train,omitempty"`
	// ThresholdPct (BFA): the attack stops once the evaluation accuracy is
	// at most this (percent).
	ThresholdPct float64 `json:"threshold_pct,omitempty"`
	// GoalPct (T-BFA): the attack stops once the success rate on held-out
	// source images is at least this (percent).
	GoalPct float64 `json:"goal_pct,omitempty"`
	// MaxIters ends the attack after this many iterations (0: no limit).
	MaxIters int `json:"max_iters,omitempty"`
	// MaxFlips ends the attack once this many bits are flipped (a budget;
	// the WCAT code has none).
	MaxFlips int `json:"max_flips"`
	// RandomOnZero flips one random candidate bit of a layer whose masked
	// bit gradients are all zero (WCAT); otherwise that layer flips nothing.
	RandomOnZero bool `json:"random_on_zero,omitempty"`
	// FullCheck scores the whole evaluation set after every flip instead of
	// stopping once the answer against the threshold is known.
	FullCheck bool `json:"full_check,omitempty"`
	// Source and Target are T-BFA's classes.
	Source int `json:"source,omitempty"`
	Target int `json:"target,omitempty"`
}

// Preset returns the named settings for a data set of the given number of
// classes:
//   - "wcat": the WCAT authors' BFA (attack/BFA.jsonnet and runtime.bfa,
//     docs/wcat-semantics.md §6): KTop 100, 64 test images, threshold
//     100/C + 1/C percent, a random bit on all-zero gradients;
//   - "rakin": Rakin et al.'s original settings (elliothe/
//     Neural_Network_Weight_Attack): KTop 10, 128 training images labelled
//     by the model's predictions, stop at 11% or after 20 iterations;
//   - "tbfa": T-BFA with 64 attack images (half of the source class,
//     labelled with the target), goal 99.9% success, one bit per
//     iteration.
//
// MaxFlips is a budget of 1000 bits (200 for T-BFA).
func Preset(name string, classes int) (Settings, error) {
	switch name {
	case "wcat":
		return Settings{Preset: name, KTop: 100, Batch: 64, ThresholdPct: 100/float64(classes) + 1/float64(classes), MaxFlips: 1000, RandomOnZero: true}, nil
	case "rakin":
		return Settings{Preset: name, KTop: 10, Batch: 128, FromTrain: true, ThresholdPct: 11, MaxIters: 20, MaxFlips: 1000}, nil
	case "tbfa":
		return Settings{Preset: name, KTop: 100, Batch: 64, GoalPct: 99.9, MaxFlips: 200, RandomOnZero: true}, nil
	}
	return Settings{}, fmt.Errorf("unknown attack preset %q (want wcat or rakin)", name)
}

// Validate checks the settings for an attack of kind k on a data set of
// classes classes.
func (s Settings) Validate(k Kind, classes int) error {
	switch {
	case s.KTop < 1:
		return fmt.Errorf("k-top %d: want ≥ 1", s.KTop)
	case s.Batch < 1:
		return fmt.Errorf("batch %d: want ≥ 1", s.Batch)
	case s.MaxFlips < 1:
		return fmt.Errorf("max-flips %d: want ≥ 1", s.MaxFlips)
	case s.MaxIters < 0:
		return fmt.Errorf("max-iters %d: want ≥ 0", s.MaxIters)
	}
	switch k {
	case BFA:
		if !(s.ThresholdPct >= 0 && s.ThresholdPct < 100) {
			return fmt.Errorf("threshold %g%%: want 0 ≤ threshold < 100", s.ThresholdPct)
		}
	case TBFA:
		if !(s.GoalPct > 0 && s.GoalPct <= 100) {
			return fmt.Errorf("goal %g%%: want 0 < goal ≤ 100", s.GoalPct)
		}
		if s.Source < 0 || s.Source >= classes || s.Target < 0 || s.Target >= classes {
			return fmt.Errorf("source %d, target %d: want classes 0..%d", s.Source, s.Target, classes-1)
		}
		if s.Source == s.Target {
			return fmt.Errorf("source and target are both class %d", s.Source)
		}
		if s.FromTrain {
			return errors.New("T-BFA draws its attack images from the test set")
		}
		if s.Batch < 2 {
			return fmt.Errorf("batch %d: T-BFA needs ≥ 2 (source and other images)", s.Batch)
		}
	default:
		return fmt.Errorf("unknown attack %q (want bfa or tbfa)", k)
	}
	return nil
}

// Flip is one flipped bit with the state after the iteration that flipped
// it.
type Flip struct {
	N      int    `json:"n"`    // bits flipped so far, this one included
	Iter   int    `json:"iter"` // iteration (1-based)
	Layer  int    `json:"layer"`
	Name   string `json:"name"` // the layer's weight tensor
	Index  int    `json:"index"`
	Bit    int    `json:"bit"` // 0 = LSB, b−1 = sign bit
	Before int32  `json:"before"`
	After  int32  `json:"after"`
	// Loss is the attack batch's loss after the iteration.
	Loss float64 `json:"loss"`
	// ValuePct is the evaluation accuracy (BFA) or the attack success rate
	// (T-BFA) after the iteration, in percent, on the Scored images.
	ValuePct float64 `json:"value_pct"`
	Scored   int     `json:"scored"`
}

// Trial is the outcome of one attack on one model.
type Trial struct {
	Model string `json:"model"`
	Trial int    `json:"trial"`
	// CleanPct is the clean model's accuracy (BFA) or success rate (T-BFA)
	// on the evaluation images, in percent.
	CleanPct float64 `json:"clean_pct"`
	// NFlip is the number of bits flipped when the attack stopped.
	NFlip int `json:"n_flip"`
	// Reached says the attack met its threshold or goal (false: it ran
	// out of budget).
	Reached bool `json:"reached"`
	Iters   int  `json:"iters"`
	// FinalPct is the final accuracy (BFA) or success rate (T-BFA) on the
	// whole evaluation set.
	FinalPct float64 `json:"final_pct"`
	// OtherPct (T-BFA) is the accuracy on held-out images of the other
	// classes, clean and after the attack.
	OtherCleanPct float64 `json:"other_clean_pct,omitempty"`
	OtherPct      float64 `json:"other_pct,omitempty"`
	// Hamming is the number of stored bits that differ from the clean
	// model at the end (below NFlip when a bit was flipped twice).
	Hamming int    `json:"hamming"`
	Flips   []Flip `json:"flips"`
}

// Target is a model under attack with its data.
type Target struct {
	Name  string // how results name the model
	Model *wcat.Model
	Test  *dnn.Dataset
	Train *dnn.Dataset // needed with Settings.FromTrain
}

// Options controls a run.
type Options struct {
	Seed uint64
	// Threads is the number of threads of the compiled engine (0: all
	// cores); results do not depend on it.
	Threads int
	// OnFlip, when set, is called with every flip once it is recorded (for
	// a progress display).
	OnFlip func(Flip)
}

// checkChunk is the most images the accuracy check scores between
// decisions, and checkQuantum the multiple its shorter chunks are rounded
// to (two lane groups of the engine). Both are constants, so recorded
// prefixes do not depend on threads.
const checkChunk, checkQuantum = 256, 32

// Attacker attacks one model: it holds the compiled clean network.
type Attacker struct {
	kind   Kind
	set    Settings
	t      Target
	bits   int
	base   *dnn.Inference
	tensor []int // engine tensor of each quantized layer
	names  []string
}

// New prepares attacks of kind k with settings s on t.
func New(k Kind, s Settings, t Target) (*Attacker, error) {
	if err := s.Validate(k, t.Test.Classes); err != nil {
		return nil, fmt.Errorf("attack: %w", err)
	}
	if s.FromTrain && t.Train == nil {
		return nil, errors.New("attack: the attack images come from the training set, which was not given")
	}
	if t.Model.Net.Classes() != t.Test.Classes {
		return nil, fmt.Errorf("attack: %s has %d outputs, the data set %d classes", t.Name, t.Model.Net.Classes(), t.Test.Classes)
	}
	if s.Batch >= t.Test.Len() && !s.FromTrain {
		return nil, fmt.Errorf("attack: %d attack images leave none of the %d test images to evaluate", s.Batch, t.Test.Len())
	}
	m := t.Model
	m.Quantize(nil)
	inf, err := dnn.Compile(m.Net)
	if err != nil {
		return nil, fmt.Errorf("attack: %w", err)
	}
	a := &Attacker{kind: k, set: s, t: t, bits: m.Cfg.Bits, base: inf}
	for _, l := range m.Layers {
		i := inf.WeightIndex(l.W.Name)
		if i < 0 || inf.WeightLen(i) != len(l.Codes) {
			return nil, fmt.Errorf("attack: compiled %s has no weight tensor %s of %d entries", m.Net.Arch(), l.W.Name, len(l.Codes))
		}
		a.tensor = append(a.tensor, i)
		a.names = append(a.names, l.W.Name)
	}
	return a, nil
}

// LayerNames lists the quantized layers' weight tensors in order.
func (a *Attacker) LayerNames() []string { return a.names }

// state is one trial's attacked network.
type state struct {
	a      *Attacker
	inf    *dnn.Inference
	net    dnn.Model    // gradient network, batch norms frozen
	grads  []*dnn.Param // its quantized weights
	eff    [][]float32  // their current dequantized values
	codes  [][]int32    // current codes
	x      []float32    // attack batch
	labels []uint8      // its labels (T-BFA: the target for source images)
	dlog   []float32
	sign   float64    // +1: maximise the loss (BFA), −1: minimise (T-BFA)
	rng    *rand.Rand // random bits on all-zero gradients
	buf    []float32  // evaluation batch
	lab    []uint8
	pre    dnn.Prefix // the attack batch's activations under the current weights
}

// newState returns the clean network of a trial whose random bits come
// from rng.
func (a *Attacker) newState(rng *rand.Rand) *state {
	m := a.t.Model
	st := &state{a: a, inf: a.base.Clone(), net: m.Net.Clone(), sign: 1, rng: rng}
	if f, ok := st.net.(interface{ FreezeBatchNorm(bool) }); ok {
		f.FreezeBatchNorm(true)
	}
	st.grads = m.LayerParams(st.net)
	for i, l := range m.Layers {
		st.codes = append(st.codes, slices.Clone(l.Codes))
		eff := make([]float32, len(l.Codes))
		wcat.Dequantize(l.Codes, l.Step, eff)
		st.grads[i].SetEffective(eff)
		st.eff = append(st.eff, eff)
	}
	if a.kind == TBFA {
		st.sign = -1
	}
	return st
}

// setAttack sets the attack batch (images idx of d with labels).
func (st *state) setAttack(d *dnn.Dataset, idx []int, labels []uint8) {
	st.x, _ = d.Batch(idx, nil, nil, nil)
	st.labels = labels
	st.dlog = make([]float32, len(idx)*d.Classes)
}

// loss is the attack batch's cross-entropy on the given logits.
func (st *state) loss(logits []float32) float64 {
	return dnn.SoftmaxCrossEntropy(logits, st.labels, st.a.t.Test.Classes, nil)
}

// gradient fills every quantized layer's Grad with dLoss/dŵ on the attack
// batch (evaluation-mode batch norm).
func (st *state) gradient() {
	dnn.ZeroGrads(st.net)
	logits := st.net.Forward(st.x, len(st.labels), true)
	dnn.SoftmaxCrossEntropy(logits, st.labels, st.a.t.Test.Classes, st.dlog)
	st.net.Backward(st.dlog)
}

// change is a new code for one weight of a layer.
type change struct {
	index      int
	before, to int32
	bits       []int // flipped bits (0 = LSB)
}

// set writes code q of weight j of layer l into the engine (and, with all,
// into the codes and the gradient network).
func (st *state) set(l, j int, q int32, all bool) {
	step := st.a.t.Model.Layers[l].Step
	var v [1]float32
	wcat.Dequantize([]int32{q}, step, v[:])
	st.inf.SetWeight(st.a.tensor[l], j, v[0])
	if all {
		st.codes[l][j] = q
		st.eff[l][j] = v[0]
	}
}

// ranked is one layer's scored bit candidates for an iteration.
type ranked struct {
	top   []int     // the KTop weights by |g| descending
	order []int     // candidate entries e = j·len(top) + t by masked |G| descending
	score []float64 // masked |G| per entry
}

// rank scores layer l's candidates from the current gradient.
func (st *state) rank(l int) ranked {
	g := st.grads[l].Grad
	k := min(st.a.set.KTop, len(g))
	top := topAbs(g, k)
	b := st.a.bits
	r := ranked{top: top, order: make([]int, b*k), score: make([]float64, b*k)}
	for j := range b { // row j: bit b−1−j, MSB first
		bit := b - 1 - j
		v := float64(int64(1) << bit)
		if bit == b-1 {
			v = -v
		}
		for t, w := range top {
			G := st.sign * float64(g[w]) * v
			set := (sram.Encode(st.codes[l][w], b)>>bit)&1 == 1
			e := j*k + t
			r.order[e] = e
			if (!set && G > 0) || (set && G < 0) {
				r.score[e] = math.Abs(G)
			}
		}
	}
	slices.SortStableFunc(r.order, func(x, y int) int {
		switch {
		case r.score[x] > r.score[y]:
			return -1
		case r.score[x] < r.score[y]:
			return 1
		}
		return 0
	})
	return r
}

// topAbs returns the indices of the k entries of largest |g|, largest
// first, ties to the lower index.
func topAbs(g []float32, k int) []int {
	top := make([]int, 0, k+1)
	abs := func(i int) float32 { return float32(math.Abs(float64(g[i]))) }
	for i := range g {
		if len(top) == k && abs(i) <= abs(top[k-1]) {
			continue
		}
		p := len(top)
		for p > 0 && abs(top[p-1]) < abs(i) {
			p--
		}
		top = slices.Insert(top, p, i)
		if len(top) > k {
			top = top[:k]
		}
	}
	return top
}

// candidate returns the changes of layer l's n best bit flips (or, when
// every masked score is zero and RandomOnZero is set, of one random
// candidate bit; nil when nothing is flipped).
func (st *state) candidate(l int, r ranked, n int) []change {
	b, k := st.a.bits, len(r.top)
	var entries []int
	switch {
	case r.score[r.order[0]] > 0:
		entries = r.order[:min(n, len(r.order))]
	case st.a.set.RandomOnZero:
		entries = []int{st.rng.IntN(b * k)}
	default:
		return nil
	}
	var chs []change
	for _, e := range entries {
		j, t := e/k, e%k
		w, bit := r.top[t], b-1-j
		p := slices.IndexFunc(chs, func(c change) bool { return c.index == w })
		if p < 0 {
			chs = append(chs, change{index: w, before: st.codes[l][w], to: st.codes[l][w]})
			p = len(chs) - 1
		}
		chs[p].to = sram.FlipBit(chs[p].to, bit, b)
		chs[p].bits = append(chs[p].bits, bit)
	}
	return chs
}

// try measures the attack loss with layer l's changes in place, from the
// activations recorded in st.pre before layer l, and then restores the
// engine.
func (st *state) try(l int, chs []change) float64 {
	for _, c := range chs {
		st.set(l, c.index, c.to, false)
	}
	loss := st.loss(st.inf.ForwardFrom(&st.pre, st.a.tensor[l]))
	for _, c := range chs {
		st.set(l, c.index, c.before, false)
	}
	return loss
}

// iterate runs one iteration of the bit search and returns the layer and
// the changes it keeps (layer −1: nothing to flip) and the loss after.
func (st *state) iterate() (layer int, chs []change, loss float64) {
	st.gradient()
	l0 := st.sign * st.loss(st.inf.Record(&st.pre, st.x, len(st.labels)))
	nl := len(st.codes)
	rs := make([]ranked, nl)
	for l := range nl {
		rs[l] = st.rank(l)
	}
	maxN := st.a.bits * st.a.set.KTop
	for n := 1; ; n++ {
		best, bestJ, bestC := -1, math.Inf(-1), []change(nil)
		for l := range nl {
			c := st.candidate(l, rs[l], n)
			if c == nil {
				continue
			}
			if j := st.sign * st.try(l, c); j > bestJ {
				best, bestJ, bestC = l, j, c
			}
		}
		// T-BFA flips one bit per iteration; BFA grows n until the loss
		// rises (or every candidate bit is in play).
		if best >= 0 && (st.a.kind == TBFA || bestJ > l0 || n >= maxN) {
			return best, bestC, st.sign * bestJ
		}
		if best < 0 && n >= maxN {
			return -1, nil, st.sign * l0
		}
	}
}

// apply makes layer l's changes permanent.
func (st *state) apply(l int, chs []change) {
	for _, c := range chs {
		st.set(l, c.index, c.to, true)
	}
}

// count scores images idx[lo:hi] of d: the number predicted as want[i]
// (nil: their labels), writing each image's outcome into got[lo:hi] and
// its margin (the wanted logit less the largest other one) into
// margin[lo:hi] when they are not nil.
func (st *state) count(d *dnn.Dataset, idx []int, want []uint8, got []bool, margin []float32) func(lo, hi int) int {
	return func(lo, hi int) int {
		part := idx[lo:hi]
		st.buf, st.lab = d.Batch(part, st.buf, st.lab, nil)
		if want != nil {
			st.lab = append(st.lab[:0], want[lo:hi]...)
		}
		logits := st.inf.Forward(st.buf, len(part))
		n := 0
		for i := range part {
			row := logits[i*d.Classes : (i+1)*d.Classes]
			ok := argmax(row) == int(st.lab[i])
			if got != nil {
				got[lo+i] = ok
			}
			if margin != nil {
				margin[lo+i] = marginOf(row, int(st.lab[i]))
			}
			if ok {
				n++
			}
		}
		return n
	}
}

// marginOf is row[label] less the largest other entry of row.
func marginOf(row []float32, label int) float32 {
	other := float32(math.Inf(-1))
	for j, v := range row {
		if j != label && v > other {
			other = v
		}
	}
	return row[label] - other
}

// accCheck is BFA's accuracy check. It scores the images last seen correct
// first, in a fresh random order, then the others from the one closest to
// being correct when last scored (largest margin) down, so that an
// accuracy above the threshold is decided after about need images even
// near the threshold; the decision is that of the full count (Decide). The
// accuracy it reports for a check that stopped early is an estimate: the
// images last seen correct by the fraction correct among those scored, the
// others as still wrong; a check that decides "not above" scores every
// image and is exact.
type accCheck struct {
	st     *state
	d      *dnn.Dataset
	eval   []int
	need   int
	known  []bool    // last scored correctness of eval[i]
	margin []float32 // last scored margin of eval[i]
	order  []int
	idx    []int
	got    []bool
	gotM   []float32
	rng    *rand.Rand
}

// run checks the current network (full: every image) and returns whether
// the accuracy is above the threshold, the accuracy in percent and the
// number of images scored.
func (k *accCheck) run(full bool) (bool, float64, int) {
	n := len(k.eval)
	k.order = k.order[:0]
	for i, ok := range k.known {
		if ok {
			k.order = append(k.order, i)
		}
	}
	nS := len(k.order)
	shuffle(k.rng, k.order)
	for i, ok := range k.known {
		if !ok {
			k.order = append(k.order, i)
		}
	}
	slices.SortStableFunc(k.order[nS:], func(x, y int) int { return cmp.Compare(k.margin[y], k.margin[x]) })
	for i, o := range k.order {
		k.idx[i] = k.eval[o]
	}
	above, c, scored := Decide(n, k.need, checkChunk, checkQuantum, !full, true, k.st.count(k.d, k.idx, nil, k.got, k.gotM))
	for i := range scored {
		k.known[k.order[i]], k.margin[k.order[i]] = k.got[i], k.gotM[i]
	}
	est := float64(c)
	if scored < nS {
		est = float64(nS) * float64(c) / float64(scored)
	}
	return above, 100 * est / float64(n), scored
}

// Run attacks the model once as trial number trial.
func (a *Attacker) Run(ctx context.Context, trial int, opt Options) (Trial, error) {
	st := a.newState(seed.Stream(opt.Seed, uint64(trial), 1))
	st.inf.SetThreads(opt.Threads)
	draw := seed.Stream(opt.Seed, uint64(trial), 0)
	test := a.t.Test
	res := Trial{Model: a.t.Name, Trial: trial}
	// The evaluation images, their wanted predictions (nil: labels) and
	// the check: BFA continues while the accuracy is above the threshold,
	// T-BFA while the success rate is below the goal.
	var eval []int
	var want []uint8
	var other []int
	var need int
	switch {
	case a.kind == TBFA:
		var src, oth []int
		for i, l := range test.Labels {
			if int(l) == a.set.Source {
				src = append(src, i)
			} else {
				oth = append(oth, i)
			}
		}
		shuffle(draw, src)
		shuffle(draw, oth)
		ns := min(a.set.Batch/2, len(src)-1)
		if ns < 1 {
			return res, fmt.Errorf("attack: class %d has %d test images, too few to attack and evaluate", a.set.Source, len(src))
		}
		no := min(a.set.Batch-ns, len(oth)-1)
		idx := append(slices.Clone(src[:ns]), oth[:no]...)
		labels := make([]uint8, len(idx))
		for i, j := range idx {
			labels[i] = test.Labels[j]
			if i < ns {
				labels[i] = uint8(a.set.Target)
			}
		}
		st.setAttack(test, idx, labels)
		eval, other = src[ns:], oth[no:]
		want = make([]uint8, len(eval))
		for i := range want {
			want[i] = uint8(a.set.Target)
		}
		need = Need(a.set.GoalPct, len(eval), true)
	case a.set.FromTrain:
		tr := a.t.Train
		idx := perm(draw, tr.Len())[:min(a.set.Batch, tr.Len())]
		x, _ := tr.Batch(idx, nil, nil, nil)
		logits := a.base.Forward(x, len(idx))
		labels := make([]uint8, len(idx))
		for i := range labels {
			labels[i] = uint8(argmax(logits[i*tr.Classes : (i+1)*tr.Classes]))
		}
		st.setAttack(tr, idx, labels)
		eval = perm(draw, test.Len())
		need = Need(a.set.ThresholdPct, len(eval), false)
	default:
		p := perm(draw, test.Len())
		idx := p[:a.set.Batch]
		labels := make([]uint8, len(idx))
		for i, j := range idx {
			labels[i] = test.Labels[j]
		}
		st.setAttack(test, idx, labels)
		eval = p[a.set.Batch:]
		need = Need(a.set.ThresholdPct, len(eval), false)
	}
	// check reports whether the attack goes on, with the accuracy (BFA) or
	// success rate (T-BFA) and the images scored. T-BFA scores its
	// held-out source images in full: they are the curve.
	var check func(full bool) (bool, float64, int)
	if a.kind == TBFA {
		check = func(bool) (bool, float64, int) {
			ok, c, s := Decide(len(eval), need, checkChunk, checkQuantum, false, false, st.count(test, eval, want, nil, nil))
			return !ok, pct(c, s), s
		}
	} else {
		k := &accCheck{st: st, d: test, eval: eval, need: need, known: make([]bool, len(eval)), margin: make([]float32, len(eval)),
			idx: make([]int, len(eval)), got: make([]bool, len(eval)), gotM: make([]float32, len(eval)), rng: seed.Stream(opt.Seed, uint64(trial), 2)}
		check = func(full bool) (bool, float64, int) { return k.run(full || a.set.FullCheck) }
	}
	goOn, v, s := check(true)
	res.CleanPct, res.FinalPct = v, v
	if a.kind == TBFA {
		res.OtherCleanPct = pct(st.count(test, other, nil, nil, nil)(0, len(other)), len(other))
	}
	for goOn && res.NFlip < a.set.MaxFlips && (a.set.MaxIters == 0 || res.Iters < a.set.MaxIters) {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		l, chs, loss := st.iterate()
		res.Iters++
		if l < 0 {
			break // no layer has a bit to flip
		}
		st.apply(l, chs)
		goOn, v, s = check(false)
		for _, ch := range chs {
			q := ch.before
			for _, bit := range ch.bits {
				after := sram.FlipBit(q, bit, a.bits)
				res.NFlip++
				res.Flips = append(res.Flips, Flip{N: res.NFlip, Iter: res.Iters, Layer: l, Name: a.names[l], Index: ch.index, Bit: bit,
					Before: q, After: after, Loss: loss, ValuePct: v, Scored: s})
				if opt.OnFlip != nil {
					opt.OnFlip(res.Flips[len(res.Flips)-1])
				}
				q = after
			}
		}
		res.FinalPct = v
	}
	if s < len(eval) { // stopped by the budget: score every image
		_, v, _ = check(true)
		res.FinalPct = v
	}
	res.Reached = !goOn
	if a.kind == TBFA {
		res.OtherPct = pct(st.count(test, other, nil, nil, nil)(0, len(other)), len(other))
	}
	for l, codes := range st.codes {
		for j, q := range codes {
			res.Hamming += popcount(sram.Encode(q, a.bits) ^ sram.Encode(a.t.Model.Layers[l].Codes[j], a.bits))
		}
	}
	return res, nil
}

func pct(c, n int) float64 {
	if n == 0 {
		return 0
	}
	return 100 * float64(c) / float64(n)
}

func popcount(x uint32) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

func argmax(row []float32) int {
	best := 0
	for j, v := range row {
		if v > row[best] {
			best = j
		}
	}
	return best
}

// perm is a random permutation of 0…n−1 drawn from r.
func perm(r *rand.Rand, n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	shuffle(r, p)
	return p
}

func shuffle(r *rand.Rand, p []int) {
	r.Shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
}
