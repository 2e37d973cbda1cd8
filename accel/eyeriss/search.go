package eyeriss

import (
	"fmt"

	"cosim/workload"
)

// better reports whether (energy, cycles) beats the best so far under o.
func (o Objective) better(energy float64, cycles int64, bestEnergy float64, bestCycles int64) bool {
	switch o {
	case MinDelay:
		return cycles < bestCycles || (cycles == bestCycles && energy < bestEnergy)
	case MinEDP:
		a, b := energy*float64(cycles), bestEnergy*float64(bestCycles)
		return a < b || (a == b && energy < bestEnergy)
	}
	return energy < bestEnergy || (energy == bestEnergy && cycles < bestCycles)
}

// Search finds the legal mapping of l that minimises the model's objective
// (see the package doc for the space searched).
func (m *Model) Search(l workload.Layer) (Result, error) {
	sh, err := m.prepare(l)
	if err != nil {
		return Result{}, err
	}
	h := &m.h
	var (
		best   Mapping
		bestEv evaluation
		found  bool
		ev     evaluation
		lastE  = -1
	)
	for k := 1; k <= l.P; k++ {
		e := ceilDiv(l.P, k) // the smallest e that gives k chunks: balanced chunks
		if e == lastE {
			continue
		}
		lastE = e
		ro, ok := h.rows(&sh, e)
		if !ok {
			continue
		}
		lastN := -1
		for kn := 1; kn <= l.N; kn++ {
			n := ceilDiv(l.N, kn) // balanced image chunks, as for e
			if n == lastN {
				continue
			}
			lastN = n
			for p := 1; p <= min(m.psumCap, m.weightCap/l.S, l.K); p++ {
				for t := 1; t <= min(ro.fitSets, ceilDiv(l.K, p)); t++ {
					for q := 1; q <= min(m.ifmapCap/l.S, m.weightCap/(p*l.S), l.C); q++ {
						for r := 1; r <= min(ro.fitSets/t, ceilDiv(l.C, q)); r++ {
							mp := Mapping{N: n, E: e, P: p, Q: q, R: r, T: t}
							if !m.largestM(&sh, &ro, &mp) {
								continue
							}
							m.evaluate(&sh, &ro, mp, &ev)
							energy := ev.dynamicPJ + ev.leakagePJ
							if !found || m.objective.better(energy, ev.cycles, bestEv.dynamicPJ+bestEv.leakagePJ, bestEv.cycles) {
								best, bestEv, found = mp, ev, true
							}
						}
					}
				}
			}
		}
	}
	if !found {
		return Result{}, fmt.Errorf("eyeriss: layer %q: no legal row-stationary mapping on %s", l.Name, m.spec.Name)
	}
	return m.result(&sh, best, &bestEv), nil
}

// largestM sets mp.M to the largest m (M, or a multiple of p·t) whose GLB
// pass fits every global buffer, and reports whether one does. A larger m
// only saves ifmap refetches, so the largest is the best.
func (m *Model) largestM(sh *shape, ro *rowsOption, mp *Mapping) bool {
	l := sh.l
	pt := mp.P * mp.T
	mp.M = l.K
	tl := sh.tiling(*mp)
	for _, b := range m.buffers {
		if m.bufferWords(sh, ro, &tl, *mp, b) <= b.capWords {
			continue
		}
		if !b.outputs || pt >= l.K {
			return false
		}
		// The psum tile is linear in m: the largest multiple of p·t that fits.
		zero := *mp
		zero.M = 0
		rest := b.capWords - m.bufferWords(sh, ro, &tl, zero, b)
		fit := int(rest/(int64(mp.N)*int64(mp.E)*tl.f)) / pt * pt
		if fit < pt {
			return false
		}
		mp.M = min(mp.M, fit)
	}
	return m.check(sh, ro, *mp) == ""
}
