package torchpth

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strings"

	"github.com/nlpodyssey/gopickle/types"
)

// DType is a tensor's element type, named as PyTorch names it.
type DType string

// The element types a checkpoint may hold.
const (
	Float32  DType = "float32"
	Float64  DType = "float64"
	Float16  DType = "float16"
	BFloat16 DType = "bfloat16"
	Int64    DType = "int64"
	Int32    DType = "int32"
	Int16    DType = "int16"
	Int8     DType = "int8"
	Uint8    DType = "uint8"
	Bool     DType = "bool"
)

// storageTypes maps PyTorch's storage classes (module torch) to element
// types and sizes in bytes.
var storageTypes = map[string]struct {
	dtype DType
	size  int
}{
	"FloatStorage": {Float32, 4}, "DoubleStorage": {Float64, 8}, "HalfStorage": {Float16, 2},
	"BFloat16Storage": {BFloat16, 2}, "LongStorage": {Int64, 8}, "IntStorage": {Int32, 4},
	"ShortStorage": {Int16, 2}, "CharStorage": {Int8, 1}, "ByteStorage": {Uint8, 1}, "BoolStorage": {Bool, 1},
}

// Float reports whether values of the type are floating point.
func (d DType) Float() bool { return d == Float32 || d == Float64 || d == Float16 || d == BFloat16 }

// Tensor is one named tensor of a checkpoint, dense and row-major. A
// floating-point tensor's values are in Data (converted to float32), an
// integer or boolean one's in Ints.
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	Data  []float32
	Ints  []int64
}

// Len is the number of elements.
func (t *Tensor) Len() int { return numel(t.Shape) }

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// File is a decoded PyTorch checkpoint: its state dict, with where it sat.
type File struct {
	// Format is "zip" (torch.save since PyTorch 1.6) or "legacy" (before,
	// or _use_new_zipfile_serialization=False).
	Format string
	// Wrapper is the training-checkpoint entry that held the state dict
	// ("state_dict" or "model_state_dict"), or "" for a bare state dict.
	Wrapper string
	// Prefix is "module." when every key carried it (torch.nn.DataParallel);
	// Tensors' names are without it.
	Prefix string
	// Tensors lists the state dict in file order.
	Tensors []Tensor
}

// ErrNotCheckpoint is returned (wrapped) for input that is not a PyTorch
// checkpoint at all.
var ErrNotCheckpoint = errors.New("not a PyTorch checkpoint")

// Largest accepted sizes: a pickle and a tensor's elements.
const (
	maxPickleBytes = 64 << 20
	maxElements    = 1 << 31
)

// legacyMagic is the first pickled object of a legacy checkpoint.
const legacyMagic = "1950a86a20f9469cfc6c"

// Read decodes a checkpoint written by torch.save, in the zip or the legacy
// format, holding a state dict (an OrderedDict or dict of tensors) bare or
// under "state_dict" or "model_state_dict" of a training-checkpoint dict.
// Pickles are decoded without running code: classes other than PyTorch's
// tensor rebuild function and storage types are refused. name is used in
// error messages.
func Read(data []byte, name string) (*File, error) {
	var (
		obj any
		f   = &File{}
		err error
	)
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		f.Format = "zip"
		obj, err = readZip(data)
	case len(data) > 0 && data[0] == 0x80: // a pickle's PROTO opcode
		f.Format = "legacy"
		obj, err = readLegacy(data)
	case len(data) > 262 && string(data[257:262]) == "ustar":
		return nil, fmt.Errorf("%s: %w: a tar archive (PyTorch before 0.4 wrote these; load and save it again with a newer PyTorch)", name, ErrNotCheckpoint)
	default:
		return nil, fmt.Errorf("%s: %w: neither a torch zip archive nor a legacy torch.save stream", name, ErrNotCheckpoint)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := f.setStateDict(obj); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return f, nil
}

// storage is a persistent storage of the pickle: its type and raw bytes
// (filled after the pickle for the legacy format).
type storage struct {
	class string
	numel int
	raw   []byte
}

