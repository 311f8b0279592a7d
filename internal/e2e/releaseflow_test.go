package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/git/gittest"
	releasewf "github.com/ordo-ci/ordo/internal/workflow"
)

// releaseCaller is the ten lines a user writes to call the reusable
// workflow, and three optional inputs: the flags file, the events sink
// (%s) and the secret that holds the Slack webhook URL.
const releaseCaller = `name: release
on: push
jobs:
  staging:
    uses: ordo-ci/ordo/.github/workflows/ordo-release.yml@v1
    with:
      environment: staging
      deploy: ./deploy.sh
      flags-file: flags/staging.json
      events-url: %s
      slack-webhook-secret: SLACK_HOOK
    secrets: inherit
    permissions: {contents: write, deployments: write}
`

// uploadArtifact stands in for actions/upload-artifact, which act cannot
// fetch offline: it copies each upload to $ORDO_TEST_ARTIFACTS, numbered,
// so the test sees every version of the flags file the workflow published.
const uploadArtifact = `name: upload-artifact (test)
inputs:
  name: {required: true}
  path: {required: true}
  overwrite: {required: false}
  if-no-files-found: {required: false}
runs:
  using: composite
  steps:
    - shell: bash
      env:
        NAME: ${{ inputs.name }}
        FILE: ${{ inputs.path }}
      run: |
        mkdir -p "$ORDO_TEST_ARTIFACTS"
        n=$(find "$ORDO_TEST_ARTIFACTS" -type f | wc -l)
        cp "$FILE" "$ORDO_TEST_ARTIFACTS/$(printf %03d "$n")-$NAME"
`

// The deploy command logs what it was asked to do.
const releaseDeploy = `#!/bin/sh
echo "deploy $ORDO_SERVICE wave=$ORDO_WAVE rollback=$ORDO_ROLLBACK sha=$ORDO_SHA version=$ORDO_VERSION env=$ORDO_ENV" >> "$DEPLOY_LOG"
`

