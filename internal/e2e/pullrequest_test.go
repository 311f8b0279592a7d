package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeGitHub stands in, on 127.0.0.1 under /api/v3 (as GitHub Enterprise
// serves it), for the parts of GitHub's API that ordo status uses: commit
// statuses and the pull request comment. It keeps the comments, so that a
// second run finds the first one's, and records statuses as
// "context=state".
type fakeGitHub struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []string
	shas     map[string]bool // the commits statuses were posted on
	comments map[int]string  // id -> body
	writes   int             // comments created or edited
	labels   []string        // the pull request's labels
	// userRedirect, when set, is where GET /user is redirected (307).
	userRedirect string
}

func newFakeGitHub(t *testing.T, repo, token string) *fakeGitHub {
	t.Helper()
	g := &fakeGitHub{comments: map[int]string{}, shas: map[string]bool{}}
	prefix := "/api/v3/repos/" + repo
	statusPath := regexp.MustCompile(`^` + prefix + `/(?:commits/[0-9a-f]{40}/status|statuses/([0-9a-f]{40}))$`)
	commentsPath := regexp.MustCompile(`^` + prefix + `/issues/(?:(\d+)/comments|comments/(\d+))$`)
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if auth := r.Header.Get("Authorization"); auth != "Bearer "+token && auth != "token "+token {
			t.Errorf("%s %s: Authorization %q", r.Method, r.URL.Path, auth)
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		var body struct{ State, Context, Body string }
		if r.Method == http.MethodPost || r.Method == http.MethodPatch {
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				t.Errorf("%s %s: %v", r.Method, r.URL.Path, err)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		switch m, c := statusPath.FindStringSubmatch(r.URL.Path), commentsPath.FindStringSubmatch(r.URL.Path); {
		case r.Method == http.MethodGet && r.URL.Path == "/api/v3/user" && g.userRedirect != "":
			http.Redirect(w, r, g.userRedirect, http.StatusTemporaryRedirect)
		case r.Method == http.MethodGet && r.URL.Path == "/api/v3/user":
			// The workflow's token: GET /user refuses it, GraphQL names its bot.
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"message":"Resource not accessible by integration"}`)
		case r.Method == http.MethodPost && r.URL.Path == "/api/graphql":
			fmt.Fprint(w, `{"data":{"viewer":{"login":"github-actions"}}}`)
		case m != nil && r.Method == http.MethodGet:
			fmt.Fprint(w, `{"state":"pending","statuses":[],"total_count":0}`)
		case m != nil && r.Method == http.MethodPost && m[1] != "":
			g.statuses = append(g.statuses, body.Context+"="+body.State)
			g.shas[m[1]] = true
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, `{}`)
		// The branch's rules require ordo and ordo/db: the other unaffected
		// services get no status. No labels, no classic protection.
		// https://docs.github.com/en/rest/repos/rules#get-rules-for-a-branch
		case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, prefix+"/rules/branches/"):
			fmt.Fprint(w, `[{"type":"required_status_checks","parameters":{"required_status_checks":[{"context":"ordo"},{"context":"ordo/db"}]}}]`)
		case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, prefix+"/branches/"):
			fmt.Fprint(w, `{"name":"main","protected":false}`)
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/labels"):
			list := []map[string]any{}
			for i, l := range g.labels {
				list = append(list, map[string]any{"id": i + 1, "name": l})
			}
			json.NewEncoder(w).Encode(list)
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/pulls"):
			fmt.Fprint(w, `[]`)
		case c != nil && r.Method == http.MethodGet && c[1] != "":
			var list []map[string]any
			for id, b := range g.comments {
				list = append(list, map[string]any{"id": id, "body": b, "user": map[string]any{"login": "github-actions[bot]", "type": "Bot"}})
			}
			json.NewEncoder(w).Encode(list)
		case c != nil && r.Method == http.MethodPost && c[1] != "":
			id := len(g.comments) + 1
			g.comments[id] = body.Body
			g.writes++
			w.WriteHeader(http.StatusCreated)
			json.NewEncoder(w).Encode(map[string]any{"id": id, "body": body.Body, "user": map[string]any{"login": "github-actions[bot]", "type": "Bot"}})
		case c != nil && r.Method == http.MethodPatch && c[2] != "":
			var id int
			fmt.Sscan(c[2], &id)
			g.comments[id] = body.Body
			g.writes++
			json.NewEncoder(w).Encode(map[string]any{"id": id, "body": body.Body})
		default:
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(g.Close)
	return g
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
				gh := newFakeGitHub(t, "acme/shop", token)
				event := filepath.Join(t.TempDir(), "event.json")
				writeFile(t, event, events[name], 0o644)
				start := time.Now()
				r := run(t, repo.Dir, env, 5*time.Minute, act, name,
					"-e", event, "-W", w,
					"-P", "ubuntu-latest=-self-hosted", "--no-cache-server",
					"--local-repository", "ordo-ci/ordo@v1="+src,
					"--env", "ORDO_FROM_SOURCE=true",
					"--env", "GITHUB_API_URL="+gh.URL+"/api/v3",
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
				gh.mu.Lock()
				defer gh.mu.Unlock()
				last := map[string]string{}
				for _, s := range gh.statuses {
					c, state, _ := strings.Cut(s, "=")
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
				if len(gh.shas) != 1 || !gh.shas[repo.change] {
					t.Errorf("statuses went to %v, want the head commit %s", gh.shas, repo.change)
				}
				for _, c := range []string{"ordo", "ordo/api", "ordo/db"} {
					if last[c] != "success" {
						t.Errorf("status %s ended %q, want success (all: %v)", c, last[c], gh.statuses)
					}
				}
				// c6 is unaffected and no rule requires its context.
				if _, posted := last["ordo/c6"]; posted {
					t.Errorf("ordo/c6 was posted though no branch rule requires it: %v", gh.statuses)
				}
				if name == "pull_request" {
					// Both status steps keep the comment; the second finds the
					// first one's and leaves it (or edits it), never adds one.
					if len(gh.comments) != 1 || gh.writes > 2 {
						t.Errorf("%d comments after %d writes; want one comment", len(gh.comments), gh.writes)
					}
					for _, body := range gh.comments {
						if !strings.Contains(body, "<!-- ordo:plan -->") || !strings.Contains(body, "mailer") {
							t.Errorf("the comment is not ordo's plan:\n%s", body)
						}
					}
				} else if len(gh.comments) != 0 {
					t.Errorf("a merge group has no pull request to comment on, got %v", gh.comments)
				}
			})
		}
	}
}
