package discover

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/ordo-ci/ordo/internal/catalog"
)

// finish names the services, resolves edges between them, breaks cycles, and
// decides kinds and paths.
func (b *builder) finish() *Found {
	dirs := make([]string, 0, len(b.units))
	for dir := range b.units {
		dirs = append(dirs, dir)
	}
	sort.Strings(dirs)
	units := make([]*unit, len(dirs))
	for i, d := range dirs {
		units[i] = b.units[d]
	}
	assignNames(units)

	// Edges between services, once each; the first source of an edge is the
	// one reported, and a propagating edge wins over an order-only one.
	var edges []edge
	seen := map[[2]string]int{}
	for _, e := range b.edges {
		if e.from == e.to || b.units[e.from] == nil || b.units[e.to] == nil {
			continue
		}
		k := [2]string{e.from, e.to}
		if i, ok := seen[k]; ok {
			if edges[i].orderOnly && !e.orderOnly {
				edges[i] = e
			}
			continue
		}
		seen[k] = len(edges)
		edges = append(edges, e)
	}
	kept := b.breakCycles(units, edges)

	deps := map[string][]string{}
	orderOnly := map[string][]string{}
	for _, e := range kept {
		deps[e.from] = append(deps[e.from], b.units[e.to].name)
		if e.orderOnly {
			orderOnly[e.from] = append(orderOnly[e.from], b.units[e.to].name)
		}
	}
	nestChildren(units, b.units)

	f := &Found{Diags: b.diags, Notes: b.notes}
	for _, u := range units {
		s := Service{Name: u.name, Dir: u.dir, Kind: catalog.KindLibrary, Sources: slices.Clone(u.sources),
			NoRelease: u.noRelease, Version: u.version}
		if u.deploy && (!b.notDeployed[u.dir] || u.composeDeploy) {
			s.Kind = catalog.KindService
		}
		if u.dir == "." {
			s.Paths = []string{"**"}
		} else {
			s.Paths = []string{escapeGlob(u.dir) + "/**"}
		}
		s.Paths = append(s.Paths, u.extra...)
		for _, c := range u.children {
			s.Paths = append(s.Paths, "!"+escapeGlob(c)+"/**")
		}
		s.DependsOn = deps[u.dir]
		sort.Strings(s.DependsOn)
		s.OrderOnly = orderOnly[u.dir]
		sort.Strings(s.OrderOnly)
		sort.Strings(s.Sources)
		for _, n := range u.tagNames {
			if n != s.Name && !slices.Contains(s.TagNames, n) {
				s.TagNames = append(s.TagNames, n)
			}
		}
		f.Services = append(f.Services, s)
	}
	sort.Slice(f.Services, func(i, j int) bool { return f.Services[i].Name < f.Services[j].Name })
	for g := range b.global {
		f.Global = append(f.Global, g)
		if slices.Contains(lockfiles, path.Base(g)) {
			f.Lockfiles = append(f.Lockfiles, g)
		}
	}
	sort.Strings(f.Global)
	sort.Strings(f.Lockfiles)
	for _, e := range edges {
		e.from, e.to = b.units[e.from].name, b.units[e.to].name
		f.edges = append(f.edges, e)
	}
	f.Diags.Sort()
	return f
}

// breakCycles returns the edges without those that close a cycle, found by a
// depth-first search in name order, and reports each one it leaves out.
func (b *builder) breakCycles(units []*unit, edges []edge) []edge {
	out := map[string][]edge{}
	for _, e := range edges {
		out[e.from] = append(out[e.from], e)
	}
	for from := range out {
		sort.Slice(out[from], func(i, j int) bool { return b.units[out[from][i].to].name < b.units[out[from][j].to].name })
	}
	order := slices.Clone(units)
	sort.Slice(order, func(i, j int) bool { return order[i].name < order[j].name })
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	dropped := map[edge]bool{}
	var visit func(dir string)
	visit = func(dir string) {
		color[dir] = grey
		stack = append(stack, dir)
		for _, e := range out[dir] {
			switch color[e.to] {
			case white:
				visit(e.to)
			case grey:
				dropped[e] = true
				i := slices.Index(stack, e.to)
				var names []string
				for _, d := range stack[i:] {
					names = append(names, b.units[d].name)
				}
				names = append(names, b.units[e.to].name)
				b.warn(e.file, e.line, e.col, RuleCycle, "the manifests make a dependency cycle %s, which ordo.yaml cannot hold: ordo init leaves out %s -> %s; decide which dependency is real",
					strings.Join(names, " -> "), b.units[e.from].name, b.units[e.to].name)
			}
		}
		stack = stack[:len(stack)-1]
		color[dir] = black
	}
	for _, u := range order {
		if color[u.dir] == white {
			visit(u.dir)
		}
	}
	var kept []edge
	for _, e := range edges {
		if !dropped[e] {
			kept = append(kept, e)
		}
	}
	return kept
}

// nestChildren sets each unit's children: the units directly nested in its
// directory, with no other unit between.
func nestChildren(units []*unit, byDir map[string]*unit) {
	for _, u := range units {
		for d := path.Dir(u.dir); ; d = path.Dir(d) {
			if p, ok := byDir[d]; ok && d != u.dir {
				p.children = append(p.children, u.dir)
				break
			}
			if d == "." {
				break
			}
		}
	}
}

// escapeGlob makes a directory name a glob that matches it. doublestar
// escapes with a backslash, which the catalog refuses in paths (they are
// slash-separated), so each character doublestar gives a meaning to, and a
// leading "!" (an exclude in the catalog), becomes "?": it matches that
// character, and otherwise only a sibling whose name differs in just that
// place, which at worst makes a change affect one service more.
func escapeGlob(dir string) string {
	var b strings.Builder
	for i, r := range dir {
		if strings.ContainsRune(`*?[]{}\`, r) || (i == 0 && r == '!') {
			r = '?'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (e edge) where() string {
	if e.line > 0 {
		return fmt.Sprintf("%s:%d", e.file, e.line)
	}
	return e.file
}
