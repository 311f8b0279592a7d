package events_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/events"
	"github.com/ordo-ci/ordo/internal/events/eventstest"
	"github.com/ordo-ci/ordo/internal/exit"
)

const release = "staging-20261129T090000Z-0a1b2c3d"

func wave(n int) *int { return &n }

// every returns one event of each type ordo emits.
func every() []events.CDEvent {
	sha := strings.Repeat("ab", 20)
	d := events.Data{SHA: sha, Version: "1.2.0", Wave: wave(1)}
	return []events.CDEvent{
		events.PipelineRunQueued("staging", release, events.Data{Head: sha,
			Waves: []events.Wave{{Index: 0, Services: []string{"db"}}, {Index: 1, Services: []string{"api"}}},
			Jobs:  []events.Job{{Service: "db", Wave: 0, SHA: sha, Version: "1.0.0"}, {Service: "api", Wave: 1, SHA: sha, Version: "1.2.0", BaseSHA: sha}}}),
		events.PipelineRunStarted("staging", release, d),
		events.TaskRunStarted(release, events.WaveTask(1), events.Data{Wave: wave(1), Services: []string{"api"}}),
		events.ServiceDeployed("staging", release, "db", events.Artifact("", "db", "1.0.0", sha), d),
		events.ServiceUpgraded("staging", release, "api", events.Artifact("", "api", "1.2.0+abcdef012345", sha), d),
		events.TaskRunFinished(release, events.WaveTask(1), events.OutcomeSuccess, "", d),
		events.TaskRunStarted(release, events.VerifyTask(1), d),
		events.IncidentDetected("staging", release, "api", "healthz", events.Artifact("", "api", "1.2.0", sha), "response.status == 200 is false (503)", d),
		events.TaskRunFinished(release, events.VerifyTask(1), events.OutcomeFailure, "api failed healthz",
			events.Data{Checks: []events.Check{{Service: "api", Check: "healthz", Passed: false, Error: "503"}}}),
		events.PipelineRunFinished("staging", release, events.OutcomeFailure, "the breaker tripped in wave 1", d),
		events.ServiceRolledBack("staging", release, "api", events.Artifact("oci://registry.example.com/{service}:{version}", "api", "1.1.0", sha), d),
		events.EnvironmentModified("staging", "", events.Data{Extra: map[string]any{"flags": map[string]any{"new-checkout": "off"}}}),
	}
}

func TestEveryEventValidates(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "events.jsonl")
	em, err := events.New(events.Config{File: file, RepoURL: "https://github.com/acme/shop"})
	if err != nil {
		t.Fatal(err)
	}
	sent := em.Emit(context.Background(), every()...)
	if n := eventstest.ValidateFile(t, file); n != len(every()) {
		t.Fatalf("%d events in the file, want %d", n, len(every()))
	}
	ids := map[string]bool{}
	for _, ev := range sent {
		if ids[ev.Context.ID] {
			t.Errorf("id %s twice", ev.Context.ID)
		}
		ids[ev.Context.ID] = true
		if ev.Context.Source != "https://github.com/acme/shop/ordo" {
			t.Errorf("source %q", ev.Context.Source)
		}
		if _, err := time.Parse(time.RFC3339Nano, ev.Context.Timestamp); err != nil {
			t.Errorf("timestamp: %v", err)
		}
		if ev.Context.Type != events.TypeEnvironmentModified && ev.Context.ChainID != release {
			t.Errorf("%s: chainId %q, want the release", ev.Context.Type, ev.Context.ChainID)
		}
		if u := ev.Subject.Content.URI; u != "" && u != events.ReleaseURI(release) {
			t.Errorf("%s: uri %q, want %q outside CI", ev.Context.Type, u, events.ReleaseURI(release))
		}
	}
	// What the file holds is what Emit returned, read back.
	got, warnings, err := events.ReadFile(file)
	if err != nil || len(warnings) > 0 {
		t.Fatal(err, warnings)
	}
	if len(got) != len(sent) || got[4].Subject.Content.ArtifactID != "pkg:generic/api@1.2.0%2Babcdef012345" {
		t.Fatalf("read back %d events; artifact %q", len(got), got[4].Subject.Content.ArtifactID)
	}
}

