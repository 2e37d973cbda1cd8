package sram

import (
	"fmt"
	"math/rand/v2"
)

// MaxWordBits is the widest memory word NewMemory accepts.
const MaxWordBits = 1024

// Memory is a word-organised SRAM holding signed codeBits-bit codes in
// two's complement (docs/wcat-semantics.md §1.4), bit by bit, so that physical bit
// flips act on it exactly as on silicon.
//
// Layout: a word has wordBits physical bits, addressed word·wordBits + j. It
// holds k = floor(wordBits/codeBits) codes: code slot s occupies word bits
// s·codeBits … s·codeBits+codeBits−1, LSB first (code bit 0 at the lowest
// address). Word bits k·codeBits … wordBits−1 are padding: physically present,
// they can flip, but they carry no data. A segment (one weight tensor) starts
// at a word boundary and fills consecutive words, code i in word
// start + i/k, slot i mod k; unused slots of its last word are padding too.
//
// Concurrent reads (Load, Locate, Addr) are safe; Store, Flip and Inject must
// not run concurrently with anything else. Clone gives each Monte Carlo trial
// its own copy.
type Memory struct {
	codeBits, wordBits, perWord int
	words                       int      // words allocated by all segments
	data                        []uint64 // physical bits, bit a at data[a/64] bit a%64
	segStart                    []int    // first word of each segment
	segEnd                      []int    // one past the last word of each segment
	segLen                      []int    // codes in each segment
}

// NewMemory returns an empty memory of codeBits-bit codes (2..16) packed into
// wordBits-bit words (codeBits..MaxWordBits).
func NewMemory(codeBits, wordBits int) (*Memory, error) {
	if codeBits < 2 || codeBits > 16 {
		return nil, fmt.Errorf("sram: NewMemory: code width %d bits outside 2..16", codeBits)
	}
	if wordBits < codeBits || wordBits > MaxWordBits {
		return nil, fmt.Errorf("sram: NewMemory: word width %d bits outside %d..%d (code width..max)", wordBits, codeBits, MaxWordBits)
	}
	return &Memory{codeBits: codeBits, wordBits: wordBits, perWord: wordBits / codeBits}, nil
}

// CodeBits returns the width of one stored code.
func (m *Memory) CodeBits() int { return m.codeBits }

// WordBits returns the physical width of one memory word.
func (m *Memory) WordBits() int { return m.wordBits }

// CodesPerWord returns floor(WordBits/CodeBits), the codes packed per word.
func (m *Memory) CodesPerWord() int { return m.perWord }

// Segments returns the number of stored segments.
func (m *Memory) Segments() int { return len(m.segLen) }

// SegmentLen returns the number of codes in segment seg.
func (m *Memory) SegmentLen(seg int) int { return m.segLen[seg] }

// Words returns the number of words the segments occupy.
func (m *Memory) Words() int { return m.words }

// Bits returns the number of physical bits, Words·WordBits, padding included:
// the population every bit flip is drawn from.
func (m *Memory) Bits() int { return m.words * m.wordBits }

// Store appends codes as a new segment starting at the next word boundary and
// returns its index. Every code must lie in CodeRange(CodeBits()); otherwise
// nothing is stored and the error names the first offending index.
func (m *Memory) Store(codes []int32) (seg int, err error) {
	lo, hi := CodeRange(m.codeBits)
	for i, q := range codes {
		if q < lo || q > hi {
			return -1, fmt.Errorf("sram: Store: code %d at index %d outside [%d, %d] for %d-bit codes", q, i, lo, hi, m.codeBits)
		}
	}
	start := m.words
	nWords := (len(codes) + m.perWord - 1) / m.perWord
	m.words += nWords
	if need := (m.Bits() + 63) / 64; need > len(m.data) {
		m.data = append(m.data, make([]uint64, need-len(m.data))...)
	}
	seg = len(m.segLen)
	m.segStart = append(m.segStart, start)
	m.segEnd = append(m.segEnd, start+nWords)
	m.segLen = append(m.segLen, len(codes))
	for i, q := range codes {
		m.orBits(m.Addr(seg, i, 0), uint64(Encode(q, m.codeBits)))
	}
	return seg, nil
}

// Load decodes segment seg into dst (reusing its storage when large enough)
// and returns dst[:SegmentLen(seg)].
func (m *Memory) Load(seg int, dst []int32) []int32 {
	n := m.segLen[seg]
	if cap(dst) < n {
		dst = make([]int32, n)
	}
	dst = dst[:n]
	word, slot := m.segStart[seg], 0
	for i := range dst {
		dst[i] = Decode(m.getBits(word*m.wordBits+slot*m.codeBits), m.codeBits)
		if slot++; slot == m.perWord {
			word, slot = word+1, 0
		}
	}
	return dst
}

