package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSIGTERMEndsOrdoCleanly runs the built binary against an API that
// never answers and sends SIGTERM, as a runner cancelling the job does:
// ordo stops at once and exits with its own code (3) and a message,
// instead of being killed by the signal.
func TestSIGTERMEndsOrdoCleanly(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "ordo")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	reached := make(chan struct{}, 1)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case reached <- struct{}{}:
		default:
		}
		<-r.Context().Done()
	}))
	defer api.Close()
	repo := filepath.Join(dir, "repo")
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", repo}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	git("init", "-q")
	if err := os.WriteFile(filepath.Join(repo, "ordo.yaml"), []byte("version: 1\nservices:\n  a: {paths: [a/**]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", ".")
	git("commit", "-qm", "init")
	cmd := exec.Command(bin, "status", "--all", "--sha", strings.Repeat("a", 40))
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "GITHUB_ACTIONS=true", "GITHUB_REPOSITORY=acme/shop", "GITHUB_TOKEN=t", "GITHUB_API_URL="+api.URL+"/api/v3", "GITHUB_EVENT_NAME=", "GITHUB_OUTPUT=", "GITHUB_STEP_SUMMARY=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-reached:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("ordo never reached the API\n%s", stderr.String())
	}
	start := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("ordo still ran 10s after SIGTERM")
	}
	if code := cmd.ProcessState.ExitCode(); code != 3 {
		t.Errorf("exit code %d (-1: killed by the signal), want 3\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "canceled") {
		t.Errorf("no message about the cancellation:\n%s", stderr.String())
	}
	t.Logf("stopped %v after SIGTERM", time.Since(start))
}
