// Package report compares what a release planned with what happened to it
// in one environment (ordo report, SPEC section 15): per wave the services
// planned, deployed, verified, failed and rolled back, each check's result,
// durations, the lead time from the release's oldest commit to its first
// success there, and whether the release failed (DORA's change failure).
//
// It takes values — the plan, the release's events, the environment's
// record entries and the release's commits — and returns a Report; reading
// files, git and the record is the command line's, rendering render's.
package report

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ordo-ci/ordo/internal/events"
	"github.com/ordo-ci/ordo/internal/record"
)

// Schema is the report's JSON schema version.
const Schema = "ordo.report/v1"

// Outcomes of a release.
const (
	OutcomeSuccess    = "success"     // every planned service deployed and none failed; or the release said so
	OutcomeFailure    = "failure"     // a deployment or check failed, or a rollback ran
	OutcomeInProgress = "in_progress" // neither yet
)

// Plan is what the release planned: its waves, and per service the commit
// it deploys and what ran before.
type Plan struct {
	// Source says where the plan came from: "plan-file", "events" (the
	// release's pipelinerun.queued) or "record" (the entries' waves).
	Source string
	Head   string
	Waves  []events.Wave
	Jobs   []events.Job
}

// Commit is one commit the release brings, for the lead time.
type Commit struct {
	SHA  string
	Time time.Time
}

// Input is what a report is made from.
type Input struct {
	Env, Release string
	Plan         Plan
	// Events are the events file's, in written order; those of other
	// releases are ignored.
	Events []events.CDEvent
	// Entries are the environment's record, per service.
	Entries map[string][]record.Entry
	// Commits are the commits the release brings (base..head of each
	// planned service); the oldest starts the lead time.
	Commits []Commit
}

// Report is ordo.report/v1.
type Report struct {
	Schema     string `json:"schema"`
	Env        string `json:"env"`
	Release    string `json:"release"`
	Head       string `json:"head,omitempty"`
	PlanSource string `json:"plan_source"`
	Outcome    string `json:"outcome"`
	// ChangeFailure is true when the release failed in the environment: a
	// deployment or a check failed, or it was rolled back.
	ChangeFailure bool       `json:"change_failure"`
	Started       *time.Time `json:"started"`
	Finished      *time.Time `json:"finished"`
	Duration      *Duration  `json:"duration"`
	LeadTime      *LeadTime  `json:"lead_time"`
	Waves         []Wave     `json:"waves"`
	// Unplanned names services the release wrote entries or events for
	// that its plan does not have.
	Unplanned []string `json:"unplanned"`
}

// Duration is a span of time, in seconds and as Go writes it.
type Duration struct {
	Seconds float64 `json:"seconds"`
	Text    string  `json:"text"`
}

func newDuration(d time.Duration) *Duration {
	d = d.Round(time.Second)
	return &Duration{Seconds: d.Seconds(), Text: d.String()}
}

// LeadTime runs from the oldest commit the release brings to its first
// success in the environment.
type LeadTime struct {
	Duration
	From      string    `json:"from"` // the oldest commit
	FromTime  time.Time `json:"from_time"`
	FirstLive time.Time `json:"first_success"`
}

// Wave is one wave: planned against what happened.
type Wave struct {
	Index      int       `json:"index"`
	Planned    []string  `json:"planned"`
	Deployed   []string  `json:"deployed"`
	Verified   []string  `json:"verified"`
	Failed     []string  `json:"failed"`
	RolledBack []string  `json:"rolled_back"`
	Checks     []Check   `json:"checks"`
	Duration   *Duration `json:"duration"`
}

// Check is one check's result for one service.
type Check struct {
	Service string `json:"service"`
	Check   string `json:"check"`
	Passed  bool   `json:"passed"`
	Error   string `json:"error,omitempty"`
}

// facts gathers, per service, what the record and the events say happened.
type facts struct {
	deployed, verified, failed, rolledBack map[string]bool
	checks                                 map[string]Check // service/check
	waveStart, waveEnd                     map[int]time.Time
	start, end, firstLive                  time.Time
	finished                               string // pipelinerun.finished outcome
	seen                                   map[string]bool
}

