// Package flags ties feature flags to what is deployed (SPEC section 14): a
// flag's requirements are read against the record of one environment, which
// says whether the flag is met, since when (the rollout's clock) and which
// step of its ramp it has reached; Document turns that into an OpenFeature
// flagd flag definition file. No flag system ties a flag to the versions
// that run; ordo knows them, so it writes the flags, and a rollback turns a
// flag off the next time the file is written.
//
// The package is pure: it takes the catalog's flags and the record's
// entries and returns values. Reading the record and writing the file are
// the command line's job.
package flags

import (
	"fmt"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/record"
)

// Options change how requirements are read.
type Options struct {
	// Now is the time the steps are counted to (ordo flags --now).
	Now time.Time
	// RequireVerified also wants the running sha verified
	// (--require-verified): the run of a new version then starts when it
	// is verified, not when it is deployed.
	RequireVerified bool
}

// State is one flag in one environment.
type State struct {
	Name         string
	Met          bool
	MetSince     time.Time // the latest Since of the requirements; zero when not met
	Requirements []Requirement
	// Step is the rollout step reached at Options.Now, counted from 1; 0
	// when the flag is not met or has no rollout.
	Step int
	// Steps is the number of rollout steps (0 without a rollout).
	Steps int
	// Percent is the share of targeting keys the flag is on for at Now.
	Percent int
	// Next lists the later steps, each with the time it is reached if
	// nothing changes in the record; empty when not met.
	Next []Scheduled
}

// Scheduled is a rollout step that has not been reached yet.
type Scheduled struct {
	Step    int
	Percent int
	At      time.Time
}

// Requirement is one requirement of a flag read against the record.
type Requirement struct {
	Service    string
	Constraint string
	Met        bool
	// Running is what runs the service (the newest deploy- or
	// rollback-phase success); nil when nothing ever did.
	Running *Running
	// Since is the start of the current unbroken run of satisfying
	// entries; zero when not met.
	Since time.Time
	// Reason says why the requirement is not met; "" when it is.
	Reason string
}

// Running is the sha and version that run a service.
type Running struct {
	SHA     string
	Version string
}

// Evaluate reads every flag of cat against entries, the record of env (each
// service's entries, oldest first, as record.Store.Read returns them).
func Evaluate(cat *catalog.Catalog, env string, entries map[string][]record.Entry, opt Options) []State {
	out := make([]State, 0, len(cat.Flags))
	for _, f := range cat.Flags {
		s := State{Name: f.Name, Met: true, Steps: len(f.Rollout)}
		for _, r := range f.Requires {
			req := Check(entries[r.Service], r, opt.RequireVerified)
			if svc := cat.Service(r.Service); !req.Met && req.Running == nil && svc != nil && !svc.InEnvironment(env) {
				req.Reason = fmt.Sprintf("%s does not deploy to %s", r.Service, env)
			}
			s.Requirements = append(s.Requirements, req)
			if !req.Met {
				s.Met = false
			} else if req.Since.After(s.MetSince) {
				s.MetSince = req.Since
			}
		}
		if !s.Met {
			s.MetSince = time.Time{}
			out = append(out, s)
			continue
		}
		s.Percent = 100
		if len(f.Rollout) > 0 {
			s.Step, s.Percent, s.Next = schedule(f.Rollout, s.MetSince, opt.Now)
		}
		out = append(out, s)
	}
	return out
}

// schedule returns the step reached at now when the ramp started at start
// (holds counted from it), its percent, and the steps still to come with
// the time each is reached. A clock behind start is on the first step.
func schedule(steps []catalog.RolloutStep, start, now time.Time) (step, percent int, next []Scheduled) {
	at := start
	step = 1
	for i, s := range steps {
		if i > 0 {
			at = at.Add(steps[i-1].Hold)
		}
		if i == 0 || !now.Before(at) {
			step, percent = i+1, s.Percent
			continue
		}
		next = append(next, Scheduled{Step: i + 1, Percent: s.Percent, At: at})
	}
	return step, percent, next
}

// Check reads one requirement against a service's entries, exactly as SPEC
// section 14 says. The requirement is met when the running entry's version
// is inside the constraint (and, with requireVerified, the running sha is
// verified); an entry without a version never satisfies. Its run starts at
// the first entry of the newest unbroken stretch of entries after each of
// which the service is in a satisfying state:
//   - a deploy- or rollback-phase success changes what runs: the run goes
//     on while the new version satisfies too, and breaks when it does not;
//   - an in_progress entry changes nothing: what ran still runs until the
//     deploy's success or failure says otherwise, so a deploy of a
//     satisfying version does not break the run;
//   - a failure breaks it only when the running entry no longer satisfies,
//     which happens with requireVerified when the verification of the
//     running sha fails;
//   - a rolled_back entry always breaks it: the version is being undone,
//     and until the rollback's success says what runs now the requirement
//     is not met. So a rollback and a fixed redeploy start the ramp again.
func Check(entries []record.Entry, r catalog.Requirement, requireVerified bool) Requirement {
	out := Requirement{Service: r.Service, Constraint: r.Raw}
	var (
		running  *record.Entry
		verified = map[string]bool{} // sha -> the newest verify entry at it is verified
		since    time.Time
		inRun    bool
		last     record.Entry
	)
	for i := range entries {
		e := entries[i]
		last = e
		switch {
		case e.State == record.StateSuccess && (e.Phase == record.PhaseDeploy || e.Phase == record.PhaseRollback):
			running = &entries[i]
		case e.Phase == record.PhaseVerify:
			verified[e.SHA] = e.State == record.StateVerified
		}
		ok := running != nil && satisfies(r, running.Version) &&
			(!requireVerified || verified[running.SHA]) &&
			!(e.Phase == record.PhaseRollback && e.State == record.StateRolledBack)
		switch {
		case ok && !inRun:
			since, inRun = e.Time, true
		case !ok:
			inRun = false
		}
	}
	if running != nil {
		out.Running = &Running{SHA: running.SHA, Version: running.Version}
	}
	out.Met = inRun
	if inRun {
		out.Since = since
		return out
	}
	out.Reason = reason(r, running, last, requireVerified, verified)
	return out
}

// satisfies reports whether version is inside r's constraint. An empty or
// unparsable version never satisfies.
func satisfies(r catalog.Requirement, version string) bool {
	if version == "" || r.Constraint == nil {
		return false
	}
	v, err := semver.NewVersion(version)
	return err == nil && r.Constraint.Check(v)
}

// reason says why a requirement is not met, for people: what runs, and what
// is missing.
func reason(r catalog.Requirement, running *record.Entry, last record.Entry, requireVerified bool, verified map[string]bool) string {
	switch {
	case running == nil:
		return "nothing runs " + r.Service
	case last.Phase == record.PhaseRollback && last.State == record.StateRolledBack:
		return fmt.Sprintf("%s is being rolled back", r.Service)
	case running.Version == "":
		return fmt.Sprintf("%s runs %s, which has no version", r.Service, short(running.SHA))
	}
	if _, err := semver.NewVersion(running.Version); err != nil {
		return fmt.Sprintf("%s runs %q, which is not a semantic version", r.Service, running.Version)
	}
	if !satisfies(r, running.Version) {
		return fmt.Sprintf("%s runs %s, outside %s", r.Service, running.Version, r.Raw)
	}
	if requireVerified && !verified[running.SHA] {
		return fmt.Sprintf("%s runs %s, not verified at %s", r.Service, running.Version, short(running.SHA))
	}
	return "" // unreachable: a satisfying running entry is a run
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
