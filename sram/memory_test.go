package sram

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestNewMemoryErrors(t *testing.T) {
	cases := []struct {
		code, word int
		wantErr    string
	}{
		{1, 16, "code width 1 bits outside 2..16"},
		{17, 64, "code width 17 bits outside 2..16"},
		{4, 3, "word width 3 bits outside 4..1024"},
		{4, 1025, "word width 1025 bits outside 4..1024"},
	}
	for _, c := range cases {
		if _, err := NewMemory(c.code, c.word); err == nil || !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("NewMemory(%d, %d) err = %v, want %q", c.code, c.word, err, c.wantErr)
		}
	}
	for _, c := range [][2]int{{2, 2}, {16, 16}, {16, 1024}, {3, 16}} {
		m, err := NewMemory(c[0], c[1])
		if err != nil || m.CodeBits() != c[0] || m.WordBits() != c[1] || m.CodesPerWord() != c[1]/c[0] || m.Bits() != 0 {
			t.Errorf("NewMemory(%d, %d) = %+v, %v", c[0], c[1], m, err)
		}
	}
}

// randomCodes returns n codes drawn uniformly from the b-bit range.
func randomCodes(r *rand.Rand, n, b int) []int32 {
	lo, hi := CodeRange(b)
	out := make([]int32, n)
	for i := range out {
		out[i] = lo + int32(r.IntN(int(hi-lo)+1))
	}
	return out
}

// layout is the test's own statement of the documented word layout: the
// physical address of every code bit, built without using Memory.
type codeRef struct{ seg, index, bit int }

func layout(codeBits, wordBits int, segLens []int) (addr map[int]codeRef, words int) {
	k := wordBits / codeBits
	addr = map[int]codeRef{}
	for s, n := range segLens {
		for i := 0; i < n; i++ {
			for b := 0; b < codeBits; b++ {
				a := (words+i/k)*wordBits + (i%k)*codeBits + b
				addr[a] = codeRef{s, i, b}
			}
		}
		words += (n + k - 1) / k
	}
	return addr, words
}

// memFixture stores random segments and returns the memory and the codes.
func memFixture(t testing.TB, codeBits, wordBits int, segLens []int, seed uint64) (*Memory, [][]int32) {
	t.Helper()
	m, err := NewMemory(codeBits, wordBits)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 0))
	var codes [][]int32
	for i, n := range segLens {
		c := randomCodes(r, n, codeBits)
		seg, err := m.Store(c)
		if err != nil || seg != i {
			t.Fatalf("Store segment %d: %d, %v", i, seg, err)
		}
		codes = append(codes, c)
	}
	return m, codes
}

var memShapes = []struct {
	codeBits, wordBits int
	segLens            []int
}{
	{3, 16, []int{7, 0, 5, 13, 1}}, // 5 codes + 1 padding bit per word
	{4, 64, []int{16, 17, 3, 40}},  // no word padding, partial last words
	{5, 7, []int{3, 4, 1}},         // 1 code + 2 padding bits per word
	{2, 2, []int{9, 1, 0, 4}},      // no padding at all
	{16, 1024, []int{70, 64, 1}},   // wide words
	{7, 100, []int{30, 0, 0, 15}},  // codes straddle 64-bit boundaries
}

func TestStoreLoadRoundTrip(t *testing.T) {
	for _, s := range memShapes {
		m, codes := memFixture(t, s.codeBits, s.wordBits, s.segLens, 1)
		_, words := layout(s.codeBits, s.wordBits, s.segLens)
		if m.Segments() != len(s.segLens) || m.Words() != words || m.Bits() != words*s.wordBits {
			t.Errorf("%d/%d: %d segments, %d words, %d bits; want %d, %d, %d", s.codeBits, s.wordBits,
				m.Segments(), m.Words(), m.Bits(), len(s.segLens), words, words*s.wordBits)
		}
		dst := make([]int32, 0, 4)
		for seg, want := range codes {
			if m.SegmentLen(seg) != len(want) {
				t.Errorf("SegmentLen(%d) = %d, want %d", seg, m.SegmentLen(seg), len(want))
			}
			dst = m.Load(seg, dst)
			if !slices.Equal(dst, want) {
				t.Errorf("%d/%d segment %d: loaded %v, stored %v", s.codeBits, s.wordBits, seg, dst, want)
			}
		}
	}
}

