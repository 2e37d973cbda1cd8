package torchpth

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cosim/dnn"
	"cosim/internal/seed"
	"cosim/wcat"
)

// expected is testdata/expected.json, written by tools/torchpth/make_fixtures.py.
type expected struct {
	Torch string `json:"torch"`
	Files map[string]struct {
		Arch      string    `json:"arch"`
		Method    string    `json:"method"`
		Quantized int       `json:"quantized"`
		Logits    []float64 `json:"logits"`
		Tensors   []struct {
			Name  string    `json:"name"`
			Shape []int     `json:"shape"`
			DType string    `json:"dtype"`
			First []float64 `json:"first"`
			Sum   float64   `json:"sum"`
			Ints  []int64   `json:"ints"`
		} `json:"tensors"`
		Codes map[string]string `json:"codes_sha256"`
	} `json:"files"`
}

func loadExpected(t *testing.T) expected {
	t.Helper()
	raw, err := os.ReadFile("testdata/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var e expected
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

// Every good fixture imports as the architecture and method PyTorch made,
// and exporting it gives back PyTorch's keys in PyTorch's order, each with
// the recorded shape, first values (exactly) and sum; the codes of every
// quantized weight are bit for bit those of the clean-room quantizer.
func TestFixtures(t *testing.T) {
	e := loadExpected(t)
	if len(e.Files) < 6 {
		t.Fatalf("expected.json lists %d files", len(e.Files))
	}
	for name, want := range e.Files {
		t.Run(name, func(t *testing.T) {
			m, info, err := Load(filepath.Join("testdata", name), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if m.Net.Arch() != want.Arch || string(info.Method) != want.Method {
				t.Fatalf("imported %s %s, want %s %s", m.Net.Arch(), info.Method, want.Arch, want.Method)
			}
			if want.Quantized > 0 && len(m.Layers) != want.Quantized {
				t.Errorf("%d quantized weights, want %d", len(m.Layers), want.Quantized)
			}
			ts, err := Export(m, info.BatchesTracked)
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != len(want.Tensors) {
				t.Fatalf("%d tensors exported, PyTorch wrote %d", len(ts), len(want.Tensors))
			}
			for i, w := range want.Tensors {
				got := ts[i]
				if got.Name != w.Name || !slices.Equal(got.Shape, w.Shape) {
					t.Fatalf("tensor %d: %s %v, PyTorch has %s %v", i, got.Name, got.Shape, w.Name, w.Shape)
				}
				if w.Ints != nil {
					if !slices.Equal(got.Ints, w.Ints) {
						t.Errorf("%s = %v, want %v", w.Name, got.Ints, w.Ints)
					}
					continue
				}
				var sum float64
				for _, v := range got.Data {
					sum += float64(v)
				}
				if math.Abs(sum-w.Sum) > 1e-9*max(1, math.Abs(w.Sum))*float64(len(got.Data)) {
					t.Errorf("%s: sum %v, want %v", w.Name, sum, w.Sum)
				}
				for k, v := range w.First {
					if float64(got.Data[k]) != v {
						t.Errorf("%s[%d] = %v, want %v", w.Name, k, got.Data[k], v)
					}
				}
			}
			if len(want.Codes) != len(m.Layers) {
				t.Fatalf("%d quantized weights, PyTorch quantized %d", len(m.Layers), len(want.Codes))
			}
			for _, l := range m.Layers {
				b := make([]byte, len(l.Codes))
				for i, q := range l.Codes {
					b[i] = byte(int8(q))
				}
				sum := sha256.Sum256(b)
				if got, w := hex.EncodeToString(sum[:]), want.Codes[torchName(m, l.W.Name)]; got != w {
					t.Errorf("%s: codes sha256 %s, PyTorch's %s", l.W.Name, got, w)
				}
			}
		})
	}
}

// The imported ResNet-20 computes PyTorch's logits on the recorded inputs.
func TestResNet20Logits(t *testing.T) {
	want := loadExpected(t).Files["resnet20-wcat.pth"].Logits
	for _, name := range []string{"resnet20-wcat.pth", "resnet20-wcat-legacy.pth"} {
		m, _, err := Load(filepath.Join("testdata", name), Options{})
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float32, 2*3*32*32)
		for i := range x {
			x[i] = float32(math.Sin(float64(float32(i) * float32(0.1))))
		}
		got := m.Net.Forward(x, 2, false)
		if len(got) != len(want) {
			t.Fatalf("%d logits, want %d", len(got), len(want))
		}
		for i := range want {
			if math.Abs(float64(got[i])-want[i]) > 1e-4*max(1, math.Abs(want[i])) {
				t.Errorf("%s: logit %d = %v, PyTorch %v", name, i, got[i], want[i])
			}
		}
	}
}

// The legacy and the zip file of the same state dict import identically.
func TestLegacyEqualsZip(t *testing.T) {
	a, _, err := Load("testdata/resnet20-wcat.pth", Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := Load("testdata/resnet20-wcat-legacy.pth", Options{})
	if err != nil {
		t.Fatal(err)
	}
	sameState(t, a, b)
}

func sameState(t *testing.T, a, b *wcat.Model) {
	t.Helper()
	sa, sb := a.State(), b.State()
	if len(sa) != len(sb) {
		t.Fatalf("%d tensors, want %d", len(sb), len(sa))
	}
	for i := range sa {
		if sa[i].Name != sb[i].Name || !slices.Equal(sa[i].Shape(), sb[i].Shape()) {
			t.Fatalf("tensor %d: %s %v, want %s %v", i, sb[i].Name, sb[i].Shape(), sa[i].Name, sa[i].Shape())
		}
		for k, v := range sa[i].Data() {
			if math.Float32bits(v) != math.Float32bits(sb[i].Data()[k]) {
				t.Fatalf("%s[%d] = %v, want %v", sa[i].Name, k, sb[i].Data()[k], v)
			}
		}
	}
}

// Every bad checkpoint is refused with a one-line error naming the file
// and the key.
func TestBadFiles(t *testing.T) {
	for _, c := range []struct{ file, msg string }{
		{"bad-missing.pth", "testdata/bad-missing.pth: missing key layer2.bias"},
		{"bad-extra.pth", "testdata/bad-extra.pth: unexpected key layer1.scale (not in the mlp-784-4-10 layout)"},
		{"bad-shape.pth", "testdata/bad-shape.pth: layer1.bias has shape [5], the mlp-784-4-10 layout wants [4]"},
		{"bad-dtype.pth", "testdata/bad-dtype.pth: layer2.weight: unknown dtype torch.ComplexFloatStorage"},
		{"bad-int.pth", "testdata/bad-int.pth: layer1.weight has dtype int32, want a floating-point tensor"},
		{"bad-nan.pth", "testdata/bad-nan.pth: layer1.weight holds NaN at element 1571"},
		{"bad-range.pth", "testdata/bad-range.pth: layer2.weight_q_range = 0: a quantizer range must be > 0"},
		{"bad-copy.pth", "testdata/bad-copy.pth: layer1.weight_quantize_module.q_range = 0.3530354 differs from its copy layer1.weight_q_range = 0.1030354"},
		{"bad-mixed.pth", "testdata/bad-mixed.pth: mixes quantizers: layer1.weight_q_range (wcat) and layer2.weight_step_size (lsq)"},
		{"bad-prefix.pth", `testdata/bad-prefix.pth: some keys start with "module." and some do not`},
		{"bad-list.pth", "testdata/bad-list.pth: not a PyTorch checkpoint: the pickle holds a list, not a dict"},
		{"bad-nostate.pth", `testdata/bad-nostate.pth: not a PyTorch checkpoint: entry "epoch" is an int, and there is no state_dict or model_state_dict entry`},
		{"bad-code.pth", "testdata/bad-code.pth: bad-code/data.pkl: refused pickle class posix.system (a checkpoint may name only PyTorch's tensor and storage types and collections.OrderedDict)"},
		{"bad-torchscript.pt", "testdata/bad-torchscript.pt: not a PyTorch checkpoint: a TorchScript archive (torch.jit.save), not a torch.save checkpoint"},
		{"bad-text.pth", "testdata/bad-text.pth: not a PyTorch checkpoint: neither a torch zip archive nor a legacy torch.save stream"},
	} {
		_, _, err := Load(filepath.Join("testdata", c.file), Options{})
		if err == nil || err.Error() != c.msg {
			t.Errorf("%s:\n got %v\nwant %s", c.file, err, c.msg)
		}
	}
}

// Options that contradict the file are refused.
func TestOptionConflicts(t *testing.T) {
	for _, c := range []struct {
		opt Options
		msg string
	}{
		{Options{Method: wcat.Normal}, "testdata/resnet20-wcat.pth: --method normal, but the file's quantizer is wcat (conv1.weight_q_range)"},
		{Options{Model: "resnet32"}, "testdata/resnet20-wcat.pth: missing key layer1.3.conv1.weight"},
		{Options{Model: "vgg"}, `testdata/resnet20-wcat.pth: model "vgg": want resnet20, resnet32, resnet44, resnet56, resnet18 or mlp`},
		{Options{Method: wcat.WOT}, "testdata/resnet20-wcat.pth: --method wot, but the file's quantizer is wcat (conv1.weight_q_range)"},
	} {
		_, _, err := Load("testdata/resnet20-wcat.pth", c.opt)
		if err == nil || err.Error() != c.msg {
			t.Errorf("%+v:\n got %v\nwant %s", c.opt, err, c.msg)
		}
	}
	no := false
	if _, _, err := Load("testdata/resnet20-wcat.pth", Options{SkipDownsample: &no}); err == nil ||
		err.Error() != "testdata/resnet20-wcat.pth: --skip-downsample=false, but layer2.0.downsample.0.weight carries no quantizer range in the file" {
		t.Errorf("skip-downsample conflict: %v", err)
	}
}

// Damaged files: a truncated zip, a truncated legacy stream, a storage
// record of the wrong size.
func TestDamaged(t *testing.T) {
	for _, name := range []string{"resnet20-wcat.pth", "resnet20-wcat-legacy.pth"} {
		raw, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{len(raw) / 2, len(raw) - 1, 40} {
			if _, err := Read(raw[:n], name); err == nil {
				t.Errorf("%s cut to %d bytes: no error", name, n)
			} else if strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), name+": ") {
				t.Errorf("%s cut to %d bytes: %q is not one line naming the file", name, n, err)
			}
		}
	}
}

// randomModel is a network of arch quantized by method with random
// weights, ranges and batch-norm statistics.
func randomModel(t *testing.T, arch string, c, h, w int, cfg wcat.Config, r *rand.Rand) *wcat.Model {
	t.Helper()
	net, err := dnn.Build(arch, c, h, w, 10, r)
	if err != nil {
		t.Fatal(err)
	}
	m, err := wcat.New(net, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range append(net.Params(), net.Buffers()...) {
		for i := range p.Data() {
			switch {
			case strings.HasSuffix(p.Name, "running_var"):
				p.Data()[i] = float32(0.5 + r.Float64())
			case p.Kind != dnn.KindWeight:
				p.Data()[i] = float32(0.1 * r.NormFloat64())
			}
		}
	}
	if err := m.InitRanges(wcat.InitMaxAbs, 0); err != nil {
		t.Fatal(err)
	}
	m.Quantize(nil)
	return m
}

// roundTrip exports m, writes and reads the file and imports it.
func roundTrip(t *testing.T, m *wcat.Model, batches int64, opt Options) (*wcat.Model, wcat.Info) {
	t.Helper()
	ts, err := Export(m, batches)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, ts); err != nil {
		t.Fatal(err)
	}
	f, err := Read(buf.Bytes(), "round-trip.pth")
	if err != nil {
		t.Fatal(err)
	}
	back, info, err := Import(f, "round-trip.pth", opt)
	if err != nil {
		t.Fatal(err)
	}
	return back, info
}

// import ∘ export is the identity on every tensor and on the quantizer
// configuration: for every method, for ResNets with and without quantized
// downsample convs, for the MLP and for every imported fixture.
func TestRoundTrip(t *testing.T) {
	r := seed.Stream(7)
	no := false
	for _, method := range []wcat.Method{wcat.Normal, wcat.WCAT, wcat.LSQ, wcat.PLClip} {
		for _, skip := range []bool{false, true} {
			cfg := wcat.Config{Method: method, Bits: 4, Grid: wcat.GridReference, PLClip: 0.1, SkipDownsample: skip}
			if method == wcat.LSQ {
				cfg.Bits = 8
			}
			m := randomModel(t, "resnet20", 3, 32, 32, cfg, r)
			opt := Options{Bits: cfg.Bits}
			if method == wcat.Normal && !skip {
				opt.SkipDownsample = &no // a normal file cannot say which convs were quantized
			}
			back, info := roundTrip(t, m, 99, opt)
			sameState(t, m, back)
			if back.Cfg != m.Cfg || info.BatchesTracked != 99 {
				t.Errorf("%s skip=%v: config %+v (batches %d), want %+v", method, skip, back.Cfg, info.BatchesTracked, m.Cfg)
			}
		}
	}
	mlp := randomModel(t, "mlp-784-16-10", 1, 28, 28, wcat.Config{Method: wcat.WCAT, Bits: 4, Grid: wcat.GridReference, PLClip: 0.1}, r)
	back, _ := roundTrip(t, mlp, 0, Options{})
	sameState(t, mlp, back)
	files, _ := filepath.Glob("testdata/[mr]*.p*")
	for _, name := range files {
		m, info, err := Load(name, Options{})
		if err != nil {
			t.Fatal(err)
		}
		opt := Options{}
		if m.Cfg.Method == wcat.Normal && !m.Cfg.SkipDownsample {
			opt.SkipDownsample = &no
		}
		back, binfo := roundTrip(t, m, info.BatchesTracked, opt)
		sameState(t, m, back)
		if back.Cfg != m.Cfg || binfo.BatchesTracked != info.BatchesTracked {
			t.Errorf("%s: config %+v, want %+v", name, back.Cfg, m.Cfg)
		}
	}
}

// The shipped cosim models survive export and import exactly; a WOT model
// (no PyTorch layout) is refused by export.
func TestShippedModelsRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("../models/*.ckpt")
	if len(files) == 0 {
		t.Skip("no shipped models in ../models")
	}
	no := false
	for _, name := range files {
		m, _, err := wcat.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		if m.Cfg.Method == wcat.WOT {
			if _, err := Export(m, 0); err == nil {
				t.Errorf("%s: a WOT model exported", name)
			}
			continue
		}
		opt := Options{Bits: m.Cfg.Bits}
		if m.Cfg.Method == wcat.Normal && !m.Cfg.SkipDownsample {
			opt.SkipDownsample = &no
		}
		back, _ := roundTrip(t, m, 0, opt)
		sameState(t, m, back)
		want := m.Cfg
		want.BFN, want.LSQReferenceGrad = 0, false // training settings, not in a state dict
		if back.Cfg != want {
			t.Errorf("%s: config %+v, want %+v", name, back.Cfg, want)
		}
	}
}

