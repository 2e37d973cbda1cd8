package eyeriss

import (
	"fmt"
	"math"
	"strings"

	"cosim/accel"
	"cosim/workload"
)

// Mapping is a row-stationary mapping of one layer in the notation of Chen
// et al., JSSC 2017, Table III (m, n, e, p, q, r, t), extended by three
// optional parameters of the loops over global-buffer tiles (f, c and their
// order; see the package doc). Their zero values give the JSSC mapping:
// full ofmap rows, all channels accumulated in the GLB, the JSSC order.
type Mapping struct {
	M int // m: ofmap channels whose partial sums the global buffer holds in one GLB pass
	N int // n: ifmaps (images) processed by one processing pass
	E int // e: ofmap rows of one PE set (its width before folding onto the array's columns)
	P int // p: filters per PE
	Q int // q: ifmap channels per PE
	R int // r: PE sets that process different channels (their psums accumulate)
	T int // t: PE sets that process different filters
	// F is f, the ofmap columns of one processing pass: the rows are cut
	// into ⌈F/f⌉ column chunks. 0 (or the layer's F) is full rows.
	F int
	// C is c, the ifmap channels of one GLB tile: a multiple of q·r whose
	// psums accumulate in the GLB before the next c channels. 0 (or the
	// layer's C) is all channels.
	C int
	// Order is the loops over GLB tiles at the backing store, outermost
	// first: a permutation of "NMEFC" (image chunks of n, GLB passes of m
	// filters, ofmap-row chunks of e, column chunks of f, channel tiles of
	// c). "" is the JSSC order, "NMEFC".
	Order string
}

// DefaultOrder is the JSSC order of the loops over GLB tiles (Mapping.Order).
const DefaultOrder = "NMEFC"

// String formats m as in Table III, e.g. "m=64 n=4 e=13 p=16 q=4 r=1 t=4",
// followed by f, c and the order when they are set.
func (m Mapping) String() string {
	s := fmt.Sprintf("m=%d n=%d e=%d p=%d q=%d r=%d t=%d", m.M, m.N, m.E, m.P, m.Q, m.R, m.T)
	if m.F != 0 {
		s += fmt.Sprintf(" f=%d", m.F)
	}
	if m.C != 0 {
		s += fmt.Sprintf(" c=%d", m.C)
	}
	if m.Order != "" {
		s += " order=" + m.Order
	}
	return s
}

// validOrder reports whether o is "" or a permutation of DefaultOrder.
func validOrder(o string) bool {
	if o == "" {
		return true
	}
	if len(o) != len(DefaultOrder) {
		return false
	}
	for _, c := range DefaultOrder {
		if strings.Count(o, string(c)) != 1 {
			return false
		}
	}
	return true
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
	l                   workload.Layer
	n, c, m, r, s, e, f int64 // N, C, K, R, S, P, Q
	macs                int64
	uw                  int64 // input columns some window covers (inside the input, not padding)
	vh                  int64 // (filter row, ofmap row) pairs whose input row is inside the input
}

