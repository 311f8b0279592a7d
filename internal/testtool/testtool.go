// Package testtool finds the outside programs that some tests drive (act,
// gitlab-ci-local, Nx, Prometheus, Chromium, ...). There is one rule for all
// of them: a missing tool skips the test on a developer's machine, and fails
// it when ORDO_REQUIRE_TOOLS=1, as .ci/run sets, so CI never passes by
// skipping. Every skip says what is missing and how to get it; `make test`
// lists the skips at its end.
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// Required reports whether missing tools fail tests (ORDO_REQUIRE_TOOLS=1).
func Required() bool { return os.Getenv("ORDO_REQUIRE_TOOLS") == "1" }

// Missing skips the test with the reason, or fails it when tools are required.
func Missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if Required() {
		tb.Fatalf(format+" (ORDO_REQUIRE_TOOLS=1: .ci/run installs it)", args...)
	}
	tb.Skipf(format, args...)
}

// Find returns the path of a tool: the one named by the environment variable
// env if set, else name looked up on PATH. A tool that cannot be found is
// Missing.
func Find(tb testing.TB, env, name string) string {
	tb.Helper()
	path := name
	if env != "" && os.Getenv(env) != "" {
		path = os.Getenv(env)
	}
	found, err := exec.LookPath(path)
	if err != nil {
		if env != "" {
			Missing(tb, "%s not found (set %s or put it on PATH): %v", name, env, err)
		} else {
			Missing(tb, "%s not found on PATH: %v", name, err)
		}
	}
	return found
}
