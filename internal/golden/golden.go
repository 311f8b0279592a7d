// Package golden is the one golden-file helper of ordo's tests: a test
// compares what it produced with a file under testdata/, and `go test
// -update` rewrites the files instead. Every golden test calls it, so the
// flag, the message and the way files are written are the same everywhere.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ instead of comparing with them")

// Updating says whether the test runs with -update (for golden files a
// helper does not write itself, such as testscript's scripts).
func Updating() bool { return *update }

// Check compares got with the file at path; with -update it writes got
// there (creating its directory) and passes.
func Check(tb testing.TB, path string, got []byte) {
	tb.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (go test -update creates it)", err)
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("%s differs from the golden file (go test -update rewrites it after you check the difference):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
