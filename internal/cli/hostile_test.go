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

// TestHostileTextInMarkdown writes the step summary, and the notes, of a
// change whose file names and commit subjects carry Markdown and HTML: no
// comment, tag, mention or link of theirs reaches the Markdown.
func TestHostileTextInMarkdown(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	base := r.Commit("chore: init", gittest.Files{
		"ordo.yaml": "version: 1\nservices:\n  svc:\n    paths: [svc/**]\n",
		"svc/a.go":  "package a",
	})
	r.Tag("svc/v1.0.0")
	r.Commit("feat: hi <!-- hidden --> @acme/team [click](https://evil.example) <img src=x>\r::warning::INJECTED", gittest.Files(hostileFiles))
	head := r.Commit("fix(<b>x</b>): www.evil.example\n\nBREAKING CHANGE: <!-- @bob\nTrailer: <script>", gittest.Files{"svc/b.go": "package b"})
	for _, args := range [][]string{
		{"affected", "--base", base, "--head", head, "--format", "markdown"},
		{"notes", "--format", "markdown"},
		{"versions"},
	} {
		t.Run(args[0], func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			summary := filepath.Join(tmp, "summary")
			vars := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary, "PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME")}
			var out, errb bytes.Buffer
			if code := Run(context.Background(), append([]string{"-C", r.Dir}, args...), IO{In: strings.NewReader(""), Out: &out, Err: &errb}, func(k string) string { return vars[k] }); code != 0 {
				t.Fatalf("exit %d\n%s", code, errb.String())
			}
			sum, err := os.ReadFile(summary)
			if err != nil {
				t.Fatal(err)
			}
			for name, doc := range map[string]string{"stdout": out.String(), "summary": string(sum)} {
				if args[0] != "versions" && !strings.Contains(doc, "evil") {
					t.Errorf("%s: the hostile text is not there at all:\n%s", name, doc)
				}
				for _, bad := range []string{"<!--", "<img", "<b>", "<script", "@acme", "@bob", "](https://evil", "https://evil", "www.evil", "\r"} {
					if strings.Contains(doc, bad) {
						t.Errorf("%s holds %q:\n%s", name, bad, doc)
					}
				}
			}
		})
	}
}

// TestGateReadsHeadSpecAtTheHeadCommit: on a pull_request event the
// checkout is not the head commit (GitHub checks out a merge commit; here a
// third commit with a breaking spec); the gate compares the spec at base
// with the spec at head, both from git.
func TestGateReadsHeadSpecAtTheHeadCommit(t *testing.T) {
	t.Parallel()
	const spec = "openapi: 3.0.3\ninfo: {title: users, version: 1.0.0}\npaths:\n  /users:\n    get:\n      responses:\n        \"200\": {description: ok}\n"
	const more = "  /users/{id}:\n    get:\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n      responses:\n        \"200\": {description: ok}\n"
	cat := "version: 1\nservices:\n  users-api:\n    paths: [users/**]\n    provides: {users: 1.0.0}\ncontracts:\n  users: {spec: users/openapi.yaml}\n"
	r := gittest.New(t)
	base := r.Commit("init", gittest.Files{"ordo.yaml": cat, "users/openapi.yaml": spec + more})
	head := r.Commit("compatible", gittest.Files{"users/openapi.yaml": spec + more + "  /health:\n    get:\n      responses:\n        \"200\": {description: ok}\n"})
	r.Checkout(base)
	r.Commit("breaking, elsewhere", gittest.Files{"users/openapi.yaml": spec})
	event := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(event, []byte(`{"number":3,"pull_request":{"number":3,"base":{"sha":"`+base+`","ref":"main"},"head":{"sha":"`+head+`","ref":"x"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event, "PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME")}
	var out, errb bytes.Buffer
	code := Run(context.Background(), []string{"-C", r.Dir, "gate", "--format", "json"}, IO{In: strings.NewReader(""), Out: &out, Err: &errb}, func(k string) string { return vars[k] })
	if code != 0 || !strings.Contains(out.String(), `"passed": true`) {
		t.Errorf("exit %d: the gate compared the checkout, not the head commit\n%s\n%s", code, out.String(), errb.String())
	}
}