// A model on the paper's grid has no PyTorch layout.
func TestExportRefusesPaperGrid(t *testing.T) {
	m := randomModel(t, "mlp-784-16-10", 1, 28, 28, wcat.Config{Method: wcat.WCAT, Bits: 4, Grid: wcat.GridPaper}, seed.Stream(3))
	if _, err := Export(m, 0); err == nil || err.Error() != "the paper grid has no PyTorch layout: the WCAT code quantizes on the reference grid" {
		t.Errorf("paper grid: %v", err)
	}
}

// A float file (no quantizer keys) imports as normal, or quantized by a
// ranged method with ranges initialised from its weights.
func TestFloatFileWithMethod(t *testing.T) {
	m, info, err := Load("testdata/mlp-normal-half.pth", Options{Method: wcat.WCAT})
	if err != nil {
		t.Fatal(err)
	}
	if info.Method != wcat.WCAT || len(m.Layers) != 2 {
		t.Fatalf("%s with %d layers", info.Method, len(m.Layers))
	}
	for _, l := range m.Layers {
		want := wcat.OptimalAlpha(l.W.Data(), 4, wcat.GridReference, 0)
		if got := l.Q.Data()[0]; got != float32(want) || !(got > 0) {
			t.Errorf("%s: α %v, want the MSE-optimal %v", l.W.Name, got, want)
		}
	}
}

