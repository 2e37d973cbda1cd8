package dnn

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// CIFAR-10 binary format (Krizhevsky, "Learning Multiple Layers of Features
// from Tiny Images", 2009; https://www.cs.toronto.edu/~kriz/cifar.html): each
// record is 1 label byte followed by the 1024 R, 1024 G and 1024 B bytes of a
// 32×32 image, each plane row-major; every batch file holds 10,000 records.
const (
	cifar10Side        = 32
	cifar10Channels    = 3
	cifar10Classes     = 10
	cifar10ImageBytes  = cifar10Channels * cifar10Side * cifar10Side // 3072
	cifar10RecordBytes = 1 + cifar10ImageBytes                       // 3073
	cifar10PerFile     = 10000
	// cifar10ArchiveDir is the folder the official archive extracts into.
	cifar10ArchiveDir = "cifar-10-batches-bin"
)

// cifar10TrainFiles and cifar10TestFile are the batch files of the binary
// version, without the ".bin" / ".bin.gz" extension; the training set is
// the five training batches concatenated in this order.
var (
	cifar10TrainFiles = []string{"data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"}
	cifar10TestFile   = "test_batch"
)

// cifar10ClassNames are the labels 0..9, as listed in batches.meta.txt.
var cifar10ClassNames = []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}

// CIFAR-10 normalisation of the reference recipe (docs/wcat-semantics.md §5:
// Normalize(mean (0.4914, 0.4822, 0.4465), std (0.2023, 0.1994, 0.2010))).
var cifar10Mean, cifar10Std = [3]float32{0.4914, 0.4822, 0.4465}, [3]float32{0.2023, 0.1994, 0.2010}

// LoadCIFAR10 reads the CIFAR-10 binary version from dir: the training set
// is data_batch_1..5 in order (50,000 images, named "cifar10-train") and the
// test set is test_batch (10,000 images, "cifar10-test"). Each file may be
// plain (NAME.bin) or gzipped (NAME.bin.gz) and may sit in dir itself or in
// dir/cifar-10-batches-bin, where the official archive puts it. An empty dir
// means the directory named by the COSIM_CIFAR10 environment variable.
// Pixels are [N][3][32][32]; Mean/Std are the reference recipe's.
func LoadCIFAR10(dir string) (train, test *Dataset, err error) {
	if dir == "" {
		if dir = os.Getenv("COSIM_CIFAR10"); dir == "" {
			return nil, nil, errors.New("cifar10: no data directory given (COSIM_CIFAR10 is not set either); pass --data DIR with the CIFAR-10 binary files, or run `cosim data fetch --out DIR` to download them")
		}
	}
	return loadCIFAR10(dir, cifar10PerFile)
}

// loadCIFAR10 is LoadCIFAR10 with the records per file as a parameter, so
// tests can use small synthetic files. The six files are decoded
// concurrently, each straight into its slice of one preallocated buffer.
func loadCIFAR10(dir string, perFile int) (train, test *Dataset, err error) {
	names := append(append([]string(nil), cifar10TrainFiles...), cifar10TestFile)
	paths := make([]string, len(names))
	for i, n := range names {
		if paths[i], err = findCIFAR10File(dir, n); err != nil {
			return nil, nil, err
		}
	}
	train = newCIFAR10Set("cifar10-train", len(cifar10TrainFiles)*perFile)
	test = newCIFAR10Set("cifar10-test", perFile)
	errs := make([]error, len(paths))
	var wg sync.WaitGroup
	for i, p := range paths {
		d, k := train, i
		if i == len(cifar10TrainFiles) {
			d, k = test, 0
		}
		px := d.Pixels[k*perFile*cifar10ImageBytes : (k+1)*perFile*cifar10ImageBytes]
		lb := d.Labels[k*perFile : (k+1)*perFile]
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = readCIFAR10File(p, px, lb)
		}()
	}
	wg.Wait()
	for _, e := range errs { // the first failure in file order, so the message is deterministic
		if e != nil {
			return nil, nil, e
		}
	}
	return train, test, nil
}

func newCIFAR10Set(name string, n int) *Dataset {
	return &Dataset{Name: name, C: cifar10Channels, H: cifar10Side, W: cifar10Side, Classes: cifar10Classes,
		Pixels: make([]uint8, n*cifar10ImageBytes), Labels: make([]uint8, n),
		Mean: append([]float32(nil), cifar10Mean[:]...), Std: append([]float32(nil), cifar10Std[:]...)}
}

