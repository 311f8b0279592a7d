package cli

import (
	"cmp"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/events"
	"github.com/ordo-ci/ordo/internal/flags"
	"github.com/ordo-ci/ordo/internal/plan"
	"github.com/ordo-ci/ordo/internal/record"
	"github.com/ordo-ci/ordo/internal/rollback"
	"github.com/ordo-ci/ordo/internal/verify"
)

// The events of verify, rollback and flags (SPEC section 15), built from
// what each command computed; the commands send them with e.emit.

// verifyRelease is the release a verification belongs to: the plan's, else
// the one release every target runs, else "" (no task or pipeline events).
func verifyRelease(p *plan.Plan, targets []verifyTarget) string {
	if p != nil {
		return p.Release
	}
	rel := ""
	for i, t := range targets {
		if i > 0 && t.release != rel {
			return ""
		}
		rel = t.release
	}
	return rel
}

// verifyStarted is taskrun.started of <release>/verify-<N>; nil without a
// release or a wave.
func verifyStarted(env, release string, wave int, targets []verifyTarget) []events.CDEvent {
	if release == "" || wave < 0 {
		return nil
	}
	d := events.Data{Env: env, Wave: &wave}
	for _, t := range targets {
		d.Services = append(d.Services, t.svc.Name)
	}
	return []events.CDEvent{events.TaskRunStarted(release, events.VerifyTask(wave), d)}
}

// verifyFinished is one incident.detected per failed check and service,
// then (with a release and a wave) taskrun.finished of the verification
// with every check's result, then pipelinerun.finished: failure when the
// breaker tripped, success when the plan's last wave passed.
func verifyFinished(cat *catalog.Catalog, env, release string, wave int, last bool, targets []verifyTarget, res *verify.Result) []events.CDEvent {
	var out []events.CDEvent
	d := events.Data{Env: env}
	if wave >= 0 {
		d.Wave = &wave
	}
	for i, s := range res.Services {
		t := targets[i]
		d.Services = append(d.Services, s.Name)
		for _, c := range s.Checks {
			d.Checks = append(d.Checks, events.Check{Service: s.Name, Check: c.Name, Passed: c.Passed, Error: c.Reason})
			if c.Passed || s.State != verify.StateFailed {
				continue
			}
			v := t.svc.Vars
			rel := cmp.Or(release, t.release)
			desc := fmt.Sprintf("%s failed check %s in %s", s.Name, c.Name, env)
			if c.Reason != "" {
				desc += ": " + c.Reason
			}
			out = append(out, events.IncidentDetected(env, rel, s.Name, c.Name, artifact(cat, s.Name, v.Version, v.SHA), desc,
				events.Data{SHA: v.SHA, Version: v.Version, Wave: v.Wave}))
		}
	}
	if release == "" || wave < 0 {
		return out
	}
	outcome, errs := events.OutcomeSuccess, ""
	switch {
	case res.Interrupted:
		outcome, errs = events.OutcomeCancel, "interrupted"
	case res.Failed > 0:
		outcome, errs = events.OutcomeFailure, fmt.Sprintf("%d of %d services failed", res.Failed, len(res.Services))
	}
	out = append(out, events.TaskRunFinished(release, events.VerifyTask(wave), outcome, errs, d))
	switch {
	case res.Tripped:
		out = append(out, events.PipelineRunFinished(env, release, events.OutcomeFailure,
			fmt.Sprintf("the breaker tripped in wave %d: %s", wave, errs), events.Data{Wave: &wave}))
	case res.Passed && !res.Interrupted && last:
		out = append(out, events.PipelineRunFinished(env, release, events.OutcomeSuccess, "", events.Data{Wave: &wave}))
	}
	return out
}

// lastWave reports whether wave is the plan's last.
func lastWave(p *plan.Plan, wave int) bool { return p != nil && wave >= 0 && wave == len(p.Waves)-1 }

// rollbackFinished is rollback's pipelinerun.finished: the release failed
// and is being rolled back (sent once per release: e.emitOnce).
func rollbackFinished(r *rollback.Rollback) events.CDEvent {
	var jobs []string
	for _, s := range r.Services {
		if s.Job {
			jobs = append(jobs, s.Name)
		}
	}
	return events.PipelineRunFinished(r.Env, r.Release, events.OutcomeFailure,
		"rolled back: "+strings.Join(jobs, ", "), events.Data{Services: jobs})
}

// flagsModified is flags' environment.modified: the flags of env and
// where each stands, in the chain of the release that wrote the newest
// entry (the change that moved them, most likely).
func flagsModified(cat *catalog.Catalog, env string, entries map[string][]record.Entry, states []flags.State) events.CDEvent {
	var newest record.Entry
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		if last, ok := record.Last(entries[name]); ok && last.Time.After(newest.Time) {
			newest = last
		}
	}
	fl := map[string]any{}
	for _, s := range states {
		fl[s.Name] = map[string]any{"met": s.Met, "percent": s.Percent, "step": s.Step}
	}
	ev := events.EnvironmentModified(env, newest.Release, events.Data{Extra: map[string]any{"flags": fl}})
	if en := cat.Environment(env); en != nil {
		if u, err := url.Parse(en.URL); err == nil && u.IsAbs() {
			ev.Subject.Content.URI = en.URL
		}
	}
	return ev
}
