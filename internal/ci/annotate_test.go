package ci

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/diag"
)

// TestAnnotationLimits holds GitHub's rule: a step shows at most 10 error
// and 10 warning annotations, and the runner adds an error of its own when
// the step fails, so ordo writes at most 9 errors, and warnings apart.
// https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#setting-an-error-message
func TestAnnotationLimits(t *testing.T) {
	t.Parallel()
	var w bytes.Buffer
	g := NewGitHub(ReadEnv(env(map[string]string{"GITHUB_ACTIONS": "true"})), &w)
	var diags diag.List
	for i := 1; i <= 12; i++ {
		diags = append(diags,
			diag.Diagnostic{File: "ordo.yaml", Line: i, Rule: "r", Message: "bad"},
			diag.Diagnostic{File: "ordo.yaml", Line: i, Rule: "w", Message: "odd", Severity: diag.Warning})
	}
	g.Annotate(diags)
	out := w.String()
	if n := strings.Count(out, "::error "); n != 9 {
		t.Errorf("%d error annotations, want 9 (the runner adds the tenth)", n)
	}
	if n := strings.Count(out, "::warning"); n != 10 {
		t.Errorf("%d warning annotations, want 9 and the count of the rest", n)
	}
	if !strings.Contains(out, "6 more problems are in the log") {
		t.Errorf("no count of the rest:\n%s", out)
	}
}

// TestAnnotationPathsFromTheRepositoryRoot: GitHub places an annotation at
// a path relative to the repository's root, so a catalog read from the
// working-directory services/ is services/ordo.yaml, not ordo.yaml.
func TestAnnotationPathsFromTheRepositoryRoot(t *testing.T) {
	ws := t.TempDir()
	sub := filepath.Join(ws, "services")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(sub)
	outside := filepath.Join(t.TempDir(), "ordo.yaml")
	for _, tc := range []struct{ file, want string }{
		{"ordo.yaml", "services/ordo.yaml"},
		{filepath.Join(sub, "x", "ordo.yaml"), "services/x/ordo.yaml"},
		{"../ordo.yaml", "ordo.yaml"},
		{outside, outside},
	} {
		var w bytes.Buffer
		g := NewGitHub(ReadEnv(env(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": ws})), &w)
		g.Annotate(diag.List{{File: tc.file, Line: 1, Rule: "r", Message: "bad"}})
		if !strings.Contains(w.String(), "file="+tc.want+",") {
			t.Errorf("%s: %q, want file=%s", tc.file, w.String(), tc.want)
		}
	}
}
