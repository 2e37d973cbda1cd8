package eyeriss

import (
	"fmt"
	"math"

	"cosim/accel"
)

// Mapping is a row-stationary mapping of one layer in the notation of Chen
// et al., JSSC 2017, Table III.
type Mapping struct {
	M int // m: ofmap channels whose partial sums the global buffer holds in one GLB pass
	N int // n: ifmaps (images) processed by one processing pass
	E int // e: ofmap rows of one PE set (its width before folding onto the array's columns)
	P int // p: filters per PE
	Q int // q: ifmap channels per PE
	R int // r: PE sets that process different channels (their psums accumulate)
	T int // t: PE sets that process different filters
}

// String formats m as in Table III, e.g. "m=64 n=4 e=13 p=16 q=4 r=1 t=4".
func (m Mapping) String() string {
	return fmt.Sprintf("m=%d n=%d e=%d p=%d q=%d r=%d t=%d", m.M, m.N, m.E, m.P, m.Q, m.R, m.T)
}

// Result is one layer under one mapping: its geometry on the array, its
// timing and its access counts.
type Result struct {
	Mapping Mapping
	// Strips is ⌈e/Cols⌉, the strips a set wider than the array is folded
	// into (stacked vertically); SetRows × SetCols is the set's footprint
	// (SetRows = R·Strips, SetCols = min(e, Cols)).
	Strips, SetRows, SetCols int
	// ActivePEs is the number of PEs busy in a full processing pass: filter
	// rows × ofmap rows × the sets in use.
	ActivePEs int
	Passes    int64 // processing passes
	MACs      int64
	// ComputeCycles is the time of the processing passes; Cycles is
	// max(ComputeCycles, the cycles any memory needs at its bandwidth), and
	// Bound names what sets it ("compute" or the memory).
	ComputeCycles, Cycles int64
	Bound                 string
	Utilization           float64 // MACs / (Cycles · PEs)
	// EnergyPJ is the layer's energy at the nominal voltage: dynamic energy
	// of every action plus the leakage of every component over Cycles.
	EnergyPJ float64
	Counts   accel.Counts
}

// shape is the per-layer geometry the evaluation needs.
type shape struct {
	l                   accel.Layer
	n, c, m, r, s, e, f int64 // N, C, K, R, S, P, Q
	macs                int64
	uw                  int64 // input columns some window covers (inside the input, not padding)
	vh                  int64 // (filter row, ofmap row) pairs whose input row is inside the input
}

func newShape(l accel.Layer) shape {
	sh := shape{l: l, n: int64(l.N), c: int64(l.C), m: int64(l.K), r: int64(l.R), s: int64(l.S), e: int64(l.P), f: int64(l.Q), macs: l.MACs()}
	sh.uw = covered(l.W, l.S, 0, l.Q, l.Stride, l.Padding)
	for p := 0; p < l.P; p++ {
		lo := max(p*l.Stride-l.Padding, 0)
		hi := min(p*l.Stride-l.Padding+l.R-1, l.H-1)
		if hi >= lo {
			sh.vh += int64(hi - lo + 1)
		}
	}
	return sh
}

// covered is the number of distinct positions inside 0..in−1 that the
// windows of outputs lo..hi−1 (size filter, at stride, with padding) touch.
func covered(in, filter, lo, hi, stride, padding int) int64 {
	var n int64
	top := -1 // highest position counted so far
	for o := lo; o < hi; o++ {
		a := max(o*stride-padding, top+1, 0)
		b := min(o*stride-padding+filter-1, in-1)
		if b >= a {
			n += int64(b - a + 1)
			top = b
		}
	}
	return n
}

// rowsOption is the placement of PE sets of width e on the array and the
// ifmap rows its ofmap-row chunks touch.
type rowsOption struct {
	e, chunks                         int
	strips, setRows, setCols, fitSets int
	uhSum, uhMax                      int64 // Σ and max over chunks of the input rows touched
}

// rows places sets of e ofmap rows; ok is false when a set does not fit.
func (h *Hierarchy) rows(sh *shape, e int) (rowsOption, bool) {
	l := sh.l
	ro := rowsOption{e: e, chunks: ceilDiv(l.P, e), strips: ceilDiv(e, h.Cols), setCols: min(e, h.Cols)}
	ro.setRows = l.R * ro.strips
	if ro.setRows > h.Rows {
		return ro, false
	}
	ro.fitSets = (h.Rows / ro.setRows) * (h.Cols / ro.setCols)
	for lo := 0; lo < l.P; lo += e {
		u := covered(l.H, l.R, lo, min(lo+e, l.P), l.Stride, l.Padding)
		ro.uhSum += u
		ro.uhMax = max(ro.uhMax, u)
	}
	return ro, true
}

// split describes a dimension of size d cut into chunks of size b (the last
// one smaller): count chunks, the last of size last.
type split struct{ b, count, last int64 }

func splitOf(d, b int64) split {
	b = min(b, d)
	k := (d + b - 1) / b
	return split{b: b, count: k, last: d - (k-1)*b}
}

