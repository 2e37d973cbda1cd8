package torchpth

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
)

// archiveName is the folder of every record, as PyTorch 2.x names it.
const archiveName = "archive"

// alignment of every record's data, as PyTorch writes it (so that
// torch.load(..., mmap=True) can map storages).
const alignment = 64

// Write writes tensors as a bare state dict (an OrderedDict) in PyTorch's
// zip format (torch.save since PyTorch 1.6), which torch.load reads,
// weights_only or not. Float tensors are stored as float32, integer ones as
// int64.
func Write(w io.Writer, tensors []Tensor) error {
	var pkl bytes.Buffer
	pkl.WriteString("\x80\x02") // PROTO 2
	global(&pkl, "collections", "OrderedDict")
	pkl.WriteString(")R(") // EMPTY_TUPLE REDUCE MARK
	var storages [][]byte
	for i, t := range tensors {
		n := t.Len()
		if n > math.MaxInt32 {
			return fmt.Errorf("%s: %d elements is too many", t.Name, n)
		}
		class := "FloatStorage"
		raw := make([]byte, 0, 8*n)
		switch {
		case t.DType.Float():
			if len(t.Data) != n {
				return fmt.Errorf("%s: %d values for shape %v", t.Name, len(t.Data), t.Shape)
			}
			for _, v := range t.Data {
				raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
			}
		default:
			if len(t.Ints) != n {
				return fmt.Errorf("%s: %d values for shape %v", t.Name, len(t.Ints), t.Shape)
			}
			class = "LongStorage"
			for _, v := range t.Ints {
				raw = binary.LittleEndian.AppendUint64(raw, uint64(v))
			}
		}
		storages = append(storages, raw)
		unicode(&pkl, t.Name)
		global(&pkl, "torch._utils", "_rebuild_tensor_v2")
		pkl.WriteString("((") // MARK (args) MARK (persistent id)
		unicode(&pkl, "storage")
		global(&pkl, "torch", class)
		unicode(&pkl, fmt.Sprint(i))
		unicode(&pkl, "cpu")
		binint(&pkl, n)
		pkl.WriteString("tQ") // TUPLE BINPERSID
		binint(&pkl, 0)       // storage offset
		stride := make([]int, len(t.Shape))
		s := 1
		for k := len(t.Shape) - 1; k >= 0; k-- {
			stride[k] = s
			s *= t.Shape[k]
		}
		for _, dims := range [][]int{t.Shape, stride} {
			pkl.WriteByte('(')
			for _, d := range dims {
				binint(&pkl, d)
			}
			pkl.WriteByte('t')
		}
		pkl.WriteByte(0x89) // NEWFALSE: requires_grad
		global(&pkl, "collections", "OrderedDict")
		pkl.WriteString(")RtR") // backward hooks = OrderedDict(); TUPLE REDUCE
	}
	pkl.WriteString("u.") // SETITEMS STOP

	cw := &countWriter{w: w}
	zw := zip.NewWriter(cw)
	records := []struct {
		name string
		data []byte
	}{{"data.pkl", pkl.Bytes()}, {"byteorder", []byte("little")}}
	for i, s := range storages {
		records = append(records, struct {
			name string
			data []byte
		}{fmt.Sprintf("data/%d", i), s})
	}
	records = append(records, struct {
		name string
		data []byte
	}{"version", []byte("3\n")})
	for _, r := range records {
		if err := zw.Flush(); err != nil {
			return err
		}
		name := archiveName + "/" + r.name
		// Local header: 30 bytes, the name, then an extra field of 4
		// bytes plus padding that puts the data on a 64-byte boundary.
		pad := (alignment - (cw.n+30+int64(len(name))+4)%alignment) % alignment
		extra := binary.LittleEndian.AppendUint16(nil, 0x4246) // "FB", as PyTorch
		extra = binary.LittleEndian.AppendUint16(extra, uint16(pad))
		extra = append(extra, bytes.Repeat([]byte("Z"), int(pad))...)
		fw, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Store, Extra: extra,
			CRC32: crc32.ChecksumIEEE(r.data), CompressedSize64: uint64(len(r.data)), UncompressedSize64: uint64(len(r.data))})
		if err != nil {
			return err
		}
		if _, err := fw.Write(r.data); err != nil {
			return err
		}
	}
	return zw.Close()
}

func global(b *bytes.Buffer, module, name string) {
	b.WriteByte('c')
	b.WriteString(module + "\n" + name + "\n")
}

// unicode writes BINUNICODE.
func unicode(b *bytes.Buffer, s string) {
	b.WriteByte('X')
	binary.Write(b, binary.LittleEndian, uint32(len(s)))
	b.WriteString(s)
}

// binint writes BININT (a signed 32-bit integer).
func binint(b *bytes.Buffer, v int) {
	b.WriteByte('J')
	binary.Write(b, binary.LittleEndian, int32(v))
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
