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
}

// New returns a bar of total steps described by desc that draws on w, or
// nil when quiet is set or w is not a terminal.
func New(w io.Writer, quiet bool, total int, desc string) *Bar {
	if quiet || !IsTerminal(w) {
		return nil
	}
	return &Bar{w: w, b: progressbar.NewOptions(total, progressbar.OptionSetWriter(w),
		progressbar.OptionSetPredictTime(true), progressbar.OptionShowCount(), progressbar.OptionSetWidth(30),
		progressbar.OptionSetDescription(desc), progressbar.OptionThrottle(200*time.Millisecond))}
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Add advances the bar by n steps.
func (b *Bar) Add(n int) {
	if b != nil {
		b.b.Add(n)
	}
}

// Set moves the bar to step n.
func (b *Bar) Set(n int) {
	if b != nil {
		b.b.Set(n)
	}
}

// SetTotal changes the number of steps (work found on the way).
func (b *Bar) SetTotal(total int) {
	if b != nil {
		b.b.ChangeMax(total)
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
