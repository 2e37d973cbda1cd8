package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cosim/attack"
	"cosim/internal/shard"
)

// badCase is one malformed input: the files it needs (name → content,
// written into the case's input folder, $IN in args), a command line whose
// outputs go to $OUT, and a piece of the one-line error it must print.
type badCase struct {
	class string
	files map[string]string
	args  string
	want  string
}

var mlpOnce struct {
	sync.Once
	dir string
	err error
}

// trainedMLP returns the folder of a 1-epoch MNIST MLP (mlp.ckpt) and its
// training state (mlp.ckpt.state), trained once for the bad-input corpus.
func trainedMLP(t *testing.T) string {
	t.Helper()
	needMNIST(t)
	mlpOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cosim-badinput")
		if err != nil {
			mlpOnce.err = err
			return
		}
		mlpOnce.dir = dir
		out := filepath.Join(dir, "mlp.ckpt")
		if code, _, errs := cosim(t, "train", "--model", "mlp", "--epochs", "1", "--quiet", "--out", out); code != 0 {
			mlpOnce.err = fmt.Errorf("train: exit %d: %s", code, errs)
			return
		}
		// A training state: a second run, interrupted after its first epoch.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			for ctx.Err() == nil {
				if _, err := os.Stat(filepath.Join(dir, "run2.ckpt.state")); err == nil {
					cancel()
				}
				time.Sleep(10 * time.Millisecond)
			}
		}()
		var sink bytes.Buffer
		run(ctx, []string{"train", "--model", "mlp", "--epochs", "50", "--quiet", "--out", filepath.Join(dir, "run2.ckpt")}, &sink, &sink)
		if err := os.Rename(filepath.Join(dir, "run2.ckpt.state"), out+".state"); err != nil {
			mlpOnce.err = fmt.Errorf("no training state after an interrupted run: %v\n%s", err, sink.String())
		}
	})
	if mlpOnce.err != nil {
		t.Fatal(mlpOnce.err)
	}
	return mlpOnce.dir
}

