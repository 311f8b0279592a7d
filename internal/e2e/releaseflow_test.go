package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
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
	releasewf "github.com/ordo-ci/ordo/internal/workflow"
)

// The release fixture: db (wave 0), api and worker (wave 1), web (wave 2),
// each checked over HTTP against a server of the test, with a token the
// caller passes as a secret.
const releaseCatalog = `version: 1
environments:
  staging: {}
checks:
  health:
    http: {url: "$HEALTH_URL/{service}", headers: {Authorization: "Bearer $HEALTH_TOKEN"}}
    count: 2
    interval: 200ms
verify:
  checks: [health]
services:
  db: {kind: migration, paths: [db/**]}
  api: {paths: [api/**], depends_on: [db]}
  worker: {paths: [worker/**], depends_on: [db]}
  web: {paths: [web/**], depends_on: [api]}
`

// releaseCaller is the ten lines a user writes to call the reusable workflow.
const releaseCaller = `name: release
on: push
jobs:
  staging:
    uses: ordo-ci/ordo/.github/workflows/ordo-release.yml@v1
    with:
      environment: staging
      deploy: ./deploy.sh
      mirror: false # no GitHub API under act
    secrets: inherit
    permissions: {contents: write, deployments: write}
`

// The deploy command logs what it was asked to do.
const releaseDeploy = `#!/bin/sh
echo "deploy $ORDO_SERVICE wave=$ORDO_WAVE rollback=${ORDO_ROLLBACK:-false} sha=$ORDO_SHA version=$ORDO_VERSION env=$ORDO_ENV" >> "$DEPLOY_LOG"
`

