package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDeployAction runs the step of actions/deploy with an ordo that logs
// its calls: in_progress is recorded before the user's command, success or
// failure after it (the command's exit code kept), the command gets the job
// in ORDO_* variables (ordo's own winning over a with: key of the same
// name) but not the token, and a job without sha and version, or a bad
// input, stops before anything is recorded.
func TestDeployAction(t *testing.T) {
	tool(t, "", "jq")
	const sha = "0123456789abcdef0123456789abcdef01234567"
	job := `{"service":"api","wave":2,"kind":"service","critical":false,"changed":true,` +
		`"with":{"cluster":"eu-1","note":"x\nEOF","service":"not-api","ünï":"u"},"sha":"` + sha + `","version":"1.2.0"}`
	tests := []struct {
		name, job, run, env string
		code                int
		calls               []string // ordo's arguments, then "run" where the command ran
		out                 string
	}{
		{
			name: "success", job: job, env: "production",
			run: `echo "run $ORDO_ENV $ORDO_SERVICE $ORDO_WAVE $ORDO_SHA $ORDO_VERSION $ORDO_RELEASE $ORDO_CLUSTER $ORDO__N_ token=${GITHUB_TOKEN:-}${ORDO_INPUT_TOKEN:-}" >>"$LOG"; printf '%s' "$ORDO_NOTE" | wc -l >>"$LOG"`,
			calls: []string{
				"env record --env production --service api --wave 2 --sha " + sha + " --version 1.2.0 --state in_progress --mirror=true --release r-1 token=s3cret",
				"run production api 2 " + sha + " 1.2.0 r-1 eu-1 u token=",
				"1",
				"env record --env production --service api --wave 2 --sha " + sha + " --version 1.2.0 --state success --mirror=true --release r-1 token=s3cret",
			},
		},
		{
			name: "failure", job: job, env: "production", run: `echo run >>"$LOG"; exit 7`, code: 7,
			calls: []string{
				"env record --env production --service api --wave 2 --sha " + sha + " --version 1.2.0 --state in_progress --mirror=true --release r-1 token=s3cret",
				"run",
				"env record --env production --service api --wave 2 --sha " + sha + " --version 1.2.0 --state failure --mirror=true --release r-1 token=s3cret",
			},
			out: "deploying api to production failed (exit 7)",
		},
		{
			name: "a plan without environment", job: `{"service":"api","wave":0,"with":{}}`, env: "production", run: "true", code: 2,
			out: "has no sha and version: plan with the plan action's environment input",
		},
		{name: "not JSON", job: "api", env: "production", run: "true", code: 2, out: "is not a matrix entry as JSON"},
		{name: "bad environment", job: job, env: "Prod uction", run: "true", code: 2, out: `input environment: "Prod uction" is not an environment name`},
		{name: "no command", job: job, env: "production", code: 2, out: "input run: is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			log := filepath.Join(dir, "log")
			stub := filepath.Join(dir, "ordo")
			writeFile(t, stub, fmt.Sprintf("#!/bin/sh\necho \"$* token=$GITHUB_TOKEN\" >>%q\n", log), 0o755)
			r := run(t, dir, []string{
				"ORDO=" + stub, "LOG=" + log, "GITHUB_TOKEN=",
				"ORDO_INPUT_ENVIRONMENT=" + tt.env, "ORDO_INPUT_JOB=" + tt.job, "ORDO_INPUT_RUN=" + tt.run,
				"ORDO_INPUT_RELEASE=r-1", "ORDO_INPUT_MIRROR=true", "ORDO_INPUT_TOKEN=s3cret", "ORDO_INPUT_WORKING_DIRECTORY=.",
			}, time.Minute, "bash", filepath.Join(root, "actions", "deploy", "deploy.sh"))
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, tt.code, r.out)
			}
			if !strings.Contains(r.out, tt.out) {
				t.Errorf("output lacks %q:\n%s", tt.out, r.out)
			}
			b, _ := os.ReadFile(log)
			var got []string
			if s := strings.TrimSpace(string(b)); s != "" {
				got = strings.Split(s, "\n")
			}
			for i := range got {
				got[i] = strings.TrimSpace(got[i])
			}
			if strings.Join(got, "\n") != strings.Join(tt.calls, "\n") {
				t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.calls, "\n"))
			}
		})
	}
}
