package dnn

import (
	"fmt"

	"cosim/dnn/kernels"
)

// Prefix keeps the activations of a fixed batch of images after every step
// of an engine's program, computed by Record. After a change to the weights
// of one tensor, ForwardFrom recomputes the batch's logits from the first
// step that reads that tensor: the steps before it read only unchanged
// weights, so their outputs are the ones kept, and the steps from it on run
// the same kernels on the same values as Forward, so the logits are bit for
// bit those of Forward. A bit-flip attack, which tries a change in every
// layer of a fixed attack batch, saves about half of the work this way.
//
// A Prefix holds every intermediate tensor of its images (about 1 MB per
// image for a CIFAR ResNet-20); it belongs to the engine that recorded it.
type Prefix struct {
	e      *Inference
	n      int
	groups [][][]float32       // [group][0: input, k+1: output of step k] in lanes
	shapes []kernels.LaneShape // lane shape of each tensor (zero for feature tensors)
}

// Len is the number of images p holds.
func (p *Prefix) Len() int { return p.n }

// Record computes the logits of the n images x as Forward does and keeps
// their activations in p for ForwardFrom.
func (e *Inference) Record(p *Prefix, x []float32, n int) []float32 {
	e.checkInput(x, n)
	e.prefixLayout()
	groups := (n + kernels.LaneWidth - 1) / kernels.LaneWidth
	if p.e != e || len(p.groups) != groups {
		*p = Prefix{e: e, shapes: e.tensorShapes()}
		for range groups {
			g := make([][]float32, len(e.prog)+1)
			for t := range g {
				g[t] = make([]float32, e.tensorLen(t))
			}
			p.groups = append(p.groups, g)
		}
	}
	p.n = n
	e.x, e.record = x, p
	return e.run(n)
}

// ForwardFrom returns the logits of p's images under the engine's current
// weights, recomputing from the first step that reads weight tensor i (as
// numbered by QuantWeights and WeightIndex). The weights every earlier step
// reads must be those at p's Record. The returned slice is owned by the
// engine and valid until the next call.
func (e *Inference) ForwardFrom(p *Prefix, i int) []float32 {
	if p.e != e {
		panic(fmt.Sprintf("dnn: inference %s: ForwardFrom with a Prefix recorded by another engine", e.arch))
	}
	from := -1
	for k := range e.prog {
		if op := &e.prog[k]; (op.kind == opConv || op.kind == opLinear) && op.weight == i {
			from = k
			break
		}
	}
	if from < 0 {
		panic(fmt.Sprintf("dnn: inference %s: ForwardFrom: no weight tensor %d", e.arch, i))
	}
	e.restore, e.from = p, from
	return e.run(p.n)
}

// Slots: lane buffers 0 … nbuf−1, then the feature buffers. Slot 0 holds
// the loaded input.

// outSlot is the slot op writes.
func (e *Inference) outSlot(op *inferOp) int {
	if op.kind == opAvgPool || op.kind == opLinear {
		return e.nbuf + op.out
	}
	return op.out
}

// slot returns the first n values of slot s of wk.
func (e *Inference) slot(wk *inferWorker, s, n int) []float32 {
	if s < e.nbuf {
		return wk.bufs[s][:n]
	}
	return wk.feat[s-e.nbuf][:n]
}

// logitsSlot is the slot the last step writes the logits into.
func (e *Inference) logitsSlot() int { return e.outSlot(&e.prog[len(e.prog)-1]) }

// tensorLen is the length of Prefix tensor t (0: the input, k+1: the
// output of step k).
func (e *Inference) tensorLen(t int) int {
	if t == 0 {
		return e.inShape.Len()
	}
	switch op := &e.prog[t-1]; op.kind {
	case opConv:
		return op.conv.Out.Len()
	case opMaxPool:
		return op.outShape.Len()
	case opAvgPool:
		return op.inShape.C * kernels.LaneWidth
	default:
		return op.nout * kernels.LaneWidth
	}
}

// tensorShapes returns the lane shape of every Prefix tensor held in a
// lane buffer (zero for those in feature buffers).
func (e *Inference) tensorShapes() []kernels.LaneShape {
	s := make([]kernels.LaneShape, len(e.prog)+1)
	if e.nbuf > 0 {
		s[0] = e.inShape
	}
	for k := range e.prog {
		switch op := &e.prog[k]; op.kind {
		case opConv:
			s[k+1] = op.conv.Out
		case opMaxPool:
			s[k+1] = op.outShape
		}
	}
	return s
}

// prefixLayout computes, once, which Prefix tensor every slot holds before
// each step.
func (e *Inference) prefixLayout() {
	if e.holders != nil {
		return
	}
	cur := make([]int, e.nbuf+len(inferWorker{}.feat))
	for s := range cur {
		cur[s] = -1
	}
	cur[0] = 0
	for k := range e.prog {
		e.holders = append(e.holders, append([]int(nil), cur...))
		cur[e.outSlot(&e.prog[k])] = k + 1
	}
}

// restoreGroup loads the tensors that the slots hold before step from into
// wk's buffers from one group's Prefix tensors.
func (e *Inference) restoreGroup(wk *inferWorker, tensors [][]float32, from int) {
	for s, t := range e.holders[from] {
		if t < 0 {
			continue
		}
		copy(e.slot(wk, s, len(tensors[t])), tensors[t])
		if s < e.nbuf {
			wk.shapes[s] = e.restore.shapes[t]
		}
	}
}