func newShape(l workload.Layer) shape {
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

// tiling is what f, c and the order of a mapping imply for a layer.
type tiling struct {
	f            int64 // ofmap columns of a pass (≤ F)
	colChunks    int64 // ⌈F/f⌉
	uwSum, uwMax int64 // Σ and max over column chunks of the input columns touched
	c            int64 // channels of a GLB tile (≤ C)
	cChunks      int64 // ⌈C/c⌉
	// keepInputs: M is the innermost loop over GLB tiles, so the GLB keeps
	// a tile's ifmaps (n images, c channels) over the M/m passes.
	keepInputs bool
	// visits is how often the psums of a GLB tile come into the GLB: 1, or
	// ⌈C/c⌉ when a loop with more than one iteration runs inside the
	// channel loop, so that they spill to the backing store after every c
	// channels and come back for the next.
	visits int64
}

// tiling resolves f, c and the order of mp (legal) for sh.
func (sh *shape) tiling(mp Mapping) tiling {
	l := sh.l
	tl := tiling{f: sh.f, colChunks: 1, uwSum: sh.uw, uwMax: sh.uw, c: sh.c, cChunks: 1, visits: 1}
	if mp.F > 0 && int64(mp.F) < sh.f {
		tl.f, tl.colChunks, tl.uwSum, tl.uwMax = int64(mp.F), (sh.f+int64(mp.F)-1)/int64(mp.F), 0, 0
		for lo := 0; lo < l.Q; lo += mp.F {
			u := covered(l.W, l.S, lo, min(lo+mp.F, l.Q), l.Stride, l.Padding)
			tl.uwSum += u
			tl.uwMax = max(tl.uwMax, u)
		}
	}
	if mp.C > 0 && int64(mp.C) < sh.c {
		tl.c, tl.cChunks = int64(mp.C), (sh.c+int64(mp.C)-1)/int64(mp.C)
	}
	if mp.Order == "" { // DefaultOrder: C innermost, M not
		return tl
	}
	o := mp.Order
	tl.keepInputs = o[len(o)-1] == 'M'
	if tl.cChunks > 1 {
		for i := strings.IndexByte(o, 'C') + 1; i < len(o); i++ {
			var d, b int64 // the loop runs ⌈d/b⌉ times
			switch o[i] {
			case 'N':
				d, b = sh.n, int64(mp.N)
			case 'M':
				d, b = sh.m, int64(mp.M)
			case 'E':
				d, b = sh.e, int64(mp.E)
			case 'F':
				d, b = sh.f, tl.f
			}
			if d > b {
				tl.visits = tl.cChunks
			}
		}
	}
	return tl
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
	// transfers is the words moved on the on-chip network: into the
	// filter and ifmap spads, psums into a PE (from the PE below or the
	// global buffer) and out of the array.
	transfers int64
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
	case mp.F < 0 || mp.F > l.Q:
		return fmt.Sprintf("f = %d is not in 0..F = %d", mp.F, l.Q)
	case mp.C < 0 || mp.C > l.C || (mp.C > 0 && mp.C < l.C && mp.C%(mp.Q*mp.R) != 0):
		return fmt.Sprintf("c = %d is neither 0, C = %d nor a multiple of q·r = %d below C", mp.C, l.C, mp.Q*mp.R)
	case !validOrder(mp.Order):
		return fmt.Sprintf("order %q is not a permutation of %q", mp.Order, DefaultOrder)
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
	tl := sh.tiling(mp)
	for _, b := range m.buffers {
		if need := m.bufferWords(sh, ro, &tl, mp, b); need > b.capWords {
			tile := "n·q·r"
			if tl.keepInputs {
				tile = "n·c"
			}
			return fmt.Sprintf("global buffer %s needs %d words (psums m·n·e·f and two ifmap tiles %s·rows·cols), holds %d", b.c.Name, need, tile, b.capWords)
		}
	}
	return ""
}

// bufferWords is the words of global buffer b a GLB tile occupies: the psum
// tile m·n·e·f of the m ofmap channels and, double-buffered, the ifmap tile
// n·min(q·r, C)·rows·cols of one processing pass, or the whole tile
// n·c·rows·cols when the GLB keeps it over the M/m passes.
func (m *Model) bufferWords(sh *shape, ro *rowsOption, tl *tiling, mp Mapping, b buffer) int64 {
	var w int64
	if b.outputs {
		w += int64(mp.M) * int64(mp.N) * int64(mp.E) * tl.f
	}
	if b.inputs {
		ch := min(int64(mp.Q*mp.R), sh.c)
		if tl.keepInputs {
			ch = tl.c
		}
		w += 2 * int64(mp.N) * ch * ro.uhMax * tl.uwMax
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
	tl := sh.tiling(mp)

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
	ev.passes = images.count * groups.count * chans.count * kE * tl.colChunks
	// Column chunks split the F columns of every pass; the time per column
	// does not change.
	ev.compute = n * f * pSum * qSum * kE
	// The first pass uses t' filter sets and r' channel sets of R×e PEs.
	p1 := (groups.b + t - 1) / t
	q1 := (chans.b + rr - 1) / rr
	ev.activePEs = sh.l.R * mp.E * int((groups.b+p1-1)/p1) * int((chans.b+q1-1)/q1)

	macs := sh.macs
	// With zero gating the PE skips the ifmap-spad read, the filter-spad
	// read and the MAC when its ifmap operand is zero (JSSC 2017, data
	// gating; zero ifmaps are flagged as they enter the spad): a fraction
	// IfmapZeroFrac of the MACs. The psum is still read and written, and
	// the cycle is still spent.
	gated := macs
	if m.h.MAC.ZeroGating && sh.l.IfmapZeroFrac > 0 {
		gated = macs - int64(math.Round(float64(macs)*sh.l.IfmapZeroFrac))
	}
	outs := n * k * E * f // ofmap values
	var tr [maxSlots]traffic
	wb := &m.wordBits
	// Spads: one datum per word of word-bits.
	wspWrites := images.count * tl.colChunks * k * c * r * s * E
	ispWrites := n * c * tSum * sh.vh * tl.uwSum
	tr[m.wsp].readBits += gated * wb[m.wsp]
	tr[m.wsp].writeBits += wspWrites * wb[m.wsp]
	tr[m.isp].readBits += gated * wb[m.isp]
	tr[m.isp].writeBits += ispWrites * wb[m.isp]
	psumRecv := n * f * E * k * recv
	psumAcc := macs + psumRecv
	tr[m.psp].readBits += psumAcc * wb[m.psp]
	tr[m.psp].updateBits += psumAcc * wb[m.psp]
	tr[m.mac].ops += gated
	// Words on the on-chip network: every spad write is a delivery, every
	// psum a PE receives a hop, every psum written above the array a hop.
	ev.transfers = wspWrites + ispWrites + psumRecv + outs*chans.count
	// Weights leave their backing store once per processing pass, packed
	// at the layer's WeightBits; each pass's filters are reused by the n
	// images of the pass and multicast to the e PEs of a set row.
	tr[m.wmem].readBits += images.count * kE * tl.colChunks * k * c * r * s * int64(sh.l.WeightBits)
	// Ifmaps: every pass reads the rows and columns its sets touch from the
	// level above the spads, once, multicast to the t sets.
	ifmapWords := n * c * ro.uhSum * tl.uwSum
	if m.ibuf >= 0 {
		tr[m.ibuf].readBits += groups.count * ifmapWords * wb[m.ibuf]
		// Brought in from the backing store once per GLB pass of m
		// channels, or once when the GLB keeps them over the passes.
		fetches := (k + int64(mp.M) - 1) / int64(mp.M)
		if tl.keepInputs {
			fetches = 1
		}
		tr[m.imem].readBits += fetches * ifmapWords * wb[m.imem]
		tr[m.ibuf].writeBits += fetches * ifmapWords * wb[m.ibuf]
	} else {
		tr[m.imem].readBits += groups.count * ifmapWords * wb[m.imem]
	}
	// Psums: written to the level above the spads after every pass, read
	// back for every channel chunk but the first. With a GLB they go to
	// the backing store after each of their visits and come back for every
	// visit but the first.
	o := m.omem
	if m.obuf >= 0 {
		o = m.obuf
		tr[o].readBits += tl.visits * outs * wb[o]
		tr[m.omem].writeBits += tl.visits * outs * wb[m.omem]
		tr[m.omem].readBits += (tl.visits - 1) * outs * wb[m.omem]
		tr[o].writeBits += (tl.visits - 1) * outs * wb[o]
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
	ev.dynamicPJ += float64(ev.transfers)*m.transferPJ + m.cyclePJ*float64(ev.cycles)
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
