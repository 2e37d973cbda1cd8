package torchpth

import (
	"crypto/sha256"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"cosim/dnn"
	"cosim/internal/seed"
	"cosim/wcat"
)

// Options choose what Import cannot read from the file, or override what
// it infers. Zero values infer.
type Options struct {
	// Model is resnet20, resnet32, resnet44, resnet56, resnet18 or mlp
	// ("" infers it from the keys and shapes).
	Model string
	// Method is the quantizer ("" infers it from the quantizer keys: wcat
	// from weight_q_range, lsq from weight_step_size, plclip from
	// weight_alpha, normal from none).
	Method wcat.Method
	// Bits is the weight width (0 means 4: a state dict does not record it,
	// and every quantization config of the WCAT code is 4-bit).
	Bits int
	// SkipDownsample says whether the ResNets' 1×1 downsample convs stay
	// float. Nil infers it: from whether they carry a quantizer range, or,
	// for a file without ranges, true, as the WCAT code builds them.
	SkipDownsample *bool
}

// DefaultBits is the weight width of an import without Options.Bits.
const DefaultBits = 4

// slot is one key of the WCAT layout: the cosim tensor it holds, or (p nil)
// a batch-norm num_batches_tracked; dup marks the weight_quantize_module
// copy of a quantizer parameter, zero LSQ's zero point.
type slot struct {
	key       string
	p         *dnn.Param
	dup, zero bool
}

// quantKeys maps cosim's quantizer parameter suffixes to the methods that
// own them and the names of their weight_quantize_module copies.
var quantKeys = []struct {
	suffix, module string
	method         wcat.Method
}{
	{".weight_q_range", ".weight_quantize_module.q_range", wcat.WCAT},
	{".weight_step_size", ".weight_quantize_module.step_size", wcat.LSQ},
	{".weight_alpha", ".weight_quantize_module.alpha", wcat.PLClip},
}

// torchName maps a cosim tensor name to the WCAT layout: the MLP's fc<i> is
// the WCAT code's layer<i>; every other name is the same.
func torchName(m *wcat.Model, name string) string {
	if _, ok := m.Net.(*dnn.MLP); ok && strings.HasPrefix(name, "fc") {
		return "layer" + name[2:]
	}
	return name
}

// layout lists the keys of m's state dict in the order PyTorch writes them:
// per module its weight and bias, its quantizer parameters, their
// weight_quantize_module copies; a batch norm's γ, β, running statistics
// and num_batches_tracked.
func layout(m *wcat.Model) []slot {
	q := map[string]*dnn.Param{} // weight name → quantizer parameter
	for _, l := range m.Layers {
		if l.Q != nil {
			q[l.W.Name] = l.Q
		}
	}
	buffers := map[string][]*dnn.Param{} // module → running statistics
	for _, b := range m.Net.Buffers() {
		mod := b.Name[:strings.LastIndexByte(b.Name, '.')]
		buffers[mod] = append(buffers[mod], b)
	}
	var out []slot
	var weight string // the module's weight, whose quantizer follows its bias
	flush := func(mod string) {
		if p := q[weight]; p != nil {
			base := torchName(m, strings.TrimSuffix(weight, ".weight"))
			for _, k := range quantKeys {
				if strings.HasSuffix(p.Name, k.suffix) {
					out = append(out, slot{key: base + k.suffix, p: p})
					if k.method == wcat.LSQ {
						out = append(out, slot{key: base + ".weight_zero_point", zero: true})
					}
					out = append(out, slot{key: base + k.module, p: p, dup: true})
					if k.method == wcat.LSQ {
						out = append(out, slot{key: base + ".weight_quantize_module.zero_point", zero: true})
					}
				}
			}
		}
		for _, b := range buffers[mod] {
			out = append(out, slot{key: b.Name, p: b})
		}
		if len(buffers[mod]) > 0 {
			out = append(out, slot{key: mod + ".num_batches_tracked"})
		}
		weight = ""
	}
	mod := ""
	for _, p := range m.Net.Params() {
		pm := p.Name[:strings.LastIndexByte(p.Name, '.')]
		if pm != mod && mod != "" {
			flush(mod)
		}
		mod = pm
		if p.Kind == dnn.KindWeight {
			weight = p.Name
		}
		out = append(out, slot{key: torchName(m, p.Name), p: p})
	}
	flush(mod)
	return out
}

