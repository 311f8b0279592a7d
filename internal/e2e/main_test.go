package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/testtool"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// root is the repository's top directory: the tests read the actions,
// templates and workflows from it and build ordo from its sources.
var root = func() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return filepath.Join(wd, "..", "..")
}()

// tool finds an external tool: the path in env, else name on PATH (see
// testtool for what happens without it).
func tool(tb testing.TB, env, name string) string {
	tb.Helper()
	return testtool.Find(tb, env, name)
}

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// ordoBinary builds ordo from this checkout once per test run and returns
// its path.
func ordoBinary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "ordo-e2e-bin-")
		if buildErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(buildDir, "ordo"), "./cmd/ordo")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("%v\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatalf("build ordo: %v", buildErr)
	}
	return filepath.Join(buildDir, "ordo")
}

// result is what a command did.
type result struct {
	out  string // stdout and stderr, interleaved as printed
	code int
}

// run runs a command in dir with env added to the test's environment,
// within a time limit. The CI context the tests may themselves run in
// (GitHub Actions, GitLab CI) and ordo's own settings are left out, so that
// ordo, act and gitlab-ci-local see only the CI the test sets up.
func run(tb testing.TB, dir string, env []string, timeout time.Duration, name string, args ...string) result {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(hostEnv(), env...)
	cmd.Stdin = nil
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	if ctx.Err() != nil {
		tb.Fatalf("%s %s: timed out after %s\n%s", name, strings.Join(args, " "), timeout, out.String())
	}
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			tb.Fatalf("%s: %v", name, err)
		}
		code = ee.ExitCode()
	}
	return result{out: out.String(), code: code}
}

// hostEnv is the test's environment without CI and ordo variables.
func hostEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "CI" || k == "GITLAB_CI" {
			continue
		}
		if slices.ContainsFunc([]string{"GITHUB_", "RUNNER_", "ACTIONS_", "CI_", "ORDO_"}, func(p string) bool { return strings.HasPrefix(k, p) }) {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// plan is the part of `ordo plan --format json` the tests check against.
type plan struct {
	Deploy []string `json:"deploy"`
	Jobs   []struct {
		Service string   `json:"service"`
		Wave    int      `json:"wave"`
		After   []string `json:"after"`
	} `json:"jobs"`
}

// ordoPlan asks ordo for the plan of base..head in repo.
func ordoPlan(tb testing.TB, repo, base, head string) plan {
	tb.Helper()
	r := run(tb, repo, nil, time.Minute, ordoBinary(tb), "plan", "--base", base, "--head", head, "--format", "json")
	if r.code != 0 {
		tb.Fatalf("ordo plan: exit %d\n%s", r.code, r.out)
	}
	var p plan
	if err := json.Unmarshal([]byte(r.out), &p); err != nil {
		tb.Fatalf("ordo plan: %v\n%s", err, r.out)
	}
	return p
}

// runnerOS and runnerArch are GitHub's names (RUNNER_OS, RUNNER_ARCH) for
// this machine.
func runnerOS() string {
	return map[string]string{"linux": "Linux", "darwin": "macOS", "windows": "Windows"}[runtime.GOOS]
}

func runnerArch() string {
	return map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
}

func writeFile(tb testing.TB, path, content string, mode os.FileMode) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		tb.Fatal(err)
	}
}

func readFile(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
