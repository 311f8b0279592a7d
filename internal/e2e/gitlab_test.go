package e2e

import (
	"encoding/json"
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
	"time"

	"github.com/ordo-ci/ordo/internal/git/gittest"
)

// gitlabFiles is the GitLab configuration the README shows, with the
// component included from the fixture itself (at its commit) instead of
// gitlab.com, and ordo's templates/ copied in.
func gitlabFiles(tb testing.TB) gittest.Files {
	tb.Helper()
	readme := readmeFiles(tb)
	component := regexp.MustCompile(`gitlab\.com/ordo-ci/ordo/([a-z]+)@\S+`)
	files := gittest.Files{
		".gitlab-ci.yml":          component.ReplaceAllString(readme[".gitlab-ci.yml"], "$$CI_SERVER_FQDN/$$CI_PROJECT_PATH/$1@$$CI_COMMIT_SHA"),
		".gitlab/ordo-deploy.yml": readme[".gitlab/ordo-deploy.yml"],
	}
	names, err := filepath.Glob(filepath.Join(root, "templates", "*.yml"))
	if err != nil || len(names) == 0 {
		tb.Fatalf("no templates: %v", err)
	}
	for _, name := range names {
		files["templates/"+filepath.Base(name)] = readFile(tb, name)
	}
	return files
}

// gitlabCILocal runs the fixture's pipeline with gitlab-ci-local's shell
// executor, as a branch pipeline whose previous commit is before, with the
// ordo built from this checkout on PATH.
func gitlabCILocal(tb testing.TB, repo *monorepo, before string, args ...string) result {
	tb.Helper()
	return gitlabPipeline(tb, repo, map[string]string{"CI_COMMIT_BEFORE_SHA": before}, before, args...)
}

// gitlabMergeRequest runs the fixture's pipeline as the merge request
// pipeline of !7, whose commits start after base: what GitLab sets for one,
// and no CI_COMMIT_BRANCH, as there.
// https://docs.gitlab.com/ci/variables/predefined_variables/#predefined-variables-for-merge-request-pipelines
func gitlabMergeRequest(tb testing.TB, repo *monorepo, base string, args ...string) result {
	tb.Helper()
	return gitlabPipeline(tb, repo, map[string]string{
		"CI_PIPELINE_SOURCE":                  "merge_request_event",
		"CI_MERGE_REQUEST_IID":                "7",
		"CI_MERGE_REQUEST_EVENT_TYPE":         "detached",
		"CI_MERGE_REQUEST_DIFF_BASE_SHA":      base,
		"CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature",
		"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
		"CI_MERGE_REQUEST_LABELS":             "",
		"CI_COMMIT_BRANCH":                    "",
		"CI_OPEN_MERGE_REQUESTS":              "acme/shop!7",
	}, base, args...)
}

// gitlabPipeline runs gitlab-ci-local with predefined variables replaced
// by vars; origin/main is at mainAt.
func gitlabPipeline(tb testing.TB, repo *monorepo, vars map[string]string, mainAt string, args ...string) result {
	tb.Helper()
	before := mainAt
	gcl := tool(tb, "ORDO_GITLAB_CI_LOCAL", "gitlab-ci-local")
	ordo := ordoBinary(tb)
	// The default branch, as a clone from GitLab would have it.
	repo.Git("update-ref", "refs/remotes/origin/main", before)
	repo.Git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
	env := []string{
		"HOME=" + tb.TempDir(),
		"PATH=" + filepath.Dir(ordo) + string(filepath.ListSeparator) + os.Getenv("PATH"),
	}
	// What GitLab sets and gitlab-ci-local does not, or otherwise (the
	// flag may be given once).
	ignore := []string{"GITLAB_CI", "CI_API_V4_URL"}
	flags := []string{"--variable", "GITLAB_CI=true"}
	for _, k := range sortedKeys(vars) {
		ignore = append(ignore, k)
		flags = append(flags, "--variable", k+"="+vars[k])
	}
	args = append(append([]string{"--color=false", "--force-shell-executor", "--ignore-predefined-vars", strings.Join(ignore, ",")}, flags...), args...)
	start := time.Now()
	r := run(tb, repo.Dir, env, 5*time.Minute, gcl, args...)
	tb.Logf("gitlab-ci-local %s: exit %d in %s", strings.Join(args[len(args)-min(len(args), 1):], " "), r.code, time.Since(start).Round(time.Millisecond))
	if testing.Verbose() {
		tb.Log(r.out)
	}
	return r
}

