package dnn

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"cosim/dnn/kernels"
)

// Inference is a network compiled for evaluation: the engine the Monte
// Carlo fault simulation runs. Compile builds it from a trained Model
// (ResNet or MLP):
//
//   - every batch norm is folded into the convolution before it: the
//     weights of output channel k are multiplied by the per-channel scale
//     s_k = γ_k/√(σ²_k+ε) and the shift β_k − μ_k·s_k becomes the
//     convolution's bias (a linear layer keeps s = 1 and its own bias);
//   - every bias add is fused with the ReLU and the residual add into the
//     epilogue of the convolution that produces it;
//   - activations are lane tensors (kernels.LaneShape): images are
//     processed in groups of kernels.LaneWidth, one image per vector lane,
//     with zero padding kept in place between layers, so a convolution
//     reads its input without a layout copy; a group runs through the
//     whole network before the next one starts, in per-worker buffers
//     that are reused across calls (Forward allocates nothing once warm);
//   - the 3×3, stride-1 convolutions with an even output size (all but
//     the two stride-2 ones and the 1×1 shortcuts of a CIFAR ResNet) run
//     on Winograd F(2×2, 3×3) unless CompileOptions.Direct is set; the
//     others, and all of them with Direct, run as direct sums.
//
// Weights are addressed as in QuantWeights(model): tensor i, entry j in
// PyTorch's layout ([K][C][R][S] or [out][in]), and row(j) = j / (entries
// per output channel). The engine keeps, per tensor, the current effective
// values e (as Param.Effective would hold them), the fold scale of every
// row and the folded values the kernels read, with the invariant
//
//	folded[j] = float32(e[j] · scale[row(j)])
//
// (one IEEE single-precision multiplication, round to nearest even, the
// operation Compile itself uses). SetWeight changes one entry and keeps
// the invariant, so an engine that received a fault realisation as sparse
// deltas is bit for bit the engine Compile would build from the faulty
// weights; Reset restores the touched entries from the compile-time values
// in time proportional to their number.
//
// With Winograd the kernels read G·f·Gᵀ of every folded filter f, computed
// by kernels.WinogradFilter at Compile and again by SetWeight for the
// filter of the changed entry (the same operations, so the invariant
// carries over to the transformed weights).
//
// Arithmetic: the direct convolutions accumulate in ascending (c, r, s)
// order with every product rounded before its add, the Winograd ones use
// fixed transform and accumulation orders; both are the same in every
// kernel implementation (avx512, avx2, generic) and for any number of
// threads, so the logits of an image depend only on the image and the
// weights. Folding changes the rounding with respect to Model.Forward
// (products with s_k are taken before the sums instead of after), and
// Winograd changes it again, so the engine agrees with Model.Forward
// within float32 tolerance (see TestInferenceMatchesModel and
// TestInferenceWinogradMatchesDirect), not bit for bit.
//
// An Inference is not safe for concurrent use; Clone gives independent
// copies (for example one per Monte Carlo worker).
type Inference struct {
	arch    string
	c, h, w int
	classes int
	prog    []inferOp
	weights []*inferWeight
	nbuf    int // lane buffers per worker
	bufLen  int // values per lane buffer
	featLen int // values of the feature/hidden buffers
	threads int
	workers []*inferWorker
	out     []float32
	inShape kernels.LaneShape
	x       []float32 // current Forward input (read by the workers)
	n       int
	next    atomic.Int64 // next group to run
	// The current call's Prefix: record saves every op's output into it,
	// restore starts each group at op from with the tensors it holds.
	record, restore *Prefix
	from            int
	holders         [][]int // holders[k][slot]: Prefix tensor in slot before op k, or −1
}

// inferOp is one step of the compiled program of a group.
type inferOp struct {
	kind      opKind
	wino      bool // opConv by Winograd F(2×2, 3×3)
	in, out   int  // buffer indices (opLinear: 0 = feat, 1 = hidden a, 2 = hidden b)
	res       int  // residual buffer or −1
	relu      bool
	weight    int // tensor index for opConv and opLinear
	bias      []float32
	conv      kernels.LaneConv
	inShape   kernels.LaneShape // opPool, opAvg
	outShape  kernels.LaneShape
	pool      [3]int // kernel, stride, pad
	nin, nout int    // opLinear sizes
}

