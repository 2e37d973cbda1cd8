package attack

// Need is the least count c of n items with 100·c > pct·n (strict) or, with
// orEqual, 100·c ≥ pct·n, evaluated in float64 exactly as the full check
// compares; it is n+1 when no count qualifies.
func Need(pct float64, n int, orEqual bool) int {
	ok := func(c int) bool {
		a, b := 100*float64(c), pct*float64(n)
		if orEqual {
			return a >= b
		}
		return a > b
	}
	c := max(0, min(n+1, int(pct*float64(n)/100)))
	for c > 0 && ok(c-1) {
		c--
	}
	for c <= n && !ok(c) {
		c++
	}
	return c
}

// Decide scores items 0…n−1 in chunks of at most chunk (score(lo, hi)
// returns how many of items lo…hi−1 count) and reports whether at least
// need of them count. With early set it stops after the first chunk at
// which the answer is decided: counted ≥ need, or counted + (n − scored) <
// need (see the package documentation); with finishFalse it still scores
// everything when the answer is false. Early chunks are no longer than the
// count still missing (need − counted), rounded up to a multiple of quantum,
// so that a check that ends true scores little beyond need items. It
// returns the answer, the count and the number of items scored.
func Decide(n, need, chunk, quantum int, early, finishFalse bool, score func(lo, hi int) int) (ok bool, counted, scored int) {
	for scored < n {
		step := chunk
		if early && need-counted < chunk {
			step = max(quantum, (need-counted+quantum-1)/quantum*quantum)
		}
		hi := min(n, scored+step)
		counted += score(scored, hi)
		scored = hi
		if !early {
			continue
		}
		if counted >= need {
			return true, counted, scored
		}
		if counted+(n-scored) < need && !finishFalse {
			return false, counted, scored
		}
	}
	return counted >= need, counted, scored
}
