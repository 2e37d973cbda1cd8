// Package ecc holds the memory-protection codes of the weight memory:
// single-error-correcting, double-error-detecting (SEC-DED) Hsiao codes on
// stored words — the standard (72,64) code, with 8 check bits beside every
// 64-bit word, and the (64,57) code of in-place zero-space ECC (Guan et al.,
// NeurIPS 2019), whose 7 check bits live in bits of the word that
// range-limited weights leave free (Layout) — and the Protection a
// memory applies.
//
// # Construction
//
// Both codes are Hsiao codes (M. Y. Hsiao, "A class of optimal minimum
// odd-weight-column SEC-DED codes", IBM J. Res. Dev. 14(4), 1970): every
// column of the parity-check matrix H has odd weight — the r check bits
// the unit columns, the data bits distinct columns of weight 3, then 5,
// then 7, in increasing numeric order. Distinct non-zero columns make a
// single error's syndrome the column of the flipped bit (corrected); the
// sum of two odd columns is even and non-zero (detected, uncorrectable).
// They are chosen over the extended Hamming code because the same
// guarantees come with the fewest ones in H (the fewest XOR gates in
// encoder and decoder, the reason Hsiao codes are the usual memory ECC)
// and because every odd number of errors gives an odd syndrome, so three
// errors are either detected or miscorrected, never taken for a double
// error; and one construction serves both codes: (72,64) uses the 56
// weight-3 and 8 of the 56 weight-5 columns of 8 check bits, (64,57) all
// 35 weight-3, 21 weight-5 and the one weight-7 column of 7 check bits.
//
// Decoding is that of the real code, bit for bit: a zero syndrome reads the
// word as it is (an undetected error escapes), a syndrome equal to a column
// flips that bit back (three errors may so be miscorrected into a fourth),
// any other syndrome is a detected, uncorrectable error.
package ecc

import (
	"fmt"
	"math/bits"
)

// Word is a stored codeword of up to 128 bits: bit j is bit j%64 of
// Word[j/64].
type Word [2]uint64

// Bit returns bit j of w.
func (w Word) Bit(j int) uint64 { return w[j>>6] >> (j & 63) & 1 }

// Flip returns w with bit j inverted.
func (w Word) Flip(j int) Word {
	w[j>>6] ^= 1 << (j & 63)
	return w
}

// Status is the outcome of decoding one word.
type Status uint8

const (
	// Clean: the syndrome is zero (no error, or one the code cannot see).
	Clean Status = iota
	// Corrected: the syndrome named one bit, which was flipped back (a
	// true correction, or a miscorrection of three or more errors).
	Corrected
	// Uncorrectable: the error was detected but names no bit.
	Uncorrectable
)

func (s Status) String() string {
	return [...]string{"clean", "corrected", "uncorrectable"}[s]
}

// Code is a binary SEC-DED code on n-bit words whose r check bits sit at
// given positions and whose other k = n − r positions hold data.
type Code struct {
	n, k  int
	check []int   // positions of the check bits
	rows  []Word  // row i of H: the positions whose column has bit i set
	fix   []int16 // syndrome → position to flip; −1: uncorrectable
}

// Hsiao builds the Hsiao SEC-DED code on n-bit words (n ≤ 128) with check
// bit i at position check[i] (at most 12 check bits); the data bits take
// the other positions in increasing order.
func Hsiao(n int, check []int) (*Code, error) {
	r := len(check)
	if n < 1 || n > 128 || r < 2 || r > 12 || r >= n {
		return nil, fmt.Errorf("ecc: Hsiao(%d, %d check bits): want n ≤ 128 and 2..12 check bits, fewer than n", n, r)
	}
	c := &Code{n: n, k: n - r, check: append([]int(nil), check...), rows: make([]Word, r), fix: make([]int16, 1<<r)}
	isCheck := make([]bool, n)
	for _, p := range check {
		if p < 0 || p >= n || isCheck[p] {
			return nil, fmt.Errorf("ecc: Hsiao: check position %d repeated or outside [0, %d)", p, n)
		}
		isCheck[p] = true
	}
	for i := range c.fix {
		c.fix[i] = -1
	}
	set := func(pos int, col uint) {
		c.fix[col] = int16(pos)
		for i := range r {
			if col>>i&1 == 1 {
				c.rows[i] = c.rows[i].Flip(pos)
			}
		}
	}
	for i, p := range check {
		set(p, 1<<i)
	}
	var cols []uint
	for w := 3; w <= r; w += 2 {
		for col := uint(0); col < 1<<r; col++ {
			if bits.OnesCount(col) == w {
				cols = append(cols, col)
			}
		}
	}
	if len(cols) < c.k {
		return nil, fmt.Errorf("ecc: Hsiao: %d check bits have %d odd-weight columns for %d data bits", r, len(cols), c.k)
	}
	d := 0
	for pos := range n {
		if !isCheck[pos] {
			set(pos, cols[d])
			d++
		}
	}
	return c, nil
}

// N is the codeword length in bits.
func (c *Code) N() int { return c.n }

// K is the number of data bits.
func (c *Code) K() int { return c.k }

// CheckPositions returns the positions of the check bits.
func (c *Code) CheckPositions() []int { return append([]int(nil), c.check...) }

// parity returns the parity of w & m.
func parity(w, m Word) uint {
	return uint(bits.OnesCount64(w[0]&m[0])+bits.OnesCount64(w[1]&m[1])) & 1
}

// Syndrome returns H·w.
func (c *Code) Syndrome(w Word) uint {
	var s uint
	for i, row := range c.rows {
		s |= parity(w, row) << i
	}
	return s
}

// Encode returns w with its check bits set from its data bits (whatever the
// check positions held before).
func (c *Code) Encode(w Word) Word {
	for _, p := range c.check {
		w[p>>6] &^= 1 << (p & 63)
	}
	for i, row := range c.rows {
		if parity(w, row) == 1 {
			w = w.Flip(c.check[i])
		}
	}
	return w
}

// Decode corrects w as the code's decoder does and reports what it did.
func (c *Code) Decode(w Word) (Word, Status) {
	s := c.Syndrome(w)
	switch {
	case s == 0:
		return w, Clean
	case c.fix[s] >= 0:
		return w.Flip(int(c.fix[s])), Corrected
	}
	return w, Uncorrectable
}

// SECDED72 returns the standard (72,64) Hsiao code: data bits 0…63, check
// bits 64…71.
func SECDED72() *Code {
	c, err := Hsiao(72, []int{64, 65, 66, 67, 68, 69, 70, 71})
	if err != nil {
		panic(err)
	}
	return c
}

// Code returns the (64,57) Hsiao code of the layout: check bits at
// CheckPositions, data in the word's 57 other bits.
func (z Layout) Code() *Code {
	c, err := Hsiao(64, z.CheckPositions())
	if err != nil {
		panic(err)
	}
	return c
}
