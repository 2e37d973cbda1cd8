// Package progress is the progress display of cosim's long commands (train,
// eval, sweep, attacks): a bar with a count and an estimated time left on a
// terminal, and nothing at all under --quiet or when the output is not a
// terminal (a log file, a pipe, a batch job), so that logs stay clean.
package progress

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Bar shows the progress of a known amount of work. A nil *Bar is valid
// and shows nothing.
type Bar struct {
	b *progressbar.ProgressBar
	w io.Writer
	// scale is the number of the bar's ticks per step: 1, or fine for a
	// bar made by NewFraction.
	scale int
}

// fine is the resolution of a bar made by NewFraction: ticks per step.
const fine = 1000

// New returns a bar of total steps described by desc that draws on w, or
// nil when quiet is set or w is not a terminal.
func New(w io.Writer, quiet bool, total int, desc string) *Bar {
	return newBar(w, quiet, total, 1, desc, progressbar.OptionShowCount(), progressbar.OptionThrottle(200*time.Millisecond))
}

// NewFraction is New for work that also advances by fractions of a step
// (SetFraction): a step half done moves the bar, and the time left, by
// half a step. It shows the percentage done instead of the count, which
// the description can carry, and draws every change (a description and
// the fraction set together show together).
func NewFraction(w io.Writer, quiet bool, total int, desc string) *Bar {
	return newBar(w, quiet, total, fine, desc)
}

func newBar(w io.Writer, quiet bool, total, scale int, desc string, opts ...progressbar.Option) *Bar {
	if quiet || !IsTerminal(w) {
		return nil
	}
	opts = append(opts, progressbar.OptionSetWriter(w), progressbar.OptionSetPredictTime(true), progressbar.OptionSetWidth(30),
		progressbar.OptionSetDescription(desc))
	return &Bar{w: w, scale: scale, b: progressbar.NewOptions64(int64(total)*int64(scale), opts...)}
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Add advances the bar by n steps.
func (b *Bar) Add(n int) {
	if b != nil {
		b.b.Add64(int64(n) * int64(b.scale))
	}
}

// Set moves the bar to step n.
func (b *Bar) Set(n int) {
	if b != nil {
		b.b.Set64(int64(n) * int64(b.scale))
	}
}

// SetFraction moves the bar to x steps, fractions included (in
// thousandths of a step on a bar made by NewFraction, in whole steps on
// one made by New).
func (b *Bar) SetFraction(x float64) {
	if b != nil {
		b.b.Set64(int64(x * float64(b.scale)))
	}
}

// SetTotal changes the number of steps (work found on the way).
func (b *Bar) SetTotal(total int) {
	if b != nil {
		b.b.ChangeMax64(int64(total) * int64(b.scale))
	}
}

// Describe changes the text before the bar.
func (b *Bar) Describe(s string) {
	if b != nil {
		b.b.Describe(s)
	}
}

// Clear erases the bar, so that a line can be printed above it.
func (b *Bar) Clear() {
	if b != nil {
		b.b.Clear()
	}
}

// Finish completes the bar and ends its line.
func (b *Bar) Finish() {
	if b != nil {
		b.b.Finish()
		io.WriteString(b.w, "\n")
	}
}
