package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/ci/citest"
	"github.com/ordo-ci/ordo/internal/git/gittest"
)

// hostileFiles are file names a pull request adds to a service, each trying
// to become a workflow command, hide text or ping people.
var hostileFiles = map[string]string{
	"svc/x\n::warning title=ordo::INJECTED":                    "1",
	"svc/y\r::warning::INJECTED":                               "1",
	"svc/z ##[add-mask]INJECTED":                               "1",
	"svc/w\n  ::set-env name=A::INJECTED":                      "1",
	"svc/<!-- hidden @acme/team [x](https://evil.example) -->": "1",
}

func hostileRepo(t *testing.T) (dir, base, head string) {
	t.Helper()
	r := gittest.New(t)
	base = r.Commit("init", gittest.Files{
		"ordo.yaml":  "version: 1\nunowned: ignore\nservices:\n  svc:\n    paths: [svc/**]\n  other:\n    paths: [other/**]\n",
		"svc/a.go":   "package a",
		"other/b.go": "package b",
	})
	head = r.Commit("hostile", gittest.Files(hostileFiles))
	return r.Dir, base, head
}

// runInActions runs ordo as a step of GitHub Actions would, and returns its
// stdout and stderr.
func runInActions(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	tmp := t.TempDir()
	vars := map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_OUTPUT":       filepath.Join(tmp, "output"),
		"GITHUB_STEP_SUMMARY": filepath.Join(tmp, "summary"),
		"PATH":                os.Getenv("PATH"),
		"HOME":                os.Getenv("HOME"),
	}
	var out, errb bytes.Buffer
	code = Run(context.Background(), append([]string{"-C", dir}, args...), IO{In: strings.NewReader(""), Out: &out, Err: &errb}, func(k string) string { return vars[k] })
	return code, out.String(), errb.String()
}

// TestHostileNamesRunNoWorkflowCommand runs commands in GitHub Actions on a
// change that adds hostile file names, and reads stdout and stderr with the
// runner's rule: no line may be a workflow command except ordo's own.
func TestHostileNamesRunNoWorkflowCommand(t *testing.T) {
	t.Parallel()
	dir, base, head := hostileRepo(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		own  []string // prefixes of the commands ordo itself writes
	}{
		{"affected text", []string{"affected", "--base", base, "--head", head}, 0, nil},
		{"affected json", []string{"affected", "--base", base, "--head", head, "--format", "json"}, 0, nil},
		{"affected markdown", []string{"affected", "--base", base, "--head", head, "--format", "markdown"}, 0, nil},
		{"plan text", []string{"plan", "--base", base, "--head", head}, 0, nil},
		{"gate", []string{"gate", "--base", base, "--head", head}, 0, nil},
		{"hostile ref", []string{"affected", "--base", "x\n::warning::INJECTED ##[add-mask]INJECTED", "--head", head}, 2, []string{"::error::"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runInActions(t, dir, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			if strings.HasPrefix(tc.name, "affected") && !strings.Contains(stdout, "INJECTED") {
				t.Fatalf("the hostile names are not in the output at all:\n%s", stdout)
			}
			for _, c := range citest.Commands(stdout) {
				t.Errorf("stdout has a workflow command: %q", c)
			}
			cmds := citest.Commands(stderr)
			if len(cmds) != len(tc.own) {
				t.Errorf("stderr has commands %q, want only ordo's own %q", cmds, tc.own)
			}
			for i, c := range cmds {
				if i < len(tc.own) && !strings.HasPrefix(c, tc.own[i]) {
					t.Errorf("command %q is not ordo's %s", c, tc.own[i])
				}
			}
		})
	}
}