// The pickle scanner refuses lengths past the end and opcodes pickle does
// not define, before anything is allocated.
func TestScanPickle(t *testing.T) {
	for _, c := range []struct {
		in  string
		err string
	}{
		{"\x80\x02K\x01.", ""},
		{"\x80\x02\x8e\xff\xff\xff\xff\xff\xff\xff\x7f.", "pickle truncated at byte 11 (an argument of 9223372036854775807 bytes)"},
		{"\x80\x02X\x05\x00\x00\x00ab.", "pickle truncated at byte 7 (an argument of 5 bytes)"},
		{"\x80\x02\xff.", "pickle opcode 0xff at byte 2 is not one pickle defines"},
		{"\x80\x02ctorch\n", "pickle truncated at byte 9 (unterminated line)"},
		{"\x80\x02K\x01", "pickle has no STOP opcode"},
	} {
		_, err := scanPickle([]byte(c.in))
		if (err == nil) != (c.err == "") || (err != nil && err.Error() != c.err) {
			t.Errorf("%q: %v, want %q", c.in, err, c.err)
		}
	}
}

// FuzzRead feeds damaged checkpoints to Read and Import: they must return
// an error or a model, never panic or allocate past the input.
func FuzzRead(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.p*")
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		if len(raw) < 200_000 {
			f.Add(raw)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Read(data, "fuzz.pth")
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of several lines: %q", err)
			}
			return
		}
		if _, _, err := Import(file, "fuzz.pth", Options{}); err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("error of several lines: %q", err)
		}
	})
}

