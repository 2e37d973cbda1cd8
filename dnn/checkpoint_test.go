package dnn

import (
	"bytes"
	"strings"
	"testing"

	"cosim/internal/seed"
)

func writeTiny(t testing.TB) ([]byte, *MLP) {
	m := NewMLP(1, 2, 2, []int{3}, 2, seed.Stream(5))
	var b bytes.Buffer
	if err := WriteCheckpoint(&b, m.Arch(), [3]int{1, 2, 2}, 2, map[string]int{"bits": 4}, m.Params()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), m
}

func TestCheckpointRoundTrip(t *testing.T) {
	raw, m := writeTiny(t)
	ck, err := ReadCheckpoint(bytes.NewReader(raw), "tiny.ckpt")
	if err != nil {
		t.Fatal(err)
	}
	if ck.Header.Arch != "mlp-4-3-2" || string(ck.Header.Meta) != `{"bits":4}` {
		t.Fatalf("header %+v", ck.Header)
	}
	m2, err := Build(ck.Header.Arch, 1, 2, 2, 2, seed.Stream(99))
	if err != nil {
		t.Fatal(err)
	}
	if err := ck.Restore(m2.Params()); err != nil {
		t.Fatal(err)
	}
	for i, p := range m.Params() {
		q := m2.Params()[i]
		for j := range p.Data() {
			if p.Data()[j] != q.Data()[j] {
				t.Fatalf("%s[%d] differs", p.Name, j)
			}
		}
	}
}

func TestCheckpointRejects(t *testing.T) {
	raw, _ := writeTiny(t)
	flip := append([]byte(nil), raw...)
	flip[len(flip)/2] ^= 1
	cases := map[string]struct {
		data []byte
		want string
	}{
		"corrupted": {flip, "checksum mismatch"},
		"truncated": {raw[:len(raw)-7], "checksum mismatch"},
		"short":     {raw[:10], "too short"},
		"magic":     {append([]byte("NOTCOSIM"), raw[8:]...), "wrong magic"},
	}
	for name, c := range cases {
		_, err := ReadCheckpoint(bytes.NewReader(c.data), "x.ckpt")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "x.ckpt: ") {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
		}
	}
	ck, err := ReadCheckpoint(bytes.NewReader(raw), "x")
	if err != nil {
		t.Fatal(err)
	}
	other := NewMLP(1, 2, 2, []int{4}, 2, seed.Stream(1))
	if err := ck.Restore(other.Params()); err == nil || !strings.Contains(err.Error(), "shape") {
		t.Fatalf("shape mismatch: %v", err)
	}
	if err := ck.Restore(other.Params()[:1]); err == nil {
		t.Fatal("extra tensors accepted")
	}
}

func TestBuildRejects(t *testing.T) {
	for _, arch := range []string{"mlp-", "mlp-784-x-10", "mlp-100-10", "resnet999", "mlp-784-100-9"} {
		if _, err := Build(arch, 1, 28, 28, 10, seed.Stream(1)); err == nil {
			t.Errorf("Build(%q) accepted", arch)
		}
	}
}

func FuzzReadCheckpoint(f *testing.F) {
	raw, _ := writeTiny(f)
	f.Add(raw)
	f.Add(raw[:20])
	f.Fuzz(func(t *testing.T, data []byte) {
		ck, err := ReadCheckpoint(bytes.NewReader(data), "fuzz.ckpt")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.ckpt: ") {
				t.Fatalf("error without file name: %v", err)
			}
			return
		}
		for _, ti := range ck.Header.Tensors {
			n := 1
			for _, d := range ti.Shape {
				n *= d
			}
			if len(ck.Data[ti.Name]) != n {
				t.Fatalf("tensor %s has %d values for shape %v", ti.Name, len(ck.Data[ti.Name]), ti.Shape)
			}
		}
	})
}
