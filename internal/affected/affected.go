// Package affected answers "what does this change affect?": from the changed
// files and the catalog it finds the services that own them, the services
// that depend on those, and why each one is affected.
package affected

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/diag"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/graph"
)

// Reason types, as they appear in JSON.
const (
	ReasonChanged    = "changed"
	ReasonGlobal     = "global"
	ReasonDependency = "dependency"
	ReasonContract   = "contract"
	ReasonNoBase     = "no-base"
	ReasonAll        = "all"
	ReasonUnowned    = "unowned"
)

// Reason is one reason a service is affected.
type Reason struct {
	Type     string   `json:"type"`
	Files    []string `json:"files,omitempty"`    // changed, global, unowned
	Via      []string `json:"via,omitempty"`      // dependency: changed service first, this one last
	Contract string   `json:"contract,omitempty"` // contract
}

// Service is an affected service with its reasons.
type Service struct {
	Name    string       `json:"name"`
	Kind    catalog.Kind `json:"kind"`
	Reasons []Reason     `json:"reasons"`
}

// Input is everything affected needs besides the catalog.
type Input struct {
	Files []string // changed files, repository-relative
	// All marks everything affected with this reason (ReasonAll or
	// ReasonNoBase) instead of looking at Files.
	All string
	// ChangedContracts are contracts whose provided versions differ between
	// base and head; their consumers are affected.
	ChangedContracts []string
}

// Result is the affected subgraph.
type Result struct {
	ChangedFiles []string  // every changed file, sorted
	IgnoredFiles []string  // changed files that match ignore
	UnownedFiles []string  // changed files no service owns (after ignore and global)
	Services     []Service // affected services, sorted by name
	// Set has one entry per catalog service (same order as
	// Catalog.Services), true when affected.
	Set []bool
}

// Names returns the names of the affected services, sorted.
func (r *Result) Names() []string {
	names := make([]string, len(r.Services))
	for i, s := range r.Services {
		names[i] = s.Name
	}
	return names
}

// Matcher holds the path indexes of a catalog. Build it once and use it for
// any number of changes.
type Matcher struct {
	cat    *catalog.Catalog
	ignore Index
	global Index
	own    *Owners
	prop   *graph.Graph // catalog.PropagationGraph
}

// NewMatcher indexes the catalog's globs and dependencies.
func NewMatcher(cat *catalog.Catalog) *Matcher {
	m := &Matcher{cat: cat, prop: catalog.PropagationGraph(cat)}
	for _, g := range cat.Ignore {
		m.ignore.Add(g, 0)
	}
	for _, g := range cat.Global {
		m.global.Add(g, 0)
	}
	paths := make([][]string, len(cat.Services))
	for i, s := range cat.Services {
		paths[i] = s.Paths
	}
	owners, err := NewOwners(paths)
	if err != nil {
		// catalog.Parse validated every glob; a catalog built by hand that
		// did not is a programming error.
		panic(fmt.Sprintf("affected: %v", err))
	}
	m.own = owners
	return m
}

// Owners calls fn with the index of each service whose paths own file
// (matching one of its globs and none of its excludes), each at most once.
// seen is scratch space of len(Services), reset to -1 by the caller once;
// stamp must differ between calls that share it.
func (m *Matcher) owners(file string, seen []int, stamp int, fn func(int)) {
	m.own.include.Match(file, func(i int) {
		if seen[i] == stamp {
			return
		}
		seen[i] = stamp
		if !m.own.excluded(i, file) {
			fn(i)
		}
	})
}

// Ignored reports whether file matches ignore.
func (m *Matcher) Ignored(file string) bool { return matchAny(&m.ignore, file) }

// Global reports whether file matches global.
func (m *Matcher) Global(file string) bool { return matchAny(&m.global, file) }

func matchAny(ix *Index, file string) bool {
	found := false
	ix.Match(file, func(int) { found = true })
	return found
}

