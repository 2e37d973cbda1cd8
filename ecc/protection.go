package ecc

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"cosim/internal/enum"
)

// Scheme names how the weight memory is protected.
type Scheme string

const (
	// None stores the codes as they are.
	None Scheme = "none"
	// SECDED stores 8 check bits of the (72,64) code beside every 64-bit
	// word: 72 physical bits per word, every one of them faulty.
	SECDED Scheme = "secded"
	// ZeroSpace stores the (64,57) code's 7 check bits in place, in the bits
	// that range-limited weights leave free (Layout): no extra bit.
	ZeroSpace Scheme = "zero-space"
	// MSB stores the most significant bit of a fraction of the codes in
	// reliable cells (the WCAT code's protect_bit_index: MSB with
	// protect_bit_amount): in every word, the sign bits of the first
	// round(fraction·codes per word) codes never flip.
	MSB Scheme = "msb"
)

// Schemes lists every scheme.
var Schemes = []Scheme{None, SECDED, ZeroSpace, MSB}

// ParseScheme validates a scheme name.
func ParseScheme(s string) (Scheme, error) {
	return enum.Parse("protection", s, Schemes...)
}

// Policy is what a reader does with a word whose error was detected but not
// corrected.
type Policy string

const (
	// Keep uses the bits as read (the default, as the simulation of Guan
	// et al.).
	Keep Policy = "keep"
	// Zero sets every weight of the word to 0.
	Zero Policy = "zero"
)

// ParsePolicy validates a policy name.
func ParsePolicy(s string) (Policy, error) {
	return enum.Parse("uncorrectable-word policy", s, Keep, Zero)
}

// Default codec energies per 64-bit word at 65 nm and 0.8 V (the built-in
// architectures' node and nominal supply) [pJ]. No measured (72,64) codec
// energy is at hand, so they are gate counts of the codes priced at
// Horowitz's (ISSCC 2014, 45 nm, 0.9 V) 32-bit add, 0.1 pJ for 32 full adders
// of about 2.5 XOR2-equivalents each, i.e. 1.25 fJ per XOR2-equivalent gate,
// scaled by (65/45)·(0.8/0.9)² = 1.14 as the architectures scale Horowitz's
// MAC (1.43 fJ per gate):
//   - (72,64) encoder: 208 ones in the data columns of H, 200 XOR2 → 0.29 pJ;
//   - (72,64) decoder: 208 XOR2 for the syndrome, 64 AND8 (448 AND2) to
//     locate the error, 64 XOR2 to correct it, 15 gates to flag a double
//     error: 735 gates → 1.05 pJ;
//   - (64,57) decoder: 217 XOR2, 64 AND7 (384 AND2), 57 XOR2 for the
//     correction, 14 for the flag: 672 gates → 0.96 pJ (zero-space encodes
//     once, offline, when the weights are deployed: no encoder energy).
const (
	DefaultEncoderPJ72 = 0.29
	DefaultDecoderPJ72 = 1.05
	DefaultDecoderPJ64 = 0.96
	// DefaultEnergySource is the provenance of the defaults.
	DefaultEnergySource = "gate count of the Hsiao code x 1.43 fJ per gate (Horowitz ISSCC 2014 32-bit add, 45 nm 0.9 V, scaled x (65/45) x (0.8/0.9)^2)"
)

// Protection is the protection of the faulty weight memory.
type Protection struct {
	Scheme Scheme
	// Uncorrectable is the policy for detected, uncorrectable words
	// (secded and zero-space; default Keep).
	Uncorrectable Policy
	// MSBFraction is the fraction of codes whose MSB is reliable (msb).
	MSBFraction float64
	// EncoderPJ and DecoderPJ are the codec energies per 64-bit data word
	// written, respectively read, at the nominal voltage [pJ]; Source says
	// where they come from.
	EncoderPJ, DecoderPJ float64
	Source               string
}