// storageClass is a torch.<X>Storage global of the pickle.
type storageClass struct{ name string }

// rebuild stands for torch._utils._rebuild_tensor_v2.
type rebuild struct{}

// lazyTensor is a rebuilt tensor whose storage bytes may come later.
type lazyTensor struct {
	st           *storage
	offset       int
	size, stride []int
}

// findClass resolves the globals a checkpoint may name and refuses every
// other one.
func findClass(module, name string) (any, error) {
	switch {
	case module == "torch._utils" && name == "_rebuild_tensor_v2":
		return rebuild{}, nil
	case module == "torch" && strings.HasSuffix(name, "Storage"):
		return storageClass{name}, nil
	}
	return nil, fmt.Errorf("refused pickle class %s.%s (a checkpoint may name only PyTorch's tensor and storage types and collections.OrderedDict)", module, name)
}

// Call builds a lazyTensor from (storage, offset, size, stride,
// requires_grad, backward_hooks[, metadata]).
func (rebuild) Call(args ...any) (any, error) {
	if len(args) != 6 && len(args) != 7 {
		return nil, fmt.Errorf("_rebuild_tensor_v2 with %d arguments, want 6 or 7", len(args))
	}
	st, ok := args[0].(*storage)
	if !ok {
		return nil, fmt.Errorf("_rebuild_tensor_v2: storage argument is a %T", args[0])
	}
	off, ok := args[1].(int)
	size, err1 := intTuple(args[2])
	stride, err2 := intTuple(args[3])
	if _, ok2 := args[4].(bool); !ok || err1 != nil || err2 != nil || !ok2 || off < 0 || len(size) != len(stride) {
		return nil, fmt.Errorf("_rebuild_tensor_v2: malformed offset, size, stride or requires_grad")
	}
	return &lazyTensor{st: st, offset: off, size: size, stride: stride}, nil
}

func intTuple(v any) ([]int, error) {
	t, ok := v.(*types.Tuple)
	if !ok {
		return nil, fmt.Errorf("not a tuple")
	}
	out := make([]int, t.Len())
	for i := range out {
		x, ok := t.Get(i).(int)
		if !ok || x < 0 || x > maxElements {
			return nil, fmt.Errorf("not a tuple of sizes")
		}
		out[i] = x
	}
	return out, nil
}

// persistentStorage decodes a persistent id ('storage', class, key,
// location, numel[, view]) to the storage of that key, one per key.
func persistentStorage(stores map[string]*storage, pid any, legacy bool) (*storage, string, error) {
	t, ok := pid.(*types.Tuple)
	want := 5
	if legacy {
		want = 6
	}
	if !ok || t.Len() != want {
		return nil, "", fmt.Errorf("persistent id %v is not a storage reference", pid)
	}
	kind, _ := t.Get(0).(string)
	class, ok1 := t.Get(1).(storageClass)
	key, ok2 := t.Get(2).(string)
	_, ok3 := t.Get(3).(string)
	n, ok4 := t.Get(4).(int)
	if kind != "storage" || !ok1 || !ok2 || !ok3 || !ok4 || n < 0 || n > maxElements {
		return nil, "", fmt.Errorf("persistent id %v is not a storage reference", pid)
	}
	if legacy && t.Get(5) != nil {
		return nil, "", fmt.Errorf("storage %q is a view of another storage (not supported)", key)
	}
	if st, ok := stores[key]; ok {
		if st.class != class.name || st.numel != n {
			return nil, "", fmt.Errorf("storage %q is referenced with two types or sizes", key)
		}
		return st, key, nil
	}
	st := &storage{class: class.name, numel: n}
	stores[key] = st
	return st, key, nil
}

// storageBytes is the byte size of a storage, or an error for an unknown
// storage type.
func (st *storage) bytes() (int, error) {
	t, ok := storageTypes[st.class]
	if !ok {
		return 0, fmt.Errorf("unknown dtype torch.%s", st.class)
	}
	return st.numel * t.size, nil
}

