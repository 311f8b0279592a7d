package report_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/events"
	"github.com/ordo-ci/ordo/internal/record"
	"github.com/ordo-ci/ordo/internal/render"
	"github.com/ordo-ci/ordo/internal/report"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

const rel = "staging-20261129T100000Z-00000001"

var (
	t0   = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	sha1 = strings.Repeat("1", 40)
	sha2 = strings.Repeat("2", 40)
)

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

func ev(typ string, min int, subject string, c events.Content, d events.Data) events.CDEvent {
	return events.CDEvent{Context: events.Context{Type: typ, ChainID: rel, Timestamp: at(min).Format(time.RFC3339Nano)},
		Subject: events.Subject{ID: subject, Content: c}, CustomData: &d}
}

func entry(service, phase, state string, wave, min int) record.Entry {
	return record.Entry{Env: "staging", Service: service, Phase: phase, State: state, SHA: sha2, Release: rel, Wave: &wave, Time: at(min)}
}

var plan = report.Plan{Source: "events", Head: sha2,
	Waves: []events.Wave{{Index: 0, Services: []string{"db"}}, {Index: 1, Services: []string{"web", "api"}}},
	Jobs:  []events.Job{{Service: "db", Wave: 0, SHA: sha2, BaseSHA: sha1}, {Service: "api", Wave: 1, SHA: sha2}, {Service: "web", Wave: 1, SHA: sha2}}}

func TestReport(t *testing.T) {
	t.Parallel()
	passed := events.Data{Services: []string{"db"}, Checks: []events.Check{{Service: "db", Check: "healthz", Passed: true}}}
	for _, tc := range []struct {
		name    string
		entries []record.Entry
		events  []events.CDEvent
		outcome string
		failure bool
	}{
		{name: "in-progress", outcome: report.OutcomeInProgress,
			entries: []record.Entry{entry("db", "deploy", "in_progress", 0, 0), entry("db", "deploy", "success", 0, 3)}},
		{name: "success", outcome: report.OutcomeSuccess,
			entries: []record.Entry{entry("db", "deploy", "success", 0, 3), entry("api", "deploy", "success", 1, 8), entry("web", "deploy", "success", 1, 9),
				entry("db", "verify", "verified", 0, 5), entry("api", "verify", "verified", 1, 12), entry("web", "verify", "verified", 1, 12)},
			events: []events.CDEvent{ev(events.TypeTaskRunFinished, 5, rel+"/verify-0", events.Content{TaskName: "verify-0", Outcome: "success"}, passed),
				ev(events.TypePipelineRunFinished, 12, rel, events.Content{Outcome: "success"}, events.Data{})}},
		{name: "failed-wave", outcome: report.OutcomeFailure, failure: true,
			entries: []record.Entry{entry("db", "deploy", "success", 0, 3), entry("db", "verify", "verified", 0, 5),
				entry("api", "deploy", "success", 1, 8), entry("web", "deploy", "failure", 1, 9), entry("api", "verify", "failure", 1, 11),
				entry("api", "rollback", "rolled_back", 1, 14), entry("api", "rollback", "success", 1, 15),
				entry("other", "deploy", "success", 0, 4)},
			events: []events.CDEvent{
				ev(events.TypeTaskRunFinished, 5, rel+"/verify-0", events.Content{TaskName: "verify-0", Outcome: "success"}, passed),
				ev(events.TypeIncidentDetected, 11, rel+"/api/healthz", events.Content{Description: "response.status == 200: got 503"}, events.Data{Service: "api", Check: "healthz"}),
				ev(events.TypeIncidentDetected, 11, "other-release", events.Content{}, events.Data{Service: "web", Check: "x"}), // chain below
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := report.Input{Env: "staging", Release: rel, Plan: plan, Entries: map[string][]record.Entry{}, Events: tc.events,
				Commits: []report.Commit{{SHA: sha2, Time: at(-60)}, {SHA: sha1, Time: at(-120)}}}
			if n := len(in.Events); n > 0 && in.Events[n-1].Subject.ID == "other-release" {
				in.Events[n-1].Context.ChainID = "another"
			}
			for _, e := range tc.entries {
				in.Entries[e.Service] = append(in.Entries[e.Service], e)
			}
			r := report.New(in)
			if r.Outcome != tc.outcome || r.ChangeFailure != tc.failure {
				t.Errorf("outcome %s, change failure %v; want %s, %v", r.Outcome, r.ChangeFailure, tc.outcome, tc.failure)
			}
			if r.LeadTime == nil || r.LeadTime.From != sha1 || r.LeadTime.Seconds != (123*time.Minute).Seconds() {
				t.Errorf("lead time %+v, want 2h3m from the oldest commit", r.LeadTime)
			}
			golden(t, tc.name, r)
		})
	}
}

func golden(t *testing.T, name string, r *report.Report) {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("-- text --\n")
	if err := render.ReportText(&b, r); err != nil {
		t.Fatal(err)
	}
	b.WriteString("-- markdown --\n")
	if err := render.ReportMarkdown(&b, r); err != nil {
		t.Fatal(err)
	}
	b.WriteString("-- json --\n")
	if err := render.JSON(&b, r); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("%s differs (go test -update rewrites it):\n%s", path, b.String())
	}
}

func TestPlanFromRecord(t *testing.T) {
	t.Parallel()
	entries := map[string][]record.Entry{
		"db":  {entry("db", "deploy", "in_progress", 0, 0), entry("db", "deploy", "success", 0, 1)},
		"api": {entry("api", "deploy", "success", 2, 3)},
		"web": {{Env: "staging", Service: "web", Phase: "deploy", State: "success", SHA: sha2, Release: "other", Time: at(1)}},
	}
	p := report.PlanFromRecord(rel, entries)
	if len(p.Waves) != 2 || p.Waves[0].Services[0] != "db" || p.Waves[1].Index != 2 || len(p.Jobs) != 2 || p.Source != "record" {
		t.Fatalf("%+v", p)
	}
}
