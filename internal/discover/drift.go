package discover

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/diag"
	"github.com/ordo-ci/ordo/internal/graph"
)

// Rules of the diagnostics CheckDrift reports.
const (
	RuleMissingDependency = "drift.missing-dependency"
	RuleExtraDependency   = "drift.extra-dependency"
	RuleUnownedDirectory  = "drift.unowned-directory"
)

// CheckDrift compares the catalog with what Discover finds in fsys and
// returns warnings (the CLI's --strict makes them fail):
//
//   - drift.unowned-directory: a discovered service's directory that no
//     catalog service owns, that global does not cover and ignore does not
//     skip; reported at its manifest.
//   - drift.missing-dependency: a manifest dependency between the directories
//     of two catalog services that the dependent's depends_on does not list;
//     reported at the service in ordo.yaml. A dependency that would close a
//     cycle in the catalog is not reported: the catalog cannot take it.
//   - drift.extra-dependency: a propagating depends_on entry between two
//     services that own discovered directories, where no manifest of the one
//     depends on the other; reported at the entry. Order-only entries
//     (propagate: false) are runtime dependencies manifests cannot show, and
//     are never reported.
//
// A discovered directory belongs to the catalog service that owns its
// manifest, so renamed services and services owning several packages are
// matched by paths, not by name. The error is for a repository that cannot
// be read.
//
// Malformed manifests are reported too (unless ignore covers them), since
// drift there cannot be checked.
func CheckDrift(fsys fs.FS, cat *catalog.Catalog, opts ...Options) (diag.List, error) {
	f, err := Discover(fsys, opts...)
	if err != nil {
		return nil, err
	}
	m := affected.NewMatcher(cat)
	var out diag.List
	for _, d := range f.Diags {
		if d.Rule == RuleMalformed && !m.Ignored(d.File) {
			out = append(out, d)
		}
	}
	warn := func(file string, p catalog.Pos, rule, format string, args ...any) {
		out = append(out, diag.Diagnostic{File: file, Line: p.Line, Col: p.Col, Rule: rule, Severity: diag.Warning, Message: fmt.Sprintf(format, args...)})
	}

	owner := map[string]*catalog.Service{} // discovered name -> catalog service
	owns := map[string][]Service{}         // catalog name -> discovered services it owns
	for _, s := range f.Services {
		probe := probeFile(s)
		if m.Ignored(probe) || m.Global(probe) {
			continue
		}
		o := ownerOf(cat, m.Owners(), probe, s.Name)
		if o == nil {
			warn(probe, catalog.Pos{}, RuleUnownedDirectory,
				"%s/ is a service (%s), but no service in %s owns it: add a service with paths: [%s], or add it to ignore",
				s.Dir, strings.Join(s.Sources, ", "), cat.File, s.Paths[0])
			continue
		}
		owner[s.Name] = o
		owns[o.Name] = append(owns[o.Name], s)
	}

	edges, index := catalogGraph(cat)
	// Catalog dependent -> dependency -> the first manifest edge that maps there.
	manifest := map[string]map[string]edge{}
	for _, e := range f.edges {
		from, to := owner[e.from], owner[e.to]
		if from == nil || to == nil || from == to {
			continue
		}
		if manifest[from.Name] == nil {
			manifest[from.Name] = map[string]edge{}
		}
		if _, seen := manifest[from.Name][to.Name]; !seen {
			manifest[from.Name][to.Name] = e
		}
	}
	for _, s := range cat.Services {
		tos := make([]string, 0, len(manifest[s.Name]))
		for to := range manifest[s.Name] {
			tos = append(tos, to)
		}
		slices.Sort(tos)
		for _, to := range tos {
			if slices.ContainsFunc(s.DependsOn, func(d catalog.Dep) bool { return d.Service == to }) || edges.Reaches(index[to], index[s.Name]) {
				continue
			}
			warn(cat.File, s.Pos, RuleMissingDependency,
				"service %q does not list %q in depends_on, but %s depends on it: add %q to its depends_on",
				s.Name, to, manifest[s.Name][to].where(), to)
		}
		if len(owns[s.Name]) == 0 {
			continue
		}
		for _, d := range s.DependsOn {
			if !d.Propagate || len(owns[d.Service]) == 0 {
				continue
			}
			if _, ok := manifest[s.Name][d.Service]; ok {
				continue
			}
			warn(cat.File, d.Pos, RuleExtraDependency,
				"service %q depends on %q, but none of its manifests (%s) depends on %s: remove it from depends_on, or write {service: %s, propagate: false} if %s only needs it running",
				s.Name, d.Service, sourcesOf(owns[s.Name]), d.Service, d.Service, s.Name)
		}
	}
	out.Sort()
	return out, nil
}

// probeFile is a file of the service's own directory that ownership is
// checked with: its first manifest there, a Dockerfile only when it has no
// other.
func probeFile(s Service) string {
	probe := path.Join(s.Dir, "Dockerfile")
	for _, src := range s.Sources {
		if path.Dir(src) != s.Dir || strings.Contains(path.Base(src), ":") {
			continue
		}
		if !isDockerfile(path.Base(src)) {
			return src
		}
		probe = src
	}
	return probe
}

// ownerOf returns the catalog service whose paths own file: the one named
// like the discovered service if it is among them, else the first by name.
func ownerOf(cat *catalog.Catalog, owners *affected.Owners, file, name string) *catalog.Service {
	var first *catalog.Service
	owners.Each(file, func(i int) {
		s := cat.Services[i]
		if first == nil || s.Name == name || (first.Name != name && s.Name < first.Name) {
			first = s
		}
	})
	return first
}

// catalogGraph is the catalog's depends_on, every edge, with each service's
// node id.
func catalogGraph(cat *catalog.Catalog) (*graph.Graph, map[string]int) {
	index := make(map[string]int, len(cat.Services))
	for i, s := range cat.Services {
		index[s.Name] = i
	}
	g := graph.New(len(cat.Services))
	for i, s := range cat.Services {
		for _, d := range s.DependsOn {
			if j, ok := index[d.Service]; ok {
				g.Add(i, j)
			}
		}
	}
	return g, index
}

func sourcesOf(ss []Service) string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Sources...)
	}
	if len(out) > 3 {
		out = append(out[:3], "...")
	}
	return strings.Join(out, ", ")
}
