// Package plan turns an affected set into a release plan: which services
// deploy, in which waves, what each one must wait for, and how to roll back.
// It exists so that every consumer of that answer (the text and Markdown
// renderers, GitHub matrices, GitLab child pipelines, the gate) shares one
// ordering that is computed once, deterministically, and proven against the
// catalog's order graph, instead of each re-deriving it from the catalog.
//
// A plan is plain data: this package knows the size limits of the CI
// platforms it feeds (GitHub's 256 jobs per matrix and 1 MB of job outputs,
// GitLab's 50 needs per job) because they shape the plan, but it does no I/O
// beyond writing to the io.Writer it is given.
package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/graph"
)

// Schema is the version of the plan's JSON document.
const Schema = "ordo.plan/v1"

// DefaultMaxWave is the largest wave: GitHub runs at most 256 jobs from one
// matrix.
// https://docs.github.com/en/actions/reference/limits
const DefaultMaxWave = 256

// Options tune how a plan is cut into waves.
type Options struct {
	// MaxWave is the largest number of jobs in one wave; larger waves are
	// split. 0 means DefaultMaxWave.
	MaxWave int
}

// Plan is the ordered deployment of the affected services.
type Plan struct {
	Schema string `json:"schema"`
	// Affected names every affected catalog entry, libraries included,
	// sorted by name.
	Affected []string `json:"affected"`
	// Deploy names the deployed services in deploy order: by wave, then by
	// name.
	Deploy []string `json:"deploy"`
	Waves  []Wave   `json:"waves"`
	// Rollback is Waves in reverse, renumbered from 0.
	Rollback []Wave `json:"rollback"`
	// Jobs has one entry per deployed service, in deploy order.
	Jobs     []Job    `json:"jobs"`
	Warnings []string `json:"warnings,omitempty"`
	// Env, Release and Head are set by plan --env (see Env): the
	// environment, the new release's id and the commit it deploys.
	Env     string `json:"env,omitempty"`
	Release string `json:"release,omitempty"`
	Head    string `json:"head,omitempty"`
}

// Wave is a set of services that may deploy at the same time.
type Wave struct {
	Index    int      `json:"index"`
	Services []string `json:"services"` // sorted by name
}

// Job is the deployment of one service.
type Job struct {
	Service  string       `json:"service"`
	Wave     int          `json:"wave"`
	Kind     catalog.Kind `json:"kind"`
	Critical bool         `json:"critical"`
	Lock     string       `json:"lock,omitempty"`
	// Changed is true when a changed file belongs to the service itself
	// (reason "changed"), false when it is affected only through something
	// else (a dependency, a contract, a global file, --all).
	Changed bool `json:"changed"`
	// Reasons are the distinct affected reason types, sorted.
	Reasons []string `json:"reasons"`
	// After names the nearest deployed services this one must follow:
	// walking the order graph from this service through services that are
	// not deployed (libraries, unaffected services) and stopping at each
	// deployed one. Sorted by name. Every one is in an earlier wave.
	After []string `json:"after"`
	// With is the catalog's with: map, shared with it: read, never write.
	// Never nil.
	With map[string]string `json:"with"`
	// SHA and Version are what the job deploys; Base what runs the service
	// in the environment (plan --env; null when nothing does).
	SHA     string  `json:"sha,omitempty"`
	Version string  `json:"version,omitempty"`
	Base    OptBase `json:"base,omitzero"`
}

// New plans the deployment of aff's services. cat must have passed
// validation (no cycles); aff may be nil, meaning nothing is affected.
func New(cat *catalog.Catalog, aff *affected.Result, o Options) *Plan {
	maxWave := o.MaxWave
	if maxWave <= 0 {
		maxWave = DefaultMaxWave
	}
	n := len(cat.Services)
	deployed := make([]bool, n)
	reasons := make([][]string, n)
	p := &Plan{Schema: Schema, Affected: []string{}, Deploy: []string{}, Waves: []Wave{}, Rollback: []Wave{}, Jobs: []Job{}}
	if aff != nil {
		for i := range min(n, len(aff.Set)) {
			deployed[i] = aff.Set[i] && cat.Services[i].Deployed()
		}
		// One backing array for every service's reason types.
		count := 0
		for _, s := range aff.Services {
			count += len(s.Reasons)
		}
		arena := make([]string, 0, count)
		for _, s := range aff.Services {
			p.Affected = append(p.Affected, s.Name)
			start := len(arena)
			for _, r := range s.Reasons {
				arena = append(arena, r.Type)
			}
			types := arena[start:len(arena):len(arena)]
			slices.Sort(types)
			types = slices.Compact(types)
			if i := cat.Index(s.Name); i >= 0 {
				reasons[i] = types
			}
		}
	}

	g := catalog.OrderGraph(cat)
	topo := g.Topo()
	if topo == nil {
		panic("plan: the catalog's order graph has a cycle; catalog validation should have rejected it")
	}
	after := nearestDeployed(g, topo, deployed)
	levels := longestPath(topo, deployed, after)

	var waves [][]int
	for _, ids := range levels {
		waves = append(waves, splitLevel(ids, cat.Services, maxWave)...)
	}

	total := 0
	for w, ids := range waves {
		names := make([]string, len(ids))
		for k, id := range ids {
			names[k] = cat.Services[id].Name
		}
		p.Waves = append(p.Waves, Wave{Index: w, Services: names})
		total += len(ids)
	}
	p.Deploy = slices.Grow(p.Deploy, total)
	p.Jobs = slices.Grow(p.Jobs, total)
	afterTotal := 0
	for id, d := range deployed {
		if d {
			afterTotal += len(after[id])
		}
	}
	names := make([]string, 0, afterTotal) // every job's After, back to back
	for w, ids := range waves {
		for _, id := range ids {
			s := cat.Services[id]
			start := len(names)
			// after holds catalog indexes in ascending order, and the
			// catalog is sorted by name, so the names come out sorted too.
			for _, a := range after[id] {
				names = append(names, cat.Services[a].Name)
			}
			p.Deploy = append(p.Deploy, s.Name)
			p.Jobs = append(p.Jobs, newJob(s, w, reasons[id], names[start:len(names):len(names)]))
		}
	}
	for i := len(p.Waves) - 1; i >= 0; i-- {
		p.Rollback = append(p.Rollback, Wave{Index: len(p.Rollback), Services: p.Waves[i].Services})
	}
	if len(p.Jobs) > maxWave {
		p.Warnings = append(p.Warnings, fmt.Sprintf(
			"the flat matrix has %d jobs, more than the %d a GitHub matrix runs: deploy wave by wave with the waves output instead",
			len(p.Jobs), maxWave))
	}
	return p
}