// findCIFAR10File returns the first of NAME.bin and NAME.bin.gz, in dir and
// then in dir/cifar-10-batches-bin, that exists.
func findCIFAR10File(dir, name string) (string, error) {
	var tried []string
	for _, d := range []string{dir, filepath.Join(dir, cifar10ArchiveDir)} {
		for _, ext := range []string{".bin", ".bin.gz"} {
			p := filepath.Join(d, name+ext)
			fi, err := os.Stat(p)
			if err == nil && fi.Mode().IsRegular() {
				return p, nil
			}
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				return "", fmt.Errorf("cifar10: %w", err)
			}
			tried = append(tried, p)
		}
	}
	return "", fmt.Errorf("cifar10: %s not found (looked for %s); pass --data DIR pointing at the CIFAR-10 binary files, or run `cosim data fetch --out DIR` to download them: %w",
		name, strings.Join(tried, ", "), os.ErrNotExist)
}

// readCIFAR10File decodes one batch file (gzipped when its name ends in
// ".gz") into pixels and labels, which fix the number of records expected.
func readCIFAR10File(path string, pixels, labels []uint8) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cifar10: %w", err)
	}
	defer f.Close()
	var r io.Reader = bufio.NewReaderSize(f, 1<<20)
	gz := strings.HasSuffix(path, ".gz")
	if gz {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return fmt.Errorf("cifar10: %s: corrupt gzip: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	if err := decodeCIFAR10(r, gz, pixels, labels); err != nil {
		return fmt.Errorf("cifar10: %s: %w", path, err)
	}
	return nil
}

// ErrCIFAR10Format marks a CIFAR-10 batch file whose content is not
// len(labels) well-formed records.
var ErrCIFAR10Format = errors.New("not a CIFAR-10 batch file")

// decodeCIFAR10 reads exactly len(labels) records from r into pixels
// ([len(labels)][3072]) and labels, then checks that r ends there. gz says
// whether r is a gzip stream, so that its errors read as corrupt gzip
// rather than a bad record layout.
func decodeCIFAR10(r io.Reader, gz bool, pixels, labels []uint8) error {
	n := len(labels)
	if len(pixels) != n*cifar10ImageBytes {
		panic("dnn: decodeCIFAR10: pixel buffer does not match the label count")
	}
	const chunkRecords = 128
	buf := make([]byte, min(chunkRecords, max(n, 1))*cifar10RecordBytes)
	for start := 0; start < n; start += chunkRecords {
		m := min(chunkRecords, n-start)
		got, err := readFull(r, buf[:m*cifar10RecordBytes])
		if err != nil && err != io.EOF {
			return streamError(err, gz, int64(start)*cifar10RecordBytes+int64(got))
		}
		if got < m*cifar10RecordBytes {
			return sizeError(int64(start)*cifar10RecordBytes+int64(got), n)
		}
		for k := 0; k < m; k++ {
			rec := buf[k*cifar10RecordBytes : (k+1)*cifar10RecordBytes]
			if rec[0] >= cifar10Classes {
				i := start + k
				return fmt.Errorf("%w: record %d (byte offset %d) has label %d, want 0..%d",
					ErrCIFAR10Format, i, int64(i)*cifar10RecordBytes, rec[0], cifar10Classes-1)
			}
			labels[start+k] = rec[0]
			copy(pixels[(start+k)*cifar10ImageBytes:], rec[1:])
		}
	}
	// The stream must end here; reading to EOF also makes gzip check its CRC.
	extra, err := io.Copy(io.Discard, r)
	if err != nil {
		return streamError(err, gz, int64(n)*cifar10RecordBytes+extra)
	}
	if extra > 0 {
		return sizeError(int64(n)*cifar10RecordBytes+extra, n)
	}
	return nil
}

// readFull is io.ReadFull that hands back the reader's own error: io.EOF
// only when the stream ended cleanly (possibly after a partial read), so a
// short file can be told apart from a truncated gzip stream.
func readFull(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			if err == io.EOF && n == len(buf) {
				return n, nil
			}
			return n, err
		}
	}
	return n, nil
}

func streamError(err error, gz bool, offset int64) error {
	if !gz {
		return fmt.Errorf("read error after %d bytes: %w", offset, err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("corrupt gzip: compressed stream truncated after %d decompressed bytes: %w", offset, err)
	}
	return fmt.Errorf("corrupt gzip after %d decompressed bytes: %w", offset, err)
}

func sizeError(size int64, want int) error {
	whole, rest := size/cifar10RecordBytes, size%cifar10RecordBytes
	what := fmt.Sprintf("%d records", whole)
	if rest != 0 {
		what = fmt.Sprintf("%d whole records and %d bytes (not a multiple of the %d-byte record; truncated?)", whole, rest, cifar10RecordBytes)
	}
	return fmt.Errorf("%w: %d bytes = %s, want %d records (%d bytes)",
		ErrCIFAR10Format, size, what, want, int64(want)*cifar10RecordBytes)
}
