package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/ordo-ci/ordo/internal/git/gittest"
)

// envCatalog is the fixture's catalog with two environments.
var envCatalog = strings.Replace(fixtureCatalog, "services:\n",
	"environments:\n  staging: {}\n  production: {from: staging, tier: production}\nservices:\n", 1)

// recordEntry is the part of a record entry the tests check.
type recordEntry struct {
	Env, Service, Phase, State, SHA, Version, Release string
	Wave                                              *int
}

// remoteRecord reads the record of env and service from the bare repository
// the pipeline pushed it to.
func remoteRecord(tb testing.TB, bare *gittest.Repo, env, service string) []recordEntry {
	tb.Helper()
	ref := "refs/ordo/record/" + env + "/" + service
	if bare.Git("for-each-ref", ref) == "" {
		return nil
	}
	var out []recordEntry
	for _, line := range strings.Split(strings.TrimSpace(bare.Git("show", ref+":record.jsonl")), "\n") {
		var e recordEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			tb.Fatalf("%s: %v: %s", ref, err, line)
		}
		out = append(out, e)
	}
	return out
}

// TestGitLabPlanEnvironment runs the gate component with environment:
// production (which refuses what staging has not verified) and the plan
// component with environment: staging under gitlab-ci-local, with the git record on a bare repository
// as origin (gitlab-ci-local takes the project from the remote gcl-origin).
// The child pipeline's deploy jobs must run in the GitLab environment
// staging/<service> with tier staging and a resource_group of their own
// (or their lock's), keep the template's before_script, and leave in the
// record in_progress then success, or failure for the job that fails (c6).
// A second pipeline plans from that record: only c6 deploys again.
func TestGitLabPlanEnvironment(t *testing.T) {
	tool(t, "ORDO_GITLAB_CI_LOCAL", "gitlab-ci-local")
	fixed := filepath.Join(t.TempDir(), "c6-fixed")
	files := gitlabFiles(t)
	files["ordo.yaml"] = envCatalog
	files[".gitlab-ci.yml"] = `stages: [test, deploy]
include:
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/gate@$CI_COMMIT_SHA
    inputs:
      environment: production
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/plan@$CI_COMMIT_SHA
    inputs:
      environment: staging
ordo-gate:
  allow_failure: true # nothing is verified in staging yet
`
	files[".gitlab/ordo-deploy.yml"] = `.ordo-deploy:
  before_script:
    - echo "setting up $ORDO_SERVICE"
  script:
    - echo "deploying $ORDO_SERVICE $ORDO_VERSION at $ORDO_SHA to $CI_ENVIRONMENT_NAME tier $CI_ENVIRONMENT_TIER release $ORDO_RELEASE"
    - if [ "$ORDO_SERVICE" = c6 ] && [ ! -e ` + fixed + ` ]; then echo "c6 breaks"; exit 1; fi
`
	repo := newMonorepo(t, "git@gitlab.com:acme/shop.git", files, "change")
	head := repo.Git("rev-parse", "HEAD")
	bare := gittest.New(t)
	bare.Git("config", "receive.denyCurrentBranch", "ignore") // a plain repository standing in for the server
	repo.Git("remote", "rename", "origin", "gcl-origin")
	repo.Git("remote", "add", "origin", bare.Dir)

	r := gitlabCILocal(t, repo, repo.init)
	if r.code != 0 {
		t.Fatalf("gitlab-ci-local: exit %d\n%s", r.code, r.out)
	}
	if !regexp.MustCompile(`ordo-gate\s+> env\.unverified api`).MatchString(r.out) {
		t.Errorf("the gate component with environment: production should refuse what staging has not verified (env.unverified):\n%s", r.out)
	}
	if !strings.Contains(r.out, "ORDO_GIT_TOKEN is not set") {
		t.Errorf("the plan job should warn that without ORDO_GIT_TOKEN the deploy jobs cannot push the record:\n%s", r.out)
	}

	// The child pipeline, as the plan job left it.
	var child map[string]any
	src, err := os.ReadFile(filepath.Join(repo.Dir, ".gitlab-ci-local", "artifacts", "ordo-plan", "ordo-child.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(src, &child); err != nil {
		t.Fatalf("child pipeline: %v\n%s", err, src)
	}
	services := []string{"admin", "api", "c0", "c1", "c2", "c3", "c4", "c5", "c6", "db", "mailer", "web", "worker"}
	locks := map[string]string{"worker": "queue", "mailer": "queue"}
	var release string
	for _, s := range services {
		job, _ := child["deploy:"+s].(map[string]any)
		env, _ := job["environment"].(map[string]any)
		if env["name"] != "staging/"+s || env["deployment_tier"] != "staging" {
			t.Errorf("deploy:%s: environment %v, want {name: staging/%s, deployment_tier: staging}", s, env, s)
		}
		if want := cmpOr(locks[s], "staging/"+s); job["resource_group"] != want {
			t.Errorf("deploy:%s: resource_group %v, want %q", s, job["resource_group"], want)
		}
		ran := regexp.MustCompile(`deploy:` + s + `\s+> deploying ` + s + ` (\S+) at ` + head + ` to staging/` + s + ` tier staging release (staging-\S+)`).FindStringSubmatch(r.out)
		if ran == nil {
			t.Errorf("deploy:%s did not say its version, sha, environment, tier and release:\n%s", s, r.out)
			continue
		}
		release = ran[2]
		if !regexp.MustCompile(`deploy:` + s + `\s+> setting up ` + s).MatchString(r.out) {
			t.Errorf("deploy:%s did not run the template's own before_script", s)
		}
		want := []string{"in_progress", "success"}
		if s == "c6" {
			want = []string{"in_progress", "failure"}
		}
		var got []string
		for _, e := range remoteRecord(t, bare, "staging", s) {
			got = append(got, e.State)
			if e.Env != "staging" || e.Service != s || e.Phase != "deploy" || e.SHA != head || e.Version != ran[1] || e.Release != ran[2] || e.Wave == nil {
				t.Errorf("staging/%s: entry %+v, want a deploy of %s %s in release %s with its wave", s, e, head, ran[1], ran[2])
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("the record of staging/%s: %v, want %v", s, got, want)
		}
	}
	if !regexp.MustCompile(`ordo-plan\s+> release ` + regexp.QuoteMeta(release) + ` at`).MatchString(r.out) {
		t.Errorf("the plan in the plan job's log should be release %s, the one the child pipeline deploys:\n%s", release, r.out)
	}

	// The next pipeline plans from the record: everything runs head but c6.
	writeFile(t, fixed, "", 0o644)
	r = gitlabCILocal(t, repo, repo.init)
	if r.code != 0 || strings.Contains(r.out, " FAIL ") {
		t.Fatalf("gitlab-ci-local: exit %d\n%s", r.code, r.out)
	}
	deployed := regexp.MustCompile(`(?m)PASS\s+\[ordo-deploy\] -> deploy:(\S+)`).FindAllStringSubmatch(r.out, -1)
	if len(deployed) != 1 || deployed[0][1] != "c6" {
		t.Errorf("the second pipeline deployed %v, want c6 alone (the rest runs head in staging):\n%s", deployed, r.out)
	}
	var got []string
	for _, e := range remoteRecord(t, bare, "staging", "c6") {
		got = append(got, e.State)
	}
	if want := []string{"in_progress", "failure", "in_progress", "success"}; !slices.Equal(got, want) {
		t.Errorf("the record of staging/c6: %v, want %v", got, want)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
