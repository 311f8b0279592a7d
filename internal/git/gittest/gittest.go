// Package gittest builds real git repositories for tests. ordo's answers
// depend on what git itself says about renames, shallow clones and tags, so
// tests run the real git on repositories described in a few lines of Go
// rather than mocking it.
//
//	r := gittest.New(t)
//	base := r.Commit("init", gittest.Files{"a.txt": "1", "b.txt": "2"})
//	r.Branch("feature")
//	head := r.Commit("change", gittest.Remove{"a.txt"}, gittest.Move{"b.txt": "c.txt"})
//	r.Tag("v1.0.0")
package gittest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Main runs the tests of a package with git cut off from the user's and the
// system's configuration, so that results do not depend on the machine. Call it
// from TestMain; it must run before any test starts because it sets the
// environment of the whole process.
func Main(m *testing.M) {
	for k, v := range hermeticEnv {
		os.Setenv(k, v)
	}
	os.Exit(m.Run())
}

var hermeticEnv = map[string]string{
	"GIT_CONFIG_GLOBAL":   os.DevNull,
	"GIT_CONFIG_NOSYSTEM": "1",
	"GIT_AUTHOR_NAME":     "ordo test",
	"GIT_AUTHOR_EMAIL":    "test@ordo.invalid",
	"GIT_COMMITTER_NAME":  "ordo test",
	"GIT_COMMITTER_EMAIL": "test@ordo.invalid",
}

// epoch is the date of a repository's first commit; each commit and tag is a
// minute later than the one before, so that hashes are reproducible and
// dates order like the history.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Repo is a repository in a test's temporary directory.
type Repo struct {
	TB  testing.TB
	Dir string

	clock int
}

// New returns an empty repository whose branch is main.
func New(tb testing.TB) *Repo {
	tb.Helper()
	r := &Repo{TB: tb, Dir: tb.TempDir()}
	r.Git("-c", "init.defaultBranch=main", "init", "--quiet")
	return r
}

// Clone clones src with extra clone arguments (such as "--depth=1") through a
// file:// URL, which, unlike a plain path, makes git honour --depth.
func Clone(tb testing.TB, src *Repo, args ...string) *Repo {
	tb.Helper()
	r := &Repo{TB: tb, Dir: tb.TempDir()}
	args = append(append([]string{"clone", "--quiet"}, args...), "file://"+filepath.ToSlash(src.Dir), r.Dir)
	r.run("", args...)
	return r
}

// Git runs git in the repository, fails the test if it fails, and returns its
// output without the surrounding white space.
func (r *Repo) Git(args ...string) string {
	r.TB.Helper()
	return strings.TrimSpace(r.run(r.Dir, args...))
}

func (r *Repo) run(dir string, args ...string) string {
	r.TB.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	date := epoch.Add(time.Duration(r.clock) * time.Minute).Format(time.RFC3339)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
	for k, v := range hermeticEnv {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		r.TB.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// Op is one change to the working tree that Commit records.
type Op interface {
	apply(r *Repo)
}

// Files writes files (path -> content), creating directories as needed.
type Files map[string]string

// Remove deletes files.
type Remove []string

// Move renames files (old path -> new path).
type Move map[string]string

func (f Files) apply(r *Repo) {
	r.TB.Helper()
	for _, name := range sortedKeys(f) {
		p := filepath.Join(r.Dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.TB.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f[name]), 0o644); err != nil {
			r.TB.Fatal(err)
		}
	}
}

func (rm Remove) apply(r *Repo) {
	r.TB.Helper()
	for _, name := range rm {
		r.Git("rm", "--quiet", "--", name)
	}
}

func (m Move) apply(r *Repo) {
	r.TB.Helper()
	for _, from := range sortedKeys(m) {
		to := m[from]
		if err := os.MkdirAll(filepath.Dir(filepath.Join(r.Dir, filepath.FromSlash(to))), 0o755); err != nil {
			r.TB.Fatal(err)
		}
		r.Git("mv", "--", from, to)
	}
}

// Commit applies ops, commits everything with message msg and returns the
// new commit's SHA. With no ops it records an empty commit.
func (r *Repo) Commit(msg string, ops ...Op) string {
	r.TB.Helper()
	for _, op := range ops {
		op.apply(r)
	}
	r.clock++
	r.Git("add", "--all")
	r.Git("commit", "--quiet", "--allow-empty", "--no-verify", "-m", msg)
	return r.Git("rev-parse", "HEAD")
}

// Tag creates a lightweight tag at HEAD.
func (r *Repo) Tag(name string) {
	r.TB.Helper()
	r.Git("tag", name)
}

// AnnotatedTag creates an annotated tag at HEAD, dated after the last commit.
func (r *Repo) AnnotatedTag(name string) {
	r.TB.Helper()
	r.clock++
	r.Git("tag", "-a", "-m", "release "+name, name)
}

// Branch creates a branch at HEAD and switches to it.
func (r *Repo) Branch(name string) {
	r.TB.Helper()
	r.Git("checkout", "--quiet", "-b", name)
}

// Checkout switches to a branch or detaches HEAD at a commit.
func (r *Repo) Checkout(rev string) {
	r.TB.Helper()
	r.Git("checkout", "--quiet", rev)
}

// Merge merges rev into the current branch with a merge commit and returns it.
func (r *Repo) Merge(rev string) string {
	r.TB.Helper()
	r.clock++
	r.Git("merge", "--quiet", "--no-ff", "-m", "merge "+rev, rev)
	return r.Git("rev-parse", "HEAD")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
