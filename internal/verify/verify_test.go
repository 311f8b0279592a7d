package verify

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// scripted answers /<name> with the next status of that name's script, then
// repeats its last one, and remembers when each request came.
type scripted struct {
	mu      sync.Mutex
	scripts map[string][]int
	calls   map[string][]time.Time
	srv     *httptest.Server
}

func newScripted(tb testing.TB, scripts map[string][]int) *scripted {
	tb.Helper()
	s := &scripted{scripts: scripts, calls: map[string][]time.Time{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		s.mu.Lock()
		n := len(s.calls[name])
		s.calls[name] = append(s.calls[name], time.Now())
		script := s.scripts[name]
		s.mu.Unlock()
		status := http.StatusNotFound
		if len(script) > 0 {
			status = script[min(n, len(script)-1)]
		}
		w.WriteHeader(status)
	}))
	tb.Cleanup(s.srv.Close)
	return s
}

func (s *scripted) count(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls[name])
}

func TestMeasurements(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		script   []int
		check    string // after the url
		bake     time.Duration
		passed   bool
		measured int    // measurements taken
		reason   string // substring
	}{
		{"all pass", []int{200}, "count: 3, interval: 20ms", 0, true, 3, ""},
		{"one failure tolerated", []int{200, 500, 200}, "count: 3, interval: 20ms, failure_limit: 1", 0, true, 3, ""},
		{"two failures are one too many", []int{500, 200, 500, 200}, "count: 4, interval: 20ms, failure_limit: 1", 0, false, 3,
			"2 failed measurements, more than failure_limit 1 tolerates; last: status 500, want 2xx"},
		{"first failure fails without a limit", []int{200, 503}, "count: 5, interval: 20ms", 0, false, 2, "status 503, want 2xx"},
		{"bake keeps measuring", []int{200}, "count: 2, interval: 20ms", 70 * time.Millisecond, true, 5, ""},
		{"a failure while baking fails", []int{200, 200, 200, 500}, "count: 2, interval: 20ms, failure_limit: 1", 100 * time.Millisecond, false, 4,
			"failed while baking: status 500, want 2xx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newScripted(t, map[string][]int{"x": tt.script})
			chs := checks(t, fmt.Sprintf("  c: {http: {url: %q}, %s}\n", srv.srv.URL+"/x", tt.check))
			res := run(t, Options{Bake: tt.bake}, svc("api", chs["c"]))
			c := res.Services[0].Checks[0]
			if c.Passed != tt.passed || len(c.Measurements) != tt.measured || !strings.Contains(c.Reason, tt.reason) {
				t.Errorf("got passed=%v, %d measurements, reason %q; want %v, %d, %q\n%s",
					c.Passed, len(c.Measurements), c.Reason, tt.passed, tt.measured, tt.reason, summary(res))
			}
			if got := srv.count("x"); got != tt.measured {
				t.Errorf("the server saw %d requests, want %d", got, tt.measured)
			}
		})
	}
}

// Measurements keep their interval and start after the initial delay.
func TestTiming(t *testing.T) {
	t.Parallel()
	srv := newScripted(t, map[string][]int{"x": {200}})
	chs := checks(t, fmt.Sprintf("  c: {http: {url: %q}, initial_delay: 150ms, interval: 100ms, count: 3}\n", srv.srv.URL+"/x"))
	start := time.Now()
	res := run(t, Options{}, svc("api", chs["c"]))
	if !res.Passed {
		t.Fatalf("failed:\n%s", summary(res))
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	calls := srv.calls["x"]
	// Each measurement keeps its place on the check's clock (a slow one
	// does not push the next), and the first waits for the initial delay.
	for i, c := range calls {
		due := 150*time.Millisecond + time.Duration(i)*100*time.Millisecond
		if d := c.Sub(start); d < due || d > due+150*time.Millisecond {
			t.Errorf("measurement %d came %v after the start, want about %v", i+1, d, due)
		}
	}
}

// The breaker trips at max_failed failed services and stops the others;
// fewer failed services fail only themselves.
func TestBreaker(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		maxFailed int
		bad       int // failing services, of 4
		tripped   bool
	}{
		{"one failure, max 1", 1, 1, true},
		{"one failure, max 2", 2, 1, false},
		{"two failures, max 2", 2, 2, true},
		{"none", 1, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newScripted(t, map[string][]int{"ok": {200}, "bad": {500}})
			chs := checks(t, fmt.Sprintf("  ok: {http: {url: %q}, count: 20, interval: 50ms}\n  bad: {http: {url: %q}, initial_delay: 30ms}\n",
				srv.srv.URL+"/ok", srv.srv.URL+"/bad"))
			var services []Service
			for i := range 4 {
				c := chs["ok"]
				if i < tt.bad {
					c = chs["bad"]
				}
				services = append(services, svc(fmt.Sprintf("s%d", i), c))
			}
			start := time.Now()
			res := run(t, Options{MaxFailed: tt.maxFailed}, services...)
			took := time.Since(start)
			if res.Tripped != tt.tripped || res.Passed == tt.tripped || res.Failed != tt.bad {
				t.Fatalf("got tripped=%v passed=%v failed=%d, want tripped=%v failed=%d\n%s", res.Tripped, res.Passed, res.Failed, tt.tripped, tt.bad, summary(res))
			}
			for i, s := range res.Services {
				want := StatePassed
				switch {
				case i < tt.bad:
					want = StateFailed
				case tt.tripped:
					want = StateStopped
				}
				if s.State != want {
					t.Errorf("%s is %s, want %s", s.Name, s.State, want)
				}
			}
			if tt.tripped && took > 500*time.Millisecond {
				t.Errorf("a tripped breaker took %v: it should stop the 1s checks at once", took)
			}
		})
	}
}

