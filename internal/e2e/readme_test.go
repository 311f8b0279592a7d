package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/git/gittest"
)

// readmeFile matches a YAML block of README.md that stands for a
// file of a user's repository: `<!-- file: PATH -->` and the block after it.
var readmeFile = regexp.MustCompile("(?s)<!-- file: (\\S+) -->\\s*```yaml\\n(.*?)```")

// readmeFiles returns the files README.md shows, by path.
func readmeFiles(tb testing.TB) map[string]string {
	tb.Helper()
	text := readFile(tb, filepath.Join(root, "README.md"))
	files := map[string]string{}
	for _, m := range readmeFile.FindAllStringSubmatch(text, -1) {
		files[m[1]] = m[2]
	}
	for _, want := range []string{".github/workflows/deploy.yml", ".github/workflows/pull-request.yml", ".github/workflows/release.yml", ".gitlab-ci.yml", ".gitlab/ordo-deploy.yml"} {
		if _, ok := files[want]; !ok {
			tb.Fatalf("README.md has no block for %s", want)
		}
	}
	return files
}

// TestReadmeWorkflows runs actionlint, with shellcheck, over the workflows
// the README shows, as they would stand in a user's repository.
func TestReadmeWorkflows(t *testing.T) {
	actionlint := tool(t, "ORDO_ACTIONLINT", "actionlint")
	shellcheck := tool(t, "ORDO_SHELLCHECK", "shellcheck")
	dir := gittest.New(t).Dir // actionlint looks for the repository's .github
	n := 0
	for path, content := range readmeFiles(t) {
		if strings.HasPrefix(path, ".github/workflows/") {
			writeFile(t, filepath.Join(dir, path), content, 0o644)
			n++
		}
	}
	cmd := exec.Command(actionlint, "-no-color", "-shellcheck", shellcheck)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("actionlint on the README's %d workflows: %v\n%s", n, err, out)
	}
}
