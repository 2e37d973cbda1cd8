package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cosim/internal/outlock"
)

// A report or a sweep (a --resume among them) into a folder that another
// run holds is refused before it writes anything there.
func TestOutputFolderInUse(t *testing.T) {
	dir := t.TempDir()
	release, err := outlock.Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	results := filepath.Join("..", "..", "experiments", "results", "figure7-paper.json")
	runs := [][]string{{"report", "--in", results, "--out", dir}}
	if data := filepath.Join("..", "..", "..", "shared", "data", "cifar10"); fileExists(filepath.Join(data, "test_batch.bin.gz")) || fileExists(filepath.Join(data, "test_batch.bin")) {
		runs = append(runs, []string{"sweep", "--quiet", "--resume", "--vmin", "0.5", "--vmax", "0.5", "--trials", "2",
			"--model", filepath.Join("..", "..", "models", "resnet20-4bit-wcat.ckpt"), "--data", data, "--out", dir})
	} else {
		t.Log("CIFAR-10 not in ../shared/data/cifar10: the sweep case is skipped")
	}
	for _, args := range runs {
		code, _, errs := cosim(t, args...)
		if code != 2 || !strings.Contains(errs, "in use by another cosim run (pid") {
			t.Errorf("%s: exit %d, %q", args[0], code, errs)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("the refused runs wrote into the folder: %v", ents)
	}
}
