package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"cosim/dnn"
	"cosim/internal/seed"
	"cosim/internal/testenv"
	"cosim/wcat"
)

// A ResNet-20 checkpoint (freshly initialised, MSE α) goes through eval and
// sweep on the real CIFAR-10 test set.
func TestResNet20OnCIFAR10(t *testing.T) {
	data := testenv.SharedData(t, "cifar10")
	if testing.Short() {
		t.Skip("skipping: ResNet-20 on CIFAR-10")
	}
	net, err := dnn.Build("resnet20", 3, 32, 32, 10, seed.Stream(1))
	if err != nil {
		t.Fatal(err)
	}
	q, err := wcat.New(net, wcat.Config{Method: wcat.WCAT, Bits: 4, Grid: wcat.GridReference})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.InitRanges(wcat.InitMSE, 0); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "r20.ckpt")
	if err := wcat.Save(ckpt, q, wcat.Info{}); err != nil {
		t.Fatal(err)
	}
	code, out, errs := cosim(t, "eval", "--model", ckpt, "--data", data, "--ber", "1e-3", "--trials", "2", "--json")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, errs)
	}
	var r evalResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	// 22 tensors, 270,896 weights × 4 bits in 64-bit words (each tensor
	// starts a word): 1,083,584 data bits, a little padding.
	if r.Images != 10000 || r.Dataset != "cifar10-test" || r.MemoryBits < 1083584 || r.MemoryBits > 1083584+22*64 || r.MeanFlips < 900 || r.MeanFlips > 1300 {
		t.Fatalf("eval result %+v", r)
	}
	rep := filepath.Join(dir, "rep")
	code, out, errs = cosim(t, "sweep", "--model", ckpt, "--data", data, "--vmin", "0.40", "--vmax", "0.44", "--vstep", "0.04",
		"--trials", "3", "--subset", "200", "--out", rep)
	if code != 0 {
		t.Fatalf("sweep: exit %d\n%s\n%s", code, out, errs)
	}
}
