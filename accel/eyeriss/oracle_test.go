package eyeriss

import (
	"strings"
	"testing"

	"cosim/accel"
	"cosim/arch"
	"cosim/internal/seed"
	"cosim/workload"
)

// oracleCounts is what oracle finds by walking every pass and every PE.
type oracleCounts struct {
	macs, compute, passes       int64
	wspadW, ispadW, psumRecv    int64
	weightsRead                 int64 // weights read from the weight backing store
	inReadWords, inFillWords    int64 // ifmap words read by passes; brought into the GLB
	outWriteWords, outReadWords int64 // psums written to / read back from the level above the spads
	drainWords, refillWords     int64 // psums leaving the GLB for the backing store; coming back
	activePEs                   int
}

// oracle counts layer l under mapping mp with explicit loops over the GLB
// tiles (image chunks, GLB passes, row chunks, column chunks and channel
// tiles, in mp's order), the channel chunks and filter groups of each, the
// sets and the PEs of each pass, and sets of touched input rows and
// columns; the GLB's psum tile is followed from one tile to the next (it
// spills when the next tile is another one, and comes back when a tile is
// visited again): the independent check of evaluate's closed forms.
func oracle(l workload.Layer, mp Mapping) oracleCounts {
	var o oracleCounts
	inside := func(x, n int) bool { return x >= 0 && x < n }
	sizes := func(total, per int) []int { // total split over sets of at most per
		var s []int
		for total > 0 {
			s = append(s, min(per, total))
			total -= per
		}
		return s
	}
	starts := func(total, per int) []int {
		var s []int
		for x := 0; x < total; x += per {
			s = append(s, x)
		}
		return s
	}
	f := mp.F
	if f == 0 || f > l.Q {
		f = l.Q
	}
	ct := mp.C
	if ct == 0 || ct > l.C {
		ct = l.C
	}
	order := mp.Order
	if order == "" {
		order = "NMEFC"
	}
	keep := order[len(order)-1] == 'M'
	loops := map[byte][]int{'N': starts(l.N, mp.N), 'M': starts(l.K, mp.M), 'E': starts(l.P, mp.E), 'F': starts(l.Q, f), 'C': starts(l.C, ct)}
	at := map[byte]int{}
	type tile struct{ n, k, p, f, c int }
	var prevIn, prevOut tile
	prevOutSize := int64(-1)
	visited := map[tile]bool{}
	qr := mp.Q * mp.R
	body := func() {
		n0, k0, p0, f0, c0 := at['N'], at['M'], at['E'], at['F'], at['C']
		nn := int64(min(mp.N, l.N-n0))
		km := min(mp.M, l.K-k0)
		ee := min(mp.E, l.P-p0)
		ff := min(f, l.Q-f0)
		cc := min(ct, l.C-c0)
		rows, cols := map[int]bool{}, map[int]bool{}
		for j := 0; j < ee; j++ {
			for i := 0; i < l.R; i++ {
				if h := (p0+j)*l.Stride - l.Padding + i; inside(h, l.H) {
					rows[h] = true
				}
			}
		}
		for j := 0; j < ff; j++ {
			for i := 0; i < l.S; i++ {
				if w := (f0+j)*l.Stride - l.Padding + i; inside(w, l.W) {
					cols[w] = true
				}
			}
		}
		uw := len(cols)
		// The GLB's psum tile: spill the previous one, bring this one back.
		if out := (tile{n0, k0, p0, f0, 0}); prevOutSize < 0 || out != prevOut {
			if prevOutSize >= 0 {
				o.drainWords += prevOutSize
			}
			size := nn * int64(km*ee*ff)
			if visited[out] {
				o.refillWords += size
			}
			visited[out], prevOut, prevOutSize = true, out, size
		}
		if in := (tile{n0, 0, p0, f0, c0}); keep && (o.passes == 0 || in != prevIn) {
			o.inFillWords += nn * int64(cc*len(rows)*uw)
			prevIn = in
		}
		for ch0 := c0; ch0 < c0+cc; ch0 += qr {
			ci := ch0 / qr // channel chunk over the whole layer
			ch := min(qr, c0+cc-ch0)
			if !keep {
				o.inFillWords += nn * int64(ch*len(rows)*uw)
			}
			for g0 := 0; g0 < km; g0 += mp.P * mp.T {
				gg := min(mp.P*mp.T, km-g0)
				o.passes++
				fsets := sizes(gg, (gg+mp.T-1)/mp.T)
				csets := sizes(ch, (ch+mp.R-1)/mp.R)
				add := int64(0)
				if l.R*len(csets) > 1 || ci > 0 {
					add = 1
				}
				o.compute += nn * int64(ff) * int64(fsets[0]) * (int64(csets[0]*l.S) + add)
				o.inReadWords += nn * int64(ch*len(rows)*uw)
				o.weightsRead += int64(gg * ch * l.R * l.S)
				o.outWriteWords += nn * int64(gg*ee*ff)
				if ci > 0 {
					o.outReadWords += nn * int64(gg*ee*ff)
				}
				if o.passes == 1 {
					o.activePEs = len(fsets) * len(csets) * l.R * mp.E
				}
				for _, fs := range fsets {
					for cs, csz := range csets {
						for i := 0; i < l.R; i++ {
							for j := 0; j < ee; j++ {
								o.macs += nn * int64(ff*fs*csz*l.S)
								o.wspadW += int64(fs * csz * l.S)
								if inside((p0+j)*l.Stride-l.Padding+i, l.H) {
									o.ispadW += nn * int64(csz*uw)
								}
								if cs*l.R+i > 0 || ci > 0 { // not the bottom of the chain
									o.psumRecv += nn * int64(ff*fs)
								}
							}
						}
					}
				}
			}
		}
	}
	var walk func(level int)
	walk = func(level int) {
		if level == len(order) {
			body()
			return
		}
		for _, x := range loops[order[level]] {
			at[order[level]] = x
			walk(level + 1)
		}
	}
	walk(0)
	o.drainWords += prevOutSize
	return o
}