func (f *facts) span(wave *int, t time.Time) {
	if t.IsZero() {
		return
	}
	if f.start.IsZero() || t.Before(f.start) {
		f.start = t
	}
	if t.After(f.end) {
		f.end = t
	}
	if wave == nil {
		return
	}
	if s, ok := f.waveStart[*wave]; !ok || t.Before(s) {
		f.waveStart[*wave] = t
	}
	if t.After(f.waveEnd[*wave]) {
		f.waveEnd[*wave] = t
	}
}

func (f *facts) live(t time.Time) {
	if !t.IsZero() && (f.firstLive.IsZero() || t.Before(f.firstLive)) {
		f.firstLive = t
	}
}

// New makes the report.
func New(in Input) *Report {
	f := &facts{deployed: map[string]bool{}, verified: map[string]bool{}, failed: map[string]bool{}, rolledBack: map[string]bool{},
		checks: map[string]Check{}, waveStart: map[int]time.Time{}, waveEnd: map[int]time.Time{}, seen: map[string]bool{}}
	waveOf := map[string]int{}
	for _, j := range in.Plan.Jobs {
		waveOf[j.Service] = j.Wave
	}
	for _, w := range in.Plan.Waves {
		for _, s := range w.Services {
			waveOf[s] = w.Index
		}
	}
	// The record: the release's own entries.
	for service, list := range in.Entries {
		for _, e := range list {
			if e.Release != in.Release {
				continue
			}
			f.seen[service] = true
			w := e.Wave
			if p, ok := waveOf[service]; ok {
				w = &p
			}
			if e.Phase != record.PhaseRollback {
				f.span(w, e.Time)
			} else {
				f.span(nil, e.Time)
			}
			switch e.Phase + "/" + e.State {
			case "deploy/success":
				f.deployed[service] = true
				f.live(e.Time)
			case "deploy/failure", "verify/failure":
				f.failed[service] = true
			case "verify/verified":
				f.verified[service] = true
			case "rollback/success", "rollback/rolled_back":
				f.rolledBack[service] = true
			}
		}
	}
	for _, ev := range in.Events {
		if ev.Context.ChainID != in.Release {
			continue
		}
		f.event(ev, waveOf)
	}
	r := &Report{Schema: Schema, Env: in.Env, Release: in.Release, Head: in.Plan.Head, PlanSource: in.Plan.Source,
		Waves: []Wave{}, Unplanned: []string{}}
	for _, pw := range in.Plan.Waves {
		w := Wave{Index: pw.Index, Planned: sorted(pw.Services), Deployed: []string{}, Verified: []string{}, Failed: []string{},
			RolledBack: []string{}, Checks: []Check{}}
		for _, s := range w.Planned {
			add := func(list *[]string, ok bool) {
				if ok {
					*list = append(*list, s)
				}
			}
			add(&w.Deployed, f.deployed[s])
			add(&w.Verified, f.verified[s] && !f.failed[s])
			add(&w.Failed, f.failed[s])
			add(&w.RolledBack, f.rolledBack[s])
			w.Checks = append(w.Checks, sortedChecks(f.checks, s)...)
		}
		if s, ok := f.waveStart[pw.Index]; ok {
			w.Duration = newDuration(f.waveEnd[pw.Index].Sub(s))
		}
		r.Waves = append(r.Waves, w)
	}
	for s := range f.seen {
		if _, ok := waveOf[s]; !ok {
			r.Unplanned = append(r.Unplanned, s)
		}
	}
	slices.Sort(r.Unplanned)
	r.ChangeFailure = len(f.failed) > 0 || len(f.rolledBack) > 0 || f.finished == events.OutcomeFailure
	r.Outcome = outcome(r, f)
	if !f.start.IsZero() {
		s, e := f.start, f.end
		r.Started = &s
		if r.Outcome != OutcomeInProgress {
			r.Finished = &e
			r.Duration = newDuration(e.Sub(s))
		}
	}
	r.LeadTime = leadTime(in.Commits, f.firstLive)
	return r
}

