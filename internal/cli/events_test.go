package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ordo-ci/ordo/internal/events"
	"github.com/ordo-ci/ordo/internal/events/eventstest"
	"github.com/ordo-ci/ordo/internal/git/gittest"
)

const eventsCatalog = `version: 1
environments:
  staging: {}
services:
  db:  {kind: migration, paths: [db/**]}
  api: {paths: [api/**], depends_on: [db], with: {artifact: "pkg:oci/{service}@{version}?repository_url=ghcr.io/acme"}}
  web: {paths: [web/**], depends_on: [api]}
checks:
  healthz:
    command: [sh, -c, "test -f healthy-{service}", "{service}"]
verify:
  checks: [healthz]
`

// eventsRepo is a repository with a first release of db, api and web and a
// second that changes db and api (web follows through its dependency).
func eventsRepo(t *testing.T) (dir, c1, c2 string) {
	t.Helper()
	r := gittest.New(t)
	c1 = r.Commit("feat: first", gittest.Files{"ordo.yaml": eventsCatalog, "db/1.sql": "1", "api/a.go": "1", "web/w.go": "1"})
	c2 = r.Commit("feat(api): second", gittest.Files{"db/2.sql": "2", "api/a.go": "2"})
	return r.Dir, c1, c2
}

type ordoRun func(want int, args ...string) (stdout, stderr string)