// Load reads a PyTorch checkpoint from path and imports it (see Import).
func Load(path string, opt Options) (*wcat.Model, wcat.Info, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, wcat.Info{}, err
	}
	f, err := Read(raw, path)
	if err != nil {
		return nil, wcat.Info{}, err
	}
	m, info, err := Import(f, path, opt)
	if err != nil {
		return nil, wcat.Info{}, err
	}
	info.Source = fmt.Sprintf("%s (sha256 %x, %s)", path, sha256.Sum256(raw), f.Describe())
	return m, info, nil
}

// Describe says in words how the file held its state dict.
func (f *File) Describe() string {
	s := "torch " + f.Format + " format, "
	if f.Wrapper != "" {
		s += "the " + f.Wrapper + " of a training checkpoint"
	} else {
		s += "a bare state_dict"
	}
	if f.Prefix != "" {
		s += ", DataParallel " + f.Prefix + " prefix"
	}
	return s
}

// Import builds a cosim model from a checkpoint in the WCAT code's key
// layout (docs/wcat-semantics.md §7.2; torchvision's for ResNet-18). The model
// quantizes exactly the weights that carry a quantizer range; the layout
// must match it exactly: a missing, extra or misshapen key, an integer
// tensor where a float one belongs, a NaN or infinity, a range ≤ 0 or two
// copies of a range that differ is an error naming the key. name is used
// in error messages.
func Import(f *File, name string, opt Options) (*wcat.Model, wcat.Info, error) {
	fail := func(format string, a ...any) (*wcat.Model, wcat.Info, error) {
		return nil, wcat.Info{}, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, a...))
	}
	byName := map[string]*Tensor{}
	for i := range f.Tensors {
		byName[f.Tensors[i].Name] = &f.Tensors[i]
	}
	// The quantizer the file's keys name.
	var fileMethod wcat.Method
	var firstKey string
	ranged := map[string]bool{} // weights (cosim names) that carry a range
	for _, t := range f.Tensors {
		for _, k := range quantKeys {
			if strings.HasSuffix(t.Name, k.suffix) {
				if fileMethod != "" && fileMethod != k.method {
					return fail("mixes quantizers: %s (%s) and %s (%s)", firstKey, fileMethod, t.Name, k.method)
				}
				if fileMethod == "" {
					firstKey = t.Name
				}
				fileMethod = k.method
				ranged[strings.TrimSuffix(t.Name, k.suffix)] = true
			}
		}
	}
	method := fileMethod
	switch {
	case opt.Method != "" && fileMethod != "" && opt.Method != fileMethod:
		return fail("--method %s, but the file's quantizer is %s (%s)", opt.Method, fileMethod, firstKey)
	case opt.Method != "":
		method = opt.Method
	case method == "":
		method = wcat.Normal
	}
	if !slices.Contains([]wcat.Method{wcat.Normal, wcat.WCAT, wcat.LSQ, wcat.PLClip}, method) {
		return fail("method %s has no PyTorch layout (want normal, wcat, lsq or plclip)", method)
	}
	bits := opt.Bits
	if bits == 0 {
		bits = DefaultBits
	}
	arch, c, h, w, classes, err := inferArch(byName, opt.Model)
	if err != nil {
		return fail("%v", err)
	}
	net, err := dnn.Build(arch, c, h, w, classes, seed.Stream(0))
	if err != nil {
		return fail("%v", err)
	}
	// Which weights are quantized: those with a range, or for a file
	// without ranges every one but (by default) the downsample convs.
	skip := true
	var downs []string
	for _, p := range dnn.QuantWeights(net) {
		if strings.Contains(p.Name, ".downsample.") {
			downs = append(downs, strings.TrimSuffix(p.Name, ".weight"))
		}
	}
	if fileMethod != "" && len(downs) > 0 {
		skip = !ranged[downs[0]]
		if opt.SkipDownsample != nil && *opt.SkipDownsample != skip {
			return fail("--skip-downsample=%v, but %s.weight carries %s quantizer range in the file", *opt.SkipDownsample, downs[0], map[bool]string{true: "no", false: "a"}[skip])
		}
	} else if opt.SkipDownsample != nil {
		skip = *opt.SkipDownsample
	}
	cfg := wcat.Config{Method: method, Bits: bits, Grid: wcat.GridReference, PLClip: 0.1, SkipDownsample: skip && len(downs) > 0}
	if method == wcat.PLClip && fileMethod == wcat.PLClip {
		// α_l = c·max(0.2, k_l) and k_l = 1 for the layer with the largest
		// weight: c is the largest α.
		var c float32
		for _, t := range f.Tensors {
			if strings.HasSuffix(t.Name, ".weight_alpha") && len(t.Data) == 1 {
				c = max(c, t.Data[0])
			}
		}
		// The shortest decimal that is this float32 (0.1, not 0.100000001).
		cfg.PLClip, _ = strconv.ParseFloat(strconv.FormatFloat(float64(c), 'g', -1, 32), 64)
	}
	m, err := wcat.New(net, cfg)
	if err != nil {
		return fail("%v", err)
	}
	slots := layout(m)
	var batches int64
	seen := map[string]bool{}
	for _, s := range slots {
		seen[s.key] = true
		t := byName[s.key]
		if t == nil {
			if fileMethod == "" && s.p != nil && s.p.Kind == dnn.KindQuant && !s.dup {
				continue // a float file imported with a ranged method: initialised below
			}
			if fileMethod == "" && (s.dup || s.zero) {
				continue
			}
			return fail("missing key %s", s.key)
		}
		want := []int{}
		if s.p != nil {
			want = s.p.Shape()
		}
		if !slices.Equal(t.Shape, want) {
			return fail("%s has shape %v, the %s layout wants %v", s.key, t.Shape, arch, want)
		}
		if s.p == nil && !s.zero { // num_batches_tracked
			if t.DType.Float() || t.Ints[0] < 0 {
				return fail("%s is a %s tensor %v%v, want a non-negative integer", s.key, t.DType, t.Data, t.Ints)
			}
			batches = max(batches, t.Ints[0])
			continue
		}
		if !t.DType.Float() {
			return fail("%s has dtype %s, want a floating-point tensor", s.key, t.DType)
		}
		for i, v := range t.Data {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fail("%s holds %v at element %d", s.key, v, i)
			}
		}
		switch {
		case s.zero:
			if t.Data[0] != 0 {
				return fail("%s = %g: cosim's LSQ has no zero point (want 0)", s.key, t.Data[0])
			}
		case s.dup:
			if v, orig := t.Data[0], s.p.Data()[0]; v != orig {
				return fail("%s = %g differs from its copy %s = %g", s.key, v, strings.Replace(s.key, ".weight_quantize_module.", ".weight_", 1), orig)
			}
		case s.p.Kind == dnn.KindQuant || (s.p.Kind == dnn.KindBuffer && strings.HasSuffix(s.key, ".weight_alpha")):
			if !(t.Data[0] > 0) {
				return fail("%s = %g: a quantizer range must be > 0", s.key, t.Data[0])
			}
			copy(s.p.Data(), t.Data)
		default:
			copy(s.p.Data(), t.Data)
		}
	}
	for _, t := range f.Tensors {
		if !seen[t.Name] && isQuantKey(t.Name) {
			return fail("unexpected key %s: a quantizer parameter of a weight the other ranges leave float (cosim quantizes every conv/linear weight, or all but the downsample convs)", t.Name)
		}
		if !seen[t.Name] {
			return fail("unexpected key %s (not in the %s layout)", t.Name, arch)
		}
	}
	if fileMethod == "" && (method == wcat.WCAT || method == wcat.LSQ) {
		// A float model quantized on import: ranges as cosim train
		// initialises them, from the loaded weights.
		if err := m.InitRanges(wcat.InitMSE, 0); err != nil {
			return fail("%v", err)
		}
	}
	m.Quantize(nil)
	info := wcat.Info{Method: cfg.Method, Bits: cfg.Bits, Grid: cfg.Grid, PLClip: cfg.PLClip, SkipDownsample: cfg.SkipDownsample, BatchesTracked: batches}
	return m, info, nil
}