// An interrupt stops the measurements and keeps what was measured.
func TestInterrupt(t *testing.T) {
	t.Parallel()
	srv := newScripted(t, map[string][]int{"ok": {200}})
	chs := checks(t, fmt.Sprintf("  ok: {http: {url: %q}, count: 100, interval: 30ms}\n", srv.srv.URL+"/ok"))
	r, err := Prepare([]Service{svc("api", chs["ok"])}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	res := r.Start(ctx)
	m := res.Services[0].Checks[0].Measurements
	if !res.Interrupted || res.Passed || res.Services[0].State != StateStopped || len(m) < 2 || len(m) > 5 {
		t.Errorf("got interrupted=%v passed=%v state %s with %d measurements\n%s", res.Interrupted, res.Passed, res.Services[0].State, len(m), summary(res))
	}
	for _, x := range m {
		if !x.Passed {
			t.Errorf("a measurement cut short by the interrupt is reported as failed: %+v", x)
		}
	}
}

func TestNoChecks(t *testing.T) {
	t.Parallel()
	res := run(t, Options{}, svc("api"))
	if !res.Passed || res.Services[0].State != StateNoChecks || !res.Services[0].Passed {
		t.Errorf("a service without checks should pass and say so:\n%s", summary(res))
	}
}

func TestCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	script := "#!/bin/sh\necho \"service=$1 env=$2 cwd=$(pwd)\"\n[ \"$1\" = api ] || { echo \"unknown service $1\" >&2; exit 3; }\n"
	if err := os.WriteFile(filepath.Join(dir, "smoke.sh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, check string
		service     string
		passed      bool
		value       string
		error       string
	}{
		{"exit 0", `{command: [./smoke.sh, "{service}", "{env}"]}`, "api", true, "exit 0", ""},
		{"exit 3", `{command: [./smoke.sh, "{service}", "{env}"]}`, "web", false, "exit 3", "./smoke.sh exited 3, want 0: unknown service web"},
		{"stdout", `{command: [./smoke.sh, "{service}", "{env}"], success: "stdout contains 'env=staging cwd=` + dir + `'"}`, "api", true, "exit 0", ""},
		{"exit_code", `{command: [./smoke.sh, "{service}"], success: "exit_code == 3"}`, "web", true, "exit 3", ""},
		{"timeout", `{command: [sleep, "5"], timeout: 100ms}`, "api", false, "", "sleep did not finish"},
		{"not found", `{command: [./missing.sh]}`, "api", false, "", "no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			chs := checks(t, "  c: "+tt.check+"\n")
			start := time.Now()
			res := run(t, Options{Dir: dir}, svc(tt.service, chs["c"]))
			m := res.Services[0].Checks[0].Measurements[0]
			if m.Passed != tt.passed || m.Value != tt.value || !strings.Contains(m.Error, tt.error) {
				t.Errorf("got %+v, want passed=%v value=%q error containing %q", m, tt.passed, tt.value, tt.error)
			}
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("took %v: the timeout did not stop the command", took)
			}
		})
	}
}
