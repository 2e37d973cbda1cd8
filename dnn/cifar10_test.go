package dnn

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// cifar10TestDir is the shared copy of CIFAR-10 (relative to this package
// directory, see DESIGN.md "Data"), or $COSIM_CIFAR10 when set.
func cifar10TestDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("COSIM_CIFAR10")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data", "cifar10")
	}
	if _, err := findCIFAR10File(dir, cifar10TestFile); err != nil {
		t.Skipf("CIFAR-10 not available, skipping (put the binary files in ../../shared/data/cifar10 or set COSIM_CIFAR10): %v", err)
	}
	return dir
}

var realCIFAR10 struct {
	once        sync.Once
	train, test *Dataset
	err         error
}

func loadRealCIFAR10(t *testing.T) (train, test *Dataset) {
	dir := cifar10TestDir(t)
	realCIFAR10.once.Do(func() {
		realCIFAR10.train, realCIFAR10.test, realCIFAR10.err = LoadCIFAR10(dir)
	})
	if realCIFAR10.err != nil {
		t.Fatal(realCIFAR10.err)
	}
	return realCIFAR10.train, realCIFAR10.test
}

func classCounts(labels []uint8) []int {
	n := make([]int, cifar10Classes)
	for _, l := range labels {
		n[l]++
	}
	return n
}

func TestLoadCIFAR10Real(t *testing.T) {
	train, test := loadRealCIFAR10(t)
	for _, tc := range []struct {
		d        *Dataset
		name     string
		n, perCl int
	}{{train, "cifar10-train", 50000, 5000}, {test, "cifar10-test", 10000, 1000}} {
		if err := tc.d.Validate(); err != nil {
			t.Fatal(err)
		}
		if tc.d.Name != tc.name || tc.d.Len() != tc.n || tc.d.C != 3 || tc.d.H != 32 || tc.d.W != 32 || tc.d.Classes != 10 {
			t.Fatalf("%s: got name %q, %d images of %dx%dx%d, %d classes", tc.name, tc.d.Name, tc.d.Len(), tc.d.C, tc.d.H, tc.d.W, tc.d.Classes)
		}
		for c, k := range classCounts(tc.d.Labels) {
			if k != tc.perCl {
				t.Errorf("%s: class %d has %d images, want %d", tc.name, c, k, tc.perCl)
			}
		}
		// wcat-semantics.md §5.
		wantMean, wantStd := []float32{0.4914, 0.4822, 0.4465}, []float32{0.2023, 0.1994, 0.2010}
		for c := range 3 {
			if tc.d.Mean[c] != wantMean[c] || tc.d.Std[c] != wantStd[c] {
				t.Errorf("%s: channel %d normalised with mean %v std %v", tc.name, c, tc.d.Mean[c], tc.d.Std[c])
			}
		}
	}
	// PROVENANCE.md, "Counts": the well-known class counts of data_batch_1.
	want := []int{1005, 974, 1032, 1016, 999, 937, 1030, 1001, 1025, 981}
	got := classCounts(train.Labels[:10000])
	for c := range want {
		if got[c] != want[c] {
			t.Errorf("data_batch_1 class counts %v, want %v", got, want)
			break
		}
	}
}