// isQuantKey reports whether name is a quantizer parameter of the layout.
func isQuantKey(name string) bool {
	for _, k := range quantKeys {
		if strings.HasSuffix(name, k.suffix) || strings.HasSuffix(name, k.module) {
			return true
		}
	}
	return strings.HasSuffix(name, "zero_point")
}

// inferArch reads the architecture, input shape and classes from the keys
// and shapes (model, if not "", names the architecture).
func inferArch(ts map[string]*Tensor, model string) (arch string, c, h, w, classes int, err error) {
	if model == "" {
		switch {
		case ts["layer4.0.conv1.weight"] != nil:
			model = "resnet18"
		case ts["layer1.0.conv1.weight"] != nil:
			n := 0
			for ts["layer1."+strconv.Itoa(n)+".conv1.weight"] != nil {
				n++
			}
			model = fmt.Sprintf("resnet%d", 6*n+2)
		case ts["layer1.weight"] != nil:
			model = "mlp"
		default:
			return "", 0, 0, 0, 0, fmt.Errorf("cannot tell the architecture from the keys (no conv1.weight, layer1.0.conv1.weight or layer1.weight); name it with --model")
		}
	}
	if model == "mlp" {
		sizes := []string{}
		var prev int
		for i := 1; ts["layer"+strconv.Itoa(i)+".weight"] != nil; i++ {
			t := ts["layer"+strconv.Itoa(i)+".weight"]
			if len(t.Shape) != 2 || (i > 1 && t.Shape[1] != prev) {
				return "", 0, 0, 0, 0, fmt.Errorf("layer%d.weight has shape %v, not [out, %d]", i, t.Shape, prev)
			}
			if i == 1 {
				sizes = append(sizes, strconv.Itoa(t.Shape[1]))
			}
			sizes = append(sizes, strconv.Itoa(t.Shape[0]))
			prev = t.Shape[0]
		}
		if len(sizes) < 2 {
			return "", 0, 0, 0, 0, fmt.Errorf("missing key layer1.weight (the WCAT MLP layout)")
		}
		switch sizes[0] {
		case "784":
			c, h, w = 1, 28, 28
		case "3072":
			c, h, w = 3, 32, 32
		default:
			return "", 0, 0, 0, 0, fmt.Errorf("layer1.weight takes %s inputs, neither a 28×28 MNIST image (784) nor a 32×32 colour one (3072)", sizes[0])
		}
		return "mlp-" + strings.Join(sizes, "-"), c, h, w, prev, nil
	}
	if !slices.Contains([]string{"resnet20", "resnet32", "resnet44", "resnet56", "resnet18"}, model) {
		return "", 0, 0, 0, 0, fmt.Errorf("model %q: want resnet20, resnet32, resnet44, resnet56, resnet18 or mlp", model)
	}
	fc := ts["fc.weight"]
	if fc == nil || len(fc.Shape) != 2 {
		return "", 0, 0, 0, 0, fmt.Errorf("missing key fc.weight (the %s layout)", model)
	}
	if model == "resnet18" {
		return model, 3, 224, 224, fc.Shape[0], nil
	}
	return model, 3, 32, 32, fc.Shape[0], nil
}