// TestActReleaseWorkflow runs the reusable workflow (generated from the
// template, served as ordo-ci/ordo@v1) from a caller workflow with act: a
// healthy release deploys and verifies every wave in order; with api's
// health endpoint failing, the breaker trips in wave 1, web never deploys,
// and the rollback jobs redeploy wave 1 and then wave 0 at the commit that
// ran before, as the deploy log and the record show.
func TestActReleaseWorkflow(t *testing.T) {
	act := tool(t, "ORDO_ACT", "act")
	var mu sync.Mutex
	down := map[string]bool{}
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

	repo := gittest.New(t)
	repo.Git("remote", "add", "origin", "https://github.com/acme/shop.git")
	files := gittest.Files{
		"ordo.yaml":                     releaseCatalog,
		".github/workflows/release.yml": releaseCaller,
		"db/0001.sql":                   "create table t (id int);\n",
		"api/main.go":                   "package main\n",
		"worker/main.go":                "package main\n",
		"web/index.html":                "<p>web</p>\n",
	}
	repo.Commit("init", files)
	writeFile(t, filepath.Join(repo.Dir, "deploy.sh"), releaseDeploy, 0o755) // executable
	init := repo.Commit("deploy script")
	change := repo.Commit("feat: everything", gittest.Files{
		"db/0002.sql": "alter table t add column x int;\n", "api/main.go": "package main // 2\n",
		"worker/main.go": "package main // 2\n", "web/index.html": "<p>web 2</p>\n",
	})

	src := t.TempDir()
	copySources(t, src)
	wf, err := releasewf.Generate(releasewf.Waves)
	if err != nil {
		t.Fatal(err)
	}
	// act's workflow schema predates environment: {deployment: false}
	// (2025), which it refuses; for act alone the line goes.
	wf = regexp.MustCompile(`(?m)^\s+deployment: false.*\n`).ReplaceAll(wf, nil)
	writeFile(t, filepath.Join(src, releasewf.File), string(wf), 0o644)
	home := t.TempDir()

	actRelease := func(t *testing.T) (result, string, []map[string]any) {
		t.Helper()
		dir := t.TempDir()
		rec, log := filepath.Join(dir, "record.jsonl"), filepath.Join(dir, "deploy.log")
		// What ran before: every service at init, release r0.
		var seed strings.Builder
		for _, s := range []string{"db", "api", "worker", "web"} {
			fmt.Fprintf(&seed, `{"env":"staging","service":%q,"phase":"deploy","state":"success","sha":%q,"version":"0.1.0","release":"r0","wave":null,"time":"2026-01-01T00:00:00Z","url":""}`+"\n", s, init)
		}
		writeFile(t, rec, seed.String(), 0o644)
		event := filepath.Join(dir, "event.json")
		writeFile(t, event, fmt.Sprintf(`{"ref":"refs/heads/main","before":%q,"after":%q,"repository":{"default_branch":"main","full_name":"acme/shop"}}`, init, change), 0o644)
		env := append(goEnv(t), "HOME="+home, "GOPROXY=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=readonly")
		start := time.Now()
		r := run(t, repo.Dir, env, 10*time.Minute, act, "push",
			"-e", event,
			"-W", ".github/workflows/release.yml",
			"-P", "ubuntu-latest=-self-hosted",
			"--no-cache-server",
			"--local-repository", "ordo-ci/ordo@v1="+src,
			"--env", "ORDO_FROM_SOURCE=true",
			"--env", "ORDO_RECORD="+rec,
			"--env", "DEPLOY_LOG="+log,
			"--env", "HEALTH_URL="+health.URL,
			"--secret", "HEALTH_TOKEN=tok-e2e",
		)
		t.Logf("act: exit %d in %s", r.code, time.Since(start).Round(time.Millisecond))
		if testing.Verbose() {
			t.Log(r.out)
		}
		deploys, _ := os.ReadFile(log)
		return r, string(deploys), readRecord(t, rec)
	}

	t.Run("healthy", func(t *testing.T) {
		r, deploys, entries := actRelease(t)
		if r.code != 0 {
			t.Fatalf("act: exit %d\n%s", r.code, r.out)
		}
		lines := strings.Split(strings.TrimSpace(deploys), "\n")
		if len(lines) != 4 || !strings.HasPrefix(lines[0], "deploy db wave=0 rollback=false sha="+change) ||
			!strings.HasPrefix(lines[3], "deploy web wave=2 rollback=false") {
			t.Errorf("deploys, in order:\n%s", deploys)
		}
		for _, s := range []string{"db", "api", "worker", "web"} {
			if !hasEntry(entries, s, "verify", "verified", change) || !hasEntry(entries, s, "deploy", "success", change) {
				t.Errorf("%s is not deployed and verified at head in the record", s)
			}
		}
		if strings.Contains(r.out, "tok-e2e") {
			t.Errorf("the secret is printed")
		}
	})

	t.Run("api unhealthy", func(t *testing.T) {
		mu.Lock()
		down["api"] = true
		mu.Unlock()
		r, deploys, entries := actRelease(t)
		if r.code == 0 {
			t.Fatalf("act: the run should fail\n%s", r.out)
		}
		lines := strings.Split(strings.TrimSpace(deploys), "\n")
		want := []string{
			"deploy db wave=0 rollback=false", "deploy api wave=1 rollback=false", "deploy worker wave=1 rollback=false",
			"deploy api wave=0 rollback=true sha=" + init, "deploy worker wave=0 rollback=true sha=" + init,
			"deploy db wave=1 rollback=true sha=" + init,
		}
		if len(lines) != len(want) {
			t.Fatalf("deploys:\n%s\nwant %d lines like %q", deploys, len(want), want)
		}
		// Within a wave the matrix jobs run in any order.
		slices.Sort(lines[1:3])
		slices.Sort(lines[3:5])
		for i, w := range want {
			if !strings.HasPrefix(lines[i], w) {
				t.Errorf("deploy %d is %q, want %q", i, lines[i], w)
			}
		}
		if strings.Contains(deploys, "deploy web") {
			t.Errorf("web deployed after the breaker tripped")
		}
		if !hasEntry(entries, "api", "verify", "failure", change) {
			t.Errorf("api's failed verification is not in the record")
		}
		for _, s := range []string{"db", "api", "worker"} {
			if !hasEntry(entries, s, "rollback", "rolled_back", change) || !hasEntry(entries, s, "rollback", "success", init) {
				t.Errorf("%s's rollback is not in the record", s)
			}
		}
		if !strings.Contains(r.out, "the breaker tripped") || !strings.Contains(r.out, "failed in staging") {
			t.Errorf("the log does not say the breaker tripped and the release failed:\n%s", r.out)
		}
	})
}

func readRecord(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e map[string]any
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("record line %q: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	return out
}

func hasEntry(entries []map[string]any, service, phase, state, sha string) bool {
	return slices.ContainsFunc(entries, func(e map[string]any) bool {
		return e["service"] == service && e["phase"] == phase && e["state"] == state && e["sha"] == sha
	})
}
