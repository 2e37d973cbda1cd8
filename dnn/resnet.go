package dnn

import (
	"cosim/workload"
	"fmt"
	"math/rand/v2"

	"cosim/dnn/kernels"
)

// BasicBlock is the two-convolution residual block of the CIFAR ResNets and
// ResNet-18: conv1 (3×3, stride s, pad 1) → bn1 → ReLU → conv2 (3×3, pad 1)
// → bn2, plus the shortcut, then ReLU. The shortcut is the identity, or
// (option B, when the stride or the width changes) the downsample branch
// conv 1×1 stride s → batch norm.
type BasicBlock struct {
	Conv1    *Conv2d
	BN1      *BatchNorm2d
	Conv2    *Conv2d
	BN2      *BatchNorm2d
	DownConv *Conv2d      // nil for an identity shortcut
	DownBN   *BatchNorm2d // nil for an identity shortcut

	// activations of the last training forward
	h1, a1, h2, a2, hs, as, out []float32
	n, h, w, p, q               int
}

// NewBasicBlock makes a block named name (parameters name.conv1.weight,
// name.bn1.weight, …, name.downsample.0.weight, name.downsample.1.weight)
// from in to out channels with the given stride.
func NewBasicBlock(name string, in, out, stride int, r *rand.Rand) *BasicBlock {
	b := &BasicBlock{
		Conv1: NewConv2d(name+".conv1", in, out, 3, stride, 1, r),
		BN1:   NewBatchNorm2d(name+".bn1", out),
		Conv2: NewConv2d(name+".conv2", out, out, 3, 1, 1, r),
		BN2:   NewBatchNorm2d(name+".bn2", out),
	}
	if stride != 1 || in != out {
		b.DownConv = NewConv2d(name+".downsample.0", in, out, 1, stride, 0, r)
		b.DownBN = NewBatchNorm2d(name+".downsample.1", out)
	}
	return b
}

// OutSize is the output height and width for an h×w input.
func (b *BasicBlock) OutSize(h, w int) (p, q int) { return b.Conv1.OutSize(h, w) }

// Forward computes the block for x ([In][n][h][w]), keeping everything
// Backward needs (x itself must not change until then), and returns the
// output ([Out][n][p][q], owned by the block) with its height and width.
func (b *BasicBlock) Forward(x []float32, n, h, w int) (out []float32, p, q int) {
	p, q = b.OutSize(h, w)
	size, cols := b.Conv1.Out*n*p*q, n*p*q
	b.h1, b.a1, b.h2, b.a2 = grow(b.h1, size), grow(b.a1, size), grow(b.h2, size), grow(b.a2, size)
	b.Conv1.Forward(b.h1, x, n, h, w, true)
	b.BN1.Forward(b.a1, b.h1, cols, true, true)
	b.Conv2.Forward(b.h2, b.a1, n, p, q, true)
	b.BN2.Forward(b.a2, b.h2, cols, true, false)
	sc := x
	if b.DownConv != nil {
		b.hs, b.as = grow(b.hs, size), grow(b.as, size)
		b.DownConv.Forward(b.hs, x, n, h, w, true)
		b.DownBN.Forward(b.as, b.hs, cols, true, false)
		sc = b.as
	}
	b.out = grow(b.out, size)
	kernels.AddReLU(b.out, b.a2, sc)
	b.n, b.h, b.w, b.p, b.q = n, h, w, p, q
	return b.out, p, q
}

// infer is the evaluation forward pass over caller-owned buffers: it reads
// x, uses t1 and t3 as scratch and writes the output into t2 (each at least
// [Out][n][p][q]), touching none of the training state.
func (b *BasicBlock) infer(x, t1, t2, t3 []float32, n, h, w int) (out []float32, p, q int) {
	p, q = b.OutSize(h, w)
	size, cols := b.Conv1.Out*n*p*q, n*p*q
	t1, t2 = t1[:size], t2[:size]
	b.Conv1.Forward(t1, x, n, h, w, false)
	b.BN1.Forward(t1, t1, cols, false, true)
	b.Conv2.Forward(t2, t1, n, p, q, false)
	b.BN2.Forward(t2, t2, cols, false, false)
	sc := x
	if b.DownConv != nil {
		sc = t3[:size]
		b.DownConv.Forward(sc, x, n, h, w, false)
		b.DownBN.Forward(sc, sc, cols, false, false)
	}
	kernels.AddReLU(t2, t2, sc)
	return t2, p, q
}

