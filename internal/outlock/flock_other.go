//go:build !unix

package outlock

import "os"

// Without flock the folder is not locked.
func tryLock(*os.File) error { return nil }

func unlock(*os.File) {}