// The validator can fail: ordo's fields in subject.content, an outcome the
// enum lacks, a timestamp that is not RFC 3339 and a source that is not a
// URI reference are all refused.
func TestSchemasRefuse(t *testing.T) {
	t.Parallel()
	ok := mustJSON(t, fill(events.ServiceDeployed("staging", release, "api", "pkg:generic/api@1.0.0", events.Data{})))
	for name, edit := range map[string]func(m map[string]any){
		"extra content":   func(m map[string]any) { sub(m, "subject", "content")["sha"] = "abc" },
		"no artifact":     func(m map[string]any) { delete(sub(m, "subject", "content"), "artifactId") },
		"bad timestamp":   func(m map[string]any) { sub(m, "context")["timestamp"] = "yesterday" },
		"bad source":      func(m map[string]any) { sub(m, "context")["source"] = "a b\\c" },
		"wrong version":   func(m map[string]any) { sub(m, "context")["type"] = "dev.cdevents.service.deployed.0.2.0" },
		"extra top level": func(m map[string]any) { m["ordo"] = true },
	} {
		var m map[string]any
		_ = json.Unmarshal(ok, &m)
		edit(m)
		rec := &recorder{TB: t}
		eventstest.Validate(rec, mustJSON(t, m))
		if !rec.failed {
			t.Errorf("%s: the schemas accepted it", name)
		}
	}
	eventstest.Validate(t, ok)
}

type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()      {}
func (r *recorder) Error(...any) { r.failed = true }

func sub(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		m = m[k].(map[string]any)
	}
	return m
}

func fill(ev events.CDEvent) events.CDEvent {
	em, _ := events.New(events.Config{File: os.DevNull})
	return em.Emit(context.Background(), ev)[0]
}

func mustJSON(tb testing.TB, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestSource(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ run, repo, want string }{
		{"https://github.com/a/b/actions/runs/1", "https://github.com/a/b", "https://github.com/a/b/actions/runs/1"},
		{"", "https://gitlab.com/g/p", "https://gitlab.com/g/p/ordo"},
		{"", "", "ordo"},
	} {
		if got := events.Source(tc.run, tc.repo); got != tc.want {
			t.Errorf("Source(%q, %q) = %q, want %q", tc.run, tc.repo, got, tc.want)
		}
	}
}

func TestArtifact(t *testing.T) {
	t.Parallel()
	sha := strings.Repeat("0f", 20)
	for _, tc := range []struct{ tmpl, version, want string }{
		{"", "1.2.3", "pkg:generic/api@1.2.3"},
		{"", "0.1.0+0f0f0f0f0f0f", "pkg:generic/api@0.1.0%2B0f0f0f0f0f0f"},
		{"", "", "pkg:generic/api@" + sha},
		{"pkg:oci/{service}@{version}?repository_url=ghcr.io/acme", "2.0.0", "pkg:oci/api@2.0.0?repository_url=ghcr.io/acme"},
		{"pkg:github/acme/shop@{sha}#services/{service}", "2.0.0", "pkg:github/acme/shop@" + sha + "#services/api"},
	} {
		if got := events.Artifact(tc.tmpl, "api", tc.version, sha); got != tc.want {
			t.Errorf("Artifact(%q, %q) = %q, want %q", tc.tmpl, tc.version, got, tc.want)
		}
	}
}

