// Package rollback plans the way back for a release (SPEC section 13): for
// every service a release deployed or tried to, the commit to return to,
// read from the record, and the order to return in (the release's waves in
// reverse). It exists so that the rollback a workflow runs after a tripped
// breaker and the one a drill rehearses are the same computation, and so
// that computing it again, after the rollback jobs wrote their entries,
// gives the same answer.
//
// The answer is plain data. Its jobs are a plan.Plan, so the plan's GitHub
// matrices and GitLab child pipeline render it.
package rollback

import (
	"cmp"
	"maps"
	"slices"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/plan"
	"github.com/ordo-ci/ordo/internal/record"
)

// Schema is the version of the JSON document.
const Schema = "ordo.rollback/v1"

// Reasons a service's target is what it is.
const (
	// ReasonPrevious: the target is what ran before the release.
	ReasonPrevious = "previous"
	// ReasonUnknown: another release's in_progress or failure came first,
	// so what runs is not known; no job.
	ReasonUnknown = "unknown"
	// ReasonNeverDeployed: nothing succeeded before the release; no job.
	ReasonNeverDeployed = "never-deployed"
	// ReasonIrreversible: a reversible: false service, skipped without
	// --include-irreversible.
	ReasonIrreversible = "irreversible"
)

// Ref is a commit and the version built from it.
type Ref struct {
	SHA     string `json:"sha"`
	Version string `json:"version"`
}

// Service is the way back for one service.
type Service struct {
	Name string `json:"name"`
	// Wave is the wave the release deployed it in; -1 when the record and
	// the plan do not say.
	Wave int `json:"wave"`
	// From is what the release deployed (its newest deploy entry).
	From Ref `json:"from"`
	// Target is what to return to; nil when it is not known.
	Target       *Ref   `json:"target"`
	Irreversible bool   `json:"irreversible"`
	Reason       string `json:"reason"`
	// Job is true when the rollback runs a job for the service.
	Job bool `json:"job"`
}

// Rollback is the way back for a release.
type Rollback struct {
	Schema  string `json:"schema"`
	Env     string `json:"env"`
	Release string `json:"release"`
	// Waves are the rollback jobs' waves: the release's waves in reverse,
	// renumbered from 0, without services that get no job.
	Waves []plan.Wave `json:"waves"`
	// Services lists every service the release deployed or tried to, in
	// rollback order (wave, then name), superseded ones aside.
	Services []Service `json:"services"`
	// Left names the services whose target is null: they get no job.
	Left []string `json:"left"`
	// Superseded names services another release wrote after this one:
	// rolling this one back would undo that one; they are left out.
	Superseded []string `json:"superseded"`
}

// Input is what a rollback is computed from.
type Input struct {
	Env     string
	Release string
	// Entries is the environment's record (record.Store.Read).
	Entries map[string][]record.Entry
	// Catalog says which services are irreversible.
	Catalog *catalog.Catalog
	// Waves, when not nil, is the release's plan order (from its plan file);
	// otherwise each service's wave comes from its entries.
	Waves []plan.Wave
	// IncludeIrreversible rolls back reversible: false services too.
	IncludeIrreversible bool
}

// New computes the rollback of in.Release. A release with no deploy entry
// in the environment is bad input.
func New(in Input) (*Rollback, error) {
	r := &Rollback{Schema: Schema, Env: in.Env, Release: in.Release, Waves: []plan.Wave{}, Services: []Service{}, Left: []string{}, Superseded: []string{}}
	planWave := map[string]int{}
	for _, w := range in.Waves {
		for _, s := range w.Services {
			planWave[s] = w.Index
		}
	}
	for _, name := range slices.Sorted(maps.Keys(in.Entries)) {
		list := in.Entries[name]
		from, wave, last, ok := mine(list, in.Release)
		if !ok {
			continue
		}
		if superseded(list, in.Release, last) {
			r.Superseded = append(r.Superseded, name)
			continue
		}
		if w, ok := planWave[name]; ok {
			wave = w
		}
		s := Service{Name: name, Wave: wave, From: from}
		s.Target, s.Reason = Target(list, in.Release)
		if cs := in.Catalog.Service(name); cs != nil && !cs.Reversible {
			s.Irreversible = true
			if !in.IncludeIrreversible && s.Target != nil {
				s.Reason = ReasonIrreversible
			}
		}
		s.Job = s.Target != nil && (!s.Irreversible || in.IncludeIrreversible)
		if s.Target == nil {
			r.Left = append(r.Left, name)
		}
		r.Services = append(r.Services, s)
	}
	if len(r.Services) == 0 && len(r.Superseded) == 0 {
		return nil, exit.BadInputf("release %q deployed nothing in %s according to the record: check the release id (ordo env show %s lists each service's)", in.Release, in.Env, in.Env)
	}
	// Newest wave first; services of the same wave by name.
	slices.SortStableFunc(r.Services, func(a, b Service) int {
		return cmp.Or(cmp.Compare(b.Wave, a.Wave), cmp.Compare(a.Name, b.Name))
	})
	wave := 0
	for _, s := range r.Services {
		if !s.Job {
			continue
		}
		if len(r.Waves) == 0 || s.Wave != wave {
			r.Waves = append(r.Waves, plan.Wave{Index: len(r.Waves), Services: []string{}})
		}
		wave = s.Wave
		w := &r.Waves[len(r.Waves)-1]
		w.Services = append(w.Services, s.Name)
	}
	return r, nil
}

