package workflow

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The committed workflow is what the template generates: edit the template
// and run `go generate ./internal/workflow`, never the file.
func TestCommittedWorkflow(t *testing.T) {
	t.Parallel()
	want, err := Generate(Waves)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(File)))
	if err != nil {
		t.Fatalf("%v: run go generate ./internal/workflow", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not what internal/workflow/release.yml.tmpl generates for the %d waves it holds: run `go generate ./internal/workflow` and commit the result", File, Waves)
	}
}