// copyMLP copies the shared trained MLP (trainedMLP) to path.
func copyMLP(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(trainedMLP(t), "mlp.ckpt"))
	if err == nil {
		err = os.WriteFile(path, b, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// checkpointBytes assembles a checkpoint file with a valid checksum around
// header and tensor bytes, so that what is wrong is inside.
func checkpointBytes(header string, tensors []byte) string {
	var b bytes.Buffer
	b.WriteString("COSIMCK\n")
	binary.Write(&b, binary.LittleEndian, uint32(len(header)))
	b.WriteString(header)
	b.Write(tensors)
	sum := sha256.Sum256(b.Bytes())
	b.Write(sum[:])
	return b.String()
}

func readRepo(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// edit replaces the first old in s by new, failing when old is absent.
func edit(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("edit: %q not found", old)
	}
	return strings.Replace(s, old, new, 1)
}

func badInputCorpus(t *testing.T, mlp string) []badCase {
	onchip := readRepo(t, "arch/specs/eyeriss-onchip.yaml")
	ckpt, err := os.ReadFile(filepath.Join(mlp, "mlp.ckpt"))
	if err != nil {
		t.Fatal(err)
	}
	state, err := os.ReadFile(filepath.Join(mlp, "mlp.ckpt.state"))
	if err != nil {
		t.Fatal(err)
	}
	report := readRepo(t, "experiments/results/figure7-paper.json")
	csv := readRepo(t, "experiments/results/figure7-paper.csv")
	model := filepath.Join(mlp, "mlp.ckpt")
	sweepSpec := func(body string) string {
		return "sweep:\n  models:\n    - checkpoint: " + model + "\n" + body
	}
	okVolts := "  voltages: [0.5]\n"
	flipped := []byte(string(ckpt))
	flipped[len(flipped)/2] ^= 0x10

	var cs []badCase
	add := func(class, args, want string, files ...string) {
		c := badCase{class: class, args: args, want: want, files: map[string]string{}}
		for i := 0; i+1 < len(files); i += 2 {
			c.files[files[i]] = files[i+1]
		}
		cs = append(cs, c)
	}
	energy := func(want, yaml string) {
		add("arch spec", "energy --arch $IN/a.yaml --model resnet20 --bits 4", want, "a.yaml", yaml)
	}
	// Architecture specs: syntax, unknown keys, types, impossible values,
	// missing memories, overflow.
	energy("a.yaml:", "architecture: [")
	energy("a.yaml", "")
	energy("a.yaml:1:1", "- just\n- a list\n")
	energy(`unknown key "widht"`, edit(t, onchip, "width: 64", "widht: 64"))
	energy(`unsupported version "cosim/9"`, edit(t, onchip, "version: cosim/1", "version: cosim/9"))
	energy("a.yaml:", edit(t, onchip, "technology: 65nm", "technology: 7nm"))
	energy("a.yaml:", edit(t, onchip, "technology: 65nm", "technology: sixty"))
	energy("a.yaml:", edit(t, onchip, "device: itrs-lop", "device: finfet"))
	energy("a.yaml:", edit(t, onchip, "clock-mhz: 200", "clock-mhz: -5"))
	energy("a.yaml:", edit(t, onchip, "clock-mhz: 200", "clock-mhz: .nan"))
	energy("a.yaml:", edit(t, onchip, "nominal-v: 0.8", "nominal-v: 0"))
	energy("a.yaml:", edit(t, onchip, "nominal-v: 0.8", "nominal-v: 80"))
	energy("a.yaml:", edit(t, onchip, "{a: 22.12, b: -68.14, c: 0.0}", "{a: -10, b: 5, c: 0.0}"))
	energy("a.yaml:", edit(t, onchip, "{a: 22.12, b: -68.14, c: 0.0}", "{a: 22.12}"))
	energy("a.yaml:", edit(t, onchip, "{a: 22.12, b: -68.14, c: 0.0}", "{a: .inf, b: -68.14, c: 0.0}"))
	energy("a.yaml:", edit(t, onchip, "depth: 65536 ", "depth: -1 "))
	energy("a.yaml:", edit(t, onchip, "depth: 65536 ", "depth: 1.5 "))
	energy("a.yaml:", edit(t, onchip, "width: 64", "width: 0"))
	energy("a.yaml:", edit(t, onchip, "word-bits: 16", "word-bits: 48"))
	energy("a.yaml:", edit(t, onchip, "datatypes: [weights]", "datatypes: [biases]"))
	energy("a.yaml:", edit(t, onchip, "datatypes: [weights]", "datatypes: []"))
	energy("a.yaml:", edit(t, onchip, "voltage-domain: scaled", "voltage-domain: low"))
	energy("a.yaml:", edit(t, onchip, "class: SRAM", "class: flash"))
	energy("a.yaml:", edit(t, onchip, "name: glb", "name: weight_sram"))
	energy("a.yaml:", edit(t, onchip, "name: PE[0..167]", "name: PE[5..2]"))
	energy("a.yaml:", edit(t, onchip, "meshX: 14", "meshX: 13"))
	energy("a.yaml:", edit(t, onchip, "datawidth: 16", "datawidth: 0"))
	energy("a.yaml:", edit(t, onchip, "op-pj: 0.207692", "op-pj: -1"))
	energy("a.yaml:", edit(t, onchip, `source: "Accelergy eyeriss_like ERT (timeloop-accelergy-exercises), intmac"`, "source: \"\""))
	energy("is +Inf", edit(t, onchip, "op-pj: 0.207692", "op-pj: 1e308"))
	energy("inputs", edit(t, onchip, "datatypes: [inputs, outputs]", "datatypes: [outputs]"))
	energy("weights", edit(t, onchip, "datatypes: [weights]\n            voltage-domain: scaled", "datatypes: [inputs]\n            voltage-domain: scaled"))
	energy("weight_sram", edit(t, onchip, "depth: 65536 ", "depth: 16 "))
	energy("a.yaml:", onchip+"\nextra: 1\n")
	energy("a.yaml:", onchip+"---\narchitecture: {}\n")
	energy("alias", edit(t, onchip, "ber: {a: 22.12, b: -68.14, c: 0.0}", "ber: &b {a: 22.12, b: -68.14, c: 0.0}\n    other: *b"))
	add("arch spec", "energy --arch $IN/missing.yaml --model resnet20", "missing.yaml")
	add("arch spec", "energy --arch /dev/zero --model resnet20", "/dev/zero")
	add("arch spec", "energy --arch eyeriss-nano --model resnet20", "eyeriss-nano")

	// Sweep specs.
	spec := func(want, yaml string) {
		add("sweep spec", "sweep --quiet --out $OUT/r --spec $IN/s.yaml", want, "s.yaml", yaml)
	}
	spec("s.yaml", "")
	spec("s.yaml:", "sweep: [")
	spec(`unknown key "modles"`, "sweep:\n  modles: []\n"+okVolts)
	spec(`missing key "models"`, "sweep:\n"+okVolts)
	spec("models in sweep: must list at least one model", "sweep:\n  models: []\n"+okVolts)
	spec(`missing key "voltages"`, sweepSpec(""))
	spec("voltage 0 V", sweepSpec("  voltages: [0]\n"))
	spec("voltage 50 V", sweepSpec("  voltages: [50, 100]\n"))
	spec("appears twice", sweepSpec("  voltages: [0.5, 0.5]\n"))
	spec("finite", sweepSpec("  voltages: [.nan]\n"))
	spec("voltage grid", sweepSpec("  voltages: {from: 0.8, to: 0.3, step: 0.1}\n"))
	spec("s.yaml:", sweepSpec("  voltages: {from: 50, to: 100, step: 10}\n"))
	spec(`missing key "step"`, sweepSpec("  voltages: {from: 0.3, to: 0.8}\n"))
	spec("s.yaml:", sweepSpec("  voltages: {from: 0.3, to: 0.8, step: 1e-300}\n"))
	spec("protocol", sweepSpec(okVolts+"  monte-carlo: {protocol: fast}\n"))
	spec("max-trials", sweepSpec(okVolts+"  monte-carlo: {max-trials: 0}\n"))
	spec("min-trials", sweepSpec(okVolts+"  monte-carlo: {min-trials: 1}\n"))
	spec("exceeds max-trials", sweepSpec(okVolts+"  monte-carlo: {max-trials: 5, min-trials: 8}\n"))
	spec("ci-half-width", sweepSpec(okVolts+"  monte-carlo: {ci-half-width: -1}\n"))
	spec("subset", sweepSpec(okVolts+"  monte-carlo: {subset: 0}\n"))
	spec("seed", sweepSpec(okVolts+"  seed: -1\n"))
	spec("seed", sweepSpec(okVolts+"  seed: one\n"))
	spec("energy-model", sweepSpec(okVolts+"  energy-model: cubic\n"))
	spec("s.yaml: arch:", sweepSpec(okVolts+"  arch: nope.yaml\n"))
	spec("nope", sweepSpec(okVolts+"  arch: eyeriss-nope\n"))
	spec("missing.ckpt", "sweep:\n  models:\n    - checkpoint: missing.ckpt\n"+okVolts)
	spec("label", sweepSpec("      label: \"a\\nb\"\n"+okVolts))
	spec("each (model, method) pair may appear once", sweepSpec("    - checkpoint: "+model+"\n"+okVolts))
	spec("checkpoint", "sweep:\n  models:\n    - label: x\n"+okVolts)
	spec("anchors", "sweep:\n  models:\n    - &m {checkpoint: "+model+"}\n    - *m\n"+okVolts)
	spec("a second YAML document", sweepSpec(okVolts)+"---\nsweep: {}\n")
	spec("data", sweepSpec(okVolts+"  data: \"\"\n"))
	add("sweep spec", "sweep --quiet --out $OUT/r --spec /dev/zero", "/dev/zero")
	add("sweep spec", "sweep --quiet --out $OUT/r --spec $IN/none.yaml", "none.yaml")

	// Checkpoints.
	ck := func(want, content string) {
		add("checkpoint", "eval --model $IN/m.ckpt --ber 0.01 --trials 2", want, "m.ckpt", content)
	}
	ck("m.ckpt", "")
	ck("m.ckpt", "not a checkpoint")
	ck("m.ckpt", string(ckpt[:len(ckpt)/2]))
	ck("m.ckpt", string(ckpt)+"trailing")
	ck("m.ckpt", string(flipped))
	ck("m.ckpt", checkpointBytes(`{"format":"cosim-checkpoint","version":1,"arch":"mlp-784-100-10","input":[1,28,28],"classes":10,"tensors":[{"name":"fc0.w","kind":"weight","shape":[1073741824,1073741824]}]}`, nil))
	ck("m.ckpt", checkpointBytes(`{"format":"cosim-checkpoint","version":2,"arch":"mlp-784-100-10","input":[1,28,28],"classes":10,"tensors":[]}`, nil))
	ck("m.ckpt", checkpointBytes(`{"format":"cosim-checkpoint","version":1,"arch":"mlp-784-100-10","input":[1,28,28],"classes":10,"tensors":[],"extra":1}`, nil))
	ck("m.ckpt", checkpointBytes(`{"format":"cosim-checkpoint","version":1,"arch":"vgg99","input":[1,28,28],"classes":10,"tensors":[]}`, nil))
	ck("m.ckpt", checkpointBytes(`{"format":"cosim-checkpoint","version":1,"arch":"mlp-784-100-10","input":[1,28,28],"classes":10,"tensors":[{"name":"x","kind":"weight","shape":[-4]}]}`, nil))
	ck("m.ckpt", checkpointBytes(`not json`, nil))
	ck("m.ckpt", "COSIMCK\n\xff\xff\xff\xff")
	add("checkpoint", "eval --model $IN --ber 0.01", "is a directory")
	add("checkpoint", "eval --model /dev/zero --ber 0.01", "/dev/zero")
	add("checkpoint", "sweep --quiet --out $OUT/r --vmin 0.5 --vmax 0.5 --vstep 0.1 --model $IN/m.ckpt", "m.ckpt", "m.ckpt", string(flipped))

	// Data sets.
	add("data", "eval --model "+model+" --ber 0.01 --data $IN", "train-images-idx3-ubyte.gz")
	add("data", "eval --model "+model+" --ber 0.01 --data $IN/none", "none")
	mnistHeader := func(magic uint32, dims ...uint32) string {
		var b bytes.Buffer
		binary.Write(&b, binary.BigEndian, magic)
		for _, d := range dims {
			binary.Write(&b, binary.BigEndian, d)
		}
		return b.String()
	}
	// mnist is a gzipped MNIST file set of n images of size×size pixels
	// whose labels are all label.
	mnist := func(n, size uint32, label byte) []string {
		gz := func(s string) string {
			var b bytes.Buffer
			w := gzip.NewWriter(&b)
			w.Write([]byte(s))
			w.Close()
			return b.String()
		}
		images := gz(mnistHeader(0x803, n, size, size) + strings.Repeat("\x00", int(n*size*size)))
		labels := gz(mnistHeader(0x801, n) + strings.Repeat(string(label), int(n)))
		return []string{"train-images-idx3-ubyte.gz", images, "train-labels-idx1-ubyte.gz", labels,
			"t10k-images-idx3-ubyte.gz", images, "t10k-labels-idx1-ubyte.gz", labels}
	}
	add("data", "eval --model "+model+" --ber 0.01 --data $IN", "14×14", mnist(10, 14, 1)...)
	add("data", "train --model mlp --epochs 1 --out $OUT/m.ckpt --data $IN", "14×14", mnist(10, 14, 1)...)
	add("data", "train --model mlp --epochs 1 --out $OUT/m.ckpt --data $IN", "label 12", mnist(10, 28, 12)...)
	add("data", "train --model resnet20 --epochs 1 --out $OUT/m.ckpt --data $IN", "data_batch_1.bin", "test_batch.bin", "short")
	add("data", "train --model resnet20 --epochs 1 --out $OUT/m.ckpt --data $IN", "data_batch_1.bin: not a CIFAR-10 batch file", "data_batch_1.bin", "\x00", "data_batch_2.bin", "", "data_batch_3.bin", "", "data_batch_4.bin", "", "data_batch_5.bin", "", "test_batch.bin", "")

	// Results files (report --in).
	rep := func(want, name, content string) {
		add("results file", "report --out $OUT/r --in $IN/"+name, want, name, content)
	}
	rep("r.json", "r.json", "")
	rep("r.json", "r.json", "{")
	rep("r.json", "r.json", "[]")
	rep("r.json", "r.json", edit(t, report, `"points"`, `"pionts"`))
	rep("r.json", "r.json", edit(t, report, `"acc_mean": `, `"acc_mean": -`))
	rep("r.json", "r.json", edit(t, report, `"vdd_v": 0.3`, `"vdd_v": "0.3"`))
	rep("r.json", "r.json", report+"{}")
	rep("r.csv", "r.csv", "")
	rep("r.csv", "r.csv", "a,b,c\n1,2,3\n")
	rep("r.csv", "r.csv", edit(t, csv, "\n", ",extra\n"))
	rep("r.csv", "r.csv", csv+"1,2\n")
	rep("r.csv", "r.csv", strings.Replace(csv, "0.3,", "NaN,", 1))
	rep("r.txt", "r.txt", "points")
	add("results file", "report --out $OUT/r --in $IN/none.json", "none.json")
	add("results file", "report --out $OUT/r", "--in")

	// Attack shard files (merge).
	attackShard := func(edit func(*attack.ShardFile)) string {
		f := attack.ShardFile{File: shard.File{Kind: "cosim-attack-shard", Config: strings.Repeat("a", 64), Fingerprint: map[string]string{"attack.Seed": "1"}, Shard: 1, Of: 1}, Trials: 1,
			Result: attack.Result{Attack: attack.BFA, Models: []attack.Model{{Name: "m", Layers: []string{"w"}}}, Trials: []attack.Trial{{Model: "m"}}}}
		edit(&f)
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	okShard := attackShard(func(*attack.ShardFile) {})
	am := func(want, content string) {
		add("attack shard file", "merge --out $OUT/r $IN/s.json", want, "s.json", content)
	}
	am("s.json: shard 2 of 1", attackShard(func(f *attack.ShardFile) { f.Shard = 2 }))
	am("s.json: config_sha256", attackShard(func(f *attack.ShardFile) { f.Config = "abc" }))
	am("s.json: first_trial 0, trials 0", attackShard(func(f *attack.ShardFile) { f.Trials = 0 }))
	am("s.json: first_trial -1", attackShard(func(f *attack.ShardFile) { f.FirstTrial = -1 }))
	am(`s.json: not a cosim-attack-shard file (json: unknown field "extra")`, edit(t, okShard, `"of":1,`, `"of":1,"extra":2,`))
	am("s.json: result.trials[0]: trial 5 outside the run's trials 0–0", attackShard(func(f *attack.ShardFile) { f.Result.Trials[0].Trial = 5 }))
	am(`s.json: result: trials[0].model: "x" is not among the models`, attackShard(func(f *attack.ShardFile) { f.Result.Trials[0].Model = "x" }))
	am("s.json: result: trials[0].n_flip: 3", attackShard(func(f *attack.ShardFile) { f.Result.Trials[0].NFlip = 3 }))
	am(`s.json: result: attack: "xfa" is not an attack`, attackShard(func(f *attack.ShardFile) { f.Result.Attack = "xfa" }))
	am("s.json: data after the shard", okShard+"{}")
	am("s.json: trial 0 of m missing: shard 1/1 has not finished", attackShard(func(f *attack.ShardFile) { f.Result.Trials = nil }))
	add("attack shard file", "merge --out $OUT/r $IN/s.json $IN/t.json", "are both shard 1/1", "s.json", okShard, "t.json", okShard)
	add("attack shard file", "merge --out $OUT/r $IN/s.json $IN/t.json", "t.json: not a cosim-attack-shard file", "s.json", okShard, "t.json", "{}")

	// Training states (train --resume).
	st := func(want, content string) {
		add("state file", "train --model mlp --epochs 2 --quiet --resume --out $IN/m.ckpt", want, "m.ckpt.state", content)
	}
	st("m.ckpt.state", "")
	st("m.ckpt.state", "garbage")
	st("m.ckpt.state", string(state[:len(state)-7]))
	st("m.ckpt.state", string(state)+"x")
	flippedState := []byte(string(state))
	flippedState[len(flippedState)/3] ^= 1
	st("m.ckpt.state", string(flippedState))
	add("state file", "train --model mlp --epochs 2 --quiet --resume --method normal --out $IN/m.ckpt", "m.ckpt.state", "m.ckpt.state", string(state))
	add("state file", "train --model mlp --epochs 2 --quiet --resume --out $IN/m.ckpt", "m.ckpt.state")

	// Flags.
	flagCase := func(args, want string) { add("flags", args, want) }
	flagCase("train --bogus", "-bogus")
	flagCase("train --model mlp --epochs 0 --out $OUT/m.ckpt", "--epochs 0")
	flagCase("train --model mlp --epochs -3 --out $OUT/m.ckpt", "--epochs -3")
	flagCase("train --model mlp --batch -5 --out $OUT/m.ckpt", "--batch -5")
	flagCase("train --model mlp --valid nan --out $OUT/m.ckpt", "validation fraction")
	flagCase("train --model mlp --valid 1 --out $OUT/m.ckpt", "validation fraction")
	flagCase("train --model mlp --lr inf --out $OUT/m.ckpt", "learning rate")
	flagCase("train --model mlp --lr -0.1 --out $OUT/m.ckpt", "learning rate")
	flagCase("train --model mlp --bfn 0.7 --out $OUT/m.ckpt", "bit-flip-noise rate 0.7")
	flagCase("train --model mlp --out $OUT", "is a directory")
	flagCase("train --model mlp --out $OUT/missing/m.ckpt", "cannot write")
	flagCase("train --model mlp", "--out is required")
	flagCase("train --method magic --out $OUT/m.ckpt", "quantization method")
	flagCase("train --bits 1 --out $OUT/m.ckpt", "bits")
	flagCase("train --bits 40 --out $OUT/m.ckpt", "bits")
	flagCase("train --model vgg99 --out $OUT/m.ckpt", "unknown architecture")
	flagCase("train --grid odd --out $OUT/m.ckpt", "grid")
	flagCase("train --init best --out $OUT/m.ckpt", "init")
	flagCase("train --epochs x --out $OUT/m.ckpt", "-epochs")
	flagCase("eval --model "+model+" --ber 0.7", "--ber 0.7")
	flagCase("eval --model "+model+" --ber -1", "--ber -1")
	flagCase("eval --model "+model+" --ber nan", "--ber")
	flagCase("eval --model "+model+" --ber 0.01 --protocol fast", "--protocol")
	flagCase("eval --model "+model+" --ber 0.01 --subset 0", "--subset 0")
	flagCase("eval --model "+model+" --ber 0.01 --trials 0", "--trials 0")
	flagCase("eval --model "+model+" --ber 0.01 --workers -1", "--workers -1")
	flagCase("eval --ber 0.01", "--model")
	flagCase("eval --model "+model+" --ber 0.01 --arch nope", "nope")
	flagCase("eval --model "+model+" --ber 0.01 extra", "extra")
	flagCase("sweep", "--model")
	flagCase("sweep --model "+model+" --vmin 0.9 --vmax 0.3 --out $OUT/r", "voltage grid")
	flagCase("sweep --model "+model+" --vmin 50 --vmax 100 --vstep 10 --out $OUT/r", "voltage")
	flagCase("sweep --model "+model+" --vmin 0.3 --vmax 0.8 --vstep 0 --out $OUT/r", "voltage grid")
	flagCase("sweep --model "+model+" --vmin 0.5 --vmax 0.5 --trials 0 --out $OUT/r", "--trials 0")
	flagCase("sweep --model "+model+" --vmin 0.5 --vmax 0.5 --ci -1 --out $OUT/r", "--ci")
	flagCase("sweep --model "+model+" --vmin 0.5 --vmax 0.5 --min-trials 1 --out $OUT/r", "--min-trials")
	flagCase("sweep --model "+model+" --vmin 0.5 --vmax 0.5 --energy-model cubic --out $OUT/r", "cubic")
	flagCase("sweep --model "+model+" --model "+model+" --vmin 0.5 --vmax 0.5 --out $OUT/r", "may appear once")
	flagCase("energy --arch eyeriss-onchip --model resnet56", "needs 1.62 MiB")
	flagCase("energy --arch eyeriss-onchip --model resnet20 --bits 33", "bits")
	flagCase("energy --arch eyeriss-onchip --model resnet20 --vdd 0", "--vdd")
	flagCase("energy --arch eyeriss-onchip --model resnet20 --vdd nan", "--vdd")
	flagCase("energy --arch eyeriss-onchip --model resnet20 --batch 0", "--batch")
	flagCase("energy --arch eyeriss-onchip --model resnet20 --objective speed", "objective")
	flagCase("energy --arch eyeriss-onchip --model lenet-9", "lenet-9")
	flagCase("data fetch", "--out is required")
	flagCase("data frob", "data fetch")
	flagCase("ber-fit", "--points")
	flagCase("ber-fit --points $OUT/none.csv", "none.csv")
	flagCase("alpha-curve --ber 2 --out $OUT/a", "BER 2")
	flagCase("alpha-curve --bits 0 --out $OUT/a", "bits")
	flagCase("report --in "+filepath.Join("..", "..", "experiments", "results", "figure7-paper.json")+" --out /dev/null/x", "/dev/null")
	add("flags", "ber-fit --points $IN/p.csv", "p.csv", "p.csv", "vdd_v,ber\n0.4,nan\n0.5,1e-3\n")
	add("flags", "ber-fit --points $IN/p.csv", "p.csv", "p.csv", "vdd_v,ber\n0.4,1e-2\n")
	return cs
}

// The bad-input corpus: every case exits 2 with one line on stderr that
// names what is wrong, prints no stack trace, and writes nothing.
func TestBadInputCorpus(t *testing.T) {
	mlp := trainedMLP(t)
	cases := badInputCorpus(t, mlp)
	classes := map[string]int{}
	for i, c := range cases {
		classes[c.class]++
		in, out := t.TempDir(), t.TempDir()
		for name, content := range c.files {
			if err := os.WriteFile(filepath.Join(in, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		before := listFiles(t, in)
		var args []string
		for _, a := range strings.Fields(c.args) {
			args = append(args, strings.NewReplacer("$IN", in, "$OUT", out).Replace(a))
		}
		name := fmt.Sprintf("case %d (%s) %s", i, c.class, c.args)
		code, errs := cosimRecover(t, args...)
		lines := strings.Split(strings.TrimRight(errs, "\n"), "\n")
		switch {
		case code != 2:
			t.Errorf("%s: exit %d, stderr %q; want exit 2", name, code, errs)
		case len(lines) != 1 || lines[0] == "":
			t.Errorf("%s: stderr has %d lines, want one:\n%s", name, len(lines), errs)
		case strings.Contains(errs, "goroutine") || strings.Contains(errs, "panic"):
			t.Errorf("%s: stack trace:\n%s", name, errs)
		case !strings.Contains(errs, c.want):
			t.Errorf("%s: %q does not mention %q", name, errs, c.want)
		}
		if got := listFiles(t, out); len(got) != 0 {
			t.Errorf("%s: wrote %v", name, got)
		}
		if got := listFiles(t, in); strings.Join(got, ",") != strings.Join(before, ",") {
			t.Errorf("%s: input folder changed from %v to %v", name, before, got)
		}
	}
	t.Logf("%d cases: %v", len(cases), classes)
	if len(cases) < 100 {
		t.Errorf("the corpus has %d cases, want at least 100", len(cases))
	}
}

func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

// cosimRecover is cosim that turns a panic into exit 99 and its message.
func cosimRecover(t *testing.T, args ...string) (code int, errs string) {
	defer func() {
		if r := recover(); r != nil {
			code, errs = 99, fmt.Sprint("panic: ", r)
		}
	}()
	code, _, errs = cosim(t, args...)
	return code, errs
}
