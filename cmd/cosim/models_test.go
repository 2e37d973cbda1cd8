package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cosim/internal/testenv"
	"cosim/wcat"
)

// shippedModels are the ResNet-20 checkpoints in models/, each with a card
// (NAME.txt) written by scripts/train-models.sh.
var shippedModels = []string{"wcat", "wcat-bfn", "normal", "plclip", "lsq"}

// TestShippedModelsLoad checks that every shipped checkpoint loads with the
// method its name says, and has its card.
func TestShippedModelsLoad(t *testing.T) {
	for _, m := range shippedModels {
		path := filepath.Join("..", "..", "models", "resnet20-4bit-"+m+".ckpt")
		q, info, err := wcat.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		method, bfn := strings.CutSuffix(m, "-bfn")
		if q.Net.Arch() != "resnet20" || q.Cfg.Bits != 4 || string(info.Method) != method || (info.BFN == 0.005) != bfn {
			t.Errorf("%s: %s %s %d-bit, BFN %g", path, q.Net.Arch(), info.Method, q.Cfg.Bits, info.BFN)
		}
		if _, err := os.Stat(strings.TrimSuffix(path, ".ckpt") + ".txt"); err != nil {
			t.Error(err)
		}
	}
}

// TestShippedModelCardsReproduce reruns, for every shipped model, the
// `cosim eval` at BER 1e-2 recorded in its card and requires the same clean
// and Monte Carlo accuracy lines (the evaluation is seeded, so they must
// match to the last digit).
func TestShippedModelCardsReproduce(t *testing.T) {
	data := testenv.SharedData(t, "cifar10")
	if testing.Short() {
		t.Skip("skipping: 5 × 50 Monte Carlo trials of ResNet-20")
	}
	for _, m := range shippedModels {
		card := filepath.Join("..", "..", "models", "resnet20-4bit-"+m+".txt")
		text, err := os.ReadFile(card)
		if err != nil {
			t.Fatal(err)
		}
		args, want := cardEval(string(text), "--ber 1e-2")
		if args == nil {
			t.Fatalf("%s: no recorded `cosim eval … --ber 1e-2`", card)
		}
		for i, a := range args {
			switch {
			case a == "DATA":
				args[i] = data
			case strings.HasPrefix(a, "models/"):
				args[i] = filepath.Join("..", "..", a)
			}
		}
		code, out, errs := cosim(t, args...)
		if code != 0 {
			t.Fatalf("%s: cosim %s: exit %d: %s", card, strings.Join(args, " "), code, errs)
		}
		for _, w := range want {
			if !strings.Contains(out, w+"\n") {
				t.Errorf("%s: recorded %q, now:\n%s", card, w, out)
			}
		}
	}
}

// cardEval finds the `$ cosim eval …` line of a card that contains sel and
// returns its arguments (after "cosim") and the recorded accuracy lines of
// its output.
func cardEval(card, sel string) (args, want []string) {
	lines := strings.Split(card, "\n")
	for i, l := range lines {
		cmd, ok := strings.CutPrefix(l, "$ cosim ")
		if !ok || !strings.Contains(cmd, sel) {
			continue
		}
		args = strings.Fields(cmd)
		for _, o := range lines[i+1:] {
			if o == "" || strings.HasPrefix(o, "$ ") {
				break
			}
			if strings.HasPrefix(o, "clean accuracy") || strings.HasPrefix(o, "accuracy (") {
				want = append(want, o)
			}
		}
		return args, want
	}
	return nil, nil
}
