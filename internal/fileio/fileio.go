// Package fileio reads input files with a size limit, so that a path to a
// device or an endless stream (/dev/zero, a FIFO) given where a spec, a
// model or a results file is expected fails with a clear error instead of
// exhausting memory.
package fileio

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Size limits of the input kinds.
const (
	SpecLimit       = 4 << 20   // YAML specs
	TableLimit      = 256 << 20 // results files (JSON, CSV), measured points
	CheckpointLimit = 2 << 30   // model checkpoints and training states (ResNet-18 at float32: 45 MB)
)

// ErrTooLarge is wrapped by the errors of reads past a limit.
var ErrTooLarge = errors.New("file too large")

// ReadFile reads the file at path, failing when it holds more than limit
// bytes.
func ReadFile(path string, limit int64) ([]byte, error) {
	r, err := Open(path, limit)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// Open opens the file at path for reading; reading more than limit bytes
// from it fails with an error wrapping ErrTooLarge.
func Open(path string, limit int64) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s: is a directory", path)
	}
	return &limited{f: f, path: path, left: limit, limit: limit}, nil
}

type limited struct {
	f           *os.File
	path        string
	left, limit int64
}

func (l *limited) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One byte more tells a file of exactly limit bytes from a longer one.
		var one [1]byte
		if n, _ := l.f.Read(one[:]); n == 0 {
			return 0, io.EOF
		}
		return 0, fmt.Errorf("%s: %w (more than %s; is it the right file?)", l.path, ErrTooLarge, size(l.limit))
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.f.Read(p)
	l.left -= int64(n)
	return n, err
}

func (l *limited) Close() error { return l.f.Close() }

func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