func ExampleLoad() {
	m, info, err := Load("testdata/resnet20-wcat.pth", Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Net.Arch(), info.Method, info.Bits, "bits,", len(m.Layers), "quantized weights")
	fmt.Println("first codes of conv1:", m.Layers[0].Codes[:6])
	// Output:
	// resnet20 wcat 4 bits, 20 quantized weights
	// first codes of conv1: [3 3 7 -2 4 0]
}

// A float ResNet-18 in torchvision's layout (no quantizer keys) imports as
// resnet18, Normal, its three downsample convs float as the WCAT code
// builds them, with every tensor as written.
func TestTorchvisionResNet18(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: 11.7 M-parameter ResNet-18")
	}
	m := randomModel(t, "resnet18", 3, 224, 224, wcat.Config{Method: wcat.Normal, Bits: 4, Grid: wcat.GridReference, PLClip: 0.1}, seed.Stream(18))
	back, info := roundTrip(t, m, 5, Options{})
	sameState(t, m, back)
	if back.Net.Arch() != "resnet18" || info.Method != wcat.Normal || !back.Cfg.SkipDownsample || len(back.Layers) != len(m.Layers)-3 {
		t.Fatalf("imported %s %s skip=%v with %d quantized weights", back.Net.Arch(), info.Method, back.Cfg.SkipDownsample, len(back.Layers))
	}
}