// Compute returns the services affected by in.
func (m *Matcher) Compute(in Input) (*Result, error) {
	cat := m.cat
	n := len(cat.Services)
	res := &Result{Set: make([]bool, n)}
	reasons := make([][]Reason, n)

	files := slices.Clone(in.Files)
	if !slices.IsSorted(files) { // git lists them sorted
		slices.Sort(files)
	}
	files = slices.Compact(files)
	res.ChangedFiles = files

	if in.All != "" {
		for i := range reasons {
			reasons[i] = []Reason{{Type: in.All}}
		}
		return m.finish(res, reasons), nil
	}

	owned := make([][]string, n)
	var global []string
	seen := make([]int, n)
	for i := range seen {
		seen[i] = -1
	}
	for fi, f := range files {
		if m.Ignored(f) {
			res.IgnoredFiles = append(res.IgnoredFiles, f)
			continue
		}
		if m.Global(f) {
			global = append(global, f)
			continue
		}
		hit := false
		m.owners(f, seen, fi, func(i int) {
			owned[i] = append(owned[i], f)
			hit = true
		})
		if !hit {
			res.UnownedFiles = append(res.UnownedFiles, f)
		}
	}

	if len(res.UnownedFiles) > 0 && cat.Unowned == catalog.UnownedFail {
		return nil, exit.Nof("%d changed file(s) belong to no service (unowned: fail): %s: add them to a service's paths, to global, or to ignore",
			len(res.UnownedFiles), quoteList(res.UnownedFiles, 10))
	}

	var sources []int
	for i, fs := range owned {
		if len(fs) > 0 {
			reasons[i] = append(reasons[i], Reason{Type: ReasonChanged, Files: fs})
			sources = append(sources, i)
		}
	}
	if len(in.ChangedContracts) > 0 {
		for i, s := range cat.Services {
			for _, co := range s.Consumes {
				if slices.Contains(in.ChangedContracts, co.Contract) {
					// A consumer is affected so that it is checked against the
					// provider's new version; its own code did not change, so
					// its dependents are not affected through it.
					reasons[i] = append(reasons[i], Reason{Type: ReasonContract, Contract: co.Contract})
				}
			}
		}
	}
	m.propagate(sources, reasons)

	if len(global) > 0 {
		for i := range reasons {
			reasons[i] = append(reasons[i], Reason{Type: ReasonGlobal, Files: global})
		}
	}
	if len(res.UnownedFiles) > 0 && cat.Unowned == catalog.UnownedAll {
		for i := range reasons {
			reasons[i] = append(reasons[i], Reason{Type: ReasonUnowned, Files: res.UnownedFiles})
		}
	}
	return m.finish(res, reasons), nil
}

// propagate adds a dependency reason to every service that depends, through
// propagating edges and at least one of them, on a source. Breadth-first from
// all sources at once, so each via chain is a shortest one.
func (m *Matcher) propagate(sources []int, reasons [][]Reason) {
	if len(sources) == 0 {
		return
	}
	g := m.prop
	isSource := make([]bool, g.Len())
	for _, s := range sources {
		isSource[s] = true
	}
	prev := make([]int, g.Len())
	for i := range prev {
		prev[i] = -1
	}
	var queue []int
	visit := func(from, to int) {
		if prev[to] == -1 {
			prev[to] = from
			queue = append(queue, to)
		}
	}
	for _, s := range sources {
		for _, to := range g.Out[s] {
			visit(s, to)
		}
	}
	for i := 0; i < len(queue); i++ {
		for _, to := range g.Out[queue[i]] {
			visit(queue[i], to)
		}
	}
	for _, t := range queue {
		via := []int{t}
		for n := prev[t]; ; n = prev[n] {
			via = append(via, n)
			if isSource[n] {
				break
			}
		}
		names := make([]string, len(via))
		for i, n := range via {
			names[len(via)-1-i] = m.cat.Services[n].Name
		}
		reasons[t] = append(reasons[t], Reason{Type: ReasonDependency, Via: names})
	}
}

func (m *Matcher) finish(res *Result, reasons [][]Reason) *Result {
	for i, rs := range reasons {
		if len(rs) == 0 {
			continue
		}
		s := m.cat.Services[i]
		res.Set[i] = true
		res.Services = append(res.Services, Service{Name: s.Name, Kind: s.Kind, Reasons: rs})
	}
	return res
}

func quoteList(items []string, max int) string {
	var b strings.Builder
	for i, s := range items {
		if i == max {
			b.WriteString(", …")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(s))
	}
	return b.String()
}

// UnmatchedPaths warns about services whose paths own no file among files
// (the repository's files): usually a typo or a moved directory.
func (m *Matcher) UnmatchedPaths(files []string) diag.List {
	hit := make([]bool, len(m.cat.Services))
	seen := make([]int, len(m.cat.Services))
	for i := range seen {
		seen[i] = -1
	}
	for fi, f := range files {
		m.owners(f, seen, fi, func(i int) { hit[i] = true })
	}
	var diags diag.List
	for i, s := range m.cat.Services {
		if hit[i] || len(s.Paths) == 0 {
			continue
		}
		diags = append(diags, diag.Diagnostic{
			File: m.cat.File, Line: s.Pos.Line, Col: s.Pos.Col, Rule: "paths", Severity: diag.Warning,
			Message: fmt.Sprintf("the paths of service %q match no file in the repository: check them for typos or moved directories", s.Name),
		})
	}
	return diags
}
