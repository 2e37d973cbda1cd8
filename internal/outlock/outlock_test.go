package outlock

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A folder held by another process is refused, naming that process; it is
// free again once the holder releases it or dies.
func TestLockAcrossProcesses(t *testing.T) {
	if os.Getenv("OUTLOCK_HOLD") != "" {
		release, err := Lock(os.Getenv("OUTLOCK_HOLD"))
		if err != nil {
			os.Exit(3)
		}
		defer release()
		os.Stdout.WriteString("held\n")
		os.Stdin.Read(make([]byte, 1)) // hold until the parent closes stdin
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=TestLockAcrossProcesses")
	cmd.Env = append(os.Environ(), "OUTLOCK_HOLD="+dir)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := stdout.Read(buf); err != nil || string(buf) != "held\n" {
		t.Fatalf("holder did not start: %q %v", buf, err)
	}
	_, err := Lock(dir)
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "pid") {
		t.Fatalf("second lock: %v", err)
	}
	stdin.Close()
	cmd.Wait()
	release, err := Lock(dir)
	if err != nil {
		t.Fatalf("after the holder exited: %v", err)
	}
	release()
	if _, err := os.Stat(filepath.Join(dir, File)); !os.IsNotExist(err) {
		t.Fatal("the lock file stays after release")
	}
}