func TestOutcomeOf(t *testing.T) {
	t.Parallel()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	bg := context.Background()
	for _, tc := range []struct {
		ctx  context.Context
		err  error
		want string
	}{
		{bg, nil, events.OutcomeSuccess},
		{bg, exit.Nof("tripped"), events.OutcomeFailure},
		{bg, exit.Envf("git failed"), events.OutcomeError},
		{cancelled, context.Canceled, events.OutcomeCancel},
	} {
		if got := events.OutcomeOf(tc.ctx, tc.err); got != tc.want {
			t.Errorf("OutcomeOf(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// Parallel writers (deploy jobs of one wave) interleave whole lines, and a
// file whose last line lost its newline gets the new lines whole.
func TestFileWholeLines(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "events.jsonl")
	if err := os.WriteFile(file, []byte(`{"truncated":`), 0o644); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			em, _ := events.New(events.Config{File: file})
			em.Emit(context.Background(), events.TaskRunStarted(release, events.WaveTask(i), events.Data{}),
				events.TaskRunFinished(release, events.WaveTask(i), events.OutcomeSuccess, "", events.Data{}))
		}()
	}
	wg.Wait()
	got, warnings, err := events.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 40 || len(warnings) != 1 || !strings.Contains(warnings[0], ":1:") {
		t.Fatalf("%d events, warnings %q; want 40 and one for line 1", len(got), warnings)
	}
	for _, ev := range got {
		eventstest.Validate(t, mustJSON(t, ev))
	}
}

// receiver is a CloudEvents HTTP endpoint: it checks binary mode (the
// context as ce-* headers, the CDEvent as a JSON body) and validates the body.
type receiver struct {
	t      *testing.T
	mu     sync.Mutex
	got    []events.CDEvent
	status []int // answers to give, in order; then 202
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.status) > 0 {
		code := rc.status[0]
		rc.status = rc.status[1:]
		w.WriteHeader(code)
		return
	}
	body, _ := io.ReadAll(r.Body)
	eventstest.Validate(rc.t, body)
	var ev events.CDEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		rc.t.Errorf("body: %v", err)
	}
	h := r.Header
	for name, want := range map[string]string{
		"Content-Type": "application/json", "Ce-Specversion": "1.0", "Ce-Id": ev.Context.ID,
		"Ce-Source": ev.Context.Source, "Ce-Type": ev.Context.Type, "Ce-Time": ev.Context.Timestamp, "Ce-Subject": ev.Subject.ID,
	} {
		if got := h.Get(name); got != want || want == "" {
			rc.t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if r.Method != http.MethodPost {
		rc.t.Errorf("method %s", r.Method)
	}
	rc.got = append(rc.got, ev)
	w.WriteHeader(http.StatusAccepted)
}

func TestCloudEventsBinaryMode(t *testing.T) {
	t.Parallel()
	rc := &receiver{t: t, status: []int{503, 429}} // retried like forge calls
	srv := httptest.NewServer(rc)
	defer srv.Close()
	var warnings []string
	em, err := events.New(events.Config{URL: srv.URL + "/events", RunURL: "https://github.com/a/b/actions/runs/7",
		Sleep: func(context.Context, time.Duration) error { return nil }, Warn: func(m string) { warnings = append(warnings, m) }})
	if err != nil {
		t.Fatal(err)
	}
	em.Emit(context.Background(), every()...)
	if len(warnings) > 0 {
		t.Fatal(warnings)
	}
	if len(rc.got) != len(every()) {
		t.Fatalf("received %d events, want %d", len(rc.got), len(every()))
	}
	for i, ev := range rc.got {
		if ev.Context.Type != every()[i].Context.Type || ev.Context.Source != "https://github.com/a/b/actions/runs/7" {
			t.Errorf("event %d: %s from %s", i, ev.Context.Type, ev.Context.Source)
		}
	}
}

// A sink that is down is one warning, and the command is held up at most
// its timeout however many events it emits.
func TestSinkDown(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens: connections are refused
	stop := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	defer hanging.Close()
	defer close(stop)
	for name, url := range map[string]string{"refused": "http://" + addr + "/", "hanging": hanging.URL} {
		var warnings []string
		file := filepath.Join(t.TempDir(), "events.jsonl")
		em, _ := events.New(events.Config{File: file, URL: url, Timeout: 300 * time.Millisecond,
			Warn: func(m string) { warnings = append(warnings, m) }})
		start := time.Now()
		em.Emit(context.Background(), every()[:3]...)
		em.Emit(context.Background(), every()[3:]...)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: held up %s", name, d)
		}
		if len(warnings) != 1 || !strings.Contains(warnings[0], "the command goes on") {
			t.Errorf("%s: warnings %q, want one", name, warnings)
		}
		// The file sink is independent of the URL's.
		if n := eventstest.ValidateFile(t, file); n != len(every()) {
			t.Errorf("%s: %d events in the file", name, n)
		}
	}
}

func TestBadURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"ftp://x", "events.example.com", "http://"} {
		_, err := events.New(events.Config{URL: u})
		if exit.Code(err) != exit.BadInput {
			t.Errorf("%q: %v, want bad input", u, err)
		}
	}
	var ee *exit.Error
	_, err := events.New(events.Config{URL: "ftp://x"})
	if !errors.As(err, &ee) {
		t.Fatal(err)
	}
}

func TestFileUnwritable(t *testing.T) {
	t.Parallel()
	var warnings []string
	em, _ := events.New(events.Config{File: filepath.Join(t.TempDir(), "no", "such", "dir", "e.jsonl"),
		Warn: func(m string) { warnings = append(warnings, m) }})
	em.Emit(context.Background(), every()[0])
	if len(warnings) != 1 || !bytes.Contains([]byte(warnings[0]), []byte("events not written")) {
		t.Fatalf("warnings %q", warnings)
	}
}

func TestSent(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "events.jsonl")
	em, _ := events.New(events.Config{File: file})
	fin := events.PipelineRunFinished("staging", release, events.OutcomeFailure, "tripped", events.Data{})
	if em.Sent(events.TypePipelineRunFinished, release) {
		t.Fatal("sent before anything was")
	}
	em.Emit(context.Background(), fin)
	if !em.Sent(events.TypePipelineRunFinished, release) || em.Sent(events.TypePipelineRunFinished, "other") || em.Sent(events.TypePipelineRunStarted, release) {
		t.Fatal("Sent does not match type and chain")
	}
}