func readZip(data []byte) (any, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: zip archive: %v", ErrNotCheckpoint, err)
	}
	records := map[string]*zip.File{}
	prefix := ""
	for _, f := range zr.File {
		dir, _, _ := strings.Cut(f.Name, "/")
		if prefix == "" {
			prefix = dir
		}
		if dir != prefix {
			return nil, fmt.Errorf("%w: zip records under both %s/ and %s/", ErrNotCheckpoint, prefix, dir)
		}
		records[f.Name] = f
	}
	if _, ok := records[prefix+"/constants.pkl"]; ok {
		return nil, fmt.Errorf("%w: a TorchScript archive (torch.jit.save), not a torch.save checkpoint", ErrNotCheckpoint)
	}
	pkl, ok := records[prefix+"/data.pkl"]
	if !ok {
		return nil, fmt.Errorf("%w: a zip archive without %s/data.pkl", ErrNotCheckpoint, prefix)
	}
	if b, ok := records[prefix+"/byteorder"]; ok {
		order, err := readRecord(b, 16)
		if err != nil {
			return nil, err
		}
		if string(order) != "little" {
			return nil, fmt.Errorf("byte order %q is not supported (want little)", order)
		}
	}
	raw, err := readRecord(pkl, maxPickleBytes)
	if err != nil {
		return nil, err
	}
	stores := map[string]*storage{}
	var loadErr error
	persist := func(pid any) (any, error) {
		st, key, err := persistentStorage(stores, pid, false)
		if err != nil || st.raw != nil {
			return st, err
		}
		size, err := st.bytes()
		if err != nil {
			// Keep decoding: the tensor's name is known only later.
			return st, nil
		}
		rec, ok := records[prefix+"/data/"+key]
		if !ok {
			loadErr = fmt.Errorf("storage record %s/data/%s is missing", prefix, key)
			return nil, loadErr
		}
		if rec.UncompressedSize64 != uint64(size) {
			loadErr = fmt.Errorf("storage record %s has %d bytes, its %d elements of torch.%s need %d", rec.Name, rec.UncompressedSize64, st.numel, st.class, size)
			return nil, loadErr
		}
		if st.raw, err = readRecord(rec, size); err != nil {
			return nil, err
		}
		return st, nil
	}
	obj, _, err := unpickle(raw, findClass, persist)
	if loadErr != nil {
		return nil, loadErr
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pkl.Name, err)
	}
	return obj, nil
}

// readRecord reads a zip record of at most limit bytes.
func readRecord(f *zip.File, limit int) ([]byte, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("zip record %s is %d bytes, more than %d", f.Name, f.UncompressedSize64, limit)
	}
	r, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("zip record %s: %w", f.Name, err)
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, int64(f.UncompressedSize64)+1))
	if err == nil && uint64(len(b)) != f.UncompressedSize64 {
		err = fmt.Errorf("%d bytes, the directory says %d", len(b), f.UncompressedSize64)
	}
	if err != nil {
		return nil, fmt.Errorf("zip record %s: %w", f.Name, err)
	}
	return b, nil
}