type opKind int

const (
	opConv opKind = iota
	opMaxPool
	opAvgPool // lane buffer → feature buffer
	opLinear  // feature/hidden buffer → feature/hidden buffer
)

// inferWeight is one quantized weight tensor of the engine.
type inferWeight struct {
	name    string
	rows    int       // output channels (conv) or output features (linear)
	cols    int       // entries per row
	clean   []float32 // effective values at Compile
	eff     []float32 // current effective values
	scale   []float32 // fold scale per row
	folded  []float32 // float32(eff·scale[row]), read by the kernels
	touched []int32   // entries changed since Compile or the last Reset
	mark    []bool
	// wino holds the Winograd transforms of the folded 3×3 filters,
	// [16][rows][cols/9], when a convolution uses them (else nil), and
	// panels the same pre-broadcast for the kernels.
	wino   []float32
	panels *kernels.WinogradPanels
}

// foldEntry recomputes the folded value of entry j and, with Winograd, the
// transform of its filter, by the operations Compile uses.
func (t *inferWeight) foldEntry(j int) {
	t.folded[j] = t.eff[j] * t.scale[j/t.cols]
	if t.wino != nil {
		f := j / 9
		c := t.cols / 9
		kernels.WinogradFilter(t.wino[f:], t.rows*c, t.folded[9*f:])
		t.panels.Set(t.wino, f/c, f%c)
	}
}

// inferWorker holds one goroutine's buffers.
type inferWorker struct {
	bufs    [][]float32
	shapes  []kernels.LaneShape // shape each buffer's padding was zeroed for
	feat    [3][]float32
	scratch kernels.LaneScratch
}

// ErrNotCompilable reports a model the inference engine does not handle.
var ErrNotCompilable = errors.New("dnn: model cannot be compiled for inference")

// CompileOptions selects how Compile builds an engine.
type CompileOptions struct {
	// Direct computes every convolution as the direct sum over (c, r, s)
	// (kernels.LaneConvForward). Otherwise the 3×3, stride-1 convolutions
	// with an even output size run on Winograd F(2×2, 3×3)
	// (kernels.LaneWinograd), about 1.5–2× faster on ResNet-20's shapes,
	// with a different rounding (see TestInferenceWinogradMatchesDirect for
	// the tolerance).
	Direct bool
}

// Compile builds the inference engine of m's current state (effective
// weights, batch-norm parameters and running statistics) with the default
// options. It handles *ResNet and *MLP.
func Compile(m Model) (*Inference, error) { return CompileWith(m, CompileOptions{}) }

// CompileWith is Compile with options.
func CompileWith(m Model, opt CompileOptions) (*Inference, error) {
	var e *Inference
	var err error
	switch mm := m.(type) {
	case *ResNet:
		e, err = compileResNet(mm, opt)
	case *MLP:
		e, err = compileMLP(mm)
	default:
		return nil, fmt.Errorf("%w: %s (%T)", ErrNotCompilable, m.Arch(), m)
	}
	if err != nil {
		return nil, err
	}
	e.threads = runtime.GOMAXPROCS(0)
	return e, nil
}

// newWeight registers p as the next weight tensor with the given fold scale
// per row (nil: 1) and returns its index.
func (e *Inference) newWeight(p *Param, rows int, scale []float32) int {
	eff := p.Effective()
	t := &inferWeight{name: p.Name, rows: rows, cols: len(eff) / rows,
		clean: append([]float32(nil), eff...), eff: append([]float32(nil), eff...),
		scale: make([]float32, rows), folded: make([]float32, len(eff)), mark: make([]bool, len(eff))}
	for i := range t.scale {
		t.scale[i] = 1
		if scale != nil {
			t.scale[i] = scale[i]
		}
	}
	for j := range t.folded {
		t.foldEntry(j)
	}
	e.weights = append(e.weights, t)
	return len(e.weights) - 1
}

// foldBN returns the per-channel scale γ/√(σ²+ε) and shift β − μ·scale of
// an evaluation batch norm, computed as BatchNorm2d.Forward does.
func foldBN(b *BatchNorm2d) (scale, shift []float32) {
	gamma, beta := b.Gamma.Effective(), b.Beta.Effective()
	rm, rv := b.RunMean.Data(), b.RunVar.Data()
	scale, shift = make([]float32, b.C), make([]float32, b.C)
	for c := range b.C {
		inv := float32(1 / math.Sqrt(float64(rv[c])+b.Eps))
		scale[c] = gamma[c] * inv
		shift[c] = beta[c] - rm[c]*scale[c]
	}
	return scale, shift
}

