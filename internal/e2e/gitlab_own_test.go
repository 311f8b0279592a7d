package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/ordo-ci/ordo/internal/git/gittest"
)

// TestOwnGitLabPipeline runs ordo's own GitLab pipeline, .ci/gitlab-ci.yml,
// on a copy of this checkout: every component, included from the commit
// under test as $CI_SERVER_FQDN/$CI_PROJECT_PATH/<name>@$CI_COMMIT_SHA,
// passes with ordo built from source; on a plain version tag the release
// job publishes it; the file passes GitLab's CI schema.
func TestOwnGitLabPipeline(t *testing.T) {
	schema := gitlabCISchema(t)
	src := readFile(t, filepath.Join(root, ".ci", "gitlab-ci.yml"))
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	validatePipeline(t, schema, ".ci/gitlab-ci.yml", doc)
	for name := range components(t) {
		if !strings.Contains(src, "component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/"+name+"@$CI_COMMIT_SHA") {
			t.Errorf(".ci/gitlab-ci.yml does not test the component %s at the commit", name)
		}
	}
	rel, _ := doc["catalog-release"].(map[string]any)
	if r, _ := rel["release"].(map[string]any); r["tag_name"] != "$CI_COMMIT_TAG" {
		t.Errorf("catalog-release: release %v, want tag_name $CI_COMMIT_TAG", rel["release"])
	}

	repo := gittest.New(t)
	dir := repo.Dir
	copySources(t, dir)
	for _, top := range []string{"templates", "examples/shop", ".ci"} {
		copyTree(t, filepath.Join(root, top), filepath.Join(dir, top))
	}
	repo.Git("remote", "add", "origin", "git@gitlab.com:ordo-ci/ordo.git")
	writeFile(t, filepath.Join(dir, ".gitignore"), ".gitlab-ci-local/\n.ordo-bin/\n", 0o644)
	repo.Git("add", "-A")
	repo.Git("commit", "-q", "-m", "ordo")
	repo.Git("update-ref", "refs/remotes/origin/main", "HEAD")
	repo.Git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
	gcl := tool(t, "ORDO_GITLAB_CI_LOCAL", "gitlab-ci-local")
	// The jobs build ordo with this machine's caches, offline.
	env := []string{"HOME=" + t.TempDir(), "GOPROXY=off", "GOFLAGS=-mod=readonly"}
	for _, k := range []string{"GOCACHE", "GOMODCACHE"} {
		out, err := exec.Command("go", "env", k).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", k, err)
		}
		env = append(env, k+"="+strings.TrimSpace(string(out)))
	}
	args := []string{"--file", ".ci/gitlab-ci.yml", "--color=false", "--force-shell-executor", "--variable", "GITLAB_CI=true"}

	r := run(t, dir, env, 10*time.Minute, gcl, append(args, "--ignore-predefined-vars", "GITLAB_CI")...)
	if r.code != 0 || strings.Contains(r.out, " FAIL ") {
		t.Fatalf("gitlab-ci-local: exit %d\n%s", r.code, r.out)
	}
	for _, job := range []string{"ordo-affected", "ordo-gate", "ordo-notes", "ordo-status-pending", "ordo-status-success", "ordo-plan", "ordo-deploy"} {
		if !regexp.MustCompile(`(?m)^\s*PASS\s+` + regexp.QuoteMeta(job) + `\s*$`).MatchString(r.out) {
			t.Errorf("job %s did not pass:\n%s", job, r.out)
		}
	}
	if !regexp.MustCompile(`\[ordo-deploy\] -> deploy:users-api\s+> deploying users-api`).MatchString(r.out) {
		t.Errorf("the plan's child pipeline did not deploy the shop:\n%s", r.out)
	}
	if strings.Contains(r.out, "catalog-release") || strings.Contains(r.out, "ordo-release ") {
		t.Errorf("a branch pipeline released:\n%s", r.out)
	}

	repo.Git("tag", "1.2.3")
	r = run(t, dir, env, 10*time.Minute, gcl, append(args, "--ignore-predefined-vars", "GITLAB_CI,CI_COMMIT_TAG",
		"--variable", "CI_COMMIT_TAG=1.2.3", "ordo-release", "catalog-release")...)
	if r.code != 0 || !regexp.MustCompile(`(?m)^\s*PASS\s+catalog-release\s*$`).MatchString(r.out) ||
		!regexp.MustCompile(`(?m)^\s*PASS\s+ordo-release\s*$`).MatchString(r.out) {
		t.Fatalf("tag 1.2.3: exit %d\n%s", r.code, r.out)
	}
}

// copyTree copies the files under from to to.
func copyTree(tb testing.TB, from, to string) {
	tb.Helper()
	err := filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		info, err := d.Info()
		if err != nil {
			return err
		}
		writeFile(tb, filepath.Join(to, rel), readFile(tb, path), info.Mode().Perm())
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// TestGitLabPlanNoBase runs the plan component in a scheduled pipeline,
// which has no change to compare with: "everything affected" deploys
// nothing unless all: true says to deploy everything.
func TestGitLabPlanNoBase(t *testing.T) {
	tool(t, "ORDO_GITLAB_CI_LOCAL", "gitlab-ci-local")
	files := gitlabFiles(t)
	files[".gitlab-ci.yml"] = `stages: [deploy]
include:
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/plan@$CI_COMMIT_SHA
    inputs:
      job_prefix: nightly-
      rules: [{if: $CI_PIPELINE_SOURCE == "schedule"}]
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/plan@$CI_COMMIT_SHA
    inputs:
      job_prefix: full-
      all: true
      rules: [{if: $CI_PIPELINE_SOURCE == "schedule"}]
`
	repo := newMonorepo(t, "git@gitlab.com:acme/shop.git", files, "change")
	r := gitlabPipeline(t, repo, map[string]string{"CI_PIPELINE_SOURCE": "schedule"}, repo.init)
	if r.code != 0 || strings.Contains(r.out, " FAIL ") {
		t.Fatalf("gitlab-ci-local: exit %d\n%s", r.code, r.out)
	}
	if !strings.Contains(r.out, "no base commit to compare with") || !regexp.MustCompile(`PASS\s+\[nightly-deploy\] -> ordo-noop`).MatchString(r.out) {
		t.Errorf("without a base the plan should deploy nothing and say why:\n%s", r.out)
	}
	if strings.Contains(r.out, "[nightly-deploy] -> deploy:") {
		t.Errorf("a scheduled pipeline deployed:\n%s", r.out)
	}
	if !regexp.MustCompile(`\[full-deploy\] -> deploy:db\s+> deploying db`).MatchString(r.out) {
		t.Errorf("all: true should deploy everything:\n%s", r.out)
	}
}