// TestGitLabPlanComponent runs the README's GitLab pipeline, which includes
// the gate and plan components, on the fixture: on the default branch the
// child pipeline must deploy every planned service, each after the services
// it must follow, and a docs-only change must run the child's no-op job; in
// a merge request pipeline the gate runs and nothing deploys.
func TestGitLabPlanComponent(t *testing.T) {
	tool(t, "ORDO_GITLAB_CI_LOCAL", "gitlab-ci-local")
	ci := gitlabFiles(t)

	t.Run("change", func(t *testing.T) {
		repo := newMonorepo(t, "git@gitlab.com:acme/shop.git", ci, "change")
		want := ordoPlan(t, repo.Dir, repo.init, repo.change)
		r := gitlabCILocal(t, repo, repo.init)
		if r.code != 0 || strings.Contains(r.out, " FAIL ") {
			t.Fatalf("gitlab-ci-local: exit %d\n%s", r.code, r.out)
		}
		checkChildDeploys(t, r.out, want)
		waves := 0
		for _, j := range want.Jobs {
			waves = max(waves, j.Wave+1)
		}
		if !strings.Contains(r.out, fmt.Sprintf("deployed %d services in %d waves", len(want.Deploy), waves)) {
			t.Errorf("the announce job did not get ORDO_DEPLOY_COUNT=%d and ORDO_WAVE_COUNT=%d from the plan job's dotenv report:\n%s", len(want.Deploy), waves, r.out)
		}
		if !regexp.MustCompile(`announce\s+> .*"deploy": \[`).MatchString(r.out) {
			t.Errorf("the announce job did not read the plan file ORDO_PLAN_FILE names:\n%s", r.out)
		}
		if !regexp.MustCompile(`(?m)^\s*PASS\s+ordo-gate\s*$`).MatchString(r.out) {
			t.Errorf("ordo-gate did not pass")
		}
	})

	t.Run("merge request", func(t *testing.T) {
		repo := newMonorepo(t, "git@gitlab.com:acme/shop.git", ci, "change")
		r := gitlabMergeRequest(t, repo, repo.init)
		if r.code != 0 || strings.Contains(r.out, " FAIL ") {
			t.Fatalf("gitlab-ci-local: exit %d\n%s", r.code, r.out)
		}
		if !regexp.MustCompile(`(?m)^\s*PASS\s+ordo-gate\s*$`).MatchString(r.out) {
			t.Errorf("the gate should check the merge request:\n%s", r.out)
		}
		for _, job := range []string{"ordo-plan", "ordo-deploy", "announce", "-> deploy:"} {
			if strings.Contains(r.out, job+" ") {
				t.Errorf("%s ran in a merge request pipeline: merge requests never deploy\n%s", job, r.out)
			}
		}
	})

	t.Run("docs only", func(t *testing.T) {
		repo := newMonorepo(t, "git@gitlab.com:acme/shop.git", ci, "docs")
		r := gitlabCILocal(t, repo, repo.change)
		if r.code != 0 || strings.Contains(r.out, " FAIL ") {
			t.Fatalf("gitlab-ci-local: exit %d\n%s", r.code, r.out)
		}
		if !regexp.MustCompile(`(?m)PASS\s+\[ordo-deploy\] -> ordo-noop`).MatchString(r.out) || !strings.Contains(r.out, "ordo: nothing to deploy") {
			t.Errorf("the child pipeline of an empty plan should run ordo-noop:\n%s", r.out)
		}
		if strings.Contains(r.out, "-> deploy:") {
			t.Errorf("nothing should deploy:\n%s", r.out)
		}
		if !strings.Contains(r.out, "deployed 0 services in 0 waves") {
			t.Errorf("ORDO_DEPLOY_COUNT should be 0 for the announce job:\n%s", r.out)
		}
	})
}