// resnetBuilder assigns lane buffers while compiling a ResNet.
type resnetBuilder struct {
	e   *Inference
	idx map[*Param]int // weight tensor of every convolution and linear weight
}

// registerWeights creates the weight tensors of m in QuantWeights order,
// with the fold scales in scales (absent: 1).
func (e *Inference) registerWeights(m Model, scales map[*Param][]float32) (map[*Param]int, error) {
	idx := map[*Param]int{}
	for _, p := range QuantWeights(m) {
		shape := p.Shape()
		if len(shape) < 2 {
			return nil, fmt.Errorf("%w: weight %s has shape %v", ErrNotCompilable, p.Name, shape)
		}
		idx[p] = e.newWeight(p, shape[0], scales[p])
	}
	return idx, nil
}

// conv appends conv + folded bn from buffer in (shape inShape) to buffer
// out and returns the output shape.
func (rb *resnetBuilder) conv(c *Conv2d, bn *BatchNorm2d, in, out, res int, inShape kernels.LaneShape, relu bool) (kernels.LaneShape, error) {
	return rb.convOpt(c, bn, in, out, res, inShape, relu, false)
}

// convOpt is conv that may use Winograd.
func (rb *resnetBuilder) convOpt(c *Conv2d, bn *BatchNorm2d, in, out, res int, inShape kernels.LaneShape, relu, wino bool) (kernels.LaneShape, error) {
	if c.Pad > inShape.Pad {
		return kernels.LaneShape{}, fmt.Errorf("%w: %s needs input padding %d", ErrNotCompilable, c.W.Name, c.Pad)
	}
	p, q := c.OutSize(inShape.H, inShape.W)
	outShape := kernels.LaneShape{C: c.Out, H: p, W: q, Pad: 1}
	cv := kernels.LaneConv{In: inShape, Out: outShape, R: c.Kernel, S: c.Kernel, Stride: c.Stride, Pad: c.Pad}
	if err := cv.Validate(); err != nil {
		return outShape, fmt.Errorf("%w: %s: %v", ErrNotCompilable, c.W.Name, err)
	}
	_, shift := foldBN(bn)
	idx, ok := rb.idx[c.W]
	if !ok {
		return outShape, fmt.Errorf("%w: %s is not among the model's weights", ErrNotCompilable, c.W.Name)
	}
	wino = wino && kernels.WinogradApplies(cv)
	if t := rb.e.weights[idx]; wino && t.wino == nil {
		t.wino = make([]float32, 16*len(t.folded)/9)
		kernels.WinogradWeights(t.wino, t.folded, t.rows, t.cols/9)
		t.panels = new(kernels.WinogradPanels)
		t.panels.Pack(t.wino, t.rows, t.cols/9)
	}
	rb.e.prog = append(rb.e.prog, inferOp{kind: opConv, wino: wino, in: in, out: out, res: res, relu: relu, weight: idx, bias: shift, conv: cv})
	rb.e.bufLen = max(rb.e.bufLen, outShape.Len(), inShape.Len())
	return outShape, nil
}

