package sram

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Chip is the fault map of one manufactured chip: every physical bit has a
// failure threshold u ~ U(0, 1), drawn once, and at bit error rate p the bit
// fails if and only if u < p. A chip therefore keeps its weak cells as the
// supply drops: its failing set at a lower voltage (higher p) contains the
// one at a higher voltage.
//
// Only the bits that fail at the largest rate of interest, PMax, are drawn:
// they are Bernoulli(PMax) over the memory (SampleFlips, geometric gaps), and
// given that a bit fails at PMax its threshold is U(0, PMax). At any
// p ≤ PMax a bit then fails with probability PMax·(p/PMax) = p, independently
// of every other bit — exactly the i.i.d. model of SampleFlips at p.
//
// Each failing cell also has a stuck value (0 or 1, fair and independent
// per cell), for the stuck-at reading of a fault: the cell reads that value
// whatever was written, so it is an error only where the stored bit
// differs (StuckFlips).
type Chip struct {
	PMax  float64
	Bits  []int     // addresses of the bits failing at PMax, ascending
	U     []float64 // their thresholds, each in [0, PMax)
	Stuck []bool    // their stuck values (true = 1)
}

// NewChip draws a chip over nBits physical bits whose failing set is known
// for every p ≤ pMax (0 ≤ pMax ≤ 1). The draws from r are, in order: the
// positions (SampleFlips at pMax), then each position's threshold and stuck
// value; a seeded r gives the same chip.
func NewChip(r *rand.Rand, nBits int, pMax float64) *Chip {
	if math.IsNaN(pMax) || pMax < 0 || pMax > 1 {
		panic(fmt.Sprintf("sram: NewChip: largest bit error rate %v is not in [0, 1]", pMax))
	}
	c := &Chip{PMax: pMax, Bits: SampleFlips(r, nBits, pMax, nil)}
	c.U = make([]float64, len(c.Bits))
	c.Stuck = make([]bool, len(c.Bits))
	for i := range c.Bits {
		c.U[i] = pMax * r.Float64()
		c.Stuck[i] = r.Uint64()&1 == 1
	}
	return c
}

// Failing appends to dst[:0] the indices i (into Bits, U and Stuck) of the
// bits failing at bit error rate p, those with U[i] < p, in ascending
// address order. p must not exceed PMax (the chip knows nothing above it);
// p = PMax gives every drawn bit.
func (c *Chip) Failing(p float64, dst []int) []int {
	if math.IsNaN(p) || p > c.PMax {
		panic(fmt.Sprintf("sram: Chip.Failing: bit error rate %v above the chip's largest %v", p, c.PMax))
	}
	dst = dst[:0]
	for i, u := range c.U {
		if u < p || p == c.PMax {
			dst = append(dst, i)
		}
	}
	return dst
}

// Flips appends to dst[:0] the addresses of the bits failing at p, ascending:
// the bits that read inverted when a failing cell reads its flipped value.
func (c *Chip) Flips(p float64, dst []int) []int {
	idx := c.Failing(p, nil)
	dst = dst[:0]
	for _, i := range idx {
		dst = append(dst, c.Bits[i])
	}
	return dst
}

// StuckFlips appends to dst[:0] the addresses, ascending, of the bits that
// read wrong at p when a failing cell reads its stuck value: the failing
// cells whose stuck value differs from the stored bit (stored(a) is the
// value written at address a). Such a read is a flip of that bit.
func (c *Chip) StuckFlips(p float64, stored func(addr int) bool, dst []int) []int {
	idx := c.Failing(p, nil)
	dst = dst[:0]
	for _, i := range idx {
		if a := c.Bits[i]; stored(a) != c.Stuck[i] {
			dst = append(dst, a)
		}
	}
	return dst
}
