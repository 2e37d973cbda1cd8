package dnn

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The hash table FetchCIFAR10 verifies with must be PROVENANCE.md's.
func TestCIFAR10HashTableMatchesProvenance(t *testing.T) {
	prov := provenanceHashes(t, cifar10TestDir(t))
	for name, want := range cifar10SHA256 {
		if prov[name] != want {
			t.Errorf("%s: table has %s, PROVENANCE.md has %q", name, want, prov[name])
		}
	}
	for name := range prov {
		if _, ok := cifar10SHA256[name]; !ok && name != cifar10MetaFile {
			t.Errorf("PROVENANCE.md lists %s, which the table lacks", name)
		}
	}
}

// synthCIFAR10Members are small stand-ins for the archive's files.
func synthCIFAR10Members() map[string][]byte {
	m := map[string][]byte{}
	for f, n := range append(append([]string(nil), cifar10TrainFiles...), cifar10TestFile) {
		m[n+".bin"] = synthFile(f, 2)
	}
	m[cifar10MetaFile] = []byte(strings.Join(cifar10ClassNames, "\n") + "\n\n")
	return m
}

func hashTable(m map[string][]byte) map[string]string {
	h := map[string]string{}
	for n, b := range m {
		if strings.HasSuffix(n, ".bin") {
			h[n] = sha256Hex(b)
		}
	}
	return h
}

// tarGz builds an archive laid out like the official one: a
// cifar-10-batches-bin/ folder with the members, plus a readme.html.
func tarGz(t *testing.T, members map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(tw.WriteHeader(&tar.Header{Name: cifar10ArchiveDir + "/", Typeflag: tar.TypeDir, Mode: 0o755}))
	names := []string{"readme.html"}
	for n := range members {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		b, ok := members[n]
		if !ok {
			b = []byte("<html>not extracted</html>")
		}
		must(tw.WriteHeader(&tar.Header{Name: cifar10ArchiveDir + "/" + n, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(b))}))
		_, err := tw.Write(b)
		must(err)
	}
	must(tw.Close())
	must(zw.Close())
	return buf.Bytes()
}

// archiveServer serves body at /~kriz/cifar-10-binary.tar.gz (404 elsewhere)
// with a correct Content-Length, unless serve is given.
func archiveServer(t *testing.T, body []byte, serve http.HandlerFunc) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/~kriz/"+cifar10Archive, func(w http.ResponseWriter, r *http.Request) {
		if serve != nil {
			serve(w, r)
			return
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Write(body)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestFetchCIFAR10(t *testing.T) {
	members := synthCIFAR10Members()
	srv := archiveServer(t, tarGz(t, members), nil)
	for _, tc := range []struct {
		name string
		base string
		pre  bool // dir exists, holding a stale data_batch_1.bin and a foreign file
	}{{"new dir", srv.URL + "/~kriz/", false}, {"existing dir, base without slash", srv.URL + "/~kriz", true}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "cifar")
			if tc.pre {
				os.MkdirAll(dir, 0o755)
				os.WriteFile(filepath.Join(dir, "data_batch_1.bin"), []byte("stale"), 0o644)
				os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("mine"), 0o644)
			}
			var progress bytes.Buffer
			if err := fetchCIFAR10(context.Background(), srv.Client(), tc.base, dir, &progress, hashTable(members)); err != nil {
				t.Fatal(err)
			}
			want := []string{"batches.meta.txt", "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"}
			if tc.pre {
				want = append(want, "keep.txt")
				slices.Sort(want)
			}
			if got := dirEntries(t, dir); !slices.Equal(got, want) {
				t.Fatalf("dir holds %v, want %v", got, want)
			}
			for n, b := range members {
				got, err := os.ReadFile(filepath.Join(dir, n))
				if err != nil || !bytes.Equal(got, b) {
					t.Errorf("%s: %d bytes (err %v), want the %d archived bytes", n, len(got), err, len(b))
				}
			}
			for _, w := range []string{"downloading " + srv.URL + "/~kriz/" + cifar10Archive, "(100%)", "7 files verified"} {
				if !strings.Contains(progress.String(), w) {
					t.Errorf("progress %q does not say %q", progress.String(), w)
				}
			}
			// What was fetched loads (2 records a file).
			if _, _, err := loadCIFAR10(dir, 2); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestFetchCIFAR10Failures(t *testing.T) {
	members := synthCIFAR10Members()
	good := tarGz(t, members)
	without := func(name string) []byte {
		m := synthCIFAR10Members()
		delete(m, name)
		return tarGz(t, m)
	}
	withMeta := synthCIFAR10Members()
	withMeta[cifar10MetaFile] = []byte("airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\n")
	badCRC := bytes.Clone(good)
	badCRC[len(badCRC)-8] ^= 0xff
	wrongHash := hashTable(members)
	wrongHash["data_batch_4.bin"] = strings.Repeat("0", 64)
	for _, tc := range []struct {
		name  string
		body  []byte
		serve http.HandlerFunc
		base  string // path after the server URL
		table map[string]string
		is    error
		want  []string
	}{
		{name: "hash mismatch", body: good, table: wrongHash,
			want: []string{"data_batch_4.bin has SHA-256 " + sha256Hex(members["data_batch_4.bin"]), "want 0000", "corrupt or altered"}},
		{name: "http 404", body: good, base: "/nowhere/", want: []string{"GET", "/nowhere/" + cifar10Archive, "HTTP 404"}},
		{name: "http 500", serve: func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) }, want: []string{"HTTP 500"}},
		{name: "connection cut short", is: io.ErrUnexpectedEOF, serve: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(len(good)))
			w.Write(good[:len(good)/2])
		}, want: []string{"cifar10:"}},
		{name: "truncated archive", body: good[:len(good)*2/3], is: io.ErrUnexpectedEOF, want: []string{"cifar10:"}},
		{name: "truncated gzip trailer", body: good[:len(good)-4], is: io.ErrUnexpectedEOF, want: []string{"corrupt gzip"}},
		{name: "gzip checksum", body: badCRC, is: gzip.ErrChecksum, want: []string{"corrupt gzip"}},
		{name: "not gzip", body: []byte("<html>moved</html>"), want: []string{"not a gzip archive"}},
		{name: "missing member", body: without("test_batch.bin"), want: []string{"archive lacks test_batch.bin"}},
		{name: "missing meta", body: without(cifar10MetaFile), want: []string{"archive lacks batches.meta.txt"}},
		{name: "bad meta", body: tarGz(t, withMeta), want: []string{"batches.meta.txt: class names"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := archiveServer(t, tc.body, tc.serve)
			table := tc.table
			if table == nil {
				table = hashTable(members)
			}
			base := srv.URL + "/~kriz/"
			if tc.base != "" {
				base = srv.URL + tc.base
			}
			root := t.TempDir()
			existing := filepath.Join(root, "existing")
			os.MkdirAll(existing, 0o755)
			os.WriteFile(filepath.Join(existing, "keep.txt"), []byte("mine"), 0o644)
			fresh := filepath.Join(root, "fresh")
			for _, dir := range []string{existing, fresh} {
				err := fetchCIFAR10(context.Background(), srv.Client(), base, dir, nil, table)
				if err == nil {
					t.Fatalf("%s: no error", dir)
				}
				if tc.is != nil && !errors.Is(err, tc.is) {
					t.Errorf("error %q is not %v", err, tc.is)
				}
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not say %q", err, w)
					}
				}
			}
			if got := dirEntries(t, existing); !slices.Equal(got, []string{"keep.txt"}) {
				t.Errorf("existing dir left holding %v", got)
			}
			if _, err := os.Stat(fresh); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("new dir left behind (stat: %v)", err)
			}
		})
	}
}

