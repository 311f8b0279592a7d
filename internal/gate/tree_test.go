package gate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/git"
)

// TestWorkTreeSpecStaysInTheRepository: a spec read from the working tree
// (a change given as a file list) cannot be a file outside the repository,
// by "..", an absolute path or a symlink leading out.
func TestWorkTreeSpecStaysInTheRepository(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.yaml")
	if err := os.WriteFile(secret, []byte("openapi: 3.0.3\nsecret: hunter2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(t.TempDir(), "repo")
	if err := os.MkdirAll(filepath.Join(repo, "specs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(repo, "specs", "link.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "specs", "ok.yaml"), []byte("openapi: 3.0.3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(repo, secret)
	specs := GitSpecs{Repo: git.Repo{Dir: repo}}
	for _, path := range []string{filepath.ToSlash(rel), secret, "specs/link.yaml", "specs/../" + filepath.ToSlash(rel)} {
		src, ok, err := specs.Head(t.Context(), path)
		if err == nil || ok || strings.Contains(string(src), "hunter2") {
			t.Errorf("Head(%q) = %q, %v, %v; want an error", path, src, ok, err)
		} else if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Head(%q): the error shows the file: %v", path, err)
		}
	}
	if src, ok, err := specs.Head(t.Context(), "specs/ok.yaml"); err != nil || !ok || len(src) == 0 {
		t.Errorf("a spec inside the tree: %q, %v, %v", src, ok, err)
	}
}