// readLegacy decodes the legacy stream: pickles of the magic number, the
// protocol version (1001) and the system info, the object pickle, the
// pickled list of storage keys, then each storage as an int64 element
// count and its raw bytes, in the order of that list.
func readLegacy(data []byte) (any, error) {
	off := 0
	next := func(find func(string, string) (any, error), persist func(any) (any, error)) (any, error) {
		obj, n, err := unpickle(data[off:], find, persist)
		off += n
		return obj, err
	}
	magic, err := next(findClass, nil)
	if m, ok := magic.(*big.Int); err != nil || !ok || m.Text(16) != legacyMagic {
		return nil, fmt.Errorf("%w: legacy stream without the torch magic number", ErrNotCheckpoint)
	}
	if v, err := next(findClass, nil); err != nil || v != 1001 {
		return nil, fmt.Errorf("legacy protocol version %v is not supported (want 1001)", v)
	}
	info, err := next(findClass, nil)
	if err != nil {
		return nil, fmt.Errorf("legacy system info: %w", err)
	}
	if d, ok := info.(*types.Dict); ok {
		if le, ok := d.Get("little_endian"); ok && le != true {
			return nil, fmt.Errorf("a big-endian legacy checkpoint is not supported")
		}
	}
	stores := map[string]*storage{}
	obj, err := next(findClass, func(pid any) (any, error) {
		st, _, err := persistentStorage(stores, pid, true)
		return st, err
	})
	if err != nil {
		return nil, err
	}
	keysObj, err := next(findClass, nil)
	if err != nil {
		return nil, fmt.Errorf("legacy storage keys: %w", err)
	}
	keys, ok := keysObj.(*types.List)
	if !ok || len(*keys) != len(stores) {
		return nil, fmt.Errorf("legacy storage key list does not match the %d storages", len(stores))
	}
	for _, k := range *keys {
		key, _ := k.(string)
		st, ok := stores[key]
		if !ok || st.raw != nil {
			return nil, fmt.Errorf("legacy storage key %v is unknown or repeated", k)
		}
		if len(data)-off < 8 {
			return nil, fmt.Errorf("legacy storage %s: file truncated", key)
		}
		n := binary.LittleEndian.Uint64(data[off:])
		off += 8
		if n != uint64(st.numel) {
			return nil, fmt.Errorf("legacy storage %s has %d elements, the pickle says %d", key, n, st.numel)
		}
		size, err := st.bytes()
		if err != nil {
			// The element size is unknown, so nothing after it can be
			// read; the tensor that uses it is named by setStateDict.
			return obj, nil
		}
		if len(data)-off < size {
			return nil, fmt.Errorf("legacy storage %s: file truncated", key)
		}
		st.raw = data[off : off+size]
		off += size
	}
	if off != len(data) {
		return nil, fmt.Errorf("%d unexpected bytes after the legacy storages", len(data)-off)
	}
	return obj, nil
}

// setStateDict finds the state dict in obj and decodes its tensors.
func (f *File) setStateDict(obj any) error {
	entries, ok := dictEntries(obj)
	if !ok {
		return fmt.Errorf("%w: the pickle holds %s, not a dict", ErrNotCheckpoint, pyType(obj))
	}
	for _, w := range []string{"state_dict", "model_state_dict"} {
		for _, e := range entries {
			if e.key == w {
				inner, ok := dictEntries(e.value)
				if !ok {
					return fmt.Errorf("entry %q is %s, not a state dict", w, pyType(e.value))
				}
				f.Wrapper, entries = w, inner
				break
			}
		}
		if f.Wrapper != "" {
			break
		}
	}
	if len(entries) == 0 {
		return fmt.Errorf("%w: an empty dict", ErrNotCheckpoint)
	}
	prefixed := 0
	for _, e := range entries {
		if strings.HasPrefix(e.key, "module.") {
			prefixed++
		}
	}
	if prefixed == len(entries) {
		f.Prefix = "module."
	} else if prefixed > 0 {
		return fmt.Errorf("some keys start with \"module.\" and some do not")
	}
	for i, e := range entries {
		lt, ok := e.value.(*lazyTensor)
		if !ok {
			if f.Wrapper == "" && i == 0 {
				return fmt.Errorf("%w: entry %q is %s, and there is no state_dict or model_state_dict entry", ErrNotCheckpoint, e.key, pyType(e.value))
			}
			return fmt.Errorf("%s: %s, not a tensor", e.key, pyType(e.value))
		}
		if _, ok := storageTypes[lt.st.class]; !ok {
			return fmt.Errorf("%s: unknown dtype torch.%s", strings.TrimPrefix(e.key, f.Prefix), lt.st.class)
		}
	}
	for _, e := range entries {
		t, err := e.value.(*lazyTensor).materialize(strings.TrimPrefix(e.key, f.Prefix))
		if err != nil {
			return err
		}
		f.Tensors = append(f.Tensors, t)
	}
	return nil
}

type entry struct {
	key   string
	value any
}