// WithDefaults fills the zero fields: scheme None, policy Keep and, for the
// codes, the default codec energies with their source (zero-space has no
// encoder energy).
func (p Protection) WithDefaults() Protection {
	if p.Scheme == "" {
		p.Scheme = None
	}
	if p.Uncorrectable == "" {
		p.Uncorrectable = Keep
	}
	if p.Source == "" && (p.Scheme == SECDED || p.Scheme == ZeroSpace) {
		p.Source = DefaultEnergySource
		if p.Scheme == SECDED {
			p.EncoderPJ, p.DecoderPJ = DefaultEncoderPJ72, DefaultDecoderPJ72
		} else {
			p.EncoderPJ, p.DecoderPJ = 0, DefaultDecoderPJ64
		}
	}
	return p
}

// Validate checks the parameters (not the word or code width: see Check).
func (p Protection) Validate() error {
	if _, err := ParseScheme(string(p.Scheme)); err != nil {
		return err
	}
	if _, err := ParsePolicy(string(p.Uncorrectable)); err != nil {
		return err
	}
	if !(p.MSBFraction >= 0 && p.MSBFraction <= 1) {
		return fmt.Errorf("msb fraction %g: want 0..1", p.MSBFraction)
	}
	if p.Scheme == MSB && p.MSBFraction == 0 {
		return fmt.Errorf("protection msb needs a fraction > 0 of protected weights")
	}
	for _, e := range []float64{p.EncoderPJ, p.DecoderPJ} {
		if !(e >= 0) || math.IsInf(e, 0) {
			return fmt.Errorf("codec energy %g pJ: want a finite value ≥ 0", e)
		}
	}
	return nil
}

// CheckWord reports whether the scheme applies to a memory of wordBits-bit
// words: the codes protect 64-bit words, msb any word of at most 64 bits.
func (p Protection) CheckWord(wordBits int) error {
	switch {
	case (p.Scheme == SECDED || p.Scheme == ZeroSpace) && wordBits != 64:
		return fmt.Errorf("protection %s protects 64-bit words; the weight memory's words are %d bits", p.Scheme, wordBits)
	case p.Scheme == MSB && wordBits > 64:
		return fmt.Errorf("protection msb: words of %d bits (at most 64)", wordBits)
	}
	return nil
}

// Check reports whether the scheme applies to codeBits-bit codes in
// wordBits-bit memory words (CheckWord; zero-space needs 2-, 4- or 8-bit
// codes).
func (p Protection) Check(codeBits, wordBits int) error {
	if err := p.CheckWord(wordBits); err != nil {
		return err
	}
	if p.Scheme == ZeroSpace {
		_, err := NewLayout(codeBits)
		return err
	}
	return nil
}

// ParseProtection reads the short form of a protection, as Label writes
// it: none, secded, zero-space, msb:FRACTION, and secded:zero or
// zero-space:zero for the Zero policy (defaults filled).
func ParseProtection(s string) (Protection, error) {
	name, arg, hasArg := strings.Cut(s, ":")
	sc, err := ParseScheme(name)
	if err != nil {
		return Protection{}, err
	}
	p := Protection{Scheme: sc}
	switch {
	case sc == MSB:
		f, err := strconv.ParseFloat(arg, 64)
		if !hasArg || err != nil || !(f > 0 && f <= 1) {
			return Protection{}, fmt.Errorf("protection %q: want msb:FRACTION with a fraction in (0, 1] of weights whose MSB is reliable", s)
		}
		p.MSBFraction = f
	case hasArg && (sc == SECDED || sc == ZeroSpace):
		if p.Uncorrectable, err = ParsePolicy(arg); err != nil {
			return Protection{}, fmt.Errorf("protection %q: %w", s, err)
		}
	case hasArg:
		return Protection{}, fmt.Errorf("protection %q: none takes no parameter", s)
	}
	p = p.WithDefaults()
	return p, p.Validate()
}