// TestWordLayout is a worked example of the layout: 4-bit codes in 10-bit
// words (2 codes + 2 padding bits per word). Storing [1, −1, 5] gives
// word 0 = bits 0–3: 0001 (1), bits 4–7: 1111 (−1), bits 8–9: padding;
// word 1 = bits 10–13: 0101 (5), bits 14–17: unused slot, bits 18–19: padding.
func TestWordLayout(t *testing.T) {
	m, err := NewMemory(4, 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Store([]int32{1, -1, 5}); err != nil {
		t.Fatal(err)
	}
	if m.Bits() != 20 {
		t.Fatalf("Bits() = %d, want 20", m.Bits())
	}
	cases := []struct {
		bit  int
		ok   bool
		idx  int
		cbit int
		want []int32 // segment after flipping bit
	}{
		{0, true, 0, 0, []int32{0, -1, 5}},    // 0001 → 0000
		{3, true, 0, 3, []int32{-7, -1, 5}},   // 0001 → 1001
		{7, true, 1, 3, []int32{1, 7, 5}},     // 1111 → 0111
		{4, true, 1, 0, []int32{1, -2, 5}},    // 1111 → 1110
		{8, false, -1, -1, []int32{1, -1, 5}}, // word padding
		{9, false, -1, -1, []int32{1, -1, 5}},
		{11, true, 2, 1, []int32{1, -1, 7}},    // 0101 → 0111
		{13, true, 2, 3, []int32{1, -1, -3}},   // 0101 → 1101
		{14, false, -1, -1, []int32{1, -1, 5}}, // unused slot of the last word
		{19, false, -1, -1, []int32{1, -1, 5}},
	}
	for _, c := range cases {
		seg, idx, cbit, ok := m.Locate(c.bit)
		wantSeg := 0
		if !c.ok {
			wantSeg = -1
		}
		if ok != c.ok || seg != wantSeg || idx != c.idx || cbit != c.cbit {
			t.Errorf("Locate(%d) = %d, %d, %d, %v; want %d, %d, %d, %v", c.bit, seg, idx, cbit, ok, wantSeg, c.idx, c.cbit, c.ok)
		}
		mc := m.Clone()
		mc.Flip(c.bit)
		if got := mc.Load(0, nil); !slices.Equal(got, c.want) {
			t.Errorf("after Flip(%d): %v, want %v", c.bit, got, c.want)
		}
		mc.Flip(c.bit)
		if got := mc.Load(0, nil); !slices.Equal(got, []int32{1, -1, 5}) {
			t.Errorf("Flip(%d) twice: %v", c.bit, got)
		}
	}
	if got := m.Load(0, nil); !slices.Equal(got, []int32{1, -1, 5}) {
		t.Errorf("original changed through a clone: %v", got)
	}
}

func TestStoreRejectsOutOfRange(t *testing.T) {
	m, _ := memFixture(t, 4, 16, []int{5}, 2)
	words := m.Words()
	for _, c := range []struct {
		codes   []int32
		wantErr string
	}{
		{[]int32{0, 7, 8}, "code 8 at index 2 outside [-8, 7] for 4-bit codes"},
		{[]int32{-9}, "code -9 at index 0 outside [-8, 7]"},
	} {
		seg, err := m.Store(c.codes)
		if err == nil || seg != -1 || !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("Store(%v) = %d, %v; want %q", c.codes, seg, err, c.wantErr)
		}
	}
	if m.Segments() != 1 || m.Words() != words {
		t.Errorf("a failed Store changed the memory: %d segments, %d words", m.Segments(), m.Words())
	}
}

