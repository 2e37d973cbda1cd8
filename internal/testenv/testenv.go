// Package testenv locates the optional shared data that tests and
// benchmarks use (../shared beside the repository, or $COSIM_SHARED), and
// skips a test with a clear message when it is absent.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot returns the directory holding go.mod, searching upwards from the
// working directory ("" if none).
func RepoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// SharedDir returns the shared folder: $COSIM_SHARED if set, else ../shared
// beside the repository root ("" if neither exists).
func SharedDir() string {
	if d := os.Getenv("COSIM_SHARED"); d != "" {
		return d
	}
	root := RepoRoot()
	if root == "" {
		return ""
	}
	d := filepath.Join(filepath.Dir(root), "shared")
	if st, err := os.Stat(d); err == nil && st.IsDir() {
		return d
	}
	return ""
}

// SharedData returns the path of shared/data/<rel>, or skips tb with a
// message saying what is missing and how to provide it.
func SharedData(tb testing.TB, rel string) string {
	tb.Helper()
	base := SharedDir()
	if base == "" {
		tb.Skipf("skipping: shared data folder not found (put it at ../shared beside the repository or set COSIM_SHARED); needs data/%s", rel)
	}
	p := filepath.Join(base, "data", rel)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("skipping: %s is absent (%v)", p, err)
	}
	return p
}