// Backward accumulates the parameter gradients from dout (gradient w.r.t.
// the output of the last Forward; it is overwritten) and writes dLoss/dx
// ([In][n][h][w]) into dx. t1 and t2 are scratch of the output's size.
func (b *BasicBlock) Backward(dx, dout, t1, t2 []float32) {
	if b.out == nil {
		panic("dnn: BasicBlock.Backward without a training Forward")
	}
	size := b.Conv1.Out * b.n * b.p * b.q
	g, t1, t2 := dout[:size], t1[:size], t2[:size]
	kernels.ReLUGrad(g, g, b.out)
	b.BN2.Backward(t2, g)
	b.Conv2.Backward(t1, t2, false)
	b.BN1.Backward(t1, t1)
	b.Conv1.Backward(dx, t1, false)
	if b.DownConv == nil {
		kernels.Add(dx[:size], g)
		return
	}
	b.DownBN.Backward(g, g)
	b.DownConv.Backward(dx, g, true)
}

// Params lists the block's learnable tensors in PyTorch state_dict order.
func (b *BasicBlock) Params() []*Param {
	ps := []*Param{b.Conv1.W}
	ps = append(ps, b.BN1.Params()...)
	ps = append(ps, b.Conv2.W)
	ps = append(ps, b.BN2.Params()...)
	if b.DownConv != nil {
		ps = append(ps, b.DownConv.W)
		ps = append(ps, b.DownBN.Params()...)
	}
	return ps
}

// Buffers lists the running statistics in PyTorch state_dict order.
func (b *BasicBlock) Buffers() []*Param {
	bs := append(b.BN1.Buffers(), b.BN2.Buffers()...)
	if b.DownBN != nil {
		bs = append(bs, b.DownBN.Buffers()...)
	}
	return bs
}

func (b *BasicBlock) setWorkspace(ws *workspace) {
	for _, c := range []*Conv2d{b.Conv1, b.Conv2, b.DownConv} {
		if c != nil {
			c.ws = ws
		}
	}
}

func (b *BasicBlock) clone(ws *workspace) *BasicBlock {
	c := &BasicBlock{Conv1: b.Conv1.clone(ws), BN1: b.BN1.clone(), Conv2: b.Conv2.clone(ws), BN2: b.BN2.clone()}
	if b.DownConv != nil {
		c.DownConv, c.DownBN = b.DownConv.clone(ws), b.DownBN.clone()
	}
	return c
}

// ResNet is a residual network of BasicBlocks: the CIFAR ResNet-20/32/44/56
// of He et al. (2016) with option-B shortcuts (as in
// chenyaofo/pytorch-cifar-models, which the WCAT code adapts) and
// torchvision's ResNet-18. Inside the network activations are laid out
// [C][N][H][W]; Forward transposes its [N][C][H][W] input on entry.
//
// An evaluation Forward works in its own four ping-pong buffers of the
// largest activation size and does not disturb the state a training
// Forward kept for Backward.
type ResNet struct {
	Conv1  *Conv2d
	BN1    *BatchNorm2d
	Pool   *MaxPool2d // nil for the CIFAR ResNets
	Blocks []*BasicBlock
	Avg    GlobalAvgPool
	FC     *Linear

	spec workload.ResNet
	ws   workspace

	xT    []float32    // input, [C][N][H][W]
	arena [4][]float32 // evaluation activations; backward gradients
	feat  []float32    // pooled features [N][C] of the last training forward
	featE []float32    // the same for evaluation
	dxT   []float32    // input gradient [C][N][H][W] (tests only)

	// last training forward
	h0, a0, pooled []float32
	n              int
	sp, sq         int // stem conv output size
	pp, pq         int // size after the max pool (= sp, sq without one)
	fh, fw         int // size of the last block's output
}

// NewResNetCIFAR builds the CIFAR ResNet of the given depth = 6n+2 (20, 32,
// 44, 56, …) for 3×32×32 images: stem conv 3×3 3→16 + BN + ReLU, three
// stages of n BasicBlocks of widths 16, 32, 64 (stride 2 at layer2.0 and
// layer3.0, with option-B downsample shortcuts there), global average
// pooling and fc 64→classes. Arch is "resnet<depth>". It panics for a depth
// that is not 6n+2 with n ≥ 1.
func NewResNetCIFAR(depth, classes int, r *rand.Rand) *ResNet {
	spec, err := workload.CIFARResNet(depth, classes)
	if err != nil {
		panic("dnn: " + err.Error())
	}
	return newResNet(spec, r)
}

// NewResNet18 builds torchvision's ResNet-18 for 3×224×224 images: stem
// conv 7×7/2 3→64 + BN + ReLU + max pool 3×3/2, four stages of two
// BasicBlocks of widths 64, 128, 256, 512 (downsample at layer2.0, layer3.0
// and layer4.0), global average pooling and fc 512→classes. Arch is
// "resnet18".
func NewResNet18(classes int, r *rand.Rand) *ResNet {
	return newResNet(workload.ResNet18(classes), r)
}

