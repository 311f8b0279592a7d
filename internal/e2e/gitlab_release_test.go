package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
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
	health := newHealthServer(t)
	chat := newHookServer(t, http.StatusOK, func(_ *http.Request, b []byte) string { return string(b) })

	// The record and the deploy log: paths in the YAML, since
	// gitlab-ci-local turns a CI/CD variable that looks like a path into a
	// file variable (a copy).
	dir := t.TempDir()
	rec, log := filepath.Join(dir, "record.jsonl"), filepath.Join(dir, "deploy.log")
	files := releaseFiles(gittest.Files{
		".gitlab-ci.yml":          fmt.Sprintf(gitlabReleaseCI, dir),
		".gitlab/ordo-deploy.yml": fmt.Sprintf(gitlabReleaseDeploy, dir),
		".gitignore":              ".gitlab-ci-local/\n.gitlab-ci-local-variables.yml\nflags/\n",
		"templates/plan.yml":      readFile(t, filepath.Join(root, "templates", "plan.yml")),
	})
	repo := &monorepo{Repo: gittest.New(t)}
	repo.Git("remote", "add", "gcl-origin", "git@gitlab.com:acme/shop.git")
	repo.init = repo.Commit("init", files)
	repo.change = repo.Commit("feat: everything", releaseChange)
	change := repo.change

	pipeline := func(t *testing.T) (result, string, []map[string]any, []string) {
		t.Helper()
		os.Remove(log)
		seedRecord(t, rec, repo.init)
		os.RemoveAll(filepath.Join(repo.Dir, ".gitlab-ci-local"))
		// As the project's CI/CD variables: the child pipelines get them too
		// (gitlab-ci-local's --variable reaches the parent pipeline alone).
		vars := fmt.Sprintf("HEALTH_URL: %q\nHEALTH_TOKEN: %s\nSLACK_HOOK: %q\n", health.URL, releaseHealthToken, chat.URL+"/services/T0/B0/x")
		writeFile(t, filepath.Join(repo.Dir, ".gitlab-ci-local-variables.yml"), vars, 0o644)
		r := gitlabCILocal(t, repo, repo.init)
		deploys, _ := os.ReadFile(log)
		return r, string(deploys), readRecord(t, rec), chat.take()
	}
	failed := regexp.MustCompile(`(?m)^\s*FAIL\s+.*$`)

	t.Run("healthy", func(t *testing.T) {
		r, deploys, entries, msgs := pipeline(t)
		if r.code != 0 || failed.MatchString(r.out) {
			t.Fatalf("gitlab-ci-local: exit %d, %v\n%s", r.code, failed.FindAllString(r.out, -1), r.out)
		}
		checkReleased(t, deploys, entries, change)
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
		health.setDown("api")
		r, deploys, entries, msgs := pipeline(t)
		fails := failed.FindAllString(r.out, -1)
		if len(fails) == 0 || !strings.Contains(strings.Join(fails, "\n"), "verify:wave-1") {
			t.Fatalf("gitlab-ci-local: verify:wave-1 should fail: FAIL lines %v\n%s", fails, r.out)
		}
		checkRolledBack(t, deploys, entries, repo.init, change)
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
