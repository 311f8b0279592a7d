package record

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git/gittest"
)

func mainGit(m *testing.M) { gittest.Main(m) }

// bare returns a bare repository to serve as the remote.
func bare(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	gitIn(tb, dir, "init", "--quiet", "--bare")
	return dir
}

// clone clones remote (a bare repository, possibly empty) and returns the
// clone's git store.
func clone(tb testing.TB, remote string) *Git {
	tb.Helper()
	dir := tb.TempDir()
	gitIn(tb, "", "clone", "--quiet", remote, dir)
	g, err := NewGit(context.Background(), dir, GitOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	if g.Remote != "origin" {
		tb.Fatalf("Remote = %q, want origin", g.Remote)
	}
	return g
}

func gitIn(tb testing.TB, dir string, args ...string) string {
	tb.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// The layout is public: one ref per (env, service), a chain of commits by
// ordo holding record.jsonl.
func TestGitRemote(t *testing.T) {
	t.Parallel()
	remote := bare(t)
	a := clone(t, remote)
	mustAppend(t, a, entry("api", PhaseDeploy, StateInProgress, sha1))
	mustAppend(t, a, entry("api", PhaseDeploy, StateSuccess, sha1))
	mustAppend(t, a, entry("web", PhaseDeploy, StateSuccess, sha2))
	prod := entry("api", PhaseDeploy, StateSuccess, sha3)
	prod.Env = "production"
	mustAppend(t, clone(t, remote), prod)
	refs := gitIn(t, remote, "for-each-ref", "--format=%(refname)")
	if refs != "refs/ordo/record/production/api\nrefs/ordo/record/staging/api\nrefs/ordo/record/staging/web" {
		t.Fatalf("remote refs:\n%s", refs)
	}
	if n := gitIn(t, remote, "rev-list", "--count", "refs/ordo/record/staging/api"); n != "2" {
		t.Errorf("staging/api has %s commits, want 2", n)
	}
	who := gitIn(t, remote, "log", "-1", "--format=%an <%ae>|%cn <%ce>", "refs/ordo/record/staging/api")
	if who != "ordo <ordo@localhost>|ordo <ordo@localhost>" {
		t.Errorf("record commits by %q", who)
	}
	if files := gitIn(t, remote, "ls-tree", "--name-only", "refs/ordo/record/staging/api"); files != "record.jsonl" {
		t.Errorf("tree holds %q", files)
	}
}

func TestGitLocal(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	g := localGit(t, r.Dir, GitOptions{Prefix: "refs/heads/ordo-record/"})
	mustAppend(t, g, entry("api", PhaseDeploy, StateSuccess, sha1))
	mustAppend(t, g, entry("api", PhaseVerify, StateVerified, sha1))
	got := mustRead(t, g, "staging")
	if len(got["api"]) != 2 || !VerifiedAt(got["api"], sha1) {
		t.Fatalf("read back %+v", got)
	}
	if out := r.Git("rev-parse", "--verify", "refs/heads/ordo-record/staging/api"); len(out) != 40 {
		t.Fatalf("ref_prefix not honoured: %q", out)
	}
}

func TestGitPushRefused(t *testing.T) {
	t.Parallel()
	remote := bare(t)
	hook := filepath.Join(remote, "hooks", "pre-receive")
	// What GitHub says to a GITHUB_TOKEN without contents: write.
	script := "#!/bin/sh\necho 'Permission to o/r.git denied to github-actions[bot].' >&2\nexit 1\n"
	if err := os.WriteFile(hook, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	err := clone(t, remote).Append(context.Background(), entry("api", PhaseDeploy, StateSuccess, sha1))
	if err == nil || !strings.Contains(err.Error(), "permissions: contents: write") || !strings.Contains(err.Error(), "ORDO_GIT_TOKEN") {
		t.Fatalf("Append = %v, want the permissions to grant", err)
	}
	if exit.Code(err) != exit.Env {
		t.Errorf("exit code %d, want %d", exit.Code(err), exit.Env)
	}
}

func TestGitStaleLocalRef(t *testing.T) {
	t.Parallel()
	remote := bare(t)
	a := clone(t, remote)
	mustAppend(t, a, entry("api", PhaseDeploy, StateSuccess, sha1))
	// The remote loses the ref (someone deleted it); the clone's copy is stale.
	gitIn(t, remote, "update-ref", "-d", "refs/ordo/record/staging/api")
	mustAppend(t, a, entry("api", PhaseDeploy, StateSuccess, sha2))
	got := mustRead(t, a, "staging")["api"]
	if len(got) != 1 || got[0].SHA != sha2 {
		t.Fatalf("after the remote dropped the ref: %+v", got)
	}
	// Read prunes local refs the remote no longer has.
	gitIn(t, remote, "update-ref", "-d", "refs/ordo/record/staging/api")
	if got := mustRead(t, a, "staging"); len(got) != 0 {
		t.Fatalf("a deleted ref still reads as %+v", got)
	}
}

func TestGitCorruptRecord(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, content, want string }{
		{"not json", "{oops\n", "refs/ordo/record/staging/api:record.jsonl:1: not a record entry"},
		{"another service's entry", `{"env":"staging","service":"web","phase":"deploy","state":"success","sha":"` + sha1 + `","time":"2026-03-01T10:00:00Z"}` + "\n",
			"refs/ordo/record/staging/api:record.jsonl:1: entry for staging/web in the ref of staging/api"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := gittest.New(t)
			g := localGit(t, r.Dir, GitOptions{})
			c, err := g.commit(context.Background(), "", []byte(tt.content), entry("api", PhaseDeploy, StateSuccess, sha1))
			if err != nil {
				t.Fatal(err)
			}
			r.Git("update-ref", "refs/ordo/record/staging/api", c)
			_, err = g.Read(context.Background(), "staging")
			if err == nil || !strings.Contains(err.Error(), tt.want) || exit.Code(err) != exit.Env {
				t.Fatalf("Read = %v (exit %d), want exit 3 containing %q", err, exit.Code(err), tt.want)
			}
		})
	}
}

func TestGitBadPrefix(t *testing.T) {
	t.Parallel()
	_, err := NewGit(context.Background(), t.TempDir(), GitOptions{Prefix: "ordo/"})
	if exit.Code(err) != exit.BadInput {
		t.Fatalf("NewGit with a bad prefix = %v", err)
	}
}

// BenchmarkGitRead reads a 500-service environment from a clone: one fetch,
// one for-each-ref, one cat-file.
func BenchmarkGitRead(b *testing.B) {
	const services = 500
	remote := bare(b)
	seed(b, remote, "production", services, 20)
	g := clone(b, remote)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		got, err := g.Read(context.Background(), "production")
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != services {
			b.Fatalf("read %d services, want %d", len(got), services)
		}
		if d := time.Since(start); d > time.Second {
			b.Fatalf("reading %d services took %v, want well under a second", services, d)
		}
	}
}

// seed writes, with one git fast-import, services refs of n entries each.
func seed(tb testing.TB, dir, env string, services, n int) {
	tb.Helper()
	var s strings.Builder
	for i := range services {
		var content strings.Builder
		for j := range n {
			e := entry(fmt.Sprintf("svc-%03d", i), PhaseDeploy, StateSuccess, sha1)
			e.Env, e.Version = env, fmt.Sprintf("1.%d.0", j)
			line, _ := jsonLine(e)
			content.Write(line)
		}
		fmt.Fprintf(&s, "commit refs/ordo/record/%s/svc-%03d\ncommitter ordo <ordo@localhost> 1767225600 +0000\ndata 4\nseed\nM 100644 inline record.jsonl\ndata %d\n%s\n",
			env, i, content.Len(), content.String())
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(s.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("fast-import: %v\n%s", err, out)
	}
}
