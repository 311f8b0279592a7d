package cli

import (
	"cmp"
	"context"
	"fmt"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/events"
	"github.com/ordo-ci/ordo/internal/plan"
	"github.com/ordo-ci/ordo/internal/record"
)

// emit sends evs to the sinks of o's --events and --events-url (their
// environment defaults ORDO_EVENTS and ORDO_EVENTS_URL). Without a sink it
// does nothing; a sink that fails is a warning (SPEC section 15: events
// report a release, they never fail one).
func (e *env) emit(ctx context.Context, o *options, evs ...events.CDEvent) {
	e.emitter(o).Emit(ctx, evs...)
}

// emitOnce emits ev unless the events file holds one of its type in its
// release already (rollback's pipelinerun.finished after verify's).
func (e *env) emitOnce(ctx context.Context, o *options, ev events.CDEvent) {
	if em := e.emitter(o); !em.Sent(ev.Context.Type, ev.Context.ChainID) {
		em.Emit(ctx, ev)
	}
}

// emitter is o's event emitter, made on first use; Enabled says whether any
// sink is set, for commands that would do work only to make events.
func (e *env) emitter(o *options) *events.Emitter {
	if o.emitter == nil {
		em, err := events.New(events.Config{
			File:    cmp.Or(o.eventsFile, e.getenv("ORDO_EVENTS")),
			URL:     cmp.Or(o.eventsURL, e.getenv("ORDO_EVENTS_URL")),
			RunURL:  e.ci.RunURL(),
			RepoURL: e.ci.RepositoryURL(),
			Timeout: o.eventsTimeout,
			Warn: func(msg string) {
				fmt.Fprintf(e.Err, "ordo: warning: %s\n", msg)
				e.gh.Warning("ordo: " + msg)
			},
		})
		if err != nil { // only ORDO_EVENTS_URL can be bad here: the flag was checked
			fmt.Fprintf(e.Err, "ordo: warning: no events sent: %v\n", err)
			em, _ = events.New(events.Config{})
		}
		o.emitter = em
	}
	return o.emitter
}

// artifact is what runs of service at version and sha, as events name it:
// the service's with: artifact template, else pkg:generic/<service>@<version>.
func artifact(cat *catalog.Catalog, service, version, sha string) string {
	tmpl := ""
	if s := cat.Service(service); s != nil {
		tmpl = s.With["artifact"]
	}
	return events.Artifact(tmpl, service, version, sha)
}

// queued is plan --env's event: the release is planned, with its waves and
// jobs, so that the report can compare them with the outcome.
func queued(p *plan.Plan) events.CDEvent {
	d := events.Data{Head: p.Head, Waves: make([]events.Wave, len(p.Waves)), Jobs: make([]events.Job, len(p.Jobs))}
	for i, w := range p.Waves {
		d.Waves[i] = events.Wave{Index: w.Index, Services: w.Services}
	}
	for i, j := range p.Jobs {
		d.Jobs[i] = events.Job{Service: j.Service, Wave: j.Wave, SHA: j.SHA, Version: j.Version}
		if j.Base.Ref != nil {
			d.Jobs[i].BaseSHA = j.Base.Ref.SHA
		}
	}
	return events.PipelineRunQueued(p.Env, p.Release, d)
}

// recordEvents are env record's events for entries, appended after before
// (the environment's entries until then): pipelinerun.started on the
// release's first entry; with --wave, the wave's task run starting
// (in_progress) or finishing (success, failure); a deploy success is
// service.deployed the first time the service succeeds in the environment,
// service.upgraded after; a rollback success is service.rolledback.
func recordEvents(cat *catalog.Catalog, before map[string][]record.Entry, entries []record.Entry, wave int) []events.CDEvent {
	if len(entries) == 0 {
		return nil
	}
	first := entries[0]
	env, rel := first.Env, first.Release
	var out []events.CDEvent
	if rel != "" && !hasRelease(before, rel) {
		out = append(out, events.PipelineRunStarted(env, rel, events.Data{SHA: first.SHA}))
	}
	var task events.Data
	if wave >= 0 && rel != "" && first.Phase == record.PhaseDeploy {
		task = events.Data{Env: env, Wave: &wave, SHA: first.SHA, State: first.State}
		for _, en := range entries {
			task.Services = append(task.Services, en.Service)
		}
		if first.State == record.StateInProgress {
			out = append(out, events.TaskRunStarted(rel, events.WaveTask(wave), task))
		}
	}
	for _, en := range entries {
		if en.State != record.StateSuccess {
			continue
		}
		d := events.Data{SHA: en.SHA, Version: en.Version, Wave: en.Wave, Phase: en.Phase, State: en.State}
		art := artifact(cat, en.Service, en.Version, en.SHA)
		switch _, ran := record.Running(before[en.Service]); {
		case en.Phase == record.PhaseRollback:
			out = append(out, events.ServiceRolledBack(env, rel, en.Service, art, d))
		case ran:
			out = append(out, events.ServiceUpgraded(env, rel, en.Service, art, d))
		default:
			out = append(out, events.ServiceDeployed(env, rel, en.Service, art, d))
		}
	}
	if task.Wave != nil && (first.State == record.StateSuccess || first.State == record.StateFailure) {
		outcome, errs := events.OutcomeSuccess, ""
		if first.State == record.StateFailure {
			outcome, errs = events.OutcomeFailure, fmt.Sprintf("the deployment of wave %d failed", wave)
		}
		out = append(out, events.TaskRunFinished(rel, events.WaveTask(wave), outcome, errs, task))
	}
	return out
}

func hasRelease(entries map[string][]record.Entry, rel string) bool {
	for _, list := range entries {
		for _, en := range list {
			if en.Release == rel {
				return true
			}
		}
	}
	return false
}