func newResNet(s workload.ResNet, r *rand.Rand) *ResNet {
	if s.Classes < 1 {
		panic(fmt.Sprintf("dnn: %s with %d classes", s.Arch, s.Classes))
	}
	m := &ResNet{spec: s,
		Conv1: NewConv2d("conv1", s.C, s.Widths[0], s.StemKernel, s.StemStride, s.StemKernel/2, r),
		BN1:   NewBatchNorm2d("bn1", s.Widths[0]),
	}
	if s.MaxPool {
		m.Pool = &MaxPool2d{Kernel: 3, Stride: 2, Pad: 1}
	}
	in := s.Widths[0]
	for _, b := range s.Blocks() {
		m.Blocks = append(m.Blocks, NewBasicBlock(b.Name, b.In, b.Out, b.Stride, r))
		in = b.Out
	}
	m.FC = NewLinear("fc", in, s.Classes, true, r)
	m.wire()
	return m
}

// wire points every convolution at the model's workspace.
func (m *ResNet) wire() {
	m.Conv1.ws = &m.ws
	for _, b := range m.Blocks {
		b.setWorkspace(&m.ws)
	}
}

// Arch is "resnet20", "resnet32", …, or "resnet18".
func (m *ResNet) Arch() string { return m.spec.Arch }

// InputShape is 3×32×32 for the CIFAR ResNets and 3×224×224 for ResNet-18.
func (m *ResNet) InputShape() (int, int, int) { return m.spec.C, m.spec.H, m.spec.W }

// Classes is the number of outputs of fc.
func (m *ResNet) Classes() int { return m.spec.Classes }

// Params lists the learnable tensors in PyTorch state_dict order: conv1,
// bn1, each block (conv1, bn1, conv2, bn2, downsample.0, downsample.1), fc.
func (m *ResNet) Params() []*Param {
	ps := append([]*Param{m.Conv1.W}, m.BN1.Params()...)
	for _, b := range m.Blocks {
		ps = append(ps, b.Params()...)
	}
	return append(ps, m.FC.Params()...)
}

// Buffers lists every batch norm's running mean and variance in state_dict
// order (PyTorch's num_batches_tracked is not kept: with a fixed momentum it
// has no effect).
func (m *ResNet) Buffers() []*Param {
	bs := m.BN1.Buffers()
	for _, b := range m.Blocks {
		bs = append(bs, b.Buffers()...)
	}
	return bs
}

// maxActivation is the largest per-image activation (values) of the
// network for its input size: stem, pool and block outputs.
func (m *ResNet) maxActivation() int {
	h, w := m.Conv1.OutSize(m.spec.H, m.spec.W)
	best := m.Conv1.Out * h * w
	if m.Pool != nil {
		h, w = m.Pool.OutSize(h, w)
		best = max(best, m.Conv1.Out*h*w)
	}
	for _, b := range m.Blocks {
		h, w = b.OutSize(h, w)
		best = max(best, b.Conv1.Out*h*w)
	}
	return best
}

func (m *ResNet) growArena(n int) {
	size := n * m.maxActivation()
	for i := range m.arena {
		m.arena[i] = grow(m.arena[i], size)
	}
}

// Forward computes the logits [n][classes] of n images x ([n][3][H][W]).
func (m *ResNet) Forward(x []float32, n int, train bool) []float32 {
	c, h, w := m.spec.C, m.spec.H, m.spec.W
	if n < 1 || len(x) != n*c*h*w {
		panic(fmt.Sprintf("dnn: %s: input has %d values, want %d images of %d×%d×%d", m.spec.Arch, len(x), n, c, h, w))
	}
	m.xT = grow(m.xT, len(x))
	hw := h * w
	for ni := range n {
		for ci := range c {
			copy(m.xT[(ci*n+ni)*hw:(ci*n+ni+1)*hw], x[(ni*c+ci)*hw:(ni*c+ci+1)*hw])
		}
	}
	if train {
		return m.forwardTrain(n)
	}
	return m.infer(n)
}

func (m *ResNet) forwardTrain(n int) []float32 {
	s := m.spec
	sp, sq := m.Conv1.OutSize(s.H, s.W)
	c0 := m.Conv1.Out
	m.h0, m.a0 = grow(m.h0, c0*n*sp*sq), grow(m.a0, c0*n*sp*sq)
	m.Conv1.Forward(m.h0, m.xT, n, s.H, s.W, true)
	m.BN1.Forward(m.a0, m.h0, n*sp*sq, true, true)
	x, h, w := m.a0, sp, sq
	if m.Pool != nil {
		ph, pw := m.Pool.OutSize(h, w)
		m.pooled = grow(m.pooled, c0*n*ph*pw)
		h, w = m.Pool.Forward(m.pooled, x, c0*n, h, w, true)
		x = m.pooled
	}
	m.n, m.sp, m.sq, m.pp, m.pq = n, sp, sq, h, w
	for _, b := range m.Blocks {
		x, h, w = b.Forward(x, n, h, w)
	}
	m.fh, m.fw = h, w
	m.feat = grow(m.feat, n*m.FC.In)
	m.Avg.Forward(m.feat, x, m.FC.In, n, h*w)
	return m.FC.Forward(m.feat, n)
}