var childLine = regexp.MustCompile(`^\s*\[ordo-deploy\] -> deploy:(\S+)\s+(starting|finished|> deploying)(?: (\S+) \(wave (\d+)\))?`)

// checkChildDeploys checks gitlab-ci-local's log against the plan: each
// service's child job ran and passed, said its wave, and started only after
// the jobs of every service it must follow had finished.
func checkChildDeploys(t *testing.T, log string, want plan) {
	t.Helper()
	started, finished, said := map[string]int{}, map[string]int{}, map[string]string{}
	for i, line := range strings.Split(log, "\n") {
		m := childLine.FindStringSubmatch(line)
		switch {
		case m == nil:
		case m[2] == "starting":
			started[m[1]] = i + 1
		case m[2] == "finished":
			finished[m[1]] = i + 1
		default:
			said[m[1]] = m[3] + " " + m[4]
		}
	}
	for _, j := range want.Jobs {
		if started[j.Service] == 0 || finished[j.Service] == 0 {
			t.Errorf("deploy:%s did not run", j.Service)
			continue
		}
		if got, w := said[j.Service], fmt.Sprintf("%s %d", j.Service, j.Wave); got != w {
			t.Errorf("deploy:%s said %q, want %q (ORDO_SERVICE, ORDO_WAVE)", j.Service, got, w)
		}
		for _, a := range j.After {
			if finished[a] == 0 || finished[a] > started[j.Service] {
				t.Errorf("deploy:%s started before deploy:%s, which it must follow, had finished", j.Service, a)
			}
		}
		if !regexp.MustCompile(`(?m)PASS\s+\[ordo-deploy\] -> deploy:` + regexp.QuoteMeta(j.Service) + `\s*$`).MatchString(log) {
			t.Errorf("deploy:%s did not pass", j.Service)
		}
	}
	for s := range started {
		if !slices.Contains(want.Deploy, s) {
			t.Errorf("deploy:%s ran but %s is not in the plan %v", s, s, want.Deploy)
		}
	}
}

// gitlabAPI stands in for GitLab's commit status API on 127.0.0.1 and
// records the statuses ordo posts, in order, as "name=state". Every status
// request must name the pipeline (pipeline_id, CI_PIPELINE_ID).
// https://docs.gitlab.com/api/commits/#set-the-pipeline-status-of-a-commit
type gitlabAPI struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []string
}