// Export lists m's tensors in the WCAT code's layout (see Import), each
// batch norm's num_batches_tracked set to batches. A model on the paper's
// grid, or of a method the WCAT code does not have, is refused.
func Export(m *wcat.Model, batches int64) ([]Tensor, error) {
	if m.Cfg.Grid != wcat.GridReference {
		return nil, fmt.Errorf("the %s grid has no PyTorch layout: the WCAT code quantizes on the reference grid", m.Cfg.Grid)
	}
	if !slices.Contains([]wcat.Method{wcat.Normal, wcat.WCAT, wcat.LSQ, wcat.PLClip}, m.Cfg.Method) {
		return nil, fmt.Errorf("method %s has no PyTorch layout (want normal, wcat, lsq or plclip)", m.Cfg.Method)
	}
	var out []Tensor
	for _, s := range layout(m) {
		switch {
		case s.zero:
			out = append(out, Tensor{Name: s.key, DType: Float32, Shape: []int{}, Data: []float32{0}})
		case s.p == nil:
			out = append(out, Tensor{Name: s.key, DType: Int64, Shape: []int{}, Ints: []int64{batches}})
		default:
			out = append(out, Tensor{Name: s.key, DType: Float32, Shape: append([]int{}, s.p.Shape()...), Data: append([]float32(nil), s.p.Data()...)})
		}
	}
	return out, nil
}
