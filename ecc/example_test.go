package ecc_test

import (
	"fmt"

	"cosim/ecc"
)

// A 64-bit word of eight 8-bit weights read back through SEC-DED: one
// flipped bit is corrected, two are detected and, under the zero policy,
// zero the word.
func Example() {
	p, _ := ecc.ParseProtection("secded:zero")
	rd, _ := ecc.NewReader(p, 8, 64)
	word := uint64(0x0102030405060708)
	for _, flips := range [][]int{nil, {5}, {70}, {5, 40}} {
		got, st := rd.Read(word, flips)
		fmt.Printf("flips %v: %#016x %s\n", flips, got, st)
	}
	// Output:
	// flips []: 0x0102030405060708 clean
	// flips [5]: 0x0102030405060708 corrected
	// flips [70]: 0x0102030405060708 corrected
	// flips [5 40]: 0x0000000000000000 uncorrectable
}
