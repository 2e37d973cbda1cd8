// Package seed derives independent, reproducible random streams from a user
// seed and a tuple of keys (for example a sweep point and a Monte Carlo
// trial), so that every random draw in cosim is the same for any number of
// threads, shards or restarts.
package seed

import (
	"math"
	"math/rand/v2"
)

// mix is the SplitMix64 finaliser (Steele, Lea, Flood 2014): a bijective
// avalanche of 64 bits.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Derive hashes seed and keys into a pair of 64-bit words suitable for a PCG
// stream. Different key tuples give unrelated streams.
func Derive(seed uint64, keys ...uint64) (uint64, uint64) {
	hi := mix(seed ^ 0x636f73696d)
	lo := mix(hi + uint64(len(keys)))
	for _, k := range keys {
		hi = mix(hi ^ mix(k))
		lo = mix(lo + hi)
	}
	return hi, lo
}

// Stream returns a PCG random source seeded from (seed, keys...).
func Stream(seed uint64, keys ...uint64) *rand.Rand {
	hi, lo := Derive(seed, keys...)
	return rand.New(rand.NewPCG(hi, lo))
}

// Float is a key for a floating-point quantity (a voltage, a bit error
// rate): its IEEE-754 bits.
func Float(x float64) uint64 { return math.Float64bits(x) }

// String is a key for a name (a model or a method): its FNV-1a hash.
func String(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