func compileResNet(m *ResNet, opt CompileOptions) (*Inference, error) {
	s := m.spec
	e := &Inference{arch: s.Arch, c: s.C, h: s.H, w: s.W, classes: s.Classes, nbuf: 4}
	scales := map[*Param][]float32{}
	scales[m.Conv1.W], _ = foldBN(m.BN1)
	for _, b := range m.Blocks {
		scales[b.Conv1.W], _ = foldBN(b.BN1)
		scales[b.Conv2.W], _ = foldBN(b.BN2)
		if b.DownConv != nil {
			scales[b.DownConv.W], _ = foldBN(b.DownBN)
		}
	}
	idx, err := e.registerWeights(m, scales)
	if err != nil {
		return nil, err
	}
	rb := &resnetBuilder{e: e, idx: idx}
	e.inShape = kernels.LaneShape{C: s.C, H: s.H, W: s.W, Pad: m.Conv1.Pad}
	// Buffers: x (block input), t (conv1 output), o (block output), d
	// (downsample output). The input is loaded into buffer 0.
	x, t, o, d := 0, 1, 2, 3
	sh, err := rb.convOpt(m.Conv1, m.BN1, x, t, -1, e.inShape, true, !opt.Direct)
	if err != nil {
		return nil, err
	}
	x, t = t, x
	if m.Pool != nil {
		ph, pw := m.Pool.OutSize(sh.H, sh.W)
		ps := kernels.LaneShape{C: sh.C, H: ph, W: pw, Pad: 1}
		e.prog = append(e.prog, inferOp{kind: opMaxPool, in: x, out: t, res: -1, inShape: sh, outShape: ps,
			pool: [3]int{m.Pool.Kernel, m.Pool.Stride, m.Pool.Pad}})
		e.bufLen = max(e.bufLen, ps.Len())
		x, t, sh = t, x, ps
	}
	for _, b := range m.Blocks {
		res := x
		if b.DownConv != nil {
			if _, err := rb.conv(b.DownConv, b.DownBN, x, d, -1, sh, false); err != nil {
				return nil, err
			}
			res = d
		}
		sh1, err := rb.convOpt(b.Conv1, b.BN1, x, t, -1, sh, true, !opt.Direct)
		if err != nil {
			return nil, err
		}
		sh2, err := rb.convOpt(b.Conv2, b.BN2, t, o, res, sh1, true, !opt.Direct)
		if err != nil {
			return nil, err
		}
		x, o, sh = o, x, sh2
	}
	e.prog = append(e.prog, inferOp{kind: opAvgPool, in: x, out: 0, res: -1, inShape: sh})
	fcIdx := idx[m.FC.W]
	var bias []float32
	if m.FC.B != nil {
		bias = append([]float32(nil), m.FC.B.Effective()...)
	}
	e.prog = append(e.prog, inferOp{kind: opLinear, in: 0, out: 1, res: -1, weight: fcIdx, bias: bias, nin: m.FC.In, nout: m.FC.Out})
	e.featLen = max(m.FC.In, m.FC.Out) * kernels.LaneWidth
	e.bufLen = max(e.bufLen, e.inShape.Len())
	return e, nil
}

func compileMLP(m *MLP) (*Inference, error) {
	e := &Inference{arch: m.Arch(), c: m.c, h: m.h, w: m.w, classes: m.Classes()}
	e.inShape = kernels.LaneShape{C: m.c * m.h * m.w, H: 1, W: 1}
	widest := m.Sizes[0]
	idx, err := e.registerWeights(m, nil)
	if err != nil {
		return nil, err
	}
	in := 0
	for i, l := range m.Layers {
		var bias []float32
		if l.B != nil {
			bias = append([]float32(nil), l.B.Effective()...)
		}
		out := 1 + i%2
		e.prog = append(e.prog, inferOp{kind: opLinear, in: in, out: out, res: -1, relu: i < len(m.Layers)-1,
			weight: idx[l.W], bias: bias, nin: l.In, nout: l.Out})
		in = out
		widest = max(widest, l.Out)
	}
	e.featLen = widest * kernels.LaneWidth
	return e, nil
}

// Arch names the compiled architecture.
func (e *Inference) Arch() string { return e.arch }

// Classes is the number of logits per image.
func (e *Inference) Classes() int { return e.classes }

// InputShape is the (channels, height, width) of one input image.
func (e *Inference) InputShape() (c, h, w int) { return e.c, e.h, e.w }

// SetThreads sets how many goroutines Forward runs groups of
// kernels.LaneWidth images on: 1 runs everything on the calling goroutine
// (one trial per core in a Monte Carlo loop), n ≤ 0 means GOMAXPROCS. The
// results do not depend on it.
func (e *Inference) SetThreads(n int) {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	e.threads = n
}

// Threads reports the setting of SetThreads.
func (e *Inference) Threads() int { return e.threads }

// NumWeights is the number of weight tensors, len(QuantWeights(model)).
func (e *Inference) NumWeights() int { return len(e.weights) }

// WeightName is the parameter name of tensor i (e.g. "layer1.0.conv1.weight").
func (e *Inference) WeightName(i int) string { return e.weights[i].name }

// WeightLen is the number of entries of tensor i.
func (e *Inference) WeightLen(i int) int { return len(e.weights[i].eff) }

