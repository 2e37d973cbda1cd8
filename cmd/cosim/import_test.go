package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"cosim/internal/testenv"
	"cosim/report"
	"cosim/results"
	"cosim/torchpth"
	"cosim/wcat"
)

const fixtures = "../../torchpth/testdata/"

// sameTensors fails unless a and b write byte-identical .pth files, that
// is, hold the same tensors bit for bit.
func sameTensors(t *testing.T, a, b *wcat.Model) {
	t.Helper()
	var files [2]bytes.Buffer
	for i, m := range []*wcat.Model{a, b} {
		ts, err := torchpth.Export(m, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := torchpth.Write(&files[i], ts); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(files[0].Bytes(), files[1].Bytes()) {
		t.Fatal("the models hold different tensors")
	}
}

// cosim import writes a checkpoint that says what it imported, and cosim
// export of it writes the same tensors back.
func TestImportExport(t *testing.T) {
	dir := t.TempDir()
	ckpt, pth := filepath.Join(dir, "r20.ckpt"), filepath.Join(dir, "r20.pth")
	code, out, errs := cosim(t, "import", fixtures+"resnet20-wcat.pth", "--out", ckpt)
	if code != 0 {
		t.Fatalf("import: exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"resnet20 wcat 4-bit, 20 quantized weight tensors (268336 weights)",
		"imported from: " + fixtures + "resnet20-wcat.pth (sha256 ",
		"float weights (not quantized, not in the weight memory, never faulted): layer2.0.downsample.0.weight, layer3.0.downsample.0.weight",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("import output lacks %q:\n%s", want, out)
		}
	}
	q, info, err := wcat.Load(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	if !q.Cfg.SkipDownsample || info.Source == "" || info.BatchesTracked != 1234 {
		t.Fatalf("imported checkpoint: %+v, %+v", q.Cfg, info)
	}
	code, out, errs = cosim(t, "export", "--out", pth, ckpt)
	if code != 0 || !strings.Contains(out, "wrote "+pth+": resnet20 wcat 4-bit, 168 tensors in the WCAT layout") {
		t.Fatalf("export: exit %d: %s%s", code, out, errs)
	}
	back, binfo, err := torchpth.Load(pth, torchpth.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sameTensors(t, q, back)
	if back.Cfg != q.Cfg || binfo.BatchesTracked != 1234 {
		t.Fatalf("exported model: %+v, %+v", back.Cfg, binfo)
	}
	orig, _, err := torchpth.Load(fixtures+"resnet20-wcat.pth", torchpth.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sameTensors(t, orig, back)

	// Flags: the width, and a float file quantized by a ranged method.
	code, out, errs = cosim(t, "import", "--bits", "8", "--out", ckpt, fixtures+"mlp-normal-half.pth", "--method", "lsq")
	if code != 0 || !strings.Contains(out, "mlp-784-32-10 lsq 8-bit, 2 quantized weight tensors") {
		t.Fatalf("import --bits 8 --method lsq: exit %d: %s%s", code, out, errs)
	}
	code, out, _ = cosim(t, "export", ckpt, "--out", pth)
	if code != 0 || !strings.Contains(out, "note: a .pth does not record the width: import it with --bits 8") {
		t.Fatalf("export of an 8-bit model: exit %d: %s", code, out)
	}
}

// Every bad checkpoint and every bad flag is refused with a one-line error
// and exit status 2, and nothing is written.
func TestImportRefuses(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "m.ckpt")
	cases := []struct {
		args []string
		msg  string
	}{
		{[]string{"bad-missing.pth"}, "missing key layer2.bias"},
		{[]string{"bad-extra.pth"}, "unexpected key layer1.scale (not in the mlp-784-4-10 layout)"},
		{[]string{"bad-shape.pth"}, "layer1.bias has shape [5], the mlp-784-4-10 layout wants [4]"},
		{[]string{"bad-dtype.pth"}, "layer2.weight: unknown dtype torch.ComplexFloatStorage"},
		{[]string{"bad-int.pth"}, "layer1.weight has dtype int32, want a floating-point tensor"},
		{[]string{"bad-nan.pth"}, "layer1.weight holds NaN at element 1571"},
		{[]string{"bad-range.pth"}, "layer2.weight_q_range = 0: a quantizer range must be > 0"},
		{[]string{"bad-copy.pth"}, "layer1.weight_quantize_module.q_range = 0.3530354 differs from its copy layer1.weight_q_range = 0.1030354"},
		{[]string{"bad-mixed.pth"}, "mixes quantizers: layer1.weight_q_range (wcat) and layer2.weight_step_size (lsq)"},
		{[]string{"bad-prefix.pth"}, `some keys start with "module." and some do not`},
		{[]string{"bad-list.pth"}, "not a PyTorch checkpoint: the pickle holds a list, not a dict"},
		{[]string{"bad-nostate.pth"}, `not a PyTorch checkpoint: entry "epoch" is an int, and there is no state_dict or model_state_dict entry`},
		{[]string{"bad-code.pth"}, "bad-code/data.pkl: refused pickle class posix.system (a checkpoint may name only PyTorch's tensor and storage types and collections.OrderedDict)"},
		{[]string{"bad-torchscript.pt"}, "not a PyTorch checkpoint: a TorchScript archive (torch.jit.save), not a torch.save checkpoint"},
		{[]string{"bad-text.pth"}, "not a PyTorch checkpoint: neither a torch zip archive nor a legacy torch.save stream"},
		{[]string{"resnet20-wcat.pth", "--method", "normal"}, "--method normal, but the file's quantizer is wcat (conv1.weight_q_range)"},
		{[]string{"resnet20-wcat.pth", "--skip-downsample=false"}, "--skip-downsample=false, but layer2.0.downsample.0.weight carries no quantizer range in the file"},
		{[]string{"resnet20-wcat.pth", "--model", "resnet56"}, "missing key layer1.3.conv1.weight"},
	}
	for _, c := range cases {
		file := fixtures + c.args[0]
		code, _, errs := cosim(t, append([]string{"import", file, "--out", out}, c.args[1:]...)...)
		if want := "cosim: " + file + ": " + c.msg + "\n"; code != 2 || errs != want {
			t.Errorf("%v: exit %d\n got %q\nwant %q", c.args, code, errs, want)
		}
	}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"import", fixtures + "resnet20-wcat.pth"}, "import: --out is required"},
		{[]string{"import", "--out", out}, "import: FILE.pth is required"},
		{[]string{"import", fixtures + "resnet20-wcat.pth", "--out", dir}, "import: --out " + dir + " is a directory"},
		{[]string{"import", fixtures + "resnet20-wcat.pth", "--out", out, "--method", "sgd"}, `import: --method: unknown quantization method "sgd" (want normal, wcat, plclip, lsq or wot)`},
		{[]string{"import", fixtures + "resnet20-wcat.pth", "--out", out, "--bits", "1"}, "import: --bits 1: want 2..16"},
		{[]string{"import", fixtures + "resnet20-wcat.pth", "extra", "--out", out}, `import: unexpected argument "extra"`},
		{[]string{"import", filepath.Join(dir, "none.pth"), "--out", out}, "open " + filepath.Join(dir, "none.pth") + ": no such file or directory"},
		{[]string{"export", fixtures + "resnet20-wcat.pth", "--out", filepath.Join(dir, "x.pth")}, fixtures + "resnet20-wcat.pth: not a valid cosim checkpoint: wrong magic bytes \"PK\\x03\\x04\\x00\\x00\\b\\b\""},
		{[]string{"export", "--out", filepath.Join(dir, "x.pth")}, "export: MODEL.ckpt is required"},
	} {
		code, _, errs := cosim(t, c.args...)
		if want := "cosim: " + c.msg + "\n"; code != 2 || errs != want {
			t.Errorf("%v: exit %d\n got %q\nwant %q", c.args, code, errs, want)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("refused commands wrote %v", ents)
	}
}

// An imported WCAT-layout ResNet-20 evaluates clean and under Monte Carlo
// straight from its .pth, exactly as its imported checkpoint does, and
// sweeps; a shipped model exported to .pth evaluates exactly as the
// checkpoint it came from.
func TestImportedResNet20EvalSweep(t *testing.T) {
	data := testenv.SharedData(t, "cifar10")
	if testing.Short() {
		t.Skip("skipping: ResNet-20 on CIFAR-10")
	}
	dir := t.TempDir()
	eval := func(model string) evalResult {
		t.Helper()
		code, out, errs := cosim(t, "eval", "--model", model, "--data", data, "--ber", "1e-2", "--trials", "3",
			"--protocol", "subset", "--subset", "200", "--json")
		if code != 0 {
			t.Fatalf("eval %s: exit %d: %s", model, code, errs)
		}
		var r evalResult
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	pth := fixtures + "resnet20-wcat.pth"
	ckpt := filepath.Join(dir, "r20.ckpt")
	if code, _, errs := cosim(t, "import", pth, "--out", ckpt); code != 0 {
		t.Fatalf("import: %s", errs)
	}
	a := eval(pth)
	// 20 tensors, 268,336 weights × 4 bits: 1,073,344 bits; about 10,733
	// flips per trial at 1e-2.
	if a.MemoryBits < 1073344 || a.MemoryBits > 1073344+20*64 || a.MeanFlips < 9500 || a.MeanFlips > 12000 || a.Trials != 3 ||
		!reflect.DeepEqual(a.FloatWeights, []string{"layer2.0.downsample.0.weight", "layer3.0.downsample.0.weight"}) ||
		!strings.HasPrefix(a.Checkpoint.Source, pth+" (sha256 ") {
		t.Fatalf("eval of the .pth: %+v", a)
	}
	// The imported checkpoint evaluates to the same numbers, and the
	// header says where it came from and which weights stay float.
	code, out, errs := cosim(t, "eval", "--model", ckpt, "--data", data, "--ber", "1e-2", "--trials", "3", "--protocol", "subset", "--subset", "200")
	for _, want := range []string{
		"imported from: " + pth + " (sha256 ",
		"float weights (not quantized, not in the weight memory, never faulted): layer2.0.downsample.0.weight, layer3.0.downsample.0.weight\n",
		fmt.Sprintf("clean accuracy      %.2f%%\n", a.CleanAcc),
		fmt.Sprintf("accuracy (3 trials) mean %.2f%%  std %.2f  min %.2f  max %.2f", a.AccMean, a.AccStd, a.AccMin, a.AccMax),
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("eval of the imported checkpoint: exit %d, no %q in\n%s%s", code, want, out, errs)
		}
	}

	shipped := "../../models/resnet20-4bit-wcat.ckpt"
	exported := filepath.Join(dir, "wcat.pth")
	if code, _, errs := cosim(t, "export", shipped, "--out", exported); code != 0 {
		t.Fatalf("export: %s", errs)
	}
	s, e := eval(shipped), eval(exported)
	if s.CleanAcc != e.CleanAcc || !reflect.DeepEqual(s.Accs, e.Accs) || s.MemoryBits != e.MemoryBits || s.CleanAcc < 80 {
		t.Fatalf("shipped model %v %v, exported %v %v", s.CleanAcc, s.Accs, e.CleanAcc, e.Accs)
	}

	rep := filepath.Join(dir, "rep")
	code, out, errs = cosim(t, "sweep", "--model", pth, "--data", data, "--vmin", "0.40", "--vmax", "0.44", "--vstep", "0.04",
		"--trials", "3", "--subset", "200", "--out", rep, "--quiet")
	if code != 0 {
		t.Fatalf("sweep: exit %d\n%s\n%s", code, out, errs)
	}
	jf, err := os.Open(filepath.Join(rep, report.JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	defer jf.Close()
	r, err := results.ReadJSON(jf, report.JSONFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Points) != 2 {
		t.Fatalf("%d sweep points, want 2 voltages", len(r.Points))
	}
	for _, p := range r.Points {
		if p.Method != "wcat" || !(p.AccMean >= 0 && p.AccMean <= 100) {
			t.Errorf("sweep point %+v", p)
		}
	}
}