// records rebuilds the bytes of a batch file from images [from, from+n).
func records(d *Dataset, from, n int) []byte {
	b := make([]byte, 0, n*cifar10RecordBytes)
	for i := from; i < from+n; i++ {
		b = append(b, d.Labels[i])
		b = append(b, d.Pixels[i*cifar10ImageBytes:(i+1)*cifar10ImageBytes]...)
	}
	return b
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// provenanceHashes reads the "name -> SHA-256" lines of the uncompressed
// block of PROVENANCE.md.
func provenanceHashes(t *testing.T, dir string) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "PROVENANCE.md"))
	if err != nil {
		t.Skipf("no PROVENANCE.md next to the CIFAR-10 data, skipping: %v", err)
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 2 && len(fs[0]) == 64 && !strings.HasSuffix(fs[1], ".gz") {
			m[fs[1]] = fs[0]
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

// The loaded sets, written back as batch files, must be byte-identical to
// the official files: the test batch's SHA-256 as PROVENANCE.md gives it,
// every batch against the table FetchCIFAR10 verifies downloads with, and
// the training batches together against PROVENANCE.md's "train canonical
// content" digest.
func TestLoadCIFAR10MatchesOfficialHashes(t *testing.T) {
	train, test := loadRealCIFAR10(t)
	prov := provenanceHashes(t, cifar10TestDir(t))
	if got, want := sha256Hex(records(test, 0, 10000)), prov["test_batch.bin"]; got != want {
		t.Errorf("test_batch.bin rebuilt from the loaded test set: SHA-256 %s, PROVENANCE.md says %s", got, want)
	}
	if got := sha256Hex(records(test, 0, 10000)); got != cifar10SHA256["test_batch.bin"] {
		t.Errorf("test_batch.bin: SHA-256 %s, table says %s", got, cifar10SHA256["test_batch.bin"])
	}
	for i, n := range cifar10TrainFiles {
		if got := sha256Hex(records(train, i*10000, 10000)); got != cifar10SHA256[n+".bin"] {
			t.Errorf("%s.bin: SHA-256 %s, table says %s", n, got, cifar10SHA256[n+".bin"])
		}
	}
	const trainDigest = "a0181da372c0d63a5920fdbea2ec3f83ecbc552d378218e1cb473cf634941a3b" // PROVENANCE.md, Verification
	if got := sha256Hex(records(train, 0, 50000)); got != trainDigest {
		t.Errorf("data_batch_1..5 concatenated: SHA-256 %s, want %s", got, trainDigest)
	}
}

// synthRecord is record i of synthetic file f: label (3f+i) mod 10, pixel
// j = byte(31f + 7i + j), so every position and file is distinguishable.
func synthRecord(f, i int) []byte {
	r := make([]byte, cifar10RecordBytes)
	r[0] = byte((3*f + i) % 10)
	for j := range cifar10ImageBytes {
		r[1+j] = byte(31*f + 7*i + j)
	}
	return r
}

func synthFile(f, n int) []byte {
	var b []byte
	for i := range n {
		b = append(b, synthRecord(f, i)...)
	}
	return b
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeSynthCIFAR10 writes the six batch files with perFile records each
// into dir; gz(f) says whether file f is gzipped; edit, if not nil, may
// change the uncompressed content of a file (by base name, e.g.
// "test_batch") before it is written.
func writeSynthCIFAR10(t *testing.T, dir string, perFile int, gz func(f int) bool, edit func(name string, b []byte) []byte) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	names := append(append([]string(nil), cifar10TrainFiles...), cifar10TestFile)
	for f, n := range names {
		b := synthFile(f, perFile)
		if edit != nil {
			b = edit(n, b)
		}
		p := filepath.Join(dir, n+".bin")
		if gz(f) {
			b, p = gzipBytes(t, b), p+".gz"
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadCIFAR10Synthetic(t *testing.T) {
	const per = 3
	for _, tc := range []struct {
		name string
		sub  string
		gz   func(int) bool
	}{
		{"plain", "", func(int) bool { return false }},
		{"gzipped", "", func(int) bool { return true }},
		{"mixed", "", func(f int) bool { return f%2 == 1 }},
		{"archive-folder", cifar10ArchiveDir, func(int) bool { return false }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeSynthCIFAR10(t, filepath.Join(dir, tc.sub), per, tc.gz, nil)
			train, test, err := loadCIFAR10(dir, per)
			if err != nil {
				t.Fatal(err)
			}
			if train.Len() != 5*per || test.Len() != per {
				t.Fatalf("got %d train and %d test images", train.Len(), test.Len())
			}
			if err := train.Validate(); err != nil {
				t.Fatal(err)
			}
			check := func(d *Dataset, img, f, i int) {
				rec := synthRecord(f, i)
				if d.Labels[img] != rec[0] {
					t.Errorf("%s image %d: label %d, want %d", d.Name, img, d.Labels[img], rec[0])
				}
				// Worked positions: channel c, row y, column x sits at c·1024 + y·32 + x.
				for _, p := range [][3]int{{0, 0, 0}, {0, 0, 31}, {0, 1, 0}, {1, 0, 0}, {2, 31, 31}, {1, 17, 5}} {
					k := p[0]*1024 + p[1]*32 + p[2]
					if got := d.Pixels[img*3072+k]; got != rec[1+k] {
						t.Errorf("%s image %d (c,y,x)=%v: %d, want %d", d.Name, img, p, got, rec[1+k])
					}
				}
				if !bytes.Equal(d.Pixels[img*3072:(img+1)*3072], rec[1:]) {
					t.Errorf("%s image %d: pixels differ from the record", d.Name, img)
				}
			}
			for f := range 5 {
				for i := range per {
					check(train, f*per+i, f, i)
				}
			}
			for i := range per {
				check(test, i, 5, i)
			}
		})
	}
}

func TestLoadCIFAR10Errors(t *testing.T) {
	const per = 3
	plain := func(int) bool { return false }
	allGz := func(int) bool { return true }
	onlyIn := func(name string, edit func([]byte) []byte) func(string, []byte) []byte {
		return func(n string, b []byte) []byte {
			if n == name {
				return edit(b)
			}
			return b
		}
	}
	setLabel := func(rec, label int) func([]byte) []byte {
		return func(b []byte) []byte { b[rec*cifar10RecordBytes] = byte(label); return b }
	}
	for _, tc := range []struct {
		name  string
		gz    func(int) bool
		edit  func(string, []byte) []byte
		after func(t *testing.T, dir string) // changes the written files
		is    error
		want  []string
	}{
		{name: "missing file", gz: plain,
			after: func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "data_batch_3.bin")) },
			is:    os.ErrNotExist,
			want:  []string{"data_batch_3 not found", "data_batch_3.bin.gz", cifar10ArchiveDir, "--data DIR", "cosim data fetch"}},
		{name: "truncated plain", gz: plain, edit: onlyIn("test_batch", func(b []byte) []byte { return b[:len(b)-100] }),
			is: ErrCIFAR10Format, want: []string{"test_batch.bin:", "9119 bytes", "2 whole records and 2973 bytes", "not a multiple", "want 3 records"}},
		{name: "truncated gzipped", gz: allGz, edit: onlyIn("data_batch_2", func(b []byte) []byte { return b[:5000] }),
			is: ErrCIFAR10Format, want: []string{"data_batch_2.bin.gz:", "5000 bytes", "1 whole records and 1927 bytes", "want 3 records"}},
		{name: "too few records", gz: plain, edit: onlyIn("data_batch_1", func(b []byte) []byte { return b[:2*cifar10RecordBytes] }),
			is: ErrCIFAR10Format, want: []string{"data_batch_1.bin:", "= 2 records, want 3 records (9219 bytes)"}},
		{name: "empty file", gz: plain, edit: onlyIn("data_batch_5", func([]byte) []byte { return nil }),
			is: ErrCIFAR10Format, want: []string{"data_batch_5.bin:", "0 bytes = 0 records"}},
		{name: "too many records gzipped", gz: allGz, edit: onlyIn("data_batch_4", func(b []byte) []byte { return append(b, synthRecord(9, 9)...) }),
			is: ErrCIFAR10Format, want: []string{"data_batch_4.bin.gz:", "12292 bytes = 4 records, want 3 records"}},
		{name: "extra byte", gz: plain, edit: onlyIn("test_batch", func(b []byte) []byte { return append(b, 0) }),
			is: ErrCIFAR10Format, want: []string{"test_batch.bin:", "3 whole records and 1 bytes"}},
		{name: "bad label plain", gz: plain, edit: onlyIn("data_batch_1", setLabel(1, 10)),
			is: ErrCIFAR10Format, want: []string{"data_batch_1.bin:", "record 1 (byte offset 3073) has label 10, want 0..9"}},
		{name: "bad label gzipped", gz: allGz, edit: onlyIn("test_batch", setLabel(2, 255)),
			is: ErrCIFAR10Format, want: []string{"test_batch.bin.gz:", "record 2 (byte offset 6146) has label 255"}},
		{name: "gzip stream truncated", gz: allGz,
			after: func(t *testing.T, dir string) { chop(t, filepath.Join(dir, "data_batch_3.bin.gz"), 100) },
			is:    io.ErrUnexpectedEOF, want: []string{"data_batch_3.bin.gz:", "corrupt gzip", "truncated"}},
		{name: "gzip checksum", gz: allGz,
			after: func(t *testing.T, dir string) { flipByte(t, filepath.Join(dir, "data_batch_2.bin.gz"), -8) },
			is:    gzip.ErrChecksum, want: []string{"data_batch_2.bin.gz:", "corrupt gzip"}},
		{name: "not gzip", gz: plain,
			after: func(t *testing.T, dir string) {
				if err := os.Rename(filepath.Join(dir, "test_batch.bin"), filepath.Join(dir, "test_batch.bin.gz")); err != nil {
					t.Fatal(err)
				}
			},
			is: gzip.ErrHeader, want: []string{"test_batch.bin.gz:", "corrupt gzip"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeSynthCIFAR10(t, dir, per, tc.gz, tc.edit)
			if tc.after != nil {
				tc.after(t, dir)
			}
			_, _, err := loadCIFAR10(dir, per)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, tc.is) {
				t.Errorf("error %q is not %v", err, tc.is)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func chop(t *testing.T, p string, n int) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b[:len(b)-n], 0o644); err != nil {
		t.Fatal(err)
	}
}

// flipByte inverts the byte at offset off (negative: from the end).
func flipByte(t *testing.T, p string, off int) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if off < 0 {
		off += len(b)
	}
	b[off] ^= 0xff
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The public loader wants the official 10,000 records per file.
func TestLoadCIFAR10WantsOfficialSize(t *testing.T) {
	dir := t.TempDir()
	writeSynthCIFAR10(t, dir, 2, func(int) bool { return true }, nil)
	_, _, err := LoadCIFAR10(dir)
	if !errors.Is(err, ErrCIFAR10Format) || !strings.Contains(err.Error(), "data_batch_1.bin.gz: not a CIFAR-10 batch file: 6146 bytes = 2 records, want 10000 records (30730000 bytes)") {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadCIFAR10DefaultDir(t *testing.T) {
	t.Setenv("COSIM_CIFAR10", "")
	if _, _, err := LoadCIFAR10(""); err == nil || !strings.Contains(err.Error(), "COSIM_CIFAR10") || !strings.Contains(err.Error(), "--data DIR") {
		t.Fatalf("err = %v", err)
	}
	empty := t.TempDir()
	t.Setenv("COSIM_CIFAR10", empty)
	if _, _, err := LoadCIFAR10(""); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), filepath.Join(empty, "data_batch_1.bin")) {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadDatasetCIFAR10(t *testing.T) {
	empty := t.TempDir()
	if _, _, err := LoadDataset("cifar10", empty); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "cifar10:") {
		t.Fatalf("err = %v", err)
	}
	if _, _, err := LoadDataset("cifar100", empty); err == nil || !strings.Contains(err.Error(), "cifar10") {
		t.Fatalf("err = %v", err)
	}
}

// FuzzDecodeCIFAR10 feeds arbitrary bytes, plain or as a gzip stream, to
// the record decoder with 2 records expected: it must never panic, must
// accept exactly the well-formed inputs, and must then return their content.
func FuzzDecodeCIFAR10(f *testing.F) {
	good := append(synthRecord(0, 0), synthRecord(1, 1)...)
	badLabel := bytes.Clone(good)
	badLabel[cifar10RecordBytes] = 10
	for _, b := range [][]byte{good, good[:100], good[:cifar10RecordBytes], append(bytes.Clone(good), 1), badLabel, nil} {
		f.Add(b, false)
		f.Add(gzipBytes(f, b), true)
	}
	gz := gzipBytes(f, good)
	f.Add(gz[:len(gz)-3], true)
	f.Add([]byte{0x1f, 0x8b, 8, 0}, true)
	f.Fuzz(func(t *testing.T, data []byte, isGz bool) {
		const n = 2
		px, lb := make([]uint8, n*cifar10ImageBytes), make([]uint8, n)
		content := data
		var r io.Reader = bytes.NewReader(data)
		if isGz {
			if _, err := gzip.NewReader(bytes.NewReader(data)); err != nil {
				return // the loader rejects these before decoding
			}
			ref, _ := gzip.NewReader(bytes.NewReader(data))
			var rerr error
			if content, rerr = io.ReadAll(ref); rerr != nil {
				zr, _ := gzip.NewReader(bytes.NewReader(data))
				if err := decodeCIFAR10(zr, true, px, lb); err == nil {
					t.Fatalf("corrupt gzip stream (%v) accepted", rerr)
				}
				return
			}
			r, _ = gzip.NewReader(bytes.NewReader(data))
		}
		err := decodeCIFAR10(r, isGz, px, lb)
		valid := len(content) == n*cifar10RecordBytes && content[0] < 10 && content[cifar10RecordBytes] < 10
		if valid != (err == nil) {
			t.Fatalf("%d bytes of content, labels valid %v: err = %v", len(content), valid, err)
		}
		if err != nil {
			return
		}
		for i := range n {
			rec := content[i*cifar10RecordBytes : (i+1)*cifar10RecordBytes]
			if lb[i] != rec[0] || !bytes.Equal(px[i*cifar10ImageBytes:(i+1)*cifar10ImageBytes], rec[1:]) {
				t.Fatalf("record %d decoded wrongly", i)
			}
		}
	})
}

func BenchmarkLoadCIFAR10(b *testing.B) {
	dir := cifar10TestDir(b)
	b.SetBytes(6 * cifar10PerFile * cifar10RecordBytes)
	for b.Loop() {
		if _, _, err := LoadCIFAR10(dir); err != nil {
			b.Fatal(err)
		}
	}
}
