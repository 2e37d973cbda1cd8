package mc

import "testing"

// The clean pass reports its progress after every batch, in order, up to
// the whole set, and scores exactly what it scores without a callback.
func TestOnCleanReportsTheCleanPass(t *testing.T) {
	m, d := tinyModel(t)
	plain, err := NewEngine(m, 16, d, 100)
	if err != nil {
		t.Fatal(err)
	}
	var seen []int
	e, err := NewEngineWith(m, 16, d, EngineOptions{Batch: 100, OnClean: func(n, total int) {
		if total != d.Len() {
			t.Errorf("total %d, want %d", total, d.Len())
		}
		seen = append(seen, n)
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := (d.Len() + 99) / 100
	if len(seen) != want || seen[len(seen)-1] != d.Len() {
		t.Fatalf("calls %v: want %d batches ending at %d", seen, want, d.Len())
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] <= seen[i-1] {
			t.Fatalf("calls %v not increasing", seen)
		}
	}
	if e.CleanAcc() != plain.CleanAcc() {
		t.Fatalf("clean accuracy %v with the callback, %v without", e.CleanAcc(), plain.CleanAcc())
	}
}