// sum is Σ over the chunks of f(chunk size, chunk index is 0).
func (sp split) sum(f func(size int64, first bool) int64) int64 {
	if sp.count == 1 {
		return f(sp.last, true)
	}
	return f(sp.b, true) + (sp.count-2)*f(sp.b, false) + f(sp.last, false)
}

// traffic is the access count of one component in bits per action (so that
// data of several widths share a memory), before rounding to accesses.
type traffic struct{ readBits, writeBits, updateBits, ops int64 }

// evaluation is everything a mapping implies for one layer, in slots
// indexed like Model.slots.
type evaluation struct {
	ro                   rowsOption
	passes, compute      int64
	activePEs            int
	access               [maxSlots]accel.Access
	cycles               int64
	bound                int // slot whose bandwidth sets cycles, −1: compute
	dynamicPJ, leakagePJ float64
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// check returns why mp is not a legal mapping of sh with rows option ro, or
// "" when it is.
func (m *Model) check(sh *shape, ro *rowsOption, mp Mapping) string {
	l := sh.l
	h := &m.h
	switch {
	case mp.M < 1 || mp.N < 1 || mp.E < 1 || mp.P < 1 || mp.Q < 1 || mp.R < 1 || mp.T < 1:
		return "every parameter must be ≥ 1"
	case mp.M > l.K || mp.N > l.N || mp.E > l.P || mp.P > l.K || mp.Q > l.C:
		return fmt.Sprintf("m ≤ M = %d, n ≤ N = %d, e ≤ E = %d, p ≤ M and q ≤ C = %d are required", l.K, l.N, l.P, l.C)
	case mp.M != l.K && mp.M%(mp.P*mp.T) != 0:
		return fmt.Sprintf("m = %d is neither M = %d nor a multiple of p·t = %d", mp.M, l.K, mp.P*mp.T)
	case mp.Q*l.S > m.ifmapCap:
		return fmt.Sprintf("q·S = %d ifmaps exceed the %d of %s", mp.Q*l.S, m.ifmapCap, h.IfmapSpad.Name)
	case mp.P > m.psumCap:
		return fmt.Sprintf("p = %d psums exceed the %d of %s", mp.P, m.psumCap, h.PsumSpad.Name)
	case mp.P*mp.Q*l.S > m.weightCap:
		return fmt.Sprintf("p·q·S = %d weights exceed the %d of %s", mp.P*mp.Q*l.S, m.weightCap, h.WeightSpad.Name)
	case ro.setRows > h.Rows:
		return fmt.Sprintf("a set of R·⌈e/%d⌉ = %d rows does not fit the %d rows of the array", h.Cols, ro.setRows, h.Rows)
	case mp.R*mp.T > ro.fitSets:
		return fmt.Sprintf("r·t = %d sets of %d×%d PEs do not fit the %d×%d array (at most %d)", mp.R*mp.T, ro.setRows, ro.setCols, h.Rows, h.Cols, ro.fitSets)
	}
	for _, b := range m.buffers {
		if need := m.bufferWords(sh, ro, mp, b); need > b.capWords {
			return fmt.Sprintf("global buffer %s needs %d words (psums m·n·e·F and two ifmap tiles n·q·r·rows·cols), holds %d", b.c.Name, need, b.capWords)
		}
	}
	return ""
}

// bufferWords is the words of global buffer b a GLB pass occupies: the psum
// tile m·n·e·F of the m ofmap channels and, double-buffered, the ifmap tile
// n·min(qr, C)·rows·cols of one processing pass.
func (m *Model) bufferWords(sh *shape, ro *rowsOption, mp Mapping, b buffer) int64 {
	var w int64
	if b.outputs {
		w += int64(mp.M) * int64(mp.N) * int64(mp.E) * sh.f
	}
	if b.inputs {
		w += 2 * int64(mp.N) * min(int64(mp.Q*mp.R), sh.c) * ro.uhMax * sh.uw
	}
	return w
}

// evaluate counts sh under the legal mapping mp (see the package doc for
// the model) into ev.
func (m *Model) evaluate(sh *shape, ro *rowsOption, mp Mapping, ev *evaluation) {
	*ev = evaluation{ro: *ro, bound: -1}
	n, c, k, r, s, f := sh.n, sh.c, sh.m, sh.r, sh.s, sh.f
	E := sh.e
	p, q, rr, t := int64(mp.P), int64(mp.Q), int64(mp.R), int64(mp.T)

	// Filter groups of p·t filters: each of t sets gets p' = ⌈size/t⌉.
	groups := splitOf(k, p*t)
	pSum := groups.sum(func(x int64, _ bool) int64 { return (x + t - 1) / t })
	tSum := groups.sum(func(x int64, _ bool) int64 { pp := (x + t - 1) / t; return (x + pp - 1) / pp })
	// Channel chunks of q·r channels: each of r sets gets q' = ⌈size/r⌉;
	// the r' sets in use accumulate their psums in one chain of R·r' PEs.
	chans := splitOf(c, q*rr)
	chain := func(x int64) int64 { qq := (x + rr - 1) / rr; return r * ((x + qq - 1) / qq) }
	// Per ofmap column and filter a PE spends q'·S MAC cycles, plus one adder
	// cycle to add the psum it receives (from the PE below, or the global
	// buffer's partial sum at the bottom of a chain).
	qSum := chans.sum(func(x int64, first bool) int64 {
		cyc := (x + rr - 1) / rr * s
		if chain(x) > 1 || !first {
			cyc++
		}
		return cyc
	})
	recv := chans.sum(func(x int64, first bool) int64 {
		v := chain(x) - 1
		if !first {
			v++
		}
		return v
	})
	images := splitOf(n, int64(mp.N))
	kE := int64(ro.chunks)
	ev.passes = images.count * groups.count * chans.count * kE
	ev.compute = n * f * pSum * qSum * kE
	// The first pass uses t' filter sets and r' channel sets of R×e PEs.
	p1 := (groups.b + t - 1) / t
	q1 := (chans.b + rr - 1) / rr
	ev.activePEs = sh.l.R * mp.E * int((groups.b+p1-1)/p1) * int((chans.b+q1-1)/q1)

	macs := sh.macs
	outs := n * k * E * f // ofmap values
	var tr [maxSlots]traffic
	wb := &m.wordBits
	// Spads: one datum per word of word-bits.
	tr[m.wsp].readBits += macs * wb[m.wsp]
	tr[m.wsp].writeBits += images.count * k * c * r * s * E * wb[m.wsp]
	tr[m.isp].readBits += macs * wb[m.isp]
	tr[m.isp].writeBits += n * c * tSum * sh.vh * sh.uw * wb[m.isp]
	psumAcc := macs + n*f*E*k*recv
	tr[m.psp].readBits += psumAcc * wb[m.psp]
	tr[m.psp].updateBits += psumAcc * wb[m.psp]
	tr[m.mac].ops += macs
	// Weights leave their backing store once per processing pass, packed
	// at the layer's WeightBits; each pass's filters are reused by the n
	// images of the pass and multicast to the e PEs of a set row.
	tr[m.wmem].readBits += images.count * kE * k * c * r * s * int64(sh.l.WeightBits)
	// Ifmaps: every pass reads the rows its sets touch from the level above
	// the spads, once, multicast to the t sets.
	ifmapWords := n * c * ro.uhSum * sh.uw
	if m.ibuf >= 0 {
		tr[m.ibuf].readBits += groups.count * ifmapWords * wb[m.ibuf]
		// Brought in from the backing store once per GLB pass of m channels.
		mChunks := (k + int64(mp.M) - 1) / int64(mp.M)
		tr[m.imem].readBits += mChunks * ifmapWords * wb[m.imem]
		tr[m.ibuf].writeBits += mChunks * ifmapWords * wb[m.ibuf]
	} else {
		tr[m.imem].readBits += groups.count * ifmapWords * wb[m.imem]
	}
	// Psums: written to the level above the spads after every pass, read
	// back for every channel chunk but the first.
	o := m.omem
	if m.obuf >= 0 {
		o = m.obuf
		tr[o].readBits += outs * wb[o]
		tr[m.omem].writeBits += outs * wb[m.omem]
	}
	tr[o].writeBits += outs * chans.count * wb[o]
	tr[o].readBits += outs * (chans.count - 1) * wb[o]

	// Accesses of width bits, energy and bandwidth.
	ev.cycles = ev.compute
	for i := range m.slots {
		sl := &m.slots[i]
		a := accel.Access{Ops: tr[i].ops}
		if sl.width > 0 {
			a.Reads = ceilBits(tr[i].readBits, sl.width)
			a.Writes = ceilBits(tr[i].writeBits, sl.width)
			a.Updates = ceilBits(tr[i].updateBits, sl.width)
		}
		ev.access[i] = a
		ev.dynamicPJ += sl.cost.DynamicPJ(a)
		if bwc := sl.bandwidthCycles(tr[i]); bwc > ev.cycles {
			ev.cycles, ev.bound = bwc, i
		}
	}
	ev.leakagePJ = accel.LeakagePJ(m.leakageMW, ev.cycles, m.spec.ClockMHz)
}

func ceilBits(bits, width int64) int64 { return (bits + width - 1) / width }

// bandwidthCycles is the cycles the traffic t needs at the slot's read and
// write bandwidth (words of word-bits per cycle per instance; 0: unlimited).
func (sl *slot) bandwidthCycles(t traffic) int64 {
	var cyc float64
	if sl.readBW > 0 {
		cyc = float64(t.readBits) / (float64(sl.wordBits) * sl.readBW * float64(sl.instances))
	}
	if sl.writeBW > 0 {
		cyc = math.Max(cyc, float64(t.writeBits+t.updateBits)/(float64(sl.wordBits)*sl.writeBW*float64(sl.instances)))
	}
	// A hair below the quotient so that a whole number of cycles computed
	// through an inexact bandwidth (0.1 words/cycle) does not round up.
	return int64(math.Ceil(cyc * (1 - 1e-12)))
}