// TestLocateBruteForce checks Locate and Addr against the layout built
// independently by the test, for every physical bit of several memories.
func TestLocateBruteForce(t *testing.T) {
	for _, s := range memShapes {
		m, _ := memFixture(t, s.codeBits, s.wordBits, s.segLens, 3)
		want, _ := layout(s.codeBits, s.wordBits, s.segLens)
		data := 0
		for bit := 0; bit < m.Bits(); bit++ {
			seg, idx, cbit, ok := m.Locate(bit)
			ref, isData := want[bit]
			switch {
			case isData != ok:
				t.Fatalf("%d/%d: Locate(%d) ok = %v, want %v", s.codeBits, s.wordBits, bit, ok, isData)
			case ok && (codeRef{seg, idx, cbit}) != ref:
				t.Fatalf("%d/%d: Locate(%d) = %d, %d, %d; want %+v", s.codeBits, s.wordBits, bit, seg, idx, cbit, ref)
			case !ok && (seg != -1 || idx != -1 || cbit != -1):
				t.Fatalf("%d/%d: Locate(%d) padding gave %d, %d, %d", s.codeBits, s.wordBits, bit, seg, idx, cbit)
			case ok && m.Addr(seg, idx, cbit) != bit:
				t.Fatalf("%d/%d: Addr(%d, %d, %d) = %d, want %d", s.codeBits, s.wordBits, seg, idx, cbit, m.Addr(seg, idx, cbit), bit)
			}
			if ok {
				data++
			}
		}
		if data != len(want) {
			t.Errorf("%d/%d: %d data bits located, want %d", s.codeBits, s.wordBits, data, len(want))
		}
	}
}

// TestFlipEveryBit flips each physical bit of a small memory in turn and
// checks that exactly the code the layout assigns it changes, as FlipBit says.
func TestFlipEveryBit(t *testing.T) {
	s := memShapes[0]
	m, codes := memFixture(t, s.codeBits, s.wordBits, s.segLens, 4)
	want, _ := layout(s.codeBits, s.wordBits, s.segLens)
	var got []int32
	for bit := 0; bit < m.Bits(); bit++ {
		mc := m.Clone()
		mc.Flip(bit)
		for seg, orig := range codes {
			got = mc.Load(seg, got)
			for i := range orig {
				exp := orig[i]
				if ref, ok := want[bit]; ok && ref.seg == seg && ref.index == i {
					exp = FlipBit(exp, ref.bit, s.codeBits)
				}
				if got[i] != exp {
					t.Fatalf("Flip(%d): segment %d code %d = %d, want %d", bit, seg, i, got[i], exp)
				}
			}
		}
	}
}

// TestInjectMatchesHandDecoding: Inject then Load must equal the stored codes
// with the returned flips applied by hand through the test's own layout.
func TestInjectMatchesHandDecoding(t *testing.T) {
	for _, s := range memShapes {
		m, codes := memFixture(t, s.codeBits, s.wordBits, s.segLens, 5)
		want, _ := layout(s.codeBits, s.wordBits, s.segLens)
		flips := m.Inject(rand.New(rand.NewPCG(9, uint64(s.wordBits))), 0.05)
		if !slices.IsSorted(flips) || len(flips) == 0 {
			t.Fatalf("%d/%d: flips %v not sorted or none at p = 0.05 over %d bits", s.codeBits, s.wordBits, flips, m.Bits())
		}
		exp := make([][]int32, len(codes))
		for i := range codes {
			exp[i] = slices.Clone(codes[i])
		}
		for _, a := range flips {
			if ref, ok := want[a]; ok {
				exp[ref.seg][ref.index] = FlipBit(exp[ref.seg][ref.index], ref.bit, s.codeBits)
			}
		}
		for seg := range codes {
			if got := m.Load(seg, nil); !slices.Equal(got, exp[seg]) {
				t.Errorf("%d/%d segment %d: got %v, want %v", s.codeBits, s.wordBits, seg, got, exp[seg])
			}
		}
		// Undoing the same flips restores the stored codes.
		for _, a := range flips {
			m.Flip(a)
		}
		for seg := range codes {
			if got := m.Load(seg, nil); !slices.Equal(got, codes[seg]) {
				t.Errorf("%d/%d segment %d not restored", s.codeBits, s.wordBits, seg)
			}
		}
	}
}