// oracleAccess turns oracle counts into accesses per component the way
// the package doc states (bits per action, ⌈bits/width⌉).
func oracleAccess(h Hierarchy, l workload.Layer, o oracleCounts) map[string]accel.Access {
	type bits struct{ r, w, u, ops int64 }
	b := map[*arch.Component]*bits{}
	get := func(c *arch.Component) *bits {
		if b[c] == nil {
			b[c] = &bits{}
		}
		return b[c]
	}
	wb := func(c *arch.Component) int64 { return int64(c.WordBits) }
	get(h.MAC).ops += o.macs
	get(h.WeightSpad).r += o.macs * wb(h.WeightSpad)
	get(h.WeightSpad).w += o.wspadW * wb(h.WeightSpad)
	get(h.IfmapSpad).r += o.macs * wb(h.IfmapSpad)
	get(h.IfmapSpad).w += o.ispadW * wb(h.IfmapSpad)
	get(h.PsumSpad).r += (o.macs + o.psumRecv) * wb(h.PsumSpad)
	get(h.PsumSpad).u += (o.macs + o.psumRecv) * wb(h.PsumSpad)
	get(h.WeightMem).r += o.weightsRead * int64(l.WeightBits)
	if h.InputBuf != nil {
		get(h.InputBuf).r += o.inReadWords * wb(h.InputBuf)
		get(h.InputBuf).w += o.inFillWords * wb(h.InputBuf)
		get(h.InputMem).r += o.inFillWords * wb(h.InputMem)
	} else {
		get(h.InputMem).r += o.inReadWords * wb(h.InputMem)
	}
	dst := h.OutputMem
	if h.OutputBuf != nil {
		dst = h.OutputBuf
		get(h.OutputBuf).r += o.drainWords * wb(h.OutputBuf)
		get(h.OutputMem).w += o.drainWords * wb(h.OutputMem)
		get(h.OutputMem).r += o.refillWords * wb(h.OutputMem)
		get(h.OutputBuf).w += o.refillWords * wb(h.OutputBuf)
	}
	get(dst).w += o.outWriteWords * wb(dst)
	get(dst).r += o.outReadWords * wb(dst)
	out := map[string]accel.Access{}
	for c, x := range b {
		a := accel.Access{Ops: x.ops}
		if c.IsMemory() {
			w := int64(c.WidthBits)
			a.Reads, a.Writes, a.Updates = (x.r+w-1)/w, (x.w+w-1)/w, (x.u+w-1)/w
		}
		if a != (accel.Access{}) {
			out[c.Name] = a
		}
	}
	return out
}