// dictEntries lists a dict's or OrderedDict's string-keyed entries in order.
func dictEntries(obj any) ([]entry, bool) {
	var out []entry
	switch d := obj.(type) {
	case *types.OrderedDict:
		for el := d.List.Front(); el != nil; el = el.Next() {
			e := el.Value.(*types.OrderedDictEntry)
			k, ok := e.Key.(string)
			if !ok {
				return nil, false
			}
			out = append(out, entry{k, e.Value})
		}
	case *types.Dict:
		for _, e := range *d {
			k, ok := e.Key.(string)
			if !ok {
				return nil, false
			}
			out = append(out, entry{k, e.Value})
		}
	default:
		return nil, false
	}
	return out, true
}

// pyType names the Python type of a decoded value, with its article, for
// error messages.
func pyType(v any) string {
	switch v.(type) {
	case nil:
		return "None"
	case int, *big.Int:
		return "an int"
	case float64:
		return "a float"
	case string:
		return "a str"
	case bool:
		return "a bool"
	case *types.List:
		return "a list"
	case *types.Tuple:
		return "a tuple"
	case *types.Dict, *types.OrderedDict:
		return "a dict"
	case *lazyTensor:
		return "a tensor"
	}
	return fmt.Sprintf("a %T", v)
}

// materialize gathers the tensor's elements from its storage.
func (lt *lazyTensor) materialize(name string) (Tensor, error) {
	t := Tensor{Name: name, Shape: lt.size}
	st, ok := storageTypes[lt.st.class]
	if !ok {
		return t, fmt.Errorf("%s: unknown dtype torch.%s", name, lt.st.class)
	}
	t.DType = st.dtype
	n := 1
	for _, d := range lt.size {
		if d != 0 && n > maxElements/d {
			return t, fmt.Errorf("%s: shape %v is too large", name, lt.size)
		}
		n *= d
	}
	// Element i sits at offset + Σ idx_k·stride_k; check the largest one.
	last := lt.offset
	for k, d := range lt.size {
		if d > 0 {
			last += (d - 1) * lt.stride[k]
		}
	}
	if n > 0 && last >= lt.st.numel {
		return t, fmt.Errorf("%s: shape %v with stride %v at offset %d runs past its storage of %d elements", name, lt.size, lt.stride, lt.offset, lt.st.numel)
	}
	if lt.st.raw == nil && lt.st.numel > 0 {
		return t, fmt.Errorf("%s: storage bytes are missing", name)
	}
	idx := make([]int, len(lt.size))
	at := lt.offset
	for i := 0; i < n; i++ {
		b := lt.st.raw[at*st.size : (at+1)*st.size]
		if t.DType.Float() {
			t.Data = append(t.Data, decodeFloat(t.DType, b))
		} else {
			t.Ints = append(t.Ints, decodeInt(t.DType, b))
		}
		for k := len(idx) - 1; k >= 0; k-- { // advance the row-major index
			idx[k]++
			at += lt.stride[k]
			if idx[k] < lt.size[k] {
				break
			}
			at -= idx[k] * lt.stride[k]
			idx[k] = 0
		}
	}
	if t.DType.Float() && t.Data == nil {
		t.Data = []float32{}
	}
	return t, nil
}

func decodeFloat(d DType, b []byte) float32 {
	switch d {
	case Float32:
		return math.Float32frombits(binary.LittleEndian.Uint32(b))
	case Float64:
		return float32(math.Float64frombits(binary.LittleEndian.Uint64(b)))
	case BFloat16:
		return math.Float32frombits(uint32(binary.LittleEndian.Uint16(b)) << 16)
	default: // Float16
		return halfToFloat(binary.LittleEndian.Uint16(b))
	}
}

// halfToFloat converts IEEE 754 binary16 to float32 exactly.
func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f:
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp == 0:
		v := float32(frac) / (1 << 24)
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
}

func decodeInt(d DType, b []byte) int64 {
	switch d {
	case Int64:
		return int64(binary.LittleEndian.Uint64(b))
	case Int32:
		return int64(int32(binary.LittleEndian.Uint32(b)))
	case Int16:
		return int64(int16(binary.LittleEndian.Uint16(b)))
	case Int8:
		return int64(int8(b[0]))
	}
	return int64(b[0]) // Uint8, Bool
}