// mine returns what release deployed of a service (its newest deploy-phase
// entry), its wave, and the position of release's last entry; ok is false
// when release has no deploy entry for it.
func mine(list []record.Entry, release string) (from Ref, wave, last int, ok bool) {
	wave, last = -1, -1
	for i, e := range list {
		if e.Release != release {
			continue
		}
		last = i
		if e.Phase == record.PhaseDeploy {
			from, ok = Ref{SHA: e.SHA, Version: e.Version}, true
			if e.Wave != nil {
				wave = *e.Wave
			}
		}
	}
	return from, wave, last, ok
}

// superseded reports whether another release wrote the service after
// release's last entry.
func superseded(list []record.Entry, release string, last int) bool {
	for _, e := range list[last+1:] {
		if e.Release != release {
			return true
		}
	}
	return false
}

// Target walks a service's entries newest first, skipping release's own and
// every entry at a commit that a later rolled_back entry (of another
// release) names: the first deploy- or rollback-phase success left is the
// target. Another release's in_progress or failure first makes it unknown;
// nothing left makes it never-deployed. release's own entries never count,
// so the rollback's own rolled_back and success entries do not change the
// answer when it is computed again.
func Target(list []record.Entry, release string) (*Ref, string) {
	undone := map[string]bool{}
	for i := len(list) - 1; i >= 0; i-- {
		e := list[i]
		if e.Release == release && release != "" || undone[e.SHA] {
			continue
		}
		switch {
		case e.Phase == record.PhaseRollback && e.State == record.StateRolledBack:
			undone[e.SHA] = true
		case e.State == record.StateSuccess:
			return &Ref{SHA: e.SHA, Version: e.Version}, ReasonPrevious
		case e.State == record.StateInProgress || e.State == record.StateFailure:
			return nil, ReasonUnknown
		}
	}
	return nil, ReasonNeverDeployed
}

// Plan returns the rollback's jobs as a plan, for the plan's renderers: one
// job per service with a job, in rollback waves, deploying the target (SHA,
// Version) over what the release deployed (Base), with the catalog's with:
// and rollback: "true", which CI gets as ORDO_ROLLBACK. A job follows every
// job of the rollback wave before it.
func (r *Rollback) Plan(cat *catalog.Catalog) *plan.Plan {
	p := &plan.Plan{Schema: plan.Schema, Affected: []string{}, Deploy: []string{}, Waves: r.Waves, Rollback: []plan.Wave{}, Jobs: []plan.Job{},
		Env: r.Env, Release: r.Release}
	byName := map[string]Service{}
	for _, s := range r.Services {
		byName[s.Name] = s
	}
	for k, w := range r.Waves {
		var after []string
		if k > 0 {
			after = r.Waves[k-1].Services
		}
		for _, name := range w.Services {
			s := byName[name]
			// Base is what runs now, the release's: the commit the job undoes.
			j := plan.Job{Service: name, Wave: k, Kind: catalog.KindService, After: nonNil(after), Reasons: []string{"rollback"},
				SHA: s.Target.SHA, Version: s.Target.Version, With: map[string]string{"rollback": "true"},
				Base: plan.OptBase{Env: true, Ref: &plan.Base{SHA: s.From.SHA, Version: s.From.Version}}}
			if cs := cat.Service(name); cs != nil {
				j.Kind, j.Lock = cs.Kind, cs.Lock
				for key, v := range cs.With {
					if key != "rollback" {
						j.With[key] = v
					}
				}
			}
			p.Jobs = append(p.Jobs, j)
			p.Deploy = append(p.Deploy, name)
			p.Affected = append(p.Affected, name)
		}
	}
	slices.Sort(p.Affected)
	return p
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