// noWith is the With of every service without with:, so that JSON says {}
// rather than null without a map per job. Like the catalog's maps, it is
// never written to.
var noWith = map[string]string{}

func newJob(s *catalog.Service, wave int, reasons, after []string) Job {
	j := Job{
		Service:  s.Name,
		Wave:     wave,
		Kind:     s.Kind,
		Critical: s.Critical,
		Lock:     s.Lock,
		Changed:  slices.Contains(reasons, affected.ReasonChanged),
		Reasons:  reasons,
		After:    after,
		With:     s.With,
	}
	if j.Reasons == nil {
		j.Reasons = []string{}
	}
	if j.With == nil {
		j.With = noWith
	}
	return j
}

// nearestDeployed returns, for every node, the deployed nodes it reaches
// through out-edges whose intermediate nodes are all not deployed, as
// ascending ids. For a deployed node that is the set it must follow.
//
// Nodes are visited dependencies first (reverse topological order), so each
// node's set is the union of its successors' contributions: a deployed
// successor contributes itself, any other its own set. Sets live in one
// shared arena; slices cut from it stay valid when it grows.
func nearestDeployed(g *graph.Graph, topo []int, deployed []bool) [][]int {
	n := g.Len()
	sets := make([][]int, n)
	mark := make([]int, n)
	for i := range mark {
		mark[i] = -1
	}
	var arena []int
	for k := n - 1; k >= 0; k-- {
		x := topo[k]
		start := len(arena)
		add := func(y int) {
			if mark[y] != x {
				mark[y] = x
				arena = append(arena, y)
			}
		}
		for _, y := range g.Out[x] {
			if deployed[y] {
				add(y)
				continue
			}
			for _, z := range sets[y] {
				add(z)
			}
		}
		if len(arena) > start {
			set := arena[start:len(arena):len(arena)]
			slices.Sort(set)
			sets[x] = set
		}
	}
	return sets
}

// longestPath groups the deployed nodes by level, 0 for those that follow
// nothing and otherwise 1 + the highest level of those they must follow.
// Each level lists ids in ascending (name) order. Nodes of one level are
// never ordered against each other, so any split of a level keeps the order.
func longestPath(topo []int, deployed []bool, after [][]int) [][]int {
	level := make([]int, len(deployed))
	top := -1
	for k := len(topo) - 1; k >= 0; k-- {
		x := topo[k]
		if !deployed[x] {
			continue
		}
		l := 0
		for _, y := range after[x] {
			l = max(l, level[y]+1)
		}
		level[x] = l
		top = max(top, l)
	}
	levels := make([][]int, top+1)
	for x, d := range deployed {
		if d {
			levels[level[x]] = append(levels[level[x]], x)
		}
	}
	return levels
}

// splitLevel cuts one level (ids in name order) into waves: the fewest waves
// that keep services sharing a lock apart and hold at most maxWave jobs,
// followed by one wave per critical service.
//
// Lock groups go first, largest first, each member into a different one of
// the least loaded waves; that keeps the loads within one of each other, so
// they never pass ceil(jobs/waves) <= maxWave. Unlocked services then fill
// the waves in order, so with few locks most services share the first wave.
func splitLevel(ids []int, svcs []*catalog.Service, maxWave int) [][]int {
	var critical, plain []int
	groups := map[string][]int{}
	var locks []string
	for _, id := range ids {
		s := svcs[id]
		switch {
		case s.Critical:
			critical = append(critical, id)
		case s.Lock != "":
			if _, ok := groups[s.Lock]; !ok {
				locks = append(locks, s.Lock)
			}
			groups[s.Lock] = append(groups[s.Lock], id)
		default:
			plain = append(plain, id)
		}
	}
	jobs := len(ids) - len(critical)
	count := (jobs + maxWave - 1) / maxWave
	for _, l := range locks {
		count = max(count, len(groups[l]))
	}
	waves := make([][]int, count, count+len(critical))
	slices.SortFunc(locks, func(a, b string) int {
		if d := len(groups[b]) - len(groups[a]); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	order := make([]int, count)
	for _, l := range locks {
		members := groups[l]
		for i := range order {
			order[i] = i
		}
		// The least loaded waves, lowest index first among equals.
		slices.SortStableFunc(order, func(a, b int) int { return len(waves[a]) - len(waves[b]) })
		chosen := order[:len(members)]
		slices.Sort(chosen)
		for k, w := range chosen {
			waves[w] = append(waves[w], members[k])
		}
	}
	w := 0
	for _, id := range plain {
		for len(waves[w]) >= maxWave {
			w++
		}
		waves[w] = append(waves[w], id)
	}
	for _, wave := range waves {
		slices.Sort(wave)
	}
	for _, id := range critical {
		waves = append(waves, []int{id})
	}
	return waves
}