// WeightIndex returns the index of the tensor named name, or −1.
func (e *Inference) WeightIndex(name string) int {
	for i, t := range e.weights {
		if t.name == name {
			return i
		}
	}
	return -1
}

// Weight is the current effective value of entry j of tensor i.
func (e *Inference) Weight(i, j int) float32 { return e.weights[i].eff[j] }

// FoldScale returns the fold scale of every output row of tensor i (entry
// j belongs to row j / (WeightLen(i)/len(FoldScale(i)))). The slice is the
// engine's own: do not modify it.
func (e *Inference) FoldScale(i int) []float32 { return e.weights[i].scale }

// FoldedWeights returns the folded values of tensor i, float32(e·scale),
// that the kernels read. The slice is the engine's own: do not modify it.
func (e *Inference) FoldedWeights(i int) []float32 { return e.weights[i].folded }

// SetWeight sets the effective value of entry j of tensor i and its folded
// value float32(effective·scale[row(j)]).
func (e *Inference) SetWeight(i, j int, effective float32) {
	t := e.weights[i]
	if !t.mark[j] {
		t.mark[j] = true
		t.touched = append(t.touched, int32(j))
	}
	t.eff[j] = effective
	t.foldEntry(j)
}

// Reset restores every entry changed by SetWeight to its compile-time
// value, in time proportional to the number of changed entries.
func (e *Inference) Reset() {
	for _, t := range e.weights {
		for _, j := range t.touched {
			t.eff[j] = t.clean[j]
			t.foldEntry(int(j))
			t.mark[j] = false
		}
		t.touched = t.touched[:0]
	}
}

// Clone returns an independent engine with the same weights (including
// entries changed by SetWeight, which the clone's Reset also restores) and
// thread setting, and its own buffers.
func (e *Inference) Clone() *Inference {
	c := &Inference{arch: e.arch, c: e.c, h: e.h, w: e.w, classes: e.classes, prog: e.prog,
		nbuf: e.nbuf, bufLen: e.bufLen, featLen: e.featLen, threads: e.threads, inShape: e.inShape}
	for _, t := range e.weights {
		c.weights = append(c.weights, &inferWeight{name: t.name, rows: t.rows, cols: t.cols,
			clean: t.clean, // never written
			eff:   append([]float32(nil), t.eff...), scale: t.scale,
			folded:  append([]float32(nil), t.folded...),
			touched: append([]int32(nil), t.touched...), mark: append([]bool(nil), t.mark...)})
		if t.wino != nil {
			c.weights[len(c.weights)-1].wino = append([]float32(nil), t.wino...)
			c.weights[len(c.weights)-1].panels = t.panels.Clone()
		}
	}
	return c
}

// Forward computes the logits ([n][Classes]) of n images x ([n][C][H][W],
// as Model.Forward). The returned slice is owned by the engine and valid
// until the next call.
func (e *Inference) Forward(x []float32, n int) []float32 {
	e.checkInput(x, n)
	e.x = x
	return e.run(n)
}

// checkInput panics unless x holds n ≥ 1 input images.
func (e *Inference) checkInput(x []float32, n int) {
	if size := e.c * e.h * e.w; n < 1 || len(x) != n*size {
		panic(fmt.Sprintf("dnn: inference %s: input has %d values, want %d images of %d×%d×%d", e.arch, len(x), n, e.c, e.h, e.w))
	}
}

// run computes the logits of n images in groups of kernels.LaneWidth, on
// up to Threads goroutines, as the call's fields (x, record, restore,
// from) say.
func (e *Inference) run(n int) []float32 {
	if cap(e.out) < n*e.classes {
		e.out = make([]float32, n*e.classes)
	}
	e.out = e.out[:n*e.classes]
	groups := (n + kernels.LaneWidth - 1) / kernels.LaneWidth
	nw := max(1, min(e.threads, groups))
	for len(e.workers) < nw {
		e.workers = append(e.workers, e.newWorker())
	}
	e.n = n
	e.next.Store(0)
	if nw == 1 {
		e.work(e.workers[0], groups)
	} else {
		var wg sync.WaitGroup
		for _, wk := range e.workers[1:nw] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e.work(wk, groups)
			}()
		}
		e.work(e.workers[0], groups)
		wg.Wait()
	}
	e.x, e.record, e.restore, e.from = nil, nil, nil, 0
	return e.out
}

