package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"cosim/sweep"
	"cosim/wcat"
)

// buildCosim compiles the command into a temporary directory.
func buildCosim(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping: builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "cosim")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// Training killed with SIGKILL and resumed with --resume ends with the same
// model as an uninterrupted run.
func TestTrainKillAndResume(t *testing.T) {
	needMNIST(t)
	bin := buildCosim(t)
	dir := t.TempDir()
	args := func(out string) []string {
		return []string{"train", "--model", "mlp", "--method", "wcat", "--bfn", "0.002", "--epochs", "3", "--out", out}
	}
	ref := filepath.Join(dir, "ref.ckpt")
	if out, err := exec.Command(bin, args(ref)...).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, out)
	}

	killed := filepath.Join(dir, "killed.ckpt")
	cmd := exec.Command(bin, args(killed)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for !fileExists(killed + ".state") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no training state appeared")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if fileExists(killed) {
		t.Fatal("the killed run finished before it was killed; nothing was tested")
	}
	out, err := exec.Command(bin, args(killed)...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--resume") {
		t.Fatalf("rerun without --resume should refuse: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, append(args(killed), "--resume")...).CombinedOutput(); err != nil {
		t.Fatalf("resumed run: %v\n%s", err, out)
	}
	if fileExists(killed + ".state") {
		t.Error("training state left behind after a finished run")
	}
	a, ia, err := wcat.Load(ref)
	if err != nil {
		t.Fatal(err)
	}
	b, ib, err := wcat.Load(killed)
	if err != nil {
		t.Fatal(err)
	}
	if ia.TestAcc != ib.TestAcc || ia.BestEpoch != ib.BestEpoch {
		t.Fatalf("uninterrupted: test %.2f%% best epoch %d; resumed: %.2f%% epoch %d", ia.TestAcc, ia.BestEpoch, ib.TestAcc, ib.BestEpoch)
	}
	for i, p := range a.State() {
		q := b.State()[i]
		for j := range p.Data() {
			if p.Data()[j] != q.Data()[j] {
				t.Fatalf("%s[%d] differs after kill and resume", p.Name, j)
			}
		}
	}
	os.Remove(ref)
}

// A sweep killed with SIGKILL and resumed with --resume writes exactly the
// results of an uninterrupted sweep.
func TestSweepKillAndResume(t *testing.T) {
	needMNIST(t)
	bin := buildCosim(t)
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "w.ckpt")
	if out, err := exec.Command(bin, "train", "--model", "mlp", "--method", "wcat", "--epochs", "1", "--out", ckpt).CombinedOutput(); err != nil {
		t.Fatalf("train: %v\n%s", err, out)
	}
	args := func(out string) []string {
		return []string{"sweep", "--model", ckpt, "--vmin", "0.30", "--vmax", "0.46", "--vstep", "0.01", "--ci", "0.3", "--subset", "500", "--out", out}
	}
	ref := filepath.Join(dir, "ref")
	if out, err := exec.Command(bin, args(ref)...).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted sweep: %v\n%s", err, out)
	}
	killed := filepath.Join(dir, "killed")
	cmd := exec.Command(bin, args(killed)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	journal := filepath.Join(killed, sweep.JournalFile)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		b, _ := os.ReadFile(journal)
		if strings.Count(string(b), "\n") >= 3 { // header + 2 points
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the journal did not grow")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if fileExists(filepath.Join(killed, "sweep.csv")) {
		t.Fatal("the killed sweep finished before it was killed; nothing was tested")
	}
	if out, err := exec.Command(bin, append(args(killed), "--resume")...).CombinedOutput(); err != nil {
		t.Fatalf("resumed sweep: %v\n%s", err, out)
	}
	want, _ := os.ReadFile(filepath.Join(ref, "sweep.csv"))
	got, err := os.ReadFile(filepath.Join(killed, "sweep.csv"))
	if err != nil || string(got) != string(want) || len(want) == 0 {
		t.Fatalf("resumed sweep.csv differs from the uninterrupted one (%v):\n%s\nvs\n%s", err, got, want)
	}
	if fileExists(journal) {
		t.Error("journal left behind after a finished sweep")
	}
}