// Addr returns the physical address of bit codeBit (0 = LSB) of code index of
// segment seg: the inverse of Locate. It panics on out-of-range arguments.
func (m *Memory) Addr(seg, index, codeBit int) int {
	if index < 0 || index >= m.segLen[seg] || codeBit < 0 || codeBit >= m.codeBits {
		panic(fmt.Sprintf("sram: Addr(%d, %d, %d) out of range (segment length %d, code width %d)",
			seg, index, codeBit, m.segLen[seg], m.codeBits))
	}
	word := m.segStart[seg] + index/m.perWord
	return word*m.wordBits + (index%m.perWord)*m.codeBits + codeBit
}

// Locate maps physical bit address bit to the code it belongs to: segment,
// index within the segment and bit within the code (0 = LSB). ok is false
// (and the other results −1) for a padding bit. It costs O(log Segments()),
// so a Monte Carlo engine can turn sampled flips into sparse code changes
// without reading the memory. It panics if bit is outside [0, Bits()).
func (m *Memory) Locate(bit int) (seg, index, codeBit int, ok bool) {
	m.checkAddr("Locate", bit)
	word, off := bit/m.wordBits, bit%m.wordBits
	slot := off / m.codeBits
	if slot >= m.perWord {
		return -1, -1, -1, false
	}
	// First segment whose end word lies beyond word; empty segments (end ==
	// start) are skipped because the previous segment ends where they start.
	lo, hi := 0, len(m.segEnd)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if m.segEnd[mid] > word {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	index = (word-m.segStart[lo])*m.perWord + slot
	if index >= m.segLen[lo] {
		return -1, -1, -1, false
	}
	return lo, index, off - slot*m.codeBits, true
}

// Word returns the physical bits of word w of a memory of words of at most
// 64 bits, bit j of the word in bit j of the result. It panics for wider
// words or an out-of-range w.
func (m *Memory) Word(w int) uint64 {
	if m.wordBits > 64 || w < 0 || w >= m.words {
		panic(fmt.Sprintf("sram: Memory.Word(%d): %d words of %d bits (at most 64)", w, m.words, m.wordBits))
	}
	a := w * m.wordBits
	v := m.data[a>>6] >> (a & 63)
	if off := a & 63; off > 0 && off+m.wordBits > 64 {
		v |= m.data[a>>6+1] << (64 - off)
	}
	if m.wordBits < 64 {
		v &= 1<<m.wordBits - 1
	}
	return v
}

// Flip inverts physical bit `bit` (data or padding). It panics if bit is
// outside [0, Bits()).
func (m *Memory) Flip(bit int) {
	m.checkAddr("Flip", bit)
	m.data[bit>>6] ^= uint64(1) << (bit & 63)
}

// Clone returns an independent deep copy.
func (m *Memory) Clone() *Memory {
	c := *m
	c.data = append([]uint64(nil), m.data...)
	c.segStart = append([]int(nil), m.segStart...)
	c.segEnd = append([]int(nil), m.segEnd...)
	c.segLen = append([]int(nil), m.segLen...)
	return &c
}

// Inject flips every physical bit (padding included) independently with
// probability p, drawing from r with SampleFlips, and returns the flipped
// addresses in ascending order.
func (m *Memory) Inject(r *rand.Rand, p float64) []int {
	flips := SampleFlips(r, m.Bits(), p, nil)
	for _, a := range flips {
		m.data[a>>6] ^= uint64(1) << (a & 63)
	}
	return flips
}

func (m *Memory) checkAddr(fn string, bit int) {
	if bit < 0 || bit >= m.Bits() {
		panic(fmt.Sprintf("sram: Memory.%s: bit address %d outside [0, %d)", fn, bit, m.Bits()))
	}
}

// getBits returns the codeBits bits at address a (they may straddle two uint64s).
func (m *Memory) getBits(a int) uint32 {
	w, off := a>>6, uint(a&63)
	v := m.data[w] >> off
	if off+uint(m.codeBits) > 64 {
		v |= m.data[w+1] << (64 - off)
	}
	return uint32(v) & (uint32(1)<<m.codeBits - 1)
}

// orBits ORs the low codeBits bits of v into the memory at address a.
func (m *Memory) orBits(a int, v uint64) {
	w, off := a>>6, uint(a&63)
	m.data[w] |= v << off
	if off+uint(m.codeBits) > 64 {
		m.data[w+1] |= v >> (64 - off)
	}
}