// cancelWriter cancels its context on the first progress line that reports
// a share of the archive, i.e. in the middle of reading the body.
type cancelWriter struct{ cancel context.CancelFunc }

func (c cancelWriter) Write(b []byte) (int, error) {
	if bytes.Contains(b, []byte("%)")) {
		c.cancel()
	}
	return len(b), nil
}

func TestFetchCIFAR10Cancel(t *testing.T) {
	good := tarGz(t, synthCIFAR10Members())
	srv := archiveServer(t, nil, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(good)))
		w.Write(good[:len(good)/2])
		w.(http.Flusher).Flush()
		select { // hold the rest back until the client goes away
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	})
	for _, tc := range []struct {
		name string
		pre  bool
	}{{"mid-body", false}, {"before start", true}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.pre {
				cancel()
			}
			dir := t.TempDir()
			err := fetchCIFAR10(ctx, srv.Client(), srv.URL+"/~kriz/", dir, cancelWriter{cancel}, hashTable(synthCIFAR10Members()))
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			if got := dirEntries(t, dir); len(got) != 0 {
				t.Errorf("dir left holding %v", got)
			}
		})
	}
}

func TestProgressReader(t *testing.T) {
	for _, tc := range []struct {
		name  string
		total int64
		want  string
	}{
		{"known size", 100 << 20, "cifar10: 10.0 of 100.0 MiB (10%)\ncifar10: 20.0 of 100.0 MiB (20%)\n"},
		{"unknown size", -1, "cifar10: 16.0 MiB\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			p := &progressReader{r: io.LimitReader(zeros{}, 25<<20), w: &out, total: tc.total}
			buf := make([]byte, 1<<20)
			for range 25 {
				if _, err := io.ReadFull(p, buf); err != nil {
					t.Fatal(err)
				}
			}
			if out.String() != tc.want {
				t.Fatalf("after 25 MiB: %q, want %q", out.String(), tc.want)
			}
			out.Reset()
			if _, err := p.Read(buf); err != io.EOF {
				t.Fatalf("err = %v", err)
			}
			p.Read(buf) // a second EOF adds no line
			last := "cifar10: 25.0 MiB\n"
			if tc.total > 0 {
				last = "cifar10: 25.0 of 100.0 MiB (25%)\n"
			}
			if out.String() != last {
				t.Fatalf("at EOF: %q, want %q", out.String(), last)
			}
		})
	}
}

type zeros struct{}

func (zeros) Read(b []byte) (int, error) { clear(b); return len(b), nil }