// TestEvaluateMatchesOracle draws random layers and random legal mappings
// on three specs (with a GLB, without one, and the small test array) and
// checks every count, the compute cycles and the active PEs against the
// oracle.
func TestEvaluateMatchesOracle(t *testing.T) {
	models := []*Model{builtinModel(t, "eyeriss", MinEnergy), builtinModel(t, "eyeriss-onchip", MinEnergy), miniModel(t, MinEnergy)}
	rng := seed.Stream(4, 1)
	legal, colChunks, spills, kept := 0, 0, 0, 0
	for trial := 0; trial < 40000 && legal < 2000; trial++ {
		m := models[trial%len(models)]
		r := []int{1, 1, 3, 3, 5}[rng.IntN(5)]
		stride := 1 + rng.IntN(3)
		pad := rng.IntN(r/2 + 1)
		hw := r + rng.IntN(14)
		bits := []int{4, 8, 16}[rng.IntN(3)]
		l := workload.Conv("x", 1+rng.IntN(3), 1+rng.IntN(20), hw, hw, 1+rng.IntN(40), r, r, stride, pad, bits)
		if rng.IntN(8) == 0 {
			l = workload.FC("x", 1+rng.IntN(3), 1+rng.IntN(100), 1+rng.IntN(50), bits)
		}
		if l.Validate() != nil {
			continue
		}
		mp := Mapping{N: 1 + rng.IntN(l.N), E: 1 + rng.IntN(l.P), P: 1 + rng.IntN(min(l.K, 8)), Q: 1 + rng.IntN(min(l.C, 6)),
			R: 1 + rng.IntN(4), T: 1 + rng.IntN(4)}
		mp.M = l.K
		if g := mp.P * mp.T; g < l.K && rng.IntN(2) == 0 {
			mp.M = g * (1 + rng.IntN((l.K+g-1)/g))
			mp.M = min(mp.M, l.K)
			if mp.M != l.K && mp.M%g != 0 {
				mp.M = g
			}
		}
		// Half the mappings are JSSC's; the others draw column chunks,
		// channel tiles and an order of the loops over GLB tiles.
		if rng.IntN(2) == 0 {
			if rng.IntN(2) == 0 {
				mp.F = 1 + rng.IntN(l.Q)
			}
			if g := mp.Q * mp.R; g < l.C && rng.IntN(2) == 0 {
				mp.C = g * (1 + rng.IntN((l.C-1)/g))
			}
			if rng.IntN(4) > 0 {
				order := []byte(DefaultOrder)
				rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
				mp.Order = string(order)
				if rng.IntN(3) == 0 { // the GLB keeps ifmaps over the GLB passes
					mp.Order = strings.Replace(mp.Order, "M", "", 1) + "M"
				}
			}
		}
		res, err := m.Evaluate(l, mp)
		if err != nil {
			continue
		}
		legal++
		sh := newShape(l)
		tl := sh.tiling(mp)
		if tl.colChunks > 1 {
			colChunks++
		}
		if tl.visits > 1 {
			spills++
		}
		if tl.keepInputs && mp.M < l.K {
			kept++
		}
		o := oracle(l, mp)
		want := oracleAccess(m.h, l, o)
		// Words on the on-chip network, for the overheads that price them.
		for _, name := range m.network {
			want[name] = accel.Access{Ops: o.wspadW + o.ispadW + o.psumRecv + o.outWriteWords}
		}
		if len(want) != len(res.Counts.Access) {
			t.Fatalf("%s %+v %v: components %v, oracle %v", m.spec.Name, l, mp, res.Counts.Access, want)
		}
		for n, a := range want {
			if res.Counts.Access[n] != a {
				t.Fatalf("%s %+v %v: %s %+v, oracle %+v", m.spec.Name, l, mp, n, res.Counts.Access[n], a)
			}
		}
		if res.ComputeCycles != o.compute || res.Passes != o.passes || res.MACs != o.macs || o.macs != l.MACs() || res.ActivePEs != o.activePEs {
			t.Fatalf("%s %+v %v: compute %d passes %d MACs %d PEs %d; oracle %d %d %d %d", m.spec.Name, l, mp,
				res.ComputeCycles, res.Passes, res.MACs, res.ActivePEs, o.compute, o.passes, o.macs, o.activePEs)
		}
	}
	t.Logf("%d legal mappings: %d with column chunks, %d whose psums spill, %d whose ifmaps the GLB keeps over several GLB passes", legal, colChunks, spills, kept)
	if legal < 2000 || colChunks < 200 || spills < 80 || kept < 60 {
		t.Fatalf("only %d legal random mappings (%d with column chunks, %d spilling, %d keeping ifmaps)", legal, colChunks, spills, kept)
	}
}
