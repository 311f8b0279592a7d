package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/ci/citest"
	"github.com/ordo-ci/ordo/internal/forge/forgetest"
	"github.com/ordo-ci/ordo/internal/git/gittest"
)

// TestNotesActionSummaryOnce runs the notes action's ordo step with the real
// ordo on commits whose subjects carry workflow commands and Markdown: the
// notes are in the step summary once, the log runs none of the subjects'
// commands, and the summary holds none of their HTML, mentions or links.
func TestNotesActionSummaryOnce(t *testing.T) {
	r := gittest.New(t)
	r.Commit("chore: init", gittest.Files{"ordo.yaml": "version: 1\nservices:\n  svc:\n    paths: [svc/**]\n", "svc/a.go": "package a"})
	r.Commit("feat: hostile ##[add-mask]INJECTED <!-- hidden --> @acme/team [x](https://evil.example)\n\n::warning::INJECTED\n##[add-mask]INJECTED", gittest.Files{"svc/b.go": "package b"})
	a := actions(t)["notes"]
	s, _ := a.ordoStep(t)
	scratch := t.TempDir()
	summary := filepath.Join(scratch, "summary")
	env := []string{
		"ORDO=" + ordoBinary(t), "ORDO_FORMATS=" + s.Env["ORDO_FORMATS"], "GITHUB_ACTIONS=true",
		"RUNNER_TEMP=" + scratch, "GITHUB_OUTPUT=" + filepath.Join(scratch, "output"), "GITHUB_STEP_SUMMARY=" + summary,
	}
	res := run(t, r.Dir, env, time.Minute, "bash", filepath.Join(root, "actions", "setup", "run.sh"), "notes")
	if res.code != 0 {
		t.Fatalf("notes step: exit %d\n%s", res.code, res.out)
	}
	sum := readFile(t, summary)
	if n := strings.Count(sum, "## svc 0.1.0"); n != 1 {
		t.Errorf("the summary has the notes %d times, want once:\n%s", n, sum)
	}
	for _, bad := range []string{"<!--", "@acme", "](https://evil", "https://evil"} {
		if strings.Contains(sum, bad) {
			t.Errorf("the summary holds %q:\n%s", bad, sum)
		}
	}
	if cmds := citest.Commands(res.out); len(cmds) != 0 {
		t.Errorf("the step's log runs workflow commands %q:\n%s", cmds, res.out)
	}
}

// trap is an HTTP proxy that every request to a host other than 127.0.0.1
// goes to (HTTP_PROXY and HTTPS_PROXY in the job's environment; Go never
// proxies loopback addresses): it records the request and refuses it.
type trap struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newTrap(t *testing.T) *trap {
	tr := &trap{}
	tr.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr.mu.Lock()
		tr.seen = append(tr.seen, r.Method+" "+r.Host+r.URL.Path)
		tr.mu.Unlock()
		http.Error(w, "no", http.StatusForbidden)
	}))
	t.Cleanup(tr.Close)
	return tr
}

// actRawOutput rebuilds what a job's steps printed from act's log: act
// shows an output line after "| ", and a line it read as a command after
// "⚙  ". Its own reports of the file commands a step wrote (GITHUB_OUTPUT,
// GITHUB_ENV, GITHUB_PATH: "::set-output:: name=value"), which no runner
// prints, are left out.
func actRawOutput(log string) string {
	var b strings.Builder
	for _, line := range strings.Split(log, "\n") {
		line = strings.TrimRight(line, "\r")
		if !strings.HasPrefix(line, "[") {
			continue
		}
		_, rest, ok := strings.Cut(line, "] ")
		if !ok {
			continue
		}
		rest = strings.TrimLeft(rest, " ")
		switch {
		case strings.HasPrefix(rest, "| "):
			b.WriteString(strings.TrimPrefix(rest, "| ") + "\n")
		case strings.HasPrefix(rest, "⚙  ") && !actFileCommand.MatchString(rest):
			b.WriteString(strings.TrimPrefix(rest, "⚙  ") + "\n")
		}
	}
	return b.String()
}

var actFileCommand = regexp.MustCompile(`^⚙  ::(set-output|set-env|add-path):: `)

