// Package drill rehearses a failed wave without touching anything (SPEC
// section 13): given a plan whose jobs say what runs now (base, "old") and
// what they deploy ("new"), it assumes the waves before N succeeded and N
// failed, and reports the state at that moment — which services run new
// and which old, the rollback that would run (rollback.New on the entries
// the release would have written), the irreversible migrations it would
// meet, and the consumers whose contracts break in the mixed state (the
// gate's rollout simulation, gate.Mixed). It is the blast radius of a
// failure, known before the failure happens.
package drill

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/flags"
	"github.com/ordo-ci/ordo/internal/gate"
	"github.com/ordo-ci/ordo/internal/plan"
	"github.com/ordo-ci/ordo/internal/record"
	"github.com/ordo-ci/ordo/internal/rollback"
)

// Schema is the version of the JSON document.
const Schema = "ordo.drill/v1"

// Doc is the answer: one drill per rehearsed failure.
type Doc struct {
	Schema string  `json:"schema"`
	Env    string  `json:"env"`
	Drills []Drill `json:"drills"`
	// Notes say what could not be rehearsed, and why.
	Notes []string `json:"notes"`
}

// Drill is the state at the moment wave FailWave (or FailService in it)
// failed.
type Drill struct {
	FailWave    int     `json:"fail_wave"`
	FailService *string `json:"fail_service"` // nil: the whole wave
	// Failed names the failed services; New those on the new version
	// (failed ones included: they deployed, then failed), Old those still
	// on the old, NotRunning those the plan deploys for the first time and
	// that have not deployed yet. Sorted by name.
	Failed     []string `json:"failed"`
	New        []string `json:"new"`
	Old        []string `json:"old"`
	NotRunning []string `json:"not_running"`
	// Rollback is the way back: its waves, newest first, and each
	// service's target; Left names new services with nothing to return to.
	Rollback []RollbackWave `json:"rollback"`
	Left     []string       `json:"left"`
	// Irreversible names reversible: false services the rollback would
	// have to undo: it cannot, so it skips them (rollback
	// --include-irreversible runs their jobs anyway).
	Irreversible    []string              `json:"irreversible"`
	BrokenContracts []gate.BrokenContract `json:"broken_contracts"`
	// FlagsOff names the flags (SPEC section 14) that were on when the
	// failing wave started (the waves before it on the new versions) and
	// that the failure or its rollback turn off: a requirement no longer met
	// by what runs at the failure, or by what the rollback leaves running.
	// Services the plan does not deploy keep what they run and are taken as
	// meeting their requirements. Sorted.
	FlagsOff []string `json:"flags_off"`
}

// RollbackWave is one wave of the rollback.
type RollbackWave struct {
	Index    int            `json:"index"`
	Services []RollbackStep `json:"services"`
}

// RollbackStep is one service's way back.
type RollbackStep struct {
	Name   string        `json:"name"`
	Target *rollback.Ref `json:"target"`
}

// Input is what drills are computed from.
type Input struct {
	Env string
	// Plan must be an --env plan: its jobs' Base is what runs now.
	Plan *plan.Plan
	// Head is the catalog of the release.
	Head *catalog.Catalog
	// BaseFor says what runs each service now (its catalog at the commit
	// running it; nil when nothing does); nil when that is not known:
	// broken contracts are then not computed and a note says so.
	BaseFor gate.BaseFor
	// FailWave is the wave to fail; -1 rehearses every wave.
	FailWave int
	// FailService fails this service alone (in its wave); "" fails the wave.
	FailService string
	// BaseNote says why BaseFor is nil, for the notes.
	BaseNote string
}

// New rehearses the failures in.FailWave / in.FailService ask for.
func New(in Input) (*Doc, error) {
	p := in.Plan
	d := &Doc{Schema: Schema, Env: in.Env, Drills: []Drill{}, Notes: []string{}}
	waveOf := map[string]int{}
	for _, j := range p.Jobs {
		waveOf[j.Service] = j.Wave
	}
	failWave := in.FailWave
	if in.FailService != "" {
		w, ok := waveOf[in.FailService]
		if !ok {
			return nil, exit.BadInputf("drill: the plan does not deploy %q, so it cannot fail: the plan deploys %s", in.FailService, names(p.Deploy))
		}
		if failWave >= 0 && failWave != w {
			return nil, exit.BadInputf("drill: %s deploys in wave %d, not wave %d: drop --fail-wave or fix it", in.FailService, w, failWave)
		}
		failWave = w
	}
	if failWave >= len(p.Waves) {
		return nil, exit.BadInputf("drill: the plan has %d waves, so no wave %d (waves count from 0)", len(p.Waves), failWave)
	}
	if len(p.Jobs) == 0 {
		d.Notes = append(d.Notes, "the plan deploys nothing: there is no failure to rehearse")
		return d, nil
	}
	if in.BaseFor == nil {
		note := "broken_contracts is not computed: the catalog that runs now is not known"
		if in.BaseNote != "" {
			note += " (" + in.BaseNote + ")"
		}
		d.Notes = append(d.Notes, note)
	}
	for _, w := range p.Waves {
		if failWave >= 0 && w.Index != failWave {
			continue
		}
		dr, err := rehearse(in, w.Index, in.FailService)
		if err != nil {
			return nil, err
		}
		d.Drills = append(d.Drills, dr)
	}
	return d, nil
}

