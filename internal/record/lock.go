package record

import "os"

// Lock takes an exclusive lock on f, the one the file store appends under
// (flock on Unix, LockFileEx on Windows), and returns its release. Closing f
// releases it too, so a killed writer never leaves it held. It is exported
// for the other JSON-lines file ordo appends to, the events file
// (internal/events), so that both lock the same way.
func Lock(f *os.File) (func(), error) {
	if err := lockExclusive(f); err != nil {
		return nil, err
	}
	return func() { _ = unlock(f) }, nil
}

// LockShared takes a shared lock on f for reading, as the file store's reads
// do, and returns its release.
func LockShared(f *os.File) (func(), error) {
	if err := lockShared(f); err != nil {
		return nil, err
	}
	return func() { _ = unlock(f) }, nil
}
