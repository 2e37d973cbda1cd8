package slurm

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	ok := Job{Name: "a", CPUs: 1, Output: "/x/%A_%a.out", Command: "true"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tm := range []string{"30", "10:00", "1:00:00", "2-0", "2-12:30", "2-12:30:00", "UNLIMITED"} {
		j := ok
		j.Time = tm
		if err := j.Validate(); err != nil {
			t.Errorf("time %q refused: %v", tm, err)
		}
	}
	for name, edit := range map[string]func(*Job){
		"time":      func(j *Job) { j.Time = "1h" },
		"time 4":    func(j *Job) { j.Time = "1:2:3:4" },
		"partition": func(j *Job) { j.Partition = "a b" },
		"injection": func(j *Job) { j.Partition = "x\n#SBATCH --mem=1T" },
		"name":      func(j *Job) { j.Name = "" },
		"cpus":      func(j *Job) { j.CPUs = 0 },
		"tasks":     func(j *Job) { j.Tasks = -1 },
		"output":    func(j *Job) { j.Output = "/my dir/%j.out" },
		"command":   func(j *Job) { j.Command = "" },
	} {
		j := ok
		edit(&j)
		if err := j.Validate(); err == nil {
			t.Errorf("%s: %+v accepted", name, j)
		}
	}
}

// Quoted words reach a command as they were, whatever they hold.
func TestQuote(t *testing.T) {
	words := []string{"plain/path.json", "", "it's", "a b", `$HOME "x" \n`, "*", "--out=/x y"}
	var line []string
	for _, w := range words {
		line = append(line, Quote(w))
	}
	script := filepath.Join(t.TempDir(), "q.sh")
	os.WriteFile(script, []byte(`for w in "$@"; do printf '[%s]\n' "$w"; done`+"\n"), 0o644)
	got, err := exec.Command("sh", "-c", "sh "+script+" "+strings.Join(line, " ")).Output()
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for _, w := range words {
		want.WriteString("[" + w + "]\n")
	}
	if string(got) != want.String() {
		t.Fatalf("quoted words came out as\n%s\nwant\n%s", got, want.String())
	}
}

// The submit script submits the array, then the merge with an afterok
// dependency on the array's job id (with a stand-in sbatch that logs its
// arguments).
func TestSubmitScript(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	fake := "#!/bin/sh\necho \"$*\" >> " + Quote(log) + "\nn=$(wc -l < " + Quote(log) + ")\necho \"$((41+n));cluster\"\n"
	if err := os.WriteFile(filepath.Join(dir, "sbatch"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "submit.sh")
	os.WriteFile(script, []byte(SubmitScript("/j/a b.sbatch", "/j/merge.sbatch")), 0o644)
	cmd := exec.Command("sh", script)
	cmd.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if string(out) != "array 42\nafter 43\n" {
		t.Fatalf("submit printed %q", out)
	}
	calls, _ := os.ReadFile(log)
	if want := "--parsable /j/a b.sbatch\n--parsable --dependency=afterok:42 /j/merge.sbatch\n"; string(calls) != want {
		t.Fatalf("sbatch calls %q, want %q", calls, want)
	}
}