// infer is the evaluation forward pass over the arena.
func (m *ResNet) infer(n int) []float32 {
	s := m.spec
	m.growArena(n)
	a := m.arena
	c0 := m.Conv1.Out
	h, w := m.Conv1.Forward(a[0], m.xT, n, s.H, s.W, false)
	m.BN1.Forward(a[0], a[0], n*h*w, false, true)
	x := a[0]
	if m.Pool != nil {
		h, w = m.Pool.Forward(a[1], x, c0*n, h, w, false)
		a[0], a[1] = a[1], a[0]
		x = a[0]
	}
	for _, b := range m.Blocks {
		x, h, w = b.infer(a[0], a[1], a[2], a[3], n, h, w)
		a[0], a[2] = a[2], a[0]
	}
	m.featE = grow(m.featE, n*m.FC.In)
	m.Avg.Forward(m.featE, x, m.FC.In, n, h*w)
	// Linear keeps its input for Backward: restore that of the last
	// training forward afterwards.
	keepX, keepN := m.FC.x, m.FC.n
	logits := m.FC.Forward(m.featE, n)
	m.FC.x, m.FC.n = keepX, keepN
	return logits
}

// FreezeBatchNorm sets Frozen on every batch norm: training Forward and
// Backward then compute the evaluation-mode network and its gradients.
func (m *ResNet) FreezeBatchNorm(frozen bool) {
	m.BN1.Frozen = frozen
	for _, b := range m.Blocks {
		for _, bn := range []*BatchNorm2d{b.BN1, b.BN2, b.DownBN} {
			if bn != nil {
				bn.Frozen = frozen
			}
		}
	}
}

// Backward propagates dlogits ([n][classes]) of the last training Forward
// and accumulates every parameter's Grad.
func (m *ResNet) Backward(dlogits []float32) { m.backward(dlogits, nil) }

// backward is Backward that also writes dLoss/dInput ([n][C][H][W]) into
// dinput when it is not nil.
func (m *ResNet) backward(dlogits, dinput []float32) {
	if m.n == 0 {
		panic(fmt.Sprintf("dnn: %s: Backward without a training Forward", m.spec.Arch))
	}
	n := m.n
	m.growArena(n)
	a := m.arena
	dfeat := m.FC.Backward(dlogits, true)
	m.Avg.Backward(a[0], dfeat, m.FC.In, n, m.fh*m.fw)
	for i := len(m.Blocks) - 1; i >= 0; i-- {
		m.Blocks[i].Backward(a[1], a[0], a[2], a[3])
		a[0], a[1] = a[1], a[0]
	}
	c0 := m.Conv1.Out
	d := a[0][:c0*n*m.sp*m.sq]
	if m.Pool != nil {
		m.Pool.Backward(a[1], a[0])
		d = a[1][:len(d)]
	}
	m.BN1.Backward(d, d)
	if dinput == nil {
		m.Conv1.Backward(nil, d, false)
		return
	}
	s := m.spec
	m.dxT = grow(m.dxT, s.C*n*s.H*s.W)
	m.Conv1.Backward(m.dxT, d, false)
	hw := s.H * s.W
	for ni := range n {
		for ci := range s.C {
			copy(dinput[(ni*s.C+ci)*hw:(ni*s.C+ci+1)*hw], m.dxT[(ci*n+ni)*hw:])
		}
	}
}

// Clone deep-copies the parameters and buffers; activations and scratch are
// not shared, so clones can run concurrently.
func (m *ResNet) Clone() Model {
	c := &ResNet{spec: m.spec, Conv1: m.Conv1.clone(nil), BN1: m.BN1.clone()}
	c.spec.Widths = append([]int(nil), m.spec.Widths...)
	c.spec.Depths = append([]int(nil), m.spec.Depths...)
	if m.Pool != nil {
		c.Pool = &MaxPool2d{Kernel: m.Pool.Kernel, Stride: m.Pool.Stride, Pad: m.Pool.Pad}
	}
	for _, b := range m.Blocks {
		c.Blocks = append(c.Blocks, b.clone(nil))
	}
	c.FC = &Linear{In: m.FC.In, Out: m.FC.Out, W: m.FC.W.Clone()}
	if m.FC.B != nil {
		c.FC.B = m.FC.B.Clone()
	}
	c.wire()
	return c
}
