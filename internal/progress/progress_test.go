package progress

import (
	"bytes"
	"testing"
)

// Off a terminal (and under quiet) the bar is nil and every method is a
// no-op that writes nothing.
func TestNoBarOffTerminal(t *testing.T) {
	var buf bytes.Buffer
	for _, quiet := range []bool{false, true} {
		for _, b := range []*Bar{New(&buf, quiet, 10, "work"), NewFraction(&buf, quiet, 10, "work")} {
			if b != nil {
				t.Fatal("a bar on a buffer")
			}
			b.Add(1)
			b.Set(5)
			b.SetFraction(5.5)
			b.SetTotal(20)
			b.Describe("x")
			b.Clear()
			b.Finish()
		}
	}
	if buf.Len() != 0 {
		t.Fatalf("wrote %q", buf.String())
	}
}