// TestActHostilePullRequest drives a hostile pull request through the
// README's pull request workflow under act, against the fake GitHub on
// 127.0.0.1: file names with workflow commands, \r and ##[add-mask]; a
// branch name, labels and commit subjects with mentions, HTML comments and
// links; and an API that redirects GET /user to another host. No workflow
// command of theirs runs, no mention, hidden text or link of theirs reaches
// the comment or the summaries, and no request goes anywhere but the API.
func TestActHostilePullRequest(t *testing.T) {
	act := tool(t, "ORDO_ACT", "act")
	const wf = ".github/workflows/pull-request.yml"
	repo := newMonorepo(t, "https://github.com/acme/shop.git", gittest.Files{wf: readmeFiles(t)[wf]}, "change")
	// Two files a service, so that the text output (two names a service)
	// shows every one.
	repo.Commit("feat(worker): <!-- hidden --> @acme/team [x](https://evil.example) ::warning::INJECTED ##[add-mask]INJECTED\n\n::error::INJECTED\n@acme/all", gittest.Files{
		"worker/x\n::warning title=ordo::INJECTED":            "1",
		"worker/y\r::warning::INJECTED":                       "1",
		"web/z ##[add-mask]INJECTED":                          "1",
		"web/<!-- hidden @acme/team [x](evil.example) -->.go": "1",
	})
	head := repo.Git("rev-parse", "HEAD")
	src := t.TempDir()
	copySources(t, src)
	env := append(goEnv(t), "HOME="+t.TempDir(), "GOPROXY=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=readonly")
	const token = "ghs-e2e"
	gh := newFakeGitHub(t, token)
	labels := []string{"ordo:override:policy.max_deploy", "<!-- hidden --> @acme/team", "x\n::warning::INJECTED", "##[add-mask]INJECTED", "[x](https://evil.example)"}
	gh.SetLabels(7, labels...)
	// GET /user redirects to another host, however often it is asked.
	for range 20 {
		gh.Inject(forgetest.GetUser, forgetest.Fault{Status: http.StatusTemporaryRedirect, Header: map[string]string{"Location": "http://api.evil.invalid/user"}})
	}
	tr := newTrap(t)
	branch := "x\n::warning::INJECTED @acme/team <!-- ##[add-mask]INJECTED"
	event := filepath.Join(t.TempDir(), "event.json")
	payload := map[string]any{
		"action": "synchronize", "number": 7,
		"pull_request": map[string]any{"number": 7, "title": "<!-- @acme/team", "labels": []map[string]string{{"name": labels[1]}},
			"base": map[string]any{"sha": repo.init, "ref": "main"}, "head": map[string]any{"sha": head, "ref": branch}},
		"repository": map[string]any{"default_branch": "main", "full_name": "acme/shop"},
	}
	b, _ := json.Marshal(payload)
	writeFile(t, event, string(b), 0o644)
	r := run(t, repo.Dir, env, 5*time.Minute, act, "pull_request",
		"-e", event, "-W", wf,
		"-P", "ubuntu-latest=-self-hosted", "--no-cache-server",
		"--local-repository", "ordo-ci/ordo@v1="+src,
		"--env", "ORDO_FROM_SOURCE=true",
		"--env", "GITHUB_API_URL="+gh.URL(),
		"--env", "HTTP_PROXY="+tr.URL, "--env", "HTTPS_PROXY="+tr.URL, "--env", "NO_PROXY=",
		"-s", "GITHUB_TOKEN="+token,
	)
	if testing.Verbose() {
		t.Log(r.out)
	}
	if r.code != 0 {
		t.Fatalf("act: exit %d\n%s", r.code, r.out)
	}
	for _, s := range []string{"worker", "web"} {
		if !strings.Contains(r.out, "testing "+s) {
			t.Fatalf("%s, which the hostile files change, was not tested:\n%s", s, r.out)
		}
	}
	raw := actRawOutput(r.out)
	if !strings.Contains(raw, "INJECTED") {
		t.Fatalf("the hostile names never reached the log, so the test proves nothing:\n%s", r.out)
	}
	for _, c := range citest.Commands(raw) {
		name := strings.TrimPrefix(strings.TrimLeft(c, " \t"), "::")
		name, _, _ = strings.Cut(name, "::")
		name, _, _ = strings.Cut(name, " ")
		own := map[string]bool{"add-mask": true, "error": true, "warning": true, "notice": true, "debug": true, "group": true, "endgroup": true}
		if strings.Contains(c, "INJECTED") || !own[name] {
			t.Errorf("the runner would execute %q", c)
		}
	}
	if gh.Count(forgetest.GetUser) == 0 {
		t.Errorf("ordo never asked GET /user: the redirect proves nothing (%s)", gh.Calls())
	}
	comments := gh.Comments(7)
	if len(gh.Issues()) != 1 || len(comments) != 1 {
		t.Errorf("%d comments on %v, want ordo's one on #7", len(comments), gh.Issues())
	}
	var summaries []string
	for _, line := range strings.Split(r.out, "\n") {
		if _, s, ok := strings.Cut(line, "Summary - "); ok {
			summaries = append(summaries, s)
		}
	}
	if len(summaries) == 0 {
		t.Errorf("no step summary in act's log")
	}
	docs := map[string]string{"summaries": strings.Join(summaries, "\n")}
	for _, c := range comments {
		docs[fmt.Sprintf("comment %d", c.ID)] = strings.Replace(c.Body, "<!-- ordo:plan -->", "", 1)
	}
	for name, doc := range docs {
		for _, bad := range []string{"<!--", "@acme", "](https://evil", "https://evil", "\r"} {
			if strings.Contains(doc, bad) {
				t.Errorf("%s holds %q:\n%s", name, bad, doc)
			}
		}
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if len(tr.seen) > 0 {
		t.Errorf("requests left the API host: %q", tr.seen)
	}
}
