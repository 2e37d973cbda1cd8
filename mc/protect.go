package mc

import (
	"errors"
	"fmt"

	"cosim/ecc"
	"cosim/sram"
	"cosim/wcat"
)

// ErrProtection is wrapped by the errors of NewEngineWith that say a model
// cannot be stored under the protection asked for (bad input, not a
// failure).
var ErrProtection = errors.New("protection does not apply")

// protection is the weight memory's protection in an engine: the reader of
// its stored words and the physical bits per word.
type protection struct {
	rd     *ecc.Reader
	stored int // physical bits of one stored word (72 for secded)
}

// newProtection checks that every word of mem can be stored under p (for
// zero-space, that the range-limited codes are in range) and returns the
// engine's protection, or nil for none.
func newProtection(p ecc.Protection, mem *sram.Memory, names func(seg int) string) (*protection, error) {
	p = p.WithDefaults()
	if p.Scheme == ecc.None {
		return nil, nil
	}
	rd, err := ecc.NewReader(p, mem.CodeBits(), mem.WordBits())
	if err != nil {
		return nil, fmt.Errorf("mc: %w: %w", ErrProtection, err)
	}
	for w := range mem.Words() {
		if !rd.Fits(mem.Word(w)) {
			seg, _, _, _ := mem.Locate(w * mem.WordBits())
			z, _ := ecc.NewLayout(mem.CodeBits()) // Fits fails only for zero-space, whose Check passed
			lo, hi := z.Range()
			return nil, fmt.Errorf("mc: %w: zero-space: %s has weights outside [%d, %d] in range-limited slots (word %d); train the model with --method wot", ErrProtection, names(seg), lo, hi, w)
		}
	}
	return &protection{rd: rd, stored: p.StoredBits(mem.WordBits())}, nil
}

// storedBits is the number of physical bits flips are drawn over.
func (e *Engine) storedBits() int {
	if e.prot == nil {
		return e.mem.Bits()
	}
	return e.mem.Words() * e.prot.stored
}

// readProtected reads every word that received flips (ascending addresses
// over storedBits) through the protection's decoder and calls set for each
// code whose value read differs from the clean one. Words without flips
// are not touched, so the cost is proportional to the number of flips.
func (e *Engine) readProtected(flips []int, set func(seg, index int, q int32)) {
	n, wb, cb := e.prot.stored, e.mem.WordBits(), e.mem.CodeBits()
	local := make([]int, 0, 8)
	for k := 0; k < len(flips); {
		w := flips[k] / n
		local = local[:0]
		for ; k < len(flips) && flips[k]/n == w; k++ {
			local = append(local, flips[k]%n)
		}
		clean := e.mem.Word(w)
		read, _ := e.prot.rd.Read(clean, local)
		if read == clean {
			continue
		}
		mask := uint64(1)<<cb - 1
		for s := range e.mem.CodesPerWord() {
			v := read >> (s * cb) & mask
			if v == clean>>(s*cb)&mask {
				continue
			}
			if seg, j, _, ok := e.mem.Locate(w*wb + s*cb); ok {
				set(seg, j, sram.Decode(uint32(v), cb))
			}
		}
	}
}

// storeModel packs m's clean codes (Quantize(nil)) into a memory of
// wordBits-bit words, one segment per layer.
func storeModel(m *wcat.Model, wordBits int) (*sram.Memory, error) {
	mem, err := sram.NewMemory(m.Cfg.Bits, wordBits)
	if err != nil {
		return nil, fmt.Errorf("mc: %w", err)
	}
	m.Quantize(nil)
	for _, l := range m.Layers {
		if _, err := mem.Store(l.Codes); err != nil {
			return nil, fmt.Errorf("mc: storing %s: %w", l.W.Name, err)
		}
	}
	return mem, nil
}

// CheckProtection reports, without evaluating anything, whether m's codes
// can be stored in wordBits-bit words under p: the error NewEngineWith
// would give (wrapping ErrProtection), or nil.
func CheckProtection(m *wcat.Model, wordBits int, p ecc.Protection) error {
	mem, err := storeModel(m, wordBits)
	if err != nil {
		return err
	}
	_, err = newProtection(p, mem, func(seg int) string { return m.Layers[seg].W.Name })
	return err
}
