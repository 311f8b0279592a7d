package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ordo-ci/ordo/internal/ci"
)

// TestDotenvBudget holds the GitLab dotenv reports of plan and affected
// within GitLab's limits (5,120 bytes, 20 variables) for a realistic catalog
// of 25 services and for 1,000, every one affected, with long names and two
// with: keys each: only counts, booleans and the plan file's name go into
// the report. The lists stay in the plan file.
func TestDotenvBudget(t *testing.T) {
	t.Parallel()
	for _, n := range []int{25, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			var cat, change strings.Builder
			cat.WriteString("version: 1\nservices:\n")
			for i := range n {
				name := fmt.Sprintf("payments-settlement-reconciliation-%04d", i)
				fmt.Fprintf(&cat, "  %s:\n    paths: [services/%s/**]\n    with: {cluster: eu-central-1-production-cluster, region: europe-west-frankfurt}\n", name, name)
				if i > 0 {
					fmt.Fprintf(&cat, "    depends_on: [payments-settlement-reconciliation-%04d]\n", i-1)
				}
				fmt.Fprintf(&change, "services/%s/main.go\n", name)
			}
			write := func(name, text string) {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write("ordo.yaml", cat.String())
			write("change.txt", change.String())
			for _, command := range []string{"plan", "affected"} {
				dotenv := filepath.Join(dir, command+".env")
				args := []string{command, "-C", dir, "--config", filepath.Join(dir, "ordo.yaml"), "--files", filepath.Join(dir, "change.txt"),
					"--output", filepath.Join(dir, "out"), "--dotenv", dotenv}
				if command == "plan" {
					args = append(args, "--plan-file", filepath.Join(dir, "ordo-plan.json"))
				}
				var stdout, stderr bytes.Buffer
				getenv := func(k string) string { return map[string]string{"GITLAB_CI": "true"}[k] }
				if code := Run(context.Background(), args, IO{In: strings.NewReader(""), Out: &stdout, Err: &stderr}, getenv); code != 0 {
					t.Fatalf("ordo %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
				}
				env, err := os.ReadFile(dotenv)
				if err != nil {
					t.Fatal(err)
				}
				lines := strings.Split(strings.TrimSpace(string(env)), "\n")
				t.Logf("ordo %s: %d bytes, %d variables", command, len(env), len(lines))
				if len(env) > ci.MaxDotenvBytes || len(lines) > ci.MaxDotenvVariables {
					t.Errorf("ordo %s --dotenv: %d bytes and %d variables, GitLab takes at most %d and %d:\n%s",
						command, len(env), len(lines), ci.MaxDotenvBytes, ci.MaxDotenvVariables, env)
				}
				if command == "plan" && !bytes.Contains(env, []byte(fmt.Sprintf("ORDO_DEPLOY_COUNT=%d\n", n))) {
					t.Errorf("plan.env does not count the %d deployed services:\n%s", n, env)
				}
			}
		})
	}
}

// TestGitLabTemplateNewline sends --gitlab-template with a newline, which
// unquoted would add top-level keys to the child pipeline: ordo refuses it
// with exit 2 and writes nothing.
func TestGitLabTemplateNewline(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ordo.yaml"), []byte("version: 1\nservices:\n  api: {paths: [api/**]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "child.yml")
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"plan", "-C", dir, "--all", "--format", "gitlab", "--output", out,
		"--gitlab-template", ".ordo-deploy\nstages: [pwned]\nevil:\n  script: [id]"},
		IO{In: strings.NewReader(""), Out: &stdout, Err: &stderr}, func(string) string { return "" })
	if code != 2 || !strings.Contains(stderr.String(), "is not a hidden job's name") {
		t.Errorf("exit %d, want 2 with a message:\n%s", code, stderr.String())
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s was written", out)
	}
}

// TestGateLabelsOnGitLabBranchPipeline runs the gate in the branch pipeline
// after a merge, inside a freeze: the merge request that made the commit has
// the override label, which GitLab only gives merge request pipelines, so
// ordo reads it from the API with the job token. Without the label, or
// without a way to ask, the freeze holds.
func TestGateLabelsOnGitLabBranchPipeline(t *testing.T) {
	t.Parallel()
	const sha = "0123456789abcdef0123456789abcdef01234567"
	labels := []string{"ordo:override:policy.freeze"}
	var mu sync.Mutex
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("JOB-TOKEN") != "job-token" {
			t.Errorf("%s %s without the job token", r.Method, r.URL)
		}
		if r.Method != http.MethodGet || r.URL.Path != "/api/v4/projects/42/repository/commits/"+sha+"/merge_requests" {
			t.Errorf("unexpected %s %s", r.Method, r.URL)
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		json.NewEncoder(w).Encode([]map[string]any{
			{"iid": 12, "state": "merged", "target_branch": "main", "sha": "feedfeedfeedfeedfeedfeedfeedfeedfeedfeed", "merge_commit_sha": sha, "labels": labels},
		})
	}))
	defer api.Close()

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ordo.yaml"), []byte(`version: 1
services:
  api: {paths: [api/**]}
policy:
  freeze:
    - {name: year-end, from: 2026-12-20T00:00:00Z, to: 2027-01-04T00:00:00Z, services: ["*"]}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "change.txt"), []byte("api/main.go\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main", "CI_COMMIT_SHA": sha,
		"CI_PROJECT_ID": "42", "CI_API_V4_URL": api.URL + "/api/v4", "CI_JOB_TOKEN": "job-token",
	}
	gate := func(env map[string]string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := Run(context.Background(), []string{"gate", "-C", dir, "--files", filepath.Join(dir, "change.txt"), "--now", "2026-12-24T10:00:00Z"},
			IO{In: strings.NewReader(""), Out: &stdout, Err: &stderr}, func(k string) string { return env[k] })
		return code, stdout.String() + stderr.String()
	}
	if code, out := gate(env); code != 0 || !strings.Contains(out, "label ordo:override:policy.freeze on #12") {
		t.Errorf("with the label: exit %d, want 0 and the override from !12:\n%s", code, out)
	}
	mu.Lock()
	labels = []string{"bug"}
	mu.Unlock()
	if code, out := gate(env); code != 1 || !strings.Contains(out, "policy.freeze") {
		t.Errorf("without the label: exit %d, want 1 (freeze):\n%s", code, out)
	}
	delete(env, "CI_JOB_TOKEN")
	if code, out := gate(env); code != 1 || !strings.Contains(out, "no merge request labels") {
		t.Errorf("without a token: exit %d, want 1 and a warning:\n%s", code, out)
	}
}
