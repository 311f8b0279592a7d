package e2e

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/forge/forgetest"
	"github.com/ordo-ci/ordo/internal/git/gittest"
)

// TestActEnvironment runs the example workflow that deploys to an
// environment (.github/workflows/example-environment.yml) with act, on the
// fixture whose record says staging runs every service at the first commit,
// with the git record on a local remote and the mirror on a fake GitHub:
// the plan action plans against the record (what changed since, not since
// the push), each wave job deploys with actions/deploy, and for every
// planned service the record gains in_progress then success under the
// plan's release, and GitHub a deployment of staging with those statuses.
func TestActEnvironment(t *testing.T) {
	act := tool(t, "ORDO_ACT", "act")
	tool(t, "", "jq")
	const workflow = ".github/workflows/example-environment.yml"
	files := repoFiles(t, workflow)
	// act 0.2.89's workflow schema predates environment: deployment:
	// false and refuses the workflow; act ignores environments anyway.
	// make lint-actions checks the workflow as it ships with actionlint.
	noDeployment := regexp.MustCompile(`(?m)^ +deployment: false\b.*\n`)
	if n := len(noDeployment.FindAllString(files[workflow], -1)); n != 3 {
		t.Fatalf("%s: %d wave jobs with environment deployment: false, want 3", workflow, n)
	}
	files[workflow] = noDeployment.ReplaceAllString(files[workflow], "")
	files["ordo.yaml"] = envCatalog
	repo := newMonorepo(t, "https://github.com/acme/shop.git", files, "change")
	head := repo.Git("rev-parse", "HEAD")
	// act names the repository after the remote github; the record goes
	// to origin, a repository on this machine.
	bare := gittest.New(t)
	repo.Git("remote", "rename", "origin", "github")
	repo.Git("remote", "add", "origin", bare.Dir)

	// What staging runs: every service at the first commit.
	ordo := ordoBinary(t)
	for _, s := range []string{"admin", "api", "c0", "c1", "c2", "c3", "c4", "c5", "c6", "db", "mailer", "web", "worker"} {
		if r := run(t, repo.Dir, nil, time.Minute, ordo, "env", "record", "--env", "staging", "--service", s, "--state", "success", "--sha", repo.init); r.code != 0 {
			t.Fatalf("ordo env record: exit %d\n%s", r.code, r.out)
		}
	}
	r := run(t, repo.Dir, nil, time.Minute, ordo, "plan", "--env", "staging", "--format", "json")
	var want plan
	if err := json.Unmarshal([]byte(r.out), &want); r.code != 0 || err != nil {
		t.Fatalf("ordo plan --env staging: exit %d, %v\n%s", r.code, err, r.out)
	}
	if len(want.Deploy) < 4 || want.Jobs[len(want.Jobs)-1].Wave > 2 {
		t.Fatalf("the plan of staging should deploy 4 or more services in at most 3 waves (the example's jobs), has %+v", want)
	}

	src := t.TempDir()
	copySources(t, src)
	const token = "ghs-environment"
	api := forgetest.Start(t, "acme/shop", token)
	event := filepath.Join(t.TempDir(), "event.json")
	writeFile(t, event, `{"ref":"refs/heads/main","inputs":{"environment":"staging"},"repository":{"default_branch":"main","full_name":"acme/shop"}}`, 0o644)
	env := append(goEnv(t), "HOME="+t.TempDir(), "GOPROXY=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=readonly")
	start := time.Now()
	r = run(t, repo.Dir, env, 10*time.Minute, act, "workflow_dispatch",
		"-e", event,
		"-W", workflow,
		"-P", "ubuntu-latest=-self-hosted",
		"--remote-name", "github",
		"--no-cache-server",
		"--local-repository", "ordo-ci/ordo@v1="+src,
		"--env", "ORDO_FROM_SOURCE=true",
		"--env", "GITHUB_API_URL="+api.URL(),
		"-s", "GITHUB_TOKEN="+token,
	)
	t.Logf("act workflow_dispatch: exit %d in %s", r.code, time.Since(start).Round(time.Millisecond))
	if testing.Verbose() {
		t.Log(r.out)
	}
	if r.code != 0 {
		t.Fatalf("act: exit %d\n%s", r.code, r.out)
	}

	deps := map[string][]forgetest.Deployment{} // by task
	for _, d := range api.Deployments() {
		deps[d.Task] = append(deps[d.Task], d)
	}
	var release string
	for _, j := range want.Jobs {
		if !strings.Contains(r.out, fmt.Sprintf("deploying %s ", j.Service)) || !strings.Contains(r.out, fmt.Sprintf("to staging (wave %d)", j.Wave)) {
			t.Errorf("%s was not deployed in wave %d:\n%s", j.Service, j.Wave, r.out)
		}
		entries := remoteRecord(t, bare, "staging", j.Service)
		var states []string
		for _, e := range entries {
			states = append(states, e.State)
		}
		if want := []string{"success", "in_progress", "success"}; !slices.Equal(states, want) {
			t.Errorf("the record of staging/%s: %v, want %v", j.Service, states, want)
			continue
		}
		for _, e := range entries[1:] {
			if release == "" {
				release = e.Release
			}
			if e.SHA != head || e.Release != release || !strings.HasPrefix(release, "staging-") || e.Wave == nil || *e.Wave != j.Wave || e.Version == "" {
				t.Errorf("staging/%s: entry %+v, want head %s, wave %d, the plan's release and a version", j.Service, e, head, j.Wave)
			}
		}
		d := deps["deploy:"+j.Service]
		if len(d) != 1 || d[0].Environment != "staging" || d[0].Ref != head || !slices.Equal(d[0].Statuses, []string{"in_progress", "success"}) {
			t.Errorf("GitHub deployments of %s: %+v, want one of staging at %s with statuses in_progress, success", j.Service, d, head)
			continue
		}
		var payload struct {
			Ordo struct{ Release, Service string }
		}
		if err := json.Unmarshal(d[0].Payload, &payload); err != nil || payload.Ordo.Release != release || payload.Ordo.Service != j.Service {
			t.Errorf("deployment of %s: payload %s, want the record's entry", j.Service, d[0].Payload)
		}
	}
	for task := range deps {
		if !slices.Contains(want.Deploy, strings.TrimPrefix(task, "deploy:")) {
			t.Errorf("a deployment %s, which the plan does not deploy", task)
		}
	}
}
