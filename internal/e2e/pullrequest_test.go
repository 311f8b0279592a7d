package e2e

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/forge/forgetest"
)

// newFakeGitHub is forgetest's fake GitHub (OpenAPI-validated, under
// /api/v3 as GitHub Enterprise serves it) of acme/shop as the workflows meet
// it: token is the workflow's (an installation: GET /user refuses it,
// GraphQL names its bot), and main's rules require ordo and ordo/db, so
// that the other unaffected services get no status. No labels, no classic
// protection.
func newFakeGitHub(t *testing.T, token string) *forgetest.GitHub {
	t.Helper()
	gh := forgetest.Start(t, "acme/shop", token)
	gh.SetInstallation(true)
	gh.Require("main", "ordo", "ordo/db")
	return gh
}

// TestActPullRequest runs the pull request and merge queue workflows a user
// copies (the example and the README's) with act on a pull_request event and
// on a merge_group event, against a GitHub API on 127.0.0.1: every affected
// service is tested, `ordo` and `ordo/<service>` end as success (unaffected
// services from the start), and the pull request has one plan comment
// however often the status action runs.
func TestActPullRequest(t *testing.T) {
	act := tool(t, "ORDO_ACT", "act")
	workflows := []string{".github/workflows/example-merge-queue.yml", ".github/workflows/pull-request.yml"}
	ci := repoFiles(t, workflows[0])
	ci[workflows[1]] = readmeFiles(t)[workflows[1]]
	repo := newMonorepo(t, "https://github.com/acme/shop.git", ci, "change")
	src := t.TempDir()
	copySources(t, src)
	home := t.TempDir()
	env := append(goEnv(t), "HOME="+home, "GOPROXY=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=readonly")
	affected := []string{"admin", "api", "auth", "mailer", "web"}
	const token = "ghs-e2e"

	events := map[string]string{
		"pull_request": fmt.Sprintf(`{"action":"synchronize","number":7,"pull_request":{"number":7,"base":{"sha":%q,"ref":"main"},"head":{"sha":%q,"ref":"fix"}},"repository":{"default_branch":"main","full_name":"acme/shop"}}`, repo.init, repo.change),
		"merge_group":  fmt.Sprintf(`{"action":"checks_requested","merge_group":{"base_sha":%q,"head_sha":%q,"base_ref":"refs/heads/main","head_ref":"refs/heads/gh-readonly-queue/main/pr-7"},"repository":{"default_branch":"main","full_name":"acme/shop"}}`, repo.init, repo.change),
	}
	for _, w := range workflows {
		for _, name := range []string{"pull_request", "merge_group"} {
			t.Run(filepath.Base(w)+"/"+name, func(t *testing.T) {
				gh := newFakeGitHub(t, token)
				event := filepath.Join(t.TempDir(), "event.json")
				writeFile(t, event, events[name], 0o644)
				start := time.Now()
				r := run(t, repo.Dir, env, 5*time.Minute, act, name,
					"-e", event, "-W", w,
					"-P", "ubuntu-latest=-self-hosted", "--no-cache-server",
					"--local-repository", "ordo-ci/ordo@v1="+src,
					"--env", "ORDO_FROM_SOURCE=true",
					"--env", "GITHUB_API_URL="+gh.URL(),
					"-s", "GITHUB_TOKEN="+token,
				)
				t.Logf("act %s: exit %d in %s", name, r.code, time.Since(start).Round(time.Millisecond))
				if testing.Verbose() {
					t.Log(r.out)
				}
				if r.code != 0 {
					t.Fatalf("act: exit %d\n%s", r.code, r.out)
				}
				for _, s := range affected {
					if !regexp.MustCompile(`(?m)\| testing ` + s + `\s*$`).MatchString(r.out) {
						t.Errorf("%s was not tested", s)
					}
				}
				if strings.Contains(r.out, "| testing db") {
					t.Errorf("db is not affected and should not be tested")
				}
				posted := gh.Posted(repo.change)
				last := map[string]string{}
				for _, s := range posted {
					c, state := s.Context, s.State
					if _, seen := last[c]; !seen {
						want := "pending"
						if c != "ordo" && !slices.Contains(affected, strings.TrimPrefix(c, "ordo/")) {
							want = "success"
						}
						if state != want {
							t.Errorf("first status of %s is %s, want %s", c, state, want)
						}
					}
					last[c] = state
				}
				if shas := gh.Commits(); len(shas) != 1 || shas[0] != repo.change {
					t.Errorf("statuses went to %v, want the head commit %s", shas, repo.change)
				}
				for _, c := range []string{"ordo", "ordo/api", "ordo/db"} {
					if last[c] != "success" {
						t.Errorf("status %s ended %q, want success (all: %v)", c, last[c], posted)
					}
				}
				// c6 is unaffected and no rule requires its context.
				if _, posted := last["ordo/c6"]; posted {
					t.Errorf("ordo/c6 was posted though no branch rule requires it: %v", posted)
				}
				if name == "pull_request" {
					// Both status steps keep the comment; the second finds the
					// first one's and leaves it (or edits it), never adds one.
					comments, writes := gh.Comments(7), gh.Count(forgetest.PostComment)+gh.Count(forgetest.PatchComment)
					if len(gh.Issues()) != 1 || len(comments) != 1 || writes > 2 {
						t.Errorf("%d comments on %v after %d writes; want one comment on #7", len(comments), gh.Issues(), writes)
					}
					for _, c := range comments {
						if !strings.Contains(c.Body, "<!-- ordo:plan -->") || !strings.Contains(c.Body, "mailer") {
							t.Errorf("the comment is not ordo's plan:\n%s", c.Body)
						}
					}
				} else if prs := gh.Issues(); len(prs) != 0 {
					t.Errorf("a merge group has no pull request to comment on, got comments on %v", prs)
				}
			})
		}
	}
}