// TestActReleaseWorkflow runs the reusable workflow (generated from the
// template, served as ordo-ci/ordo@v1) from a caller workflow with act: a
// healthy release deploys and verifies every wave in order; with api's
// health endpoint failing, the breaker trips in wave 1, web never deploys,
// and the rollback jobs redeploy wave 1 and then wave 0 at the commit that
// ran before, as the deploy log and the record show.
func TestActReleaseWorkflow(t *testing.T) {
	act := tool(t, "ORDO_ACT", "act")
	health := newHealthServer(t)
	// The chat and the events sink: what the workflow posts.
	chat := newHookServer(t, http.StatusOK, func(_ *http.Request, b []byte) string { return string(b) })
	sink := newHookServer(t, http.StatusAccepted, func(r *http.Request, _ []byte) string { return r.Header.Get("ce-type") })

	repo := gittest.New(t)
	repo.Git("remote", "add", "origin", "https://github.com/acme/shop.git")
	repo.Commit("init", releaseFiles(gittest.Files{".github/workflows/release.yml": fmt.Sprintf(releaseCaller, sink.URL)}))
	writeFile(t, filepath.Join(repo.Dir, "deploy.sh"), releaseDeploy, 0o755) // executable
	init := repo.Commit("deploy script")
	change := repo.Commit("feat: everything", releaseChange)

	src := t.TempDir()
	copySources(t, src)
	// The workflow as committed (TestCommittedWorkflow holds it to the
	// template). act's workflow schema predates environment: {deployment:
	// false} (2025), which it refuses; for act alone the line goes.
	wf := readFile(t, filepath.Join(root, releasewf.File))
	wf = regexp.MustCompile(`(?m)^\s+deployment: false.*\n`).ReplaceAllString(wf, "")
	writeFile(t, filepath.Join(src, releasewf.File), wf, 0o644)
	upload := t.TempDir()
	writeFile(t, filepath.Join(upload, "action.yml"), uploadArtifact, 0o644)
	uploadRef := regexp.MustCompile(`actions/upload-artifact@[0-9a-f]{40}`).FindString(wf)
	if uploadRef == "" {
		t.Fatalf("%s does not upload the flags file with a pinned actions/upload-artifact", releasewf.File)
	}
	home := t.TempDir()

	actRelease := func(t *testing.T) (result, string, []map[string]any, []string) {
		t.Helper()
		dir := t.TempDir()
		artifacts := filepath.Join(dir, "artifacts")
		rec, log := filepath.Join(dir, "record.jsonl"), filepath.Join(dir, "deploy.log")
		seedRecord(t, rec, init)
		event := filepath.Join(dir, "event.json")
		writeFile(t, event, fmt.Sprintf(`{"ref":"refs/heads/main","before":%q,"after":%q,"repository":{"default_branch":"main","full_name":"acme/shop"}}`, init, change), 0o644)
		env := append(goEnv(t), "HOME="+home, "GOPROXY=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=readonly")
		start := time.Now()
		r := run(t, repo.Dir, env, 10*time.Minute, act, "push",
			"-e", event,
			"-W", ".github/workflows/release.yml",
			"-P", "ubuntu-latest=-self-hosted",
			"--no-cache-server",
			// One job at a time: act 0.2.89 writes the inherited secrets map
			// from each job of a called workflow at once (runner/expression.go,
			// getWorkflowSecrets) and crashed with "concurrent map writes" in a
			// CI run. GitHub runs the jobs in parallel; the order of waves and
			// the deploy log are checked either way.
			"--concurrent-jobs", "1",
			"--local-repository", "ordo-ci/ordo@v1="+src,
			"--local-repository", uploadRef+"="+upload,
			"--env", "ORDO_FROM_SOURCE=true",
			"--env", "ORDO_TEST_ARTIFACTS="+artifacts,
			"--env", "ORDO_RECORD="+rec,
			"--env", "DEPLOY_LOG="+log,
			"--env", "HEALTH_URL="+health.URL,
			"--secret", "HEALTH_TOKEN="+releaseHealthToken,
			"--secret", "SLACK_HOOK="+chat.URL+"/services/T0/B0/x",
		)
		t.Logf("act: exit %d in %s", r.code, time.Since(start).Round(time.Millisecond))
		if testing.Verbose() {
			t.Log(r.out)
		}
		deploys, _ := os.ReadFile(log)
		var flags []string
		uploads, _ := filepath.Glob(filepath.Join(artifacts, "*-ordo-flags-staging"))
		for _, u := range uploads { // in the order uploaded
			flags = append(flags, readFile(t, u))
		}
		return r, string(deploys), readRecord(t, rec), flags
	}

	t.Run("healthy", func(t *testing.T) {
		r, deploys, entries, flags := actRelease(t)
		if r.code != 0 {
			t.Fatalf("act: exit %d\n%s", r.code, r.out)
		}
		checkReleased(t, deploys, entries, change)
		if strings.Contains(r.out, releaseHealthToken) {
			t.Errorf("the secret is printed")
		}
		// The flags file after each of the 3 waves; db runs 0.1.0+<sha> from wave 0.
		if len(flags) != 3 || flagState(t, flags[0]) != "on" || flagState(t, flags[2]) != "on" {
			t.Errorf("flags files uploaded: %d, want 3 with new-schema on:\n%s", len(flags), strings.Join(flags, "\n"))
		}
		slack, events := chat.take(), sink.take()
		if len(slack) != 2 || !strings.Contains(slack[0], "staging") || !strings.Contains(slack[1], "staging") {
			t.Errorf("Slack messages: %d, want 2 (the release starts, the report):\n%s", len(slack), strings.Join(slack, "\n"))
		}
		for _, want := range []string{"dev.cdevents.pipelinerun.queued.0.3.0", "dev.cdevents.taskrun.finished.0.3.0", "dev.cdevents.service.upgraded.0.3.0"} {
			if !slices.Contains(events, want) {
				t.Errorf("the events sink did not get %s: %v", want, events)
			}
		}
	})

	t.Run("api unhealthy", func(t *testing.T) {
		health.setDown("api")
		r, deploys, entries, flags := actRelease(t)
		if r.code == 0 {
			t.Fatalf("act: the run should fail\n%s", r.out)
		}
		checkRolledBack(t, deploys, entries, init, change)
		if !strings.Contains(r.out, "the breaker tripped") || !strings.Contains(r.out, "failed in staging") {
			t.Errorf("the log does not say the breaker tripped and the release failed:\n%s", r.out)
		}
		// After wave 0 the flag is on (db 0.1.0+<sha>); after the rollback (0.0.9), off.
		if len(flags) != 2 || flagState(t, flags[0]) != "on" || flagState(t, flags[1]) != "off" {
			t.Errorf("flags files uploaded: %d, want 2: new-schema on after wave 0, off after the rollback:\n%s", len(flags), strings.Join(flags, "\n"))
		}
		slack, events := chat.take(), sink.take()
		var kinds []string
		for _, m := range slack {
			switch {
			case strings.Contains(m, "verify"), strings.Contains(m, "Verify"):
				kinds = append(kinds, "verify")
			case strings.Contains(m, "ollback"):
				kinds = append(kinds, "rollback")
			default:
				kinds = append(kinds, "other")
			}
		}
		if len(slack) != 4 {
			t.Errorf("Slack messages: %d (%v), want 4: the release starts, wave 1 failed, the rollback, the report:\n%s", len(slack), kinds, strings.Join(slack, "\n"))
		}
		for _, want := range []string{"dev.cdevents.pipelinerun.queued.0.3.0", "dev.cdevents.service.rolledback.0.3.0"} {
			if !slices.Contains(events, want) {
				t.Errorf("the events sink did not get %s: %v", want, events)
			}
		}
	})
}
