// Package outlock gives one cosim run at a time an output folder: a second
// run into the same folder (a --resume while the first still runs, two
// reports written at once) is refused instead of mixing their files.
package outlock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// File is the name of the lock file inside a locked folder.
const File = ".cosim.lock"

// ErrBusy is wrapped by Lock's error when another run holds the folder.
var ErrBusy = errors.New("in use by another cosim run")

// Lock takes the folder dir (which must exist) for this process until
// release is called; it fails at once, wrapping ErrBusy, when another
// process holds it. The lock is the operating system's (flock), so it
// dies with its process: a killed run leaves no stale lock.
func Lock(dir string) (release func(), err error) {
	path := filepath.Join(dir, File)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := tryLock(f); err != nil {
		owner, _ := os.ReadFile(path)
		f.Close()
		if pid := strings.TrimSpace(string(owner)); pid != "" {
			return nil, fmt.Errorf("%s: %w (pid %s); wait for it to finish", dir, ErrBusy, pid)
		}
		return nil, fmt.Errorf("%s: %w; wait for it to finish", dir, ErrBusy)
	}
	f.Truncate(0)
	f.WriteString(strconv.Itoa(os.Getpid()) + "\n")
	return func() {
		os.Remove(path)
		unlock(f)
		f.Close()
	}, nil
}
