package board

import (
	"slices"
	"strings"
	"time"

	"github.com/ordo-ci/ordo/internal/record"
)

// Release is one release as the record tells it.
type Release struct {
	ID, Env string
	// Outcome: "rolled back", "failed", "in progress", "verified" or
	// "deployed", the first that applies.
	Outcome  string
	Start    time.Time
	End      time.Time
	Services []string
	Failed   []string
	URL      string // the CI run of its newest entry
	// waves holds each service's wave, for the plan drawn from the record.
	waves map[string]int
}

// Good reports whether the outcome is a success, for the page's styling.
func (r Release) Good() bool { return r.Outcome == "verified" || r.Outcome == "deployed" }

// Duration is End - Start, rounded.
func (r Release) Duration() string { return age(r.End.Sub(r.Start)) }

// releases groups the record's entries by release id and orders them newest
// first. Entries' times are for display; here they only sort the list.
func releases(rec map[string]map[string][]record.Entry) []Release {
	byID := map[string]*Release{}
	type svcState struct{ deployed, verified, failed, inProgress, rolledBack bool }
	states := map[string]map[string]*svcState{}
	envs := make([]string, 0, len(rec))
	for env := range rec {
		envs = append(envs, env)
	}
	slices.Sort(envs)
	for _, env := range envs {
		svcs := make([]string, 0, len(rec[env]))
		for s := range rec[env] {
			svcs = append(svcs, s)
		}
		slices.Sort(svcs)
		for _, s := range svcs {
			for _, e := range rec[env][s] {
				if e.Release == "" {
					continue
				}
				r := byID[e.Release]
				if r == nil {
					r = &Release{ID: e.Release, Env: e.Env, Start: e.Time, End: e.Time, waves: map[string]int{}}
					byID[e.Release] = r
					states[e.Release] = map[string]*svcState{}
				}
				if e.Time.Before(r.Start) {
					r.Start = e.Time
				}
				if !e.Time.Before(r.End) {
					r.End, r.URL = e.Time, e.URL
				}
				st := states[e.Release][s]
				if st == nil {
					st = &svcState{}
					states[e.Release][s] = st
					r.Services = append(r.Services, s)
				}
				if e.Wave != nil {
					r.waves[s] = *e.Wave
				}
				// Each entry replaces what the service's previous one said,
				// except that a rollback is never forgotten.
				switch e.Phase + "/" + e.State {
				case "deploy/in_progress":
					st.inProgress, st.failed = true, false
				case "deploy/success":
					st.deployed, st.inProgress, st.failed = true, false, false
				case "deploy/failure", "verify/failure":
					st.failed, st.inProgress = true, false
				case "verify/verified":
					st.verified, st.failed = true, false
				case "rollback/rolled_back", "rollback/success":
					st.rolledBack = true
				}
			}
		}
	}
	var out []Release
	for id, r := range byID {
		var rolled, failed, progress, verified bool
		verified = true
		for _, s := range r.Services {
			st := states[id][s]
			rolled = rolled || st.rolledBack
			progress = progress || st.inProgress
			verified = verified && st.verified
			if st.failed {
				failed = true
				r.Failed = append(r.Failed, s)
			}
		}
		slices.Sort(r.Services)
		slices.Sort(r.Failed)
		switch {
		case rolled:
			r.Outcome = "rolled back"
		case failed:
			r.Outcome = "failed"
		case progress:
			r.Outcome = "in progress"
		case verified:
			r.Outcome = "verified"
		default:
			r.Outcome = "deployed"
		}
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b Release) int {
		if c := b.End.Compare(a.End); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out
}
