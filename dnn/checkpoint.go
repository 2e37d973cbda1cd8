package dnn

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
)

// Checkpoint file format, version 1 (all integers little-endian):
//
//	offset 0   8 bytes   magic "COSIMCK\n"
//	offset 8   4 bytes   uint32 H, the length of the header
//	offset 12  H bytes   header: UTF-8 JSON object (CheckpointHeader)
//	then       4·N bytes the tensors' float32 values, in header order,
//	                     each tensor's values row-major
//	last       32 bytes  SHA-256 of every byte before it
//
// The header names the format version, the architecture and input shape
// (enough to rebuild the network), free-form metadata owned by the caller
// (quantization method, recipe, data-set hash, …) and, per tensor, its name,
// kind and shape. Readers reject unknown versions, unknown header fields,
// checksum mismatches, truncated files and trailing bytes.
const (
	checkpointMagic   = "COSIMCK\n"
	CheckpointVersion = 1
	maxHeaderBytes    = 16 << 20
)

// CheckpointHeader is the JSON header of a checkpoint file.
type CheckpointHeader struct {
	Format  string          `json:"format"`
	Version int             `json:"version"`
	Arch    string          `json:"arch"`
	Input   [3]int          `json:"input"`
	Classes int             `json:"classes"`
	Meta    json.RawMessage `json:"meta,omitempty"`
	Tensors []TensorInfo    `json:"tensors"`
}

// TensorInfo describes one stored tensor.
type TensorInfo struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	Shape []int  `json:"shape"`
}

// Checkpoint is the decoded content of a checkpoint file.
type Checkpoint struct {
	Header CheckpointHeader
	Data   map[string][]float32
}

// WriteCheckpoint writes the tensors ps of a network with the given
// architecture, input shape and metadata.
func WriteCheckpoint(w io.Writer, arch string, input [3]int, classes int, meta any, ps []*Param) error {
	h := CheckpointHeader{Format: "cosim-checkpoint", Version: CheckpointVersion, Arch: arch, Input: input, Classes: classes}
	if meta != nil {
		raw, err := json.Marshal(meta)
		if err != nil {
			return fmt.Errorf("checkpoint metadata: %w", err)
		}
		h.Meta = raw
	}
	seen := map[string]bool{}
	for _, p := range ps {
		if seen[p.Name] {
			return fmt.Errorf("checkpoint: duplicate tensor %q", p.Name)
		}
		seen[p.Name] = true
		h.Tensors = append(h.Tensors, TensorInfo{Name: p.Name, Kind: p.Kind.String(), Shape: append([]int{}, p.Shape()...)})
	}
	hdr, err := json.Marshal(h)
	if err != nil {
		return err
	}
	sum := sha256.New()
	bw := bufio.NewWriter(io.MultiWriter(w, sum))
	bw.WriteString(checkpointMagic)
	binary.Write(bw, binary.LittleEndian, uint32(len(hdr)))
	bw.Write(hdr)
	var buf [4]byte
	for _, p := range ps {
		for _, v := range p.Data() {
			binary.LittleEndian.PutUint32(buf[:], math.Float32bits(v))
			bw.Write(buf[:])
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err = w.Write(sum.Sum(nil))
	return err
}

// ReadCheckpoint decodes a checkpoint; name is used in error messages.
func ReadCheckpoint(r io.Reader, name string) (*Checkpoint, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s: not a valid cosim checkpoint: %s", name, fmt.Sprintf(format, a...))
	}
	// The magic bytes first, so that a stream that is not a checkpoint
	// (/dev/zero) is refused before it is read whole.
	br := bufio.NewReader(r)
	if head, _ := br.Peek(len(checkpointMagic)); len(head) == len(checkpointMagic) && string(head) != checkpointMagic {
		return nil, bad("wrong magic bytes %q", head)
	}
	raw, err := io.ReadAll(br)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(raw) < len(checkpointMagic)+4+sha256.Size {
		return nil, bad("%d bytes is too short", len(raw))
	}
	if string(raw[:len(checkpointMagic)]) != checkpointMagic {
		return nil, bad("wrong magic bytes %q", raw[:len(checkpointMagic)])
	}
	body, tail := raw[:len(raw)-sha256.Size], raw[len(raw)-sha256.Size:]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], tail) {
		return nil, bad("SHA-256 checksum mismatch (file truncated or corrupted)")
	}
	hlen := binary.LittleEndian.Uint32(raw[len(checkpointMagic):])
	off := len(checkpointMagic) + 4
	if hlen > maxHeaderBytes || off+int(hlen) > len(body) {
		return nil, bad("header length %d exceeds the file", hlen)
	}
	dec := json.NewDecoder(bytes.NewReader(body[off : off+int(hlen)]))
	dec.DisallowUnknownFields()
	var h CheckpointHeader
	if err := dec.Decode(&h); err != nil {
		return nil, bad("header: %v", err)
	}
	if h.Format != "cosim-checkpoint" {
		return nil, bad("header format %q", h.Format)
	}
	if h.Version != CheckpointVersion {
		return nil, fmt.Errorf("%s: checkpoint version %d is not supported (this cosim reads version %d)", name, h.Version, CheckpointVersion)
	}
	off += int(hlen)
	ck := &Checkpoint{Header: h, Data: map[string][]float32{}}
	for _, t := range h.Tensors {
		n := 1
		for _, d := range t.Shape {
			if d <= 0 || n > math.MaxInt32/d {
				return nil, bad("tensor %q has shape %v", t.Name, t.Shape)
			}
			n *= d
		}
		if _, dup := ck.Data[t.Name]; dup {
			return nil, bad("duplicate tensor %q", t.Name)
		}
		if off+4*n > len(body) {
			return nil, bad("tensor %q (%d values) runs past the end of the data", t.Name, n)
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(body[off+4*i:]))
		}
		ck.Data[t.Name] = v
		off += 4 * n
	}
	if off != len(body) {
		return nil, bad("%d unexpected bytes after the tensors", len(body)-off)
	}
	return ck, nil
}

// Restore copies the checkpoint's tensors into ps, which must match it
// exactly: the same names, kinds and shapes, nothing missing or extra.
func (ck *Checkpoint) Restore(ps []*Param) error {
	want := map[string]TensorInfo{}
	for _, t := range ck.Header.Tensors {
		want[t.Name] = t
	}
	for _, p := range ps {
		t, ok := want[p.Name]
		if !ok {
			return fmt.Errorf("checkpoint has no tensor %q", p.Name)
		}
		if t.Kind != p.Kind.String() {
			return fmt.Errorf("checkpoint tensor %q is a %s, the model expects a %s", p.Name, t.Kind, p.Kind)
		}
		if !equalShape(t.Shape, p.Shape()) {
			return fmt.Errorf("checkpoint tensor %q has shape %v, the model expects %v", p.Name, t.Shape, p.Shape())
		}
		copy(p.Data(), ck.Data[p.Name])
		delete(want, p.Name)
	}
	for name := range want {
		return fmt.Errorf("checkpoint tensor %q is not part of the model", name)
	}
	return nil
}

func equalShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ErrUnknownArch is returned by Build for an architecture it cannot make.
var ErrUnknownArch = errors.New("unknown architecture")
