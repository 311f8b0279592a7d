package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/exit"
)

// An interrupt (SIGINT/SIGTERM cancel the context in cmd/ordo) stops the
// measurements: ordo reports what it measured, records nothing for what
// had not finished, and exits 3.
func TestVerifyInterrupted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	catalog := `version: 1
environments: {staging: {}}
checks:
  up: {command: ["true"], count: 100, interval: 50ms}
verify: {checks: [up]}
services:
  api: {paths: [api/**]}
`
	rec := `{"env":"staging","service":"api","phase":"deploy","state":"success","sha":"1111111111111111111111111111111111111111","version":"1.0.0","release":"r1","wave":0,"time":"2026-03-01T10:00:00Z","url":""}` + "\n"
	for name, body := range map[string]string{"ordo.yaml": catalog, "rec.jsonl": rec} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	var out, errOut bytes.Buffer
	start := time.Now()
	code := Run(ctx, []string{"verify", "-C", dir, "--env", "staging", "--service", "api", "--record", filepath.Join(dir, "rec.jsonl"), "--format", "json"},
		IO{Out: &out, Err: &errOut}, func(string) string { return "" })
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %v: the interrupt did not stop the 5 s of measurements", took)
	}
	if code != exit.Env {
		t.Errorf("exit %d, want %d\n%s", code, exit.Env, errOut.String())
	}
	for _, want := range []string{`"interrupted": true`, `"passed": false`, `"state": "stopped"`, `"value": "exit 0"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %s:\n%s", want, out.String())
		}
	}
	if !strings.Contains(errOut.String(), "verify: interrupted") {
		t.Errorf("stderr does not say it was interrupted:\n%s", errOut.String())
	}
	data, _ := os.ReadFile(filepath.Join(dir, "rec.jsonl"))
	if string(data) != rec {
		t.Errorf("an unfinished service was recorded:\n%s", data)
	}
}