func newGitLabAPI(t *testing.T, project, sha, token string) *gitlabAPI {
	t.Helper()
	api := &gitlabAPI{}
	api.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("PRIVATE-TOKEN") != token && r.Header.Get("Authorization") != "Bearer "+token {
			t.Errorf("%s %s without the token", r.Method, r.URL.Path)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/api/v4/projects/"+project+"/repository/commits/"+sha+"/merge_requests":
			// The branch pipeline's commit is the merge of !7, labelled.
			json.NewEncoder(w).Encode([]map[string]any{{"iid": 7, "state": "merged", "target_branch": "main",
				"sha": sha, "labels": []string{"ordo:override:policy.freeze"}}})
		case r.Method == http.MethodGet && r.URL.Path == "/api/v4/projects/"+project+"/repository/commits/"+sha+"/statuses":
			if id := r.URL.Query().Get("pipeline_id"); id == "" || id == "0" {
				t.Errorf("GET %s without pipeline_id", r.URL)
			}
			io.WriteString(w, "[]")
		case r.Method == http.MethodPost && r.URL.Path == "/api/v4/projects/"+project+"/statuses/"+sha:
			var body struct {
				Name, State string
				PipelineID  int64 `json:"pipeline_id"`
			}
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				t.Errorf("POST %s: %v", r.URL.Path, err)
			}
			if body.PipelineID <= 0 {
				t.Errorf("POST %s %s=%s without pipeline_id: GitLab would put it on another pipeline", r.URL.Path, body.Name, body.State)
			}
			api.mu.Lock()
			api.statuses = append(api.statuses, body.Name+"="+body.State)
			api.mu.Unlock()
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"id": 1}`)
		default:
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(api.Close)
	return api
}

// TestGitLabComponents includes every component, the plan component twice
// (with another job_prefix), and runs the pipeline: affected and gate leave
// their dotenv reports for a later job, gate takes overrides one a line,
// notes writes the mailer's notes, status posts pending and then success for
// every service to a GitLab API on 127.0.0.1, and on a tag pipeline release
// (as a dry run) prints the release's body.
func TestGitLabComponents(t *testing.T) {
	tool(t, "ORDO_GITLAB_CI_LOCAL", "gitlab-ci-local")
	files := gitlabFiles(t)
	files[".gitlab-ci.yml"] = `stages: [test, build, deploy]
include:
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/affected@$CI_COMMIT_SHA
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/gate@$CI_COMMIT_SHA
    inputs:
      format: markdown
      override: |
        policy.freeze=hotfix INC-42
          policy.max_deploy=one * big day
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/notes@$CI_COMMIT_SHA
    inputs:
      service: |
        mailer
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/status@$CI_COMMIT_SHA
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/release@$CI_COMMIT_SHA
    inputs:
      dry_run: true
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/plan@$CI_COMMIT_SHA
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/plan@$CI_COMMIT_SHA
    inputs:
      job_prefix: staging-
      all: true
      rules: [{when: always}]

show:
  stage: build
  needs: [ordo-affected, ordo-gate]
  script:
    - 'echo "count=$ORDO_AFFECTED_COUNT has=$ORDO_HAS_AFFECTED passed=$ORDO_GATE_PASSED"'
    - 'tr -d " \n" < ordo-affected.json | grep -o "\"affected\":\[[^]]*\]"'