// release is the id the rehearsed release writes under, when the plan has none.
const release = "drill"

func rehearse(in Input, failWave int, failService string) (Drill, error) {
	p := in.Plan
	dr := Drill{FailWave: failWave, Failed: []string{}, New: []string{}, Old: []string{}, NotRunning: []string{},
		Rollback: []RollbackWave{}, Left: []string{}, Irreversible: []string{}, FlagsOff: []string{}}
	if failService != "" {
		s := failService
		dr.FailService = &s
	}
	id := p.Release
	if id == "" {
		id = release
	}
	// The entries the release would have written by the moment of failure,
	// after what runs now: rollback.New reads them as it reads the record.
	entries := map[string][]record.Entry{}
	now := time.Unix(0, 0).UTC() // never read: the record orders by position
	add := func(j plan.Job, rel, phase, state, sha, version string) {
		w := j.Wave
		entries[j.Service] = append(entries[j.Service], record.Entry{Env: in.Env, Service: j.Service, Release: rel,
			Phase: phase, State: state, SHA: sha, Version: version, Wave: &w, Time: now})
	}
	for _, j := range p.Jobs {
		if j.Base.Ref != nil {
			add(j, "", record.PhaseDeploy, record.StateSuccess, j.Base.Ref.SHA, j.Base.Ref.Version)
		}
		newSHA := firstNonEmpty(j.SHA, p.Head)
		switch {
		case j.Wave < failWave:
			dr.New = append(dr.New, j.Service)
			add(j, id, record.PhaseDeploy, record.StateSuccess, newSHA, j.Version)
		case j.Wave == failWave:
			dr.New = append(dr.New, j.Service)
			add(j, id, record.PhaseDeploy, record.StateSuccess, newSHA, j.Version)
			if failService == "" || failService == j.Service {
				dr.Failed = append(dr.Failed, j.Service)
				add(j, id, record.PhaseVerify, record.StateFailure, newSHA, j.Version)
			}
		case j.Base.Ref != nil:
			dr.Old = append(dr.Old, j.Service)
		default:
			dr.NotRunning = append(dr.NotRunning, j.Service)
		}
	}
	for _, l := range [][]string{dr.Failed, dr.New, dr.Old, dr.NotRunning} {
		slices.Sort(l)
	}
	rb, err := rollback.New(rollback.Input{Env: in.Env, Release: id, Entries: entries, Catalog: in.Head, Waves: p.Waves})
	if err != nil {
		return Drill{}, err
	}
	targets := map[string]*rollback.Ref{}
	for _, s := range rb.Services {
		targets[s.Name] = s.Target
		if s.Irreversible && s.Target != nil {
			dr.Irreversible = append(dr.Irreversible, s.Name)
		}
	}
	for _, w := range rb.Waves {
		rw := RollbackWave{Index: w.Index, Services: []RollbackStep{}}
		for _, s := range w.Services {
			rw.Services = append(rw.Services, RollbackStep{Name: s, Target: targets[s]})
		}
		dr.Rollback = append(dr.Rollback, rw)
	}
	dr.Left = append(dr.Left, rb.Left...)
	slices.Sort(dr.Irreversible)
	dr.FlagsOff = flagsOff(in, failWave, rb)
	if in.BaseFor != nil {
		dr.BrokenContracts = gate.Mixed(in.BaseFor, in.Head, dr.New)
	} else {
		dr.BrokenContracts = []gate.BrokenContract{}
	}
	return dr, nil
}

// flagsOff compares three states of the planned services: when the failing
// wave starts (the waves before it run new, the rest what they ran), at the
// failure (the failing wave runs new too: it deployed, then failed) and
// after the rollback (each service with a job back at its target; left and
// irreversible ones stay on new).
func flagsOff(in Input, failWave int, rb *rollback.Rollback) []string {
	before, failed := flags.Versions{}, flags.Versions{}
	for _, j := range in.Plan.Jobs {
		old := ""
		if j.Base.Ref != nil {
			old = j.Base.Ref.Version
		}
		before[j.Service], failed[j.Service] = old, old
		if j.Wave < failWave {
			before[j.Service] = j.Version
		}
		if j.Wave <= failWave {
			failed[j.Service] = j.Version
		}
	}
	after := maps.Clone(failed)
	for _, s := range rb.Services {
		if s.Job && s.Target != nil {
			after[s.Name] = s.Target.Version
		}
	}
	return flags.TurnOff(in.Head, before, failed, after)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func names(list []string) string {
	if len(list) == 0 {
		return "nothing"
	}
	return fmt.Sprint(list)
}