// StoredBits is the number of physical bits that hold one wordBits-bit word:
// wordBits + 8 for secded, wordBits otherwise.
func (p Protection) StoredBits(wordBits int) int {
	if p.Scheme == SECDED {
		return wordBits + 8
	}
	return wordBits
}

// ReliableSlots is the number of codes per word whose MSB is reliable under
// msb (0 for the other schemes): round(fraction · codes per word).
func (p Protection) ReliableSlots(codeBits, wordBits int) int {
	if p.Scheme != MSB {
		return 0
	}
	return int(math.Round(p.MSBFraction * float64(wordBits/codeBits)))
}

// Label names the protection in reports, in the short form
// ParseProtection reads: the scheme, msb:FRACTION, secded:zero.
func (p Protection) Label() string {
	switch {
	case p.Scheme == "":
		return string(None)
	case p.Scheme == MSB:
		return fmt.Sprintf("msb:%g", p.MSBFraction)
	case p.Uncorrectable == Zero && (p.Scheme == SECDED || p.Scheme == ZeroSpace):
		return string(p.Scheme) + ":zero"
	}
	return string(p.Scheme)
}

// Reader reads stored words of a protected memory of codeBits-bit codes in
// 64-bit words (for msb, any word width up to 64).
type Reader struct {
	p        Protection
	bits     int
	code     *Code
	zs       Layout
	reliable uint64 // msb: the word bits that never flip
}

// NewReader returns the reader of p for codeBits-bit codes in wordBits-bit
// words; p must pass Validate and Check.
func NewReader(p Protection, codeBits, wordBits int) (*Reader, error) {
	p = p.WithDefaults()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := p.Check(codeBits, wordBits); err != nil {
		return nil, err
	}
	if wordBits > 64 {
		return nil, fmt.Errorf("protection %s: words of %d bits (at most 64)", p.Scheme, wordBits)
	}
	r := &Reader{p: p, bits: codeBits}
	switch p.Scheme {
	case SECDED:
		r.code = SECDED72()
	case ZeroSpace:
		r.zs, _ = NewLayout(codeBits)
		r.code = r.zs.Code()
	case MSB:
		for s := range p.ReliableSlots(codeBits, wordBits) {
			r.reliable |= 1 << (s*codeBits + codeBits - 1)
		}
	}
	return r, nil
}

// Protection returns the reader's protection, defaults filled.
func (r *Reader) Protection() Protection { return r.p }

// Read returns the data word a reader gets from the stored form of the
// clean word data after the stored bits at flips (ascending, each below
// StoredBits) flipped, and the decoder's status (Clean without a code).
// For zero-space, data must satisfy the layout (every range-limited code
// in range). A detected, uncorrectable word reads as 0 (every code 0)
// under the Zero policy.
func (r *Reader) Read(data uint64, flips []int) (uint64, Status) {
	switch r.p.Scheme {
	case None:
		for _, f := range flips {
			data ^= 1 << f
		}
		return data, Clean
	case MSB:
		for _, f := range flips {
			data ^= 1 << f &^ r.reliable
		}
		return data, Clean
	}
	w := r.code.Encode(Word{data, 0})
	for _, f := range flips {
		w = w.Flip(f)
	}
	w, st := r.code.Decode(w)
	if st == Uncorrectable && r.p.Uncorrectable == Zero {
		return 0, st
	}
	out := w[0]
	if r.p.Scheme == ZeroSpace {
		b := r.bits
		for s := range Constrained {
			sign := out >> (s*b + b - 1) & 1
			out = out&^(1<<(s*b+b-2)) | sign<<(s*b+b-2)
		}
	}
	return out, st
}

// Fits reports whether the word data satisfies the zero-space layout (always
// true for the other schemes): every range-limited code's bit b−2 equals
// its sign bit.
func (r *Reader) Fits(data uint64) bool {
	if r.p.Scheme != ZeroSpace {
		return true
	}
	b := r.bits
	for s := range Constrained {
		if data>>(s*b+b-1)&1 != data>>(s*b+b-2)&1 {
			return false
		}
	}
	return true
}