`
	repo := newMonorepo(t, "git@gitlab.com:acme/shop.git", files, "change")
	sha := repo.Git("rev-parse", "HEAD")
	const token = "glpat-e2e"
	api := newGitLabAPI(t, "1217", sha, token) // gitlab-ci-local's CI_PROJECT_ID
	r := gitlabCILocal(t, repo, repo.init,
		"--variable", "CI_API_V4_URL="+api.URL+"/api/v4", "--variable", "GITLAB_TOKEN="+token)
	if r.code != 0 || strings.Contains(r.out, " FAIL ") {
		t.Fatalf("gitlab-ci-local: exit %d\n%s", r.code, r.out)
	}
	for _, job := range []string{"ordo-affected", "ordo-gate", "ordo-notes", "ordo-status-pending", "ordo-status-success", "ordo-plan", "ordo-deploy", "staging-plan", "staging-deploy", "show"} {
		if !regexp.MustCompile(`(?m)^\s*PASS\s+` + regexp.QuoteMeta(job) + `\s*$`).MatchString(r.out) {
			t.Errorf("job %s did not pass", job)
		}
	}
	if regexp.MustCompile(`(?m)^\s*PASS\s+ordo-(release|status-failure)\b`).MatchString(r.out) {
		t.Errorf("release (tag pipelines only) or status-failure ran in a passing branch pipeline")
	}
	if want := `count=5 has=true passed=true`; !strings.Contains(r.out, want) {
		t.Errorf("the show job should print %q from the dotenv reports:\n%s", want, r.out)
	}
	if want := `"affected":["admin","api","auth","mailer","web"]`; !strings.Contains(r.out, want) {
		t.Errorf("the show job should print %s from the affected job's artifact:\n%s", want, r.out)
	}
	if !strings.Contains(r.out, "hotfix INC-42") || !strings.Contains(r.out, "one * big day") {
		t.Errorf("the gate report should list both overrides:\n%s", r.out)
	}
	if !strings.Contains(r.out, "label ordo:override:policy.freeze on #7") {
		t.Errorf("the gate of the branch pipeline should take the label of the merged merge request !7:\n%s", r.out)
	}
	if !regexp.MustCompile(`ordo-notes\s+> .*mailer`).MatchString(r.out) {
		t.Errorf("the notes job should print the mailer's notes:\n%s", r.out)
	}
	if !regexp.MustCompile(`\[staging-deploy\] -> deploy:db\s+> deploying db`).MatchString(r.out) {
		t.Errorf("the second plan (all: true) should deploy db too:\n%s", r.out)
	}
	api.mu.Lock()
	statuses := api.statuses
	api.mu.Unlock()
	for _, want := range [][]string{
		{"ordo=pending", "ordo=success"},
		{"ordo/mailer=pending", "ordo/mailer=success"},
		{"ordo/db=success", "ordo/db=success"}, // not affected: success from the start
	} {
		first, last := slices.Index(statuses, want[0]), slices.Index(statuses[max(slices.Index(statuses, want[0])+1, 0):], want[1])
		if first < 0 || last < 0 {
			t.Errorf("statuses %v: want %s, then %s", statuses, want[0], want[1])
		}
	}

	// A merge request pipeline without GITLAB_TOKEN: the status jobs say so
	// and pass, the default plan does not deploy, and the child pipeline of
	// the plan whose rules say always still runs its jobs.
	t.Run("merge request pipeline", func(t *testing.T) {
		r := gitlabMergeRequest(t, repo, repo.init)
		if r.code != 0 || strings.Contains(r.out, " FAIL ") {
			t.Fatalf("gitlab-ci-local: exit %d\n%s", r.code, r.out)
		}
		for _, job := range []string{"ordo-affected", "ordo-gate", "ordo-status-pending", "ordo-status-success", "staging-plan", "staging-deploy", "show"} {
			if !regexp.MustCompile(`(?m)^\s*PASS\s+` + regexp.QuoteMeta(job) + `\s*$`).MatchString(r.out) {
				t.Errorf("job %s did not pass", job)
			}
		}
		if !strings.Contains(r.out, "GITLAB_TOKEN is not set: no statuses posted") {
			t.Errorf("the status jobs should say why they post nothing:\n%s", r.out)
		}
		if strings.Contains(r.out, "ordo-plan ") || strings.Contains(r.out, "[ordo-deploy]") {
			t.Errorf("the plan component with its default rules deployed from a merge request:\n%s", r.out)
		}
		if !regexp.MustCompile(`\[staging-deploy\] -> deploy:db\s+> deploying db`).MatchString(r.out) {
			t.Errorf("the child pipeline should run in the merge request pipeline:\n%s", r.out)
		}
	})

	t.Run("tag pipeline", func(t *testing.T) {
		repo.Git("tag", "mailer/v0.1.0", repo.init)
		repo.Git("tag", "mailer/v0.1.1")
		r := gitlabCILocal(t, repo, repo.init, "--variable", "CI_COMMIT_TAG=mailer/v0.1.1", "ordo-release")
		if r.code != 0 || strings.Contains(r.out, " FAIL ") {
			t.Fatalf("gitlab-ci-local: exit %d\n%s", r.code, r.out)
		}
		if !regexp.MustCompile(`ordo-release\s+> .*0\.1\.1`).MatchString(r.out) || !strings.Contains(r.out, "auth and mailer") {
			t.Errorf("the release job should print the body of mailer/v0.1.1 with its commit:\n%s", r.out)
		}
	})
}
