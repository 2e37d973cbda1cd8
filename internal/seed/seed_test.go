package seed

import "testing"

func TestStreamReproducible(t *testing.T) {
	a := Stream(1337, 3, 7).Uint64()
	b := Stream(1337, 3, 7).Uint64()
	if a != b {
		t.Fatalf("same keys gave %x and %x", a, b)
	}
}

func TestStreamKeysMatter(t *testing.T) {
	seen := map[uint64][]uint64{}
	keys := [][]uint64{{}, {0}, {1}, {0, 0}, {0, 1}, {1, 0}, {Float(0.5)}, {String("wcat")}, {String("normal")}}
	for _, k := range keys {
		v := Stream(1, k...).Uint64()
		if prev, ok := seen[v]; ok {
			t.Fatalf("keys %v and %v give the same stream", prev, k)
		}
		seen[v] = k
	}
	if Stream(1, 5).Uint64() == Stream(2, 5).Uint64() {
		t.Fatal("seed does not change the stream")
	}
}