func (f *facts) event(ev events.CDEvent, waveOf map[string]int) {
	t, _ := time.Parse(time.RFC3339Nano, ev.Context.Timestamp)
	d := ev.CustomData
	if d == nil {
		d = &events.Data{}
	}
	service := d.Service
	if service != "" {
		f.seen[service] = true
	}
	var w *int
	if p, ok := waveOf[service]; ok {
		w = &p
	} else if d.Wave != nil {
		w = d.Wave
	}
	switch ev.Context.Type {
	case events.TypePipelineRunQueued:
		return // planning is not running: the duration starts with the first deployment
	case events.TypePipelineRunFinished:
		f.finished = ev.Subject.Content.Outcome
		f.span(nil, t)
		return
	case events.TypeServiceDeployed, events.TypeServiceUpgraded:
		f.deployed[service] = true
		f.live(t)
	case events.TypeServiceRolledBack:
		f.rolledBack[service] = true
		f.span(nil, t)
		return
	case events.TypeIncidentDetected:
		f.failed[service] = true
		key := service + "/" + d.Check
		if _, ok := f.checks[key]; !ok {
			f.checks[key] = Check{Service: service, Check: d.Check, Passed: false, Error: ev.Subject.Content.Description}
		}
	case events.TypeTaskRunFinished:
		for _, c := range d.Checks {
			f.checks[c.Service+"/"+c.Check] = Check(c)
			if !c.Passed {
				f.failed[c.Service] = true
			}
		}
		if strings.HasPrefix(ev.Subject.Content.TaskName, "verify-") && ev.Subject.Content.Outcome == events.OutcomeSuccess {
			for _, s := range d.Services {
				f.verified[s] = true
			}
		}
	}
	f.span(w, t)
}

func outcome(r *Report, f *facts) string {
	switch {
	case r.ChangeFailure:
		return OutcomeFailure
	case f.finished == events.OutcomeSuccess:
		return OutcomeSuccess
	case f.finished != "":
		return f.finished // cancel, error
	}
	for _, w := range r.Waves {
		if len(w.Deployed) < len(w.Planned) {
			return OutcomeInProgress
		}
	}
	if len(r.Waves) == 0 {
		return OutcomeInProgress
	}
	return OutcomeSuccess
}

func leadTime(commits []Commit, firstLive time.Time) *LeadTime {
	if len(commits) == 0 || firstLive.IsZero() {
		return nil
	}
	oldest := commits[0]
	for _, c := range commits[1:] {
		if c.Time.Before(oldest.Time) {
			oldest = c
		}
	}
	return &LeadTime{Duration: *newDuration(firstLive.Sub(oldest.Time)), From: oldest.SHA, FromTime: oldest.Time.UTC(), FirstLive: firstLive.UTC()}
}

func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }

func sortedChecks(m map[string]Check, service string) []Check {
	var out []Check
	for _, c := range m {
		if c.Service == service {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Check) int { return strings.Compare(a.Check, b.Check) })
	return out
}

// PlanFromRecord is the plan when neither a plan file nor the release's
// pipelinerun.queued is at hand: the services the release wrote deploy
// entries for, in the waves the entries say (those without one in wave 0).
func PlanFromRecord(release string, entries map[string][]record.Entry) Plan {
	byWave := map[int][]string{}
	p := Plan{Source: "record"}
	for service, list := range entries {
		for _, e := range list {
			if e.Release != release || e.Phase != record.PhaseDeploy {
				continue
			}
			w := 0
			if e.Wave != nil {
				w = *e.Wave
			}
			if !slices.Contains(byWave[w], service) {
				byWave[w] = append(byWave[w], service)
				p.Jobs = append(p.Jobs, events.Job{Service: service, Wave: w, SHA: e.SHA, Version: e.Version})
				p.Head = e.SHA
			}
			break
		}
	}
	for _, w := range slices.Sorted(maps.Keys(byWave)) {
		p.Waves = append(p.Waves, events.Wave{Index: w, Services: sorted(byWave[w])})
	}
	slices.SortFunc(p.Jobs, func(a, b events.Job) int {
		if a.Wave != b.Wave {
			return a.Wave - b.Wave
		}
		return strings.Compare(a.Service, b.Service)
	})
	return p
}
