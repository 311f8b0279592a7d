package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ordo-ci/ordo/internal/git/gittest"
)

// The release fixture, run by TestActReleaseWorkflow (GitHub, act) and
// TestGitLabReleaseRollback (GitLab, gitlab-ci-local): the same services,
// health server, chat hook, record and expectations, so that both forges
// are held to one release flow.

// releaseCatalog: db (wave 0), api and worker (wave 1), web (wave 2), each
// checked over HTTP against a server of the test, with a token the caller
// passes as a secret.
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
flags:
  new-schema: {requires: {db: ">=0.1.0"}}
services:
  db: {kind: migration, paths: [db/**]}
  api: {paths: [api/**], depends_on: [db]}
  worker: {paths: [worker/**], depends_on: [db]}
  web: {paths: [web/**], depends_on: [api]}
`

// releaseHealthToken is HEALTH_TOKEN, the secret the checks send.
const releaseHealthToken = "tok-e2e"

var releaseServices = []string{"db", "api", "worker", "web"}

// releaseFiles are the fixture's catalog and services, with ci (workflows,
// pipelines) added.
func releaseFiles(ci gittest.Files) gittest.Files {
	files := gittest.Files{
		"ordo.yaml":      releaseCatalog,
		"db/0001.sql":    "create table t (id int);\n",
		"api/main.go":    "package main\n",
		"worker/main.go": "package main\n",
		"web/index.html": "<p>web</p>\n",
	}
	for k, v := range ci {
		files[k] = v
	}
	return files
}

// releaseChange changes every service: the release deploys all four.
var releaseChange = gittest.Files{
	"db/0002.sql": "alter table t add column x int;\n", "api/main.go": "package main // 2\n",
	"worker/main.go": "package main // 2\n", "web/index.html": "<p>web 2</p>\n",
}

// healthServer answers the health check of each service: 200 with the
// token, 503 for a service set down.
type healthServer struct {
	*httptest.Server
	mu   sync.Mutex
	down map[string]bool
}

func newHealthServer(t *testing.T) *healthServer {
	h := &healthServer{down: map[string]bool{}}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		defer h.mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer "+releaseHealthToken {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if h.down[strings.TrimPrefix(r.URL.Path, "/")] {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, `{"status": "ok"}`)
	}))
	t.Cleanup(h.Close)
	return h
}

// setDown makes service's health endpoint fail from now on.
func (h *healthServer) setDown(service string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.down[service] = true
}

// hookServer keeps what is posted to it (the Slack webhook, the events
// sink): each request's body, or what keep takes of it.
type hookServer struct {
	*httptest.Server
	mu  sync.Mutex
	got []string
}

func newHookServer(t *testing.T, status int, keep func(r *http.Request, body []byte) string) *hookServer {
	h := &hookServer{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.got = append(h.got, keep(r, b))
		h.mu.Unlock()
		w.WriteHeader(status)
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(h.Close)
	return h
}

// take returns what arrived since the last take.
func (h *hookServer) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	got := h.got
	h.got = nil
	return got
}

// seedRecord writes the record of what ran before: every service at sha,
// release r0.
func seedRecord(t *testing.T, path, sha string) {
	t.Helper()
	var seed strings.Builder
	for _, s := range releaseServices {
		fmt.Fprintf(&seed, `{"env":"staging","service":%q,"phase":"deploy","state":"success","sha":%q,"version":"0.0.9","release":"r0","wave":null,"time":"2026-01-01T00:00:00Z","url":""}`+"\n", s, sha)
	}
	writeFile(t, path, seed.String(), 0o644)
}

// checkReleased checks a healthy release of change: every wave deployed in
// order, every service deployed and verified at change in the record.
func checkReleased(t *testing.T, deploys string, entries []map[string]any, change string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(deploys), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "deploy db wave=0 rollback=false sha="+change) ||
		!strings.HasPrefix(lines[3], "deploy web wave=2 rollback=false") {
		t.Errorf("deploys, in order:\n%s", deploys)
	}
	for _, s := range releaseServices {
		if !hasEntry(entries, s, "verify", "verified", change) || !hasEntry(entries, s, "deploy", "success", change) {
			t.Errorf("%s is not deployed and verified at head in the record", s)
		}
	}
}

// checkRolledBack checks a release of change whose api failed its checks in
// wave 1: web never deployed, and waves 1 and then 0 were redeployed at
// before, as the deploy log and the record show.
func checkRolledBack(t *testing.T, deploys string, entries []map[string]any, before, change string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(deploys), "\n")
	want := []string{
		"deploy db wave=0 rollback=false", "deploy api wave=1 rollback=false", "deploy worker wave=1 rollback=false",
		"deploy api wave=0 rollback=true sha=" + before, "deploy worker wave=0 rollback=true sha=" + before,
		"deploy db wave=1 rollback=true sha=" + before,
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
	if !hasEntry(entries, "api", "verify", "failure", change) {
		t.Errorf("api's failed verification is not in the record")
	}
	for _, s := range []string{"db", "api", "worker"} {
		if !hasEntry(entries, s, "rollback", "rolled_back", change) || !hasEntry(entries, s, "rollback", "success", before) {
			t.Errorf("%s's rollback is not in the record", s)
		}
	}
	if strings.Contains(deploys, "deploy web") || slices.ContainsFunc(entries, func(e map[string]any) bool { return e["service"] == "web" && e["sha"] == change }) {
		t.Errorf("web deployed after the breaker tripped")
	}
}

// flagState is new-schema's default variant in a flagd file.
func flagState(t *testing.T, file string) string {
	t.Helper()
	var doc struct {
		Flags map[string]struct {
			DefaultVariant string `json:"defaultVariant"`
		} `json:"flags"`
	}
	if err := json.Unmarshal([]byte(file), &doc); err != nil {
		t.Fatalf("flags file: %v\n%s", err, file)
	}
	return doc.Flags["new-schema"].DefaultVariant
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
