package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ordo-ci/ordo/internal/git/gittest"
)

// The GitLab side of TestActReleaseWorkflow: the plan component with
// environment, the flags file and a Slack webhook variable.
const gitlabReleaseCI = `variables:
  ORDO_RECORD: %[1]s/record.jsonl
include:
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/plan@$CI_COMMIT_SHA
    inputs:
      environment: staging
      flags_file: flags/staging.json
      slack_webhook_variable: SLACK_HOOK
`

const gitlabReleaseDeploy = `.ordo-deploy:
  variables:
    ORDO_RECORD: %[1]s/record.jsonl
    DEPLOY_LOG: %[1]s/deploy.log
  script:
    - echo "deploy $ORDO_SERVICE wave=$ORDO_WAVE rollback=${ORDO_ROLLBACK:-false} sha=$ORDO_SHA version=$ORDO_VERSION" >> "$DEPLOY_LOG"
`

// TestGitLabReleaseRollback runs the plan component with environment:
// staging under gitlab-ci-local on the release fixture (db; api and worker;
// web), with the record in a file: a healthy release deploys and verifies
// every wave in order; with api's health endpoint failing, the verify job
// of wave 1 fails, web never deploys, and the rollback jobs (when:
// on_failure) redeploy wave 1 and then wave 0 at the commit that ran
// before, in their resource_groups, as the deploy log and the record show.
// gitlab-ci-local exits 0 when a child pipeline's job fails, so the test
// reads the FAIL lines.
func TestGitLabReleaseRollback(t *testing.T) {
	tool(t, "ORDO_GITLAB_CI_LOCAL", "gitlab-ci-local")
	var mu sync.Mutex
	down := map[string]bool{}
	var slack []string
	health := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer tok-e2e" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if down[strings.TrimPrefix(r.URL.Path, "/")] {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, `{"status": "ok"}`)
	}))
	t.Cleanup(health.Close)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		slack = append(slack, string(b))
		mu.Unlock()
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(hook.Close)

	// The record and the deploy log: paths in the YAML, since
	// gitlab-ci-local turns a CI/CD variable that looks like a path into a
	// file variable (a copy).
	dir := t.TempDir()
	rec, log := filepath.Join(dir, "record.jsonl"), filepath.Join(dir, "deploy.log")
	files := gittest.Files{
		"ordo.yaml":               releaseCatalog,
		".gitlab-ci.yml":          fmt.Sprintf(gitlabReleaseCI, dir),
		".gitlab/ordo-deploy.yml": fmt.Sprintf(gitlabReleaseDeploy, dir),
		".gitignore":              ".gitlab-ci-local/\n.gitlab-ci-local-variables.yml\nflags/\n",
		"db/0001.sql":             "create table t (id int);\n",
		"api/main.go":             "package main\n",
		"worker/main.go":          "package main\n",
		"web/index.html":          "<p>web</p>\n",
	}
	for _, name := range []string{"plan.yml"} {
		files["templates/"+name] = readFile(t, filepath.Join(root, "templates", name))
	}
	repo := &monorepo{Repo: gittest.New(t)}
	repo.Git("remote", "add", "gcl-origin", "git@gitlab.com:acme/shop.git")
	repo.init = repo.Commit("init", files)
	repo.change = repo.Commit("feat: everything", gittest.Files{
		"db/0002.sql": "alter table t add column x int;\n", "api/main.go": "package main // 2\n",
		"worker/main.go": "package main // 2\n", "web/index.html": "<p>web 2</p>\n",
	})
	change := repo.change

	pipeline := func(t *testing.T) (result, []string, []map[string]any, []string) {
		t.Helper()
		os.Remove(log)
		var seed strings.Builder
		for _, s := range []string{"db", "api", "worker", "web"} {
			fmt.Fprintf(&seed, `{"env":"staging","service":%q,"phase":"deploy","state":"success","sha":%q,"version":"0.0.9","release":"r0","wave":null,"time":"2026-01-01T00:00:00Z","url":""}`+"\n", s, repo.init)
		}
		writeFile(t, rec, seed.String(), 0o644)
		os.RemoveAll(filepath.Join(repo.Dir, ".gitlab-ci-local"))
		// As the project's CI/CD variables: the child pipelines get them too
		// (gitlab-ci-local's --variable reaches the parent pipeline alone).
		vars := fmt.Sprintf("HEALTH_URL: %q\nHEALTH_TOKEN: tok-e2e\nSLACK_HOOK: %q\n", health.URL, hook.URL+"/services/T0/B0/x")
		writeFile(t, filepath.Join(repo.Dir, ".gitlab-ci-local-variables.yml"), vars, 0o644)
		r := gitlabCILocal(t, repo, repo.init)
		deploys, _ := os.ReadFile(log)
		mu.Lock()
		msgs := slack
		slack = nil
		mu.Unlock()
		return r, strings.Split(strings.TrimSpace(string(deploys)), "\n"), readRecord(t, rec), msgs
	}
	failed := regexp.MustCompile(`(?m)^\s*FAIL\s+.*$`)

	t.Run("healthy", func(t *testing.T) {
		r, deploys, entries, msgs := pipeline(t)
		if r.code != 0 || failed.MatchString(r.out) {
			t.Fatalf("gitlab-ci-local: exit %d, %v\n%s", r.code, failed.FindAllString(r.out, -1), r.out)
		}
		if len(deploys) != 4 || !strings.HasPrefix(deploys[0], "deploy db wave=0 rollback=false sha="+change) ||
			!strings.HasPrefix(deploys[3], "deploy web wave=2 rollback=false") {
			t.Errorf("deploys, in order:\n%s", strings.Join(deploys, "\n"))
		}
		for _, s := range []string{"db", "api", "worker", "web"} {
			if !hasEntry(entries, s, "verify", "verified", change) || !hasEntry(entries, s, "deploy", "success", change) {
				t.Errorf("%s is not deployed and verified at head in the record", s)
			}
		}
		for _, job := range []string{"ordo-rollback-plan", "ordo-rollback"} {
			if regexp.MustCompile(`(?m)PASS\s+.*` + regexp.QuoteMeta(job) + `\b`).MatchString(r.out) {
				t.Errorf("%s ran in a healthy release (when: on_failure)", job)
			}
		}
		// ordo-report (when: always, in the last stage) is not run:
		// gitlab-ci-local waits for every job of the earlier stages to
		// finish, and the rollback jobs never start; GitLab skips them.
		// internal/plan's golden tests hold the job.
		if len(msgs) != 1 {
			t.Errorf("Slack messages: %d, want 1 (the release starts)", len(msgs))
		}
		if flags := readFile(t, filepath.Join(repo.Dir, "flags", "staging.json")); flagState(t, flags) != "on" {
			t.Errorf("the flags file after the last wave: new-schema is not on:\n%s", flags)
		}
	})

	t.Run("api unhealthy", func(t *testing.T) {
		mu.Lock()
		down["api"] = true
		mu.Unlock()
		r, deploys, entries, msgs := pipeline(t)
		fails := failed.FindAllString(r.out, -1)
		if len(fails) == 0 || !strings.Contains(strings.Join(fails, "\n"), "verify:wave-1") {
			t.Fatalf("gitlab-ci-local: verify:wave-1 should fail: FAIL lines %v\n%s", fails, r.out)
		}
		want := []string{
			"deploy db wave=0 rollback=false", "deploy api wave=1 rollback=false", "deploy worker wave=1 rollback=false",
			"deploy api wave=0 rollback=true sha=" + repo.init, "deploy worker wave=0 rollback=true sha=" + repo.init,
			"deploy db wave=1 rollback=true sha=" + repo.init,
		}
		if len(deploys) != len(want) {
			t.Fatalf("deploys:\n%s\nwant %d lines like %q\n%s", strings.Join(deploys, "\n"), len(want), want, r.out)
		}
		slices.Sort(deploys[1:3])
		slices.Sort(deploys[3:5])
		for i, w := range want {
			if !strings.HasPrefix(deploys[i], w) {
				t.Errorf("deploy %d is %q, want %q", i, deploys[i], w)
			}
		}
		if !hasEntry(entries, "api", "verify", "failure", change) {
			t.Errorf("api's failed verification is not in the record")
		}
		for _, s := range []string{"db", "api", "worker"} {
			if !hasEntry(entries, s, "rollback", "rolled_back", change) || !hasEntry(entries, s, "rollback", "success", repo.init) {
				t.Errorf("%s's rollback is not in the record", s)
			}
		}
		if slices.ContainsFunc(entries, func(e map[string]any) bool { return e["service"] == "web" && e["sha"] == change }) {
			t.Errorf("web deployed after the breaker tripped")
		}
		if len(msgs) != 3 || !strings.Contains(msgs[1], "breaker") || !strings.Contains(msgs[2], "ollback") {
			t.Errorf("Slack messages: %d, want 3 (the release starts, wave 1 failed, the rollback)", len(msgs))
		}
		// Written after wave 0 (on), then by the rollback pipeline's last job.
		flags := readFile(t, filepath.Join(repo.Dir, "flags", "staging.json"))
		if !regexp.MustCompile(`PASS\s+.*ordo-flags`).MatchString(r.out) || flagState(t, flags) != "off" {
			t.Errorf("the flags file after the rollback: new-schema is not off:\n%s", flags)
		}
	})
}