func ordoIn(t *testing.T, dir string, env map[string]string) ordoRun {
	return func(want int, args ...string) (string, string) {
		t.Helper()
		var out, errs bytes.Buffer
		code := Run(context.Background(), append(args, "-C", dir), IO{In: strings.NewReader(""), Out: &out, Err: &errs}, func(k string) string { return env[k] })
		if code != want {
			t.Fatalf("ordo %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out.String(), errs.String())
		}
		return out.String(), errs.String()
	}
}

// TestEventsReplay replays a whole release through the commands and checks
// the events: release 1 deploys and verifies every wave; release 2 is
// planned, deploys and verifies wave 0, deploys wave 1, whose verification
// fails and trips the breaker, and is rolled back (ordo rollback, then the
// rollback jobs' entries). Every event validates against the CDEvents
// schemas; the sequence and the chain are checked.
func TestEventsReplay(t *testing.T) {
	t.Parallel()
	dir, c1, c2 := eventsRepo(t)
	tmp := t.TempDir()
	file := filepath.Join(tmp, "events.jsonl")
	env := map[string]string{"ORDO_RECORD": filepath.Join(tmp, "record.jsonl"), "ORDO_EVENTS": file}
	ordo := ordoIn(t, dir, env)
	// The check passes for a service whose healthy-<service> file exists
	// (commands run at the repository's root).
	for _, s := range []string{"db", "api", "web"} {
		if err := os.WriteFile(filepath.Join(dir, "healthy-"+s), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// Release 1: plan at c1, all three waves deployed and verified.
	gitRun(t, dir, "checkout", "-q", c1)
	p1 := filepath.Join(tmp, "p1.json")
	ordo(0, "plan", "--env", "staging", "--plan-file", p1, "--format", "json")
	for w := range 3 {
		for _, st := range []string{"in_progress", "success"} {
			ordo(0, "env", "record", "--plan-file", p1, "--wave", itoa(w), "--state", st)
		}
		ordo(0, "verify", "--plan-file", p1, "--wave", itoa(w))
	}
	gitRun(t, dir, "checkout", "-q", "main")
	p2 := filepath.Join(tmp, "p2.json")
	out, _ := ordo(0, "plan", "--env", "staging", "--plan-file", p2, "--format", "json")
	var plan struct{ Release string }
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatal(err)
	}
	r2 := plan.Release
	if err := os.Remove(filepath.Join(dir, "healthy-api")); err != nil {
		t.Fatal(err)
	}
	for w := range 2 {
		for _, st := range []string{"in_progress", "success"} {
			ordo(0, "env", "record", "--plan-file", p2, "--wave", itoa(w), "--state", st)
		}
		want := 0
		if w == 1 {
			want = 1 // api fails healthz: the breaker trips
		}
		ordo(want, "verify", "--plan-file", p2, "--wave", itoa(w))
	}
	// The way back, computed twice (as a workflow may), then its jobs:
	// api, then db, back to c1.
	for range 2 {
		out, _ = ordo(0, "rollback", "--plan-file", p2, "--format", "json")
	}
	if !strings.Contains(out, `"sha": "`+c1+`"`) {
		t.Errorf("rollback targets are not release 1's commit:\n%s", out)
	}
	for _, s := range []string{"api", "db"} {
		ordo(0, "env", "record", "--env", "staging", "--service", s, "--phase", "rollback", "--state", "rolled_back", "--sha", c2, "--release", r2)
		ordo(0, "env", "record", "--env", "staging", "--service", s, "--phase", "rollback", "--state", "success", "--sha", c1, "--release", r2)
	}

	eventstest.ValidateFile(t, file)
	checkReport(t, ordo, r2, c1, file, p2)
	all, warnings, err := events.ReadFile(file)
	if err != nil || len(warnings) > 0 {
		t.Fatal(err, warnings)
	}
	var seq1, seq2 []string
	ids := map[string]bool{}
	for _, ev := range all {
		if ids[ev.Context.ID] {
			t.Errorf("id %s twice", ev.Context.ID)
		}
		ids[ev.Context.ID] = true
		if ev.Context.Source != "ordo" {
			t.Errorf("source %q outside CI, want ordo", ev.Context.Source)
		}
		line := strings.TrimPrefix(strings.TrimSuffix(ev.Context.Type, ".0.3.0"), "dev.cdevents.") + " " + ev.Subject.ID
		switch ev.Context.ChainID {
		case r2:
			seq2 = append(seq2, strings.ReplaceAll(line, r2, "R"))
		default:
			seq1 = append(seq1, line)
		}
	}
	want2 := []string{
		"pipelinerun.queued R",
		"pipelinerun.started R",
		"taskrun.started R/wave-0", "service.upgraded db", "taskrun.finished R/wave-0",
		"taskrun.started R/verify-0", "taskrun.finished R/verify-0",
		"taskrun.started R/wave-1", "service.upgraded api", "taskrun.finished R/wave-1",
		"taskrun.started R/verify-1", "incident.detected R/api/healthz", "taskrun.finished R/verify-1",
		"pipelinerun.finished R",
		"service.rolledback api", "service.rolledback db",
	}
	if strings.Join(seq2, "\n") != strings.Join(want2, "\n") {
		t.Errorf("release 2's events:\n%s\nwant:\n%s", strings.Join(seq2, "\n"), strings.Join(want2, "\n"))
	}
	// Release 1: its first deployments are service.deployed, and it ends
	// with its last wave's verification.
	if n := strings.Count(strings.Join(seq1, "\n"), "service.deployed"); n != 3 || len(seq1) != 2+3*5+1 || !strings.HasPrefix(seq1[len(seq1)-1], "pipelinerun.finished") {
		t.Errorf("release 1's events:\n%s", strings.Join(seq1, "\n"))
	}
	// The content: artifacts from with.artifact or pkg:generic, what now runs after a rollback.
	for _, ev := range all {
		c := ev.Subject.Content
		switch {
		case ev.Context.Type == events.TypeServiceRolledBack && ev.Subject.ID == "api":
			if !strings.HasPrefix(c.ArtifactID, "pkg:oci/api@0.1.0%2B"+c1[:12]) || ev.CustomData.SHA != c1 {
				t.Errorf("api rolled back to %s (sha %s), want release 1's", c.ArtifactID, ev.CustomData.SHA)
			}
		case ev.Context.Type == events.TypeServiceUpgraded && ev.Subject.ID == "db":
			if c.ArtifactID != "pkg:generic/db@0.1.0%2B"+c2[:12] || c.Environment.ID != "staging" {
				t.Errorf("db upgraded: %+v", c)
			}
		case ev.Context.Type == events.TypePipelineRunQueued && ev.Context.ChainID == r2:
			if c.PipelineName != "ordo/staging" || c.URI != "urn:ordo:release:"+r2 || len(ev.CustomData.Waves) != 3 || ev.CustomData.Jobs[0].BaseSHA != c1 {
				t.Errorf("queued: %+v %+v", c, ev.CustomData)
			}
		case ev.Context.Type == events.TypeIncidentDetected:
			if c.Service.ID != "api" || c.Environment.ID != "staging" || !strings.HasPrefix(c.ArtifactID, "pkg:oci/api@") ||
				!strings.Contains(c.Description, "api failed check healthz in staging: sh exited 1") || ev.CustomData.SHA != c2 {
				t.Errorf("incident: %+v %+v", c, ev.CustomData)
			}
		case ev.Context.Type == events.TypePipelineRunFinished && ev.Context.ChainID == r2:
			if c.Outcome != "failure" || !strings.Contains(c.Errors, "the breaker tripped in wave 1") {
				t.Errorf("release 2 finished: %+v", c)
			}
		case ev.Context.Type == events.TypeTaskRunFinished && ev.Subject.ID == r2+"/verify-1":
			if c.Outcome != "failure" || len(ev.CustomData.Checks) != 1 || ev.CustomData.Checks[0].Passed {
				t.Errorf("verify-1 finished: %+v %+v", c, ev.CustomData)
			}
		case ev.Context.Type == events.TypeTaskRunFinished && ev.Subject.ID == r2+"/wave-1":
			if c.Outcome != "success" || c.PipelineRun.ID != r2 || *ev.CustomData.Wave != 1 {
				t.Errorf("wave 1 finished: %+v", c)
			}
		}
	}
}

// TestEventsURL: env record sends its events to a CloudEvents receiver in
// binary mode; a receiver that is down is a warning and the command exits 0,
// with the record written and the events file complete.
func TestEventsURL(t *testing.T) {
	t.Parallel()
	dir, _, c2 := eventsRepo(t)
	tmp := t.TempDir()
	var (
		mu  sync.Mutex
		got []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		eventstest.Validate(t, body)
		var ev events.CDEvent
		_ = json.Unmarshal(body, &ev)
		if r.Header.Get("ce-specversion") != "1.0" || r.Header.Get("ce-type") != ev.Context.Type || r.Header.Get("ce-id") != ev.Context.ID ||
			r.Header.Get("ce-source") != ev.Context.Source || r.Header.Get("ce-time") != ev.Context.Timestamp || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("headers %v for %s", r.Header, body)
		}
		mu.Lock()
		got = append(got, ev.Context.Type+" "+ev.Context.Source)
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	env := map[string]string{"ORDO_RECORD": filepath.Join(tmp, "record.jsonl"), "GITHUB_REPOSITORY": "acme/shop",
		"GITHUB_RUN_ID": "42", "GITHUB_SERVER_URL": "https://github.com"}
	ordo := ordoIn(t, dir, env)
	ordo(0, "env", "record", "--env", "staging", "--service", "api", "--state", "success", "--release", "r1", "--events-url", srv.URL)
	want := []string{
		"dev.cdevents.pipelinerun.started.0.3.0 https://github.com/acme/shop/actions/runs/42",
		"dev.cdevents.service.deployed.0.3.0 https://github.com/acme/shop/actions/runs/42",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("received:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String() + "/"
	l.Close()
	file := filepath.Join(tmp, "events.jsonl")
	_, stderr := ordo(0, "env", "record", "--env", "staging", "--service", "web", "--state", "success", "--sha", c2,
		"--events", file, "--events-url", down, "--events-timeout", "500ms")
	if !strings.Contains(stderr, "ordo: warning: events not sent to "+down) || !strings.Contains(stderr, "recorded staging web deploy/success") {
		t.Errorf("stderr:\n%s", stderr)
	}
	eventstest.ValidateFile(t, file)
	if _, err := os.Stat(env["ORDO_RECORD"]); err != nil {
		t.Error(err)
	}
	// A URL that is not http(s) is bad input before anything is written.
	ordo(2, "env", "record", "--env", "staging", "--service", "web", "--state", "success", "--events-url", "ftp://x")
}

// checkReport: ordo report reads the replayed release back, with the plan
// from the plan file, from the events and from the record alone; the
// events file is not written to.
func checkReport(t *testing.T, ordo ordoRun, r2, c1, file, planFile string) {
	t.Helper()
	before, _ := os.ReadFile(file)
	type wave struct {
		Index                                           int
		Planned, Deployed, Verified, Failed, RolledBack []string
		Checks                                          []struct {
			Service, Check string
			Passed         bool
		}
	}
	type doc struct {
		Schema, Outcome, PlanSource string
		ChangeFailure               bool                   `json:"change_failure"`
		PlanSrc                     string                 `json:"plan_source"`
		LeadTime                    *struct{ From string } `json:"lead_time"`
		Waves                       []struct {
			wave
			RolledBack []string `json:"rolled_back"`
		}
	}
	for _, args := range [][]string{
		{"--events", file},                          // the plan from pipelinerun.queued
		{"--events", file, "--plan-file", planFile}, // from the plan file
		{"--events", file + ".none"},                // from the record alone: no checks, no wave 2
	} {
		out, _ := ordo(0, append([]string{"report", "--env", "staging", "--release", r2, "--format", "json"}, args...)...)
		var d doc
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatal(err)
		}
		if d.Schema != "ordo.report/v1" || d.Outcome != "failure" || !d.ChangeFailure || d.LeadTime == nil || d.LeadTime.From == "" {
			t.Errorf("report %v: %s", args, out)
			continue
		}
		want := []string{"0 db|db|db|-|db", "1 api|api|-|api|api", "2 web|-|-|-|-"}
		if len(args) == 2 && args[1] != file {
			want = want[:2] // the record knows nothing of web
		}
		var got []string
		for _, w := range d.Waves {
			got = append(got, fmt.Sprintf("%d %s|%s|%s|%s|%s", w.Index, strings.Join(w.Planned, ","), dashed(w.Deployed), dashed(w.Verified), dashed(w.Failed), dashed(w.RolledBack)))
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("report %v: waves\n%s\nwant\n%s", args, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if len(want) == 3 && (len(d.Waves[1].Checks) != 1 || d.Waves[1].Checks[0].Check != "healthz" || d.Waves[1].Checks[0].Passed) {
			t.Errorf("report %v: wave 1 checks %+v", args, d.Waves[1].Checks)
		}
	}
	out, _ := ordo(0, "report", "--env", "staging", "--release", r2, "--events", file, "--format", "markdown")
	if !strings.Contains(out, "| 1 | api | api | - | api | api |") || !strings.Contains(out, "| 1 | api | healthz | **failed**: sh exited 1, want 0 |") {
		t.Errorf("markdown:\n%s", out)
	}
	ordo(2, "report", "--env", "staging", "--release", "no-such-release", "--events", file)
	if after, _ := os.ReadFile(file); !bytes.Equal(before, after) {
		t.Error("report wrote to the events file")
	}
}

func dashed(s []string) string {
	if len(s) == 0 {
		return "-"
	}
	return strings.Join(s, ",")
}

// TestFlagsEvents: ordo flags sends environment.modified when the flagd
// file it writes changes, not when it stays the same.
func TestFlagsEvents(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("feat: first", gittest.Files{"ordo.yaml": `version: 1
environments:
  staging: {url: "https://staging.example.com"}
services:
  api: {paths: [api/**]}
flags:
  new-ui:
    requires: {api: ">=0.1.0"}
`, "api/a.go": "1"})
	tmp := t.TempDir()
	file := filepath.Join(tmp, "events.jsonl")
	ordo := ordoIn(t, r.Dir, map[string]string{"ORDO_RECORD": filepath.Join(tmp, "record.jsonl"), "ORDO_EVENTS": file})
	flagd := filepath.Join(tmp, "flags.json")
	count := func() int {
		evs, _, _ := events.ReadFile(file)
		n := 0
		for _, ev := range evs {
			if ev.Context.Type == events.TypeEnvironmentModified {
				n++
			}
		}
		return n
	}
	ordo(0, "flags", "--env", "staging", "--output", flagd)
	ordo(0, "flags", "--env", "staging", "--output", flagd)
	if n := count(); n != 1 {
		t.Fatalf("%d environment.modified after writing the same file twice, want 1", n)
	}
	ordo(0, "env", "record", "--env", "staging", "--service", "api", "--state", "success", "--release", "r1", "--version", "0.1.0")
	ordo(0, "flags", "--env", "staging", "--output", flagd)
	evs, _, _ := events.ReadFile(file)
	last := evs[len(evs)-1]
	if count() != 2 || last.Context.ChainID != "r1" || last.Subject.Content.URI != "https://staging.example.com" {
		t.Fatalf("after api deployed: %d events, last %+v", count(), last)
	}
	if fl, _ := json.Marshal(last.CustomData.Extra); !strings.Contains(string(fl), `"new-ui":{"met":true,"percent":100`) {
		t.Errorf("customData.extra: %s", fl)
	}
	eventstest.ValidateFile(t, file)
}