// Evaluate returns the number of images of d whose largest logit is their
// label (ties to the first), running Forward on batches of batch images
// (batch ≤ 0: 1024) so that memory does not grow with the data set.
func (e *Inference) Evaluate(d *Dataset, batch int) int {
	if batch <= 0 {
		batch = 1024
	}
	return countCorrect(d, batch, e.classes, e.Forward)
}

// work runs groups taken from the shared counter until none is left.
func (e *Inference) work(wk *inferWorker, groups int) {
	for {
		g := int(e.next.Add(1) - 1)
		if g >= groups {
			return
		}
		e.runGroup(wk, g)
	}
}

func (e *Inference) newWorker() *inferWorker {
	wk := &inferWorker{}
	nbuf := max(e.nbuf, 1)
	for range nbuf {
		wk.bufs = append(wk.bufs, make([]float32, e.bufLen))
		wk.shapes = append(wk.shapes, kernels.LaneShape{})
	}
	for i := range wk.feat {
		wk.feat[i] = make([]float32, e.featLen)
	}
	return wk
}

// prepare returns buffer b of wk for writing a tensor of shape s, with its
// padding zeroed if it last held another shape.
func (wk *inferWorker) prepare(b int, s kernels.LaneShape) []float32 {
	buf := wk.bufs[b][:s.Len()]
	if wk.shapes[b] != s {
		kernels.LaneZeroPadding(buf, s)
		wk.shapes[b] = s
	}
	return buf
}

// runGroup runs group g (images g·LaneWidth … of the current input).
func (e *Inference) runGroup(wk *inferWorker, g int) {
	L := kernels.LaneWidth
	size := e.c * e.h * e.w
	n0 := g * L
	cnt := min(L, e.n-n0)
	switch {
	case e.restore != nil:
		e.restoreGroup(wk, e.restore.groups[g], e.from)
	case e.nbuf > 0:
		kernels.LaneLoad(wk.bufs[0][:e.inShape.Len()], e.inShape, e.x[n0*size:(n0+cnt)*size], cnt)
		wk.shapes[0] = e.inShape
	default:
		kernels.LaneLoad(wk.feat[0][:e.inShape.Len()], e.inShape, e.x[n0*size:(n0+cnt)*size], cnt)
	}
	var rec [][]float32
	if e.record != nil {
		rec = e.record.groups[g]
		copy(rec[0], e.slot(wk, 0, len(rec[0])))
	}
	last := e.logitsSlot() - e.nbuf // feature buffer holding the logits
	for i := e.from; i < len(e.prog); i++ {
		op := &e.prog[i]
		switch op.kind {
		case opConv:
			in := wk.bufs[op.in][:op.conv.In.Len()]
			out := wk.prepare(op.out, op.conv.Out)
			var res []float32
			if op.res >= 0 {
				res = wk.bufs[op.res][:op.conv.Out.Len()]
			}
			if op.wino {
				t := e.weights[op.weight]
				kernels.LaneWinograd(out, in, t.wino, op.bias, res, op.conv, op.relu, t.panels, &wk.scratch)
			} else {
				kernels.LaneConvForward(out, in, e.weights[op.weight].folded, op.bias, res, op.conv, op.relu, &wk.scratch)
			}
		case opMaxPool:
			out := wk.prepare(op.out, op.outShape)
			kernels.LaneMaxPool(out, op.outShape, wk.bufs[op.in][:op.inShape.Len()], op.inShape, op.pool[0], op.pool[1], op.pool[2])
		case opAvgPool:
			kernels.LaneAvgPool(wk.feat[op.out], wk.bufs[op.in][:op.inShape.Len()], op.inShape)
		case opLinear:
			kernels.LaneLinear(wk.feat[op.out], e.weights[op.weight].folded, op.bias, wk.feat[op.in], op.nin, op.nout, op.relu)
		}
		if rec != nil {
			copy(rec[i+1], e.slot(wk, e.outSlot(op), len(rec[i+1])))
		}
	}
	logits := wk.feat[last]
	for l := 0; l < cnt; l++ {
		row := e.out[(n0+l)*e.classes : (n0+l+1)*e.classes]
		for j := range row {
			row[j] = logits[j*L+l]
		}
	}
}
