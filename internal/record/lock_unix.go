//go:build unix

package record

import (
	"os"
	"syscall"
)

// flock locks are per open file and released when it is closed, so a killed
// writer never leaves the record locked.
func lockExclusive(f *os.File) error { return flock(f, syscall.LOCK_EX) }
func lockShared(f *os.File) error    { return flock(f, syscall.LOCK_SH) }
func unlock(f *os.File) error        { return flock(f, syscall.LOCK_UN) }

func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			return err
		}
	}
}