func TestInjectReproducible(t *testing.T) {
	m, _ := memFixture(t, 4, 64, []int{1000, 300}, 6)
	a, b := m.Clone(), m.Clone()
	fa := a.Inject(rand.New(rand.NewPCG(1, 1)), 0.01)
	fb := b.Inject(rand.New(rand.NewPCG(1, 1)), 0.01)
	if !slices.Equal(fa, fb) || !slices.Equal(a.Load(0, nil), b.Load(0, nil)) || !slices.Equal(a.Load(1, nil), b.Load(1, nil)) {
		t.Error("same seed, different injection")
	}
	if slices.Equal(m.Load(0, nil), a.Load(0, nil)) {
		t.Error("Inject did not change the clone or changed the original as well")
	}
	if len(m.Inject(rand.New(rand.NewPCG(1, 1)), 0)) != 0 {
		t.Error("p = 0 flipped bits")
	}
}

func TestMemoryPanics(t *testing.T) {
	m, _ := memFixture(t, 4, 16, []int{5}, 7)
	for name, f := range map[string]func(){
		"Flip -1":        func() { m.Flip(-1) },
		"Flip Bits()":    func() { m.Flip(m.Bits()) },
		"Locate Bits()":  func() { m.Locate(m.Bits()) },
		"Addr index":     func() { m.Addr(0, 5, 0) },
		"Addr code bit":  func() { m.Addr(0, 0, 4) },
		"Load bad seg":   func() { m.Load(1, nil) },
		"Locate on none": func() { (&Memory{codeBits: 4, wordBits: 4, perWord: 1}).Locate(0) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// resnet20Lens are the 22 weight tensors of CIFAR ResNet-20, downsample
// convs included (wcat-semantics.md §1.3): 270,896 weights.
var resnet20Lens = func() []int {
	l := []int{432}
	for i := 0; i < 6; i++ {
		l = append(l, 2304)
	}
	l = append(l, 4608, 512)
	for i := 0; i < 5; i++ {
		l = append(l, 9216)
	}
	l = append(l, 18432, 2048)
	for i := 0; i < 5; i++ {
		l = append(l, 36864)
	}
	return append(l, 640)
}()

func TestResNet20Bits(t *testing.T) {
	m, _ := memFixture(t, 4, 64, resnet20Lens, 8)
	if m.Segments() != 22 || m.Bits() != 1_083_584 {
		t.Errorf("ResNet-20 at 4 bits in 64-bit words: %d segments, %d bits; want 22, 1,083,584", m.Segments(), m.Bits())
	}
}

// BenchmarkInject: one Monte Carlo draw at p = 1e−3 over ResNet-20's 4-bit
// weights in 64-bit words (1,083,584 bits).
func BenchmarkInject(b *testing.B) {
	m, _ := memFixture(b, 4, 64, resnet20Lens, 8)
	r := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		m.Inject(r, 1e-3)
	}
}

// BenchmarkLocate: mapping one draw's flips to codes.
func BenchmarkLocate(b *testing.B) {
	m, _ := memFixture(b, 4, 64, resnet20Lens, 8)
	flips := SampleFlips(rand.New(rand.NewPCG(1, 2)), m.Bits(), 1e-3, nil)
	for b.Loop() {
		for _, a := range flips {
			m.Locate(a)
		}
	}
}

// BenchmarkLoad: decoding every segment of ResNet-20.
func BenchmarkLoad(b *testing.B) {
	m, _ := memFixture(b, 4, 64, resnet20Lens, 8)
	var dst []int32
	for b.Loop() {
		for seg := 0; seg < m.Segments(); seg++ {
			dst = m.Load(seg, dst)
		}
	}
}
