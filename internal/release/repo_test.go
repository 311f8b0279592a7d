package release

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/git"
)

// testRepo is a real git repository in a temporary directory. Authors and
// dates are fixed, so the same steps always give the same SHAs.
type testRepo struct {
	tb    testing.TB
	dir   string
	clock int // seconds after the epoch below; advances with every commit
}

func newTestRepo(tb testing.TB) *testRepo {
	tb.Helper()
	r := &testRepo{tb: tb, dir: tb.TempDir()}
	r.git("-c", "init.defaultBranch=main", "init", "-q")
	// Compute and CreateTags run git with the process environment: the
	// identity they need for annotated tags lives in the repository.
	r.git("config", "user.name", "Ordo Test")
	r.git("config", "user.email", "test@ordo.invalid")
	return r
}

func (r *testRepo) repo() git.Repo { return git.Repo{Dir: r.dir} }

// git runs git with a clean configuration and fixed identity and dates.
func (r *testRepo) git(args ...string) string {
	r.tb.Helper()
	return r.gitIn(nil, args...)
}

func (r *testRepo) gitIn(stdin []byte, args ...string) string {
	r.tb.Helper()
	date := fmt.Sprintf("%d +0000", 1767225600+r.clock) // 2026-01-01
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Ordo Test", "GIT_AUTHOR_EMAIL=test@ordo.invalid", "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME=Ordo Test", "GIT_COMMITTER_EMAIL=test@ordo.invalid", "GIT_COMMITTER_DATE="+date,
	)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		r.tb.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(stdout.String())
}

// commit changes files and commits them with msg, returning the SHA. Each
// file is written with new content; "-path" deletes it and "old=>new"
// renames it. No files makes an empty commit.
func (r *testRepo) commit(msg string, files ...string) string {
	r.tb.Helper()
	r.clock += 60
	for _, f := range files {
		switch {
		case strings.HasPrefix(f, "-"):
			r.git("rm", "-q", "--", f[1:])
		case strings.Contains(f, "=>"):
			from, to, _ := strings.Cut(f, "=>")
			r.mkdir(to)
			r.git("mv", "--", from, to)
		default:
			r.mkdir(f)
			if err := os.WriteFile(filepath.Join(r.dir, f), fmt.Appendf(nil, "%d\n", r.clock), 0o644); err != nil {
				r.tb.Fatal(err)
			}
			r.git("add", "--", f)
		}
	}
	r.gitIn([]byte(msg), "commit", "-q", "--allow-empty", "--cleanup=verbatim", "-F", "-")
	return r.git("rev-parse", "HEAD")
}

func (r *testRepo) mkdir(file string) {
	r.tb.Helper()
	if err := os.MkdirAll(filepath.Join(r.dir, filepath.Dir(file)), 0o755); err != nil {
		r.tb.Fatal(err)
	}
}

// tag creates an annotated tag at HEAD (or at the given revision).
func (r *testRepo) tag(name string, at ...string) {
	r.tb.Helper()
	r.git(append([]string{"tag", "-a", "-m", name, name}, at...)...)
}

// lightTag creates a lightweight tag at HEAD.
func (r *testRepo) lightTag(name string) {
	r.tb.Helper()
	r.git("tag", name)
}

// merge merges branch into the current branch with a merge commit.
func (r *testRepo) merge(branch, msg string) string {
	r.tb.Helper()
	r.clock += 60
	r.git("merge", "-q", "--no-ff", "-m", msg, branch)
	return r.git("rev-parse", "HEAD")
}

func (r *testRepo) checkout(args ...string) {
	r.tb.Helper()
	r.git(append([]string{"checkout", "-q"}, args...)...)
}
