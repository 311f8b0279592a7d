//go:build windows

package record

import (
	"os"

	"golang.org/x/sys/windows"
)

// The lock covers one byte far past any real content: Windows locks are
// mandatory for the range they cover, and readers must still read the file.
const lockOffsetHigh = 0x7fffffff

func lockExclusive(f *os.File) error { return lockFile(f, windows.LOCKFILE_EXCLUSIVE_LOCK) }
func lockShared(f *os.File) error    { return lockFile(f, 0) }

func lockFile(f *os.File, flags uint32) error {
	ol := &windows.Overlapped{OffsetHigh: lockOffsetHigh}
	return windows.LockFileEx(windows.Handle(f.Fd()), flags, 0, 1, 0, ol)
}

func unlock(f *os.File) error {
	ol := &windows.Overlapped{OffsetHigh: lockOffsetHigh}
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, ol)
}
