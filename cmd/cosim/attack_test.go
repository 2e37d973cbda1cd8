package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"cosim/attack"
)

// cosim attack end to end on an MNIST MLP: BFA with its files, a resumed
// run that adds a trial and keeps the others, the report command on the
// result, T-BFA as JSON, and bad input refused before anything is written.
func TestAttackCommand(t *testing.T) {
	needMNIST(t)
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "mlp.ckpt")
	if code, _, errs := cosim(t, "train", "--model", "mlp", "--method", "wcat", "--epochs", "1", "--out", ckpt); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	out := filepath.Join(dir, "bfa")
	bfa := []string{"attack", "bfa", "--model", ckpt, "--threshold", "30", "--max-flips", "60", "--out", out}
	code, stdout, errs := cosim(t, append(bfa, "--trials", "2")...)
	if code != 0 {
		t.Fatalf("attack bfa: exit %d: %s", code, errs)
	}
	if !strings.Contains(stdout, "N_flip") || !strings.Contains(stdout, "mlp") {
		t.Fatalf("attack bfa printed:\n%s", stdout)
	}
	for _, f := range []string{"bfa.json", "bfa.csv", "bfa-flips.csv", "bfa.html"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Fatalf("%s: %v", f, err)
		}
	}
	first, err := attack.ReadResult(filepath.Join(out, "bfa.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Trials) != 2 || first.Summaries[0].Trials != 2 || first.Trials[0].NFlip < 1 || first.EvalImages != 10000-64 {
		t.Fatalf("result: %d trials, summary %+v, eval images %d", len(first.Trials), first.Summaries, first.EvalImages)
	}
	if code, _, errs := cosim(t, append(bfa, "--trials", "3", "--resume")...); code != 0 {
		t.Fatalf("resume: exit %d: %s", code, errs)
	}
	more, err := attack.ReadResult(filepath.Join(out, "bfa.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(more.Trials) != 3 || !reflect.DeepEqual(more.Trials[:2], first.Trials) {
		t.Fatalf("resumed run: %d trials, first two kept: %v", len(more.Trials), reflect.DeepEqual(more.Trials[:2], first.Trials))
	}
	// A part of the run (trial 3 alone) merges with the rest in the report.
	part := filepath.Join(dir, "part")
	if code, _, errs := cosim(t, "attack", "bfa", "--model", ckpt, "--threshold", "30", "--max-flips", "60", "--first-trial", "3", "--trials", "1", "--out", part); code != 0 {
		t.Fatalf("part: exit %d: %s", code, errs)
	}
	rep := filepath.Join(dir, "report")
	if code, stdout, errs := cosim(t, "report", "--in", filepath.Join(out, "bfa.json"), "--in", filepath.Join(part, "bfa.json"), "--out", rep); code != 0 || !strings.Contains(stdout, "4 bfa trials") {
		t.Fatalf("report: exit %d: %s%s", code, stdout, errs)
	}
	if code, _, errs := cosim(t, "report", "--in", filepath.Join(out, "bfa.json"), "--in", filepath.Join(out, "bfa.json"), "--out", rep); code != 2 || !strings.Contains(errs, "both hold trial") {
		t.Fatalf("report of a trial twice: exit %d: %s", code, errs)
	}
	if html, err := os.ReadFile(filepath.Join(rep, "bfa.html")); err != nil || !strings.Contains(string(html), "flipped bits") {
		t.Fatalf("report HTML: %v", err)
	}

	code, stdout, errs = cosim(t, "attack", "tbfa", "--model", ckpt, "--source", "7", "--target", "1", "--batch", "128", "--goal", "99", "--trials", "1", "--json")
	if code != 0 {
		t.Fatalf("attack tbfa: exit %d: %s", code, errs)
	}
	var tb attack.Result
	if err := json.Unmarshal([]byte(stdout), &tb); err != nil {
		t.Fatal(err)
	}
	if tb.Attack != attack.TBFA || len(tb.Trials) != 1 || tb.Settings.Source != 7 || tb.Settings.Target != 1 || tb.Trials[0].OtherCleanPct == 0 {
		t.Fatalf("tbfa result: %+v", tb.Settings)
	}

	bad := filepath.Join(dir, "never")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"attack"}, "want a sub-command"},
		{[]string{"attack", "bfa", "--out", bad}, "--model is required"},
		{[]string{"attack", "bfa", "--model", ckpt, "--trials", "0", "--out", bad}, "--trials 0"},
		{[]string{"attack", "bfa", "--model", ckpt, "--first-trial", "-1", "--out", bad}, "--first-trial -1"},
		{[]string{"attack", "bfa", "--model", ckpt, "--resume"}, "--resume needs --out"},
		{[]string{"attack", "bfa", "--model", ckpt, "--source", "3", "--out", bad}, "T-BFA flags"},
		{[]string{"attack", "bfa", "--model", ckpt, "--preset", "fast", "--out", bad}, "unknown attack preset"},
		{[]string{"attack", "bfa", "--model", ckpt, "--k-top", "0", "--out", bad}, "k-top 0"},
		{[]string{"attack", "bfa", "--model", ckpt, "--threshold", "100", "--out", bad}, "threshold 100%"},
		{[]string{"attack", "bfa", "--model", filepath.Join(dir, "missing.ckpt"), "--out", bad}, "missing.ckpt"},
		{[]string{"attack", "tbfa", "--model", ckpt, "--source", "3", "--out", bad}, "--source and --target are required"},
		{[]string{"attack", "tbfa", "--model", ckpt, "--source", "3", "--target", "3", "--out", bad}, "both class 3"},
		{[]string{"attack", "tbfa", "--model", ckpt, "--source", "3", "--target", "12", "--out", bad}, "want classes 0..9"},
		{[]string{"attack", "bfa", "--model", ckpt, "--model", ckpt, "--out", bad}, "two models named mlp"},
	} {
		code, _, errs := cosim(t, c.args...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", c.args, code, errs, c.want)
		}
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Fatalf("bad input wrote %s", bad)
	}
}
