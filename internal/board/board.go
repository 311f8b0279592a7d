// Package board builds the release board (SPEC section 15): one static HTML
// page with every environment side by side (what runs each service, where
// environments differ), the recent releases with their outcome, and the
// waves of the latest plan as inline SVG. It is a file, not a server: CI
// writes it after a release and publishes it wherever static pages go
// (GitHub or GitLab Pages, an artifact), so it loads nothing from the
// network and works with JavaScript off.
//
// Build turns the record into a Board, a value; HTML writes it. Every name,
// sha and version on the page may come from a pull request: html/template
// escapes them in their context.
package board

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/plan"
	"github.com/ordo-ci/ordo/internal/record"
)

// Input is what the board shows.
type Input struct {
	Title        string
	Environments []Environment // in the catalog's order
	Services     []Service     // deployed services, sorted by name
	// Record is each environment's entries per service, as record.Store
	// reads them.
	Record map[string]map[string][]record.Entry
	// Plan is the latest plan (--plan-file); nil takes the newest release
	// of the record.
	Plan *plan.Plan
	Now  time.Time
	// MaxReleases bounds the recent releases listed; 0 means 20.
	MaxReleases int
}

// Environment is a column of the board.
type Environment struct {
	Name, Tier, From, URL string
}

// Service is a row: its name and the environments it is listed for.
type Service struct {
	Name string
	Envs []string
}

// Board is the page's content.
type Board struct {
	Title     string
	Generated time.Time
	Envs      []Environment
	Rows      []Row
	Drifting  int // rows with a difference
	Releases  []Release
	Plan      *Waves
}

// Row is one service across the environments.
type Row struct {
	Name  string
	Drift bool
	Cells []Cell
}

// Cell is one service in one environment.
type Cell struct {
	Env string
	// Listed is false when the catalog does not deploy the service there.
	Listed bool
	// Running is false when nothing ever succeeded there.
	Running bool
	SHA     string
	Version string
	// State is what runs: "deployed" or "verified"; Pending is the newest
	// entry when it is about something else (a deploy in progress, a
	// failure, a rollback): "deploying 1.3.0", say.
	State   string
	Note    string // "after a rollback" when a rollback put it there
	Pending string
	Since   time.Time
	Age     string
	// Differs marks a cell whose commit is not the row's reference (the
	// most common commit across the environments), or that runs nothing
	// where others run something.
	Differs bool
}

// Short is the sha as the page shows it.
func (c Cell) Short() string { return git.Short(c.SHA) }

// Build computes the board.
func Build(in Input) *Board {
	b := &Board{Title: in.Title, Generated: in.Now, Envs: promotionOrder(in.Environments)}
	for _, s := range in.Services {
		row := Row{Name: s.Name}
		for _, e := range b.Envs {
			row.Cells = append(row.Cells, cell(e.Name, slices.Contains(s.Envs, e.Name), in.Record[e.Name][s.Name], in.Now))
		}
		markDrift(&row)
		if row.Drift {
			b.Drifting++
		}
		b.Rows = append(b.Rows, row)
	}
	all := releases(in.Record)
	b.Releases = all[:min(len(all), cmp.Or(in.MaxReleases, 20))]
	b.Plan = wavesOf(in, all)
	return b
}

// promotionOrder puts each environment after the one it is promoted from
// (staging before production), keeping the catalog's order otherwise, so
// that a release reads left to right and drift ties go to the earlier one.
func promotionOrder(envs []Environment) []Environment {
	out := make([]Environment, 0, len(envs))
	placed := map[string]bool{}
	known := map[string]bool{}
	for _, e := range envs {
		known[e.Name] = true
	}
	for len(out) < len(envs) {
		progress := false
		for _, e := range envs {
			if !placed[e.Name] && (e.From == "" || placed[e.From] || !known[e.From]) {
				out, placed[e.Name], progress = append(out, e), true, true
			}
		}
		if !progress { // a loop, which the catalog refuses; keep the rest as is
			for _, e := range envs {
				if !placed[e.Name] {
					out, placed[e.Name] = append(out, e), true
				}
			}
		}
	}
	return out
}

func cell(env string, listed bool, entries []record.Entry, now time.Time) Cell {
	c := Cell{Env: env, Listed: listed}
	run, ok := record.Running(entries)
	if ok {
		c.Running, c.SHA, c.Version, c.Since = true, run.SHA, run.Version, run.Time
		c.Age = age(now.Sub(run.Time))
		c.State = "deployed"
		if record.VerifiedAt(entries, run.SHA) {
			c.State = "verified"
		}
		if run.Phase == record.PhaseRollback {
			c.Note = "after a rollback"
		}
	}
	if last, ok := record.Last(entries); ok && !sameRun(last, run) {
		c.Pending = pending(last)
	}
	return c
}

// sameRun reports whether last says nothing new about what runs: it is the
// running entry, or a verification of its commit.
func sameRun(last, run record.Entry) bool {
	return last == run || (last.Phase == record.PhaseVerify && last.SHA == run.SHA && last.State == record.StateVerified)
}

func pending(e record.Entry) string {
	what := map[string]string{
		record.PhaseDeploy + "/" + record.StateInProgress:   "deploying",
		record.PhaseDeploy + "/" + record.StateFailure:      "deploy failed",
		record.PhaseVerify + "/" + record.StateFailure:      "verify failed",
		record.PhaseVerify + "/" + record.StateVerified:     "verified",
		record.PhaseRollback + "/" + record.StateRolledBack: "rolled back",
	}[e.Phase+"/"+e.State]
	if what == "" {
		what = e.Phase + " " + e.State
	}
	if e.Version != "" {
		return what + " " + e.Version
	}
	return what + " " + git.Short(e.SHA)
}

// markDrift sets Differs on the cells that do not run the row's most common
// commit (ties go to the earlier environment), and on listed cells that run
// nothing where another runs something.
func markDrift(row *Row) {
	counts := map[string]int{}
	ref, best := "", 0
	for _, c := range row.Cells {
		if c.Running {
			counts[c.SHA]++
			if counts[c.SHA] > best {
				ref, best = c.SHA, counts[c.SHA]
			}
		}
	}
	if ref == "" {
		return
	}
	for i, c := range row.Cells {
		if c.Listed && (!c.Running || c.SHA != ref) {
			row.Cells[i].Differs, row.Drift = true, true
		}
	}
}

// age is a duration as a person reads it: 45s, 12m, 5h, 3d.
func age(d time.Duration) string {
	switch {
	case d < 0:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}
