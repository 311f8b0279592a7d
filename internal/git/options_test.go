package git

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/git/gittest"
)

// TestUserRefsAreNeverOptions: a ref or SHA from a CI event or the command
// line that starts with "-" reaches git after --end-of-options, so git does
// not run a program it names.
func TestUserRefsAreNeverOptions(t *testing.T) {
	t.Parallel()
	src := gittest.New(t)
	src.Commit("init", gittest.Files{"a": "1"})
	clone := gittest.Clone(t, src)
	pwned := filepath.Join(t.TempDir(), "pwned")
	evil := "--upload-pack=touch " + pwned + ";git-upload-pack"
	repo := Repo{Dir: clone.Dir}
	ctx := context.Background()
	if err := repo.Fetch(ctx, "--no-tags", "origin", evil); err == nil {
		t.Errorf("fetching %q succeeded", evil)
	}
	if _, err := repo.Tags(ctx, "--points-at=HEAD"); err == nil {
		t.Errorf("Tags took an option for a revision")
	}
	if _, _, err := repo.Show(ctx, "--output="+pwned, "a"); err == nil {
		t.Errorf("Show took an option for a revision")
	}
	if _, err := os.Stat(pwned); err == nil {
		t.Fatalf("git ran a command from a ref")
	}
	if err := repo.Fetch(ctx, "--no-tags", "origin"); err != nil {
		t.Errorf("a plain fetch failed: %v", err)
	}
}

// TestErrorQuotesArguments: an argument with a line break or a space shows
// quoted in git's error, on one line.
func TestErrorQuotesArguments(t *testing.T) {
	t.Parallel()
	e := &Error{Args: []string{"rev-parse", "--verify", "x\n::warning::INJECTED", "a b"}, Stderr: "bad"}
	if got := e.Error(); strings.Contains(got, "\n") || !strings.Contains(got, `"x\n::warning::INJECTED" "a b"`) {
		t.Errorf("Error() = %q", got)
	}
}

// TestCancelledGitDoesNotHang: when ctx ends, git is killed; a process it
// started that still holds its output open (an ssh, a credential helper)
// must not keep Run waiting. Not parallel: it replaces git on PATH.
func TestCancelledGitDoesNotHang(t *testing.T) {
	bin := t.TempDir()
	script := "#!/bin/sh\nsleep 30 &\nsleep 30\n"
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	old := WaitDelay
	WaitDelay = 200 * time.Millisecond
	t.Cleanup(func() { WaitDelay = old })
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := (Repo{Dir: t.TempDir()}).Run(ctx, "fetch"); err == nil {
		t.Error("a killed git succeeded")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Run returned %v after ctx ended", d)
	}
}
