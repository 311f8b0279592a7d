package discover

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
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
	// one reported.
	var edges []edge
	seen := map[[2]string]bool{}
	for _, e := range b.edges {
		if e.from == e.to || b.units[e.from] == nil || b.units[e.to] == nil || seen[[2]string{e.from, e.to}] {
			continue
		}
		seen[[2]string{e.from, e.to}] = true
		edges = append(edges, e)
	}
	kept := b.breakCycles(units, edges)

	deps := map[string][]string{}
	dependents := map[string]int{}
	for _, e := range kept {
		deps[e.from] = append(deps[e.from], b.units[e.to].name)
		dependents[e.to]++
	}
	nestChildren(units, b.units)

	f := &Found{Diags: b.diags}
	for _, u := range units {
		s := Service{Name: u.name, Dir: u.dir, Kind: catalog.KindService, Sources: slices.Clone(u.sources)}
		if dependents[u.dir] > 0 && !u.deploy {
			s.Kind = catalog.KindLibrary
		}
		s.Paths = []string{escapeGlob(u.dir) + "/**"}
		for _, c := range u.children {
			s.Paths = append(s.Paths, "!"+escapeGlob(c)+"/**")
		}
		s.DependsOn = deps[u.dir]
		sort.Strings(s.DependsOn)
		sort.Strings(s.Sources)
		f.Services = append(f.Services, s)
	}
	sort.Slice(f.Services, func(i, j int) bool { return f.Services[i].Name < f.Services[j].Name })
	for g := range b.global {
		f.Global = append(f.Global, g)
	}
	sort.Strings(f.Global)
	for _, e := range edges {
		e.from, e.to = b.units[e.from].name, b.units[e.to].name
		f.edges = append(f.edges, e)
	}
	f.Diags.Sort()
	return f
}

// assignNames gives every unit a distinct, valid name. Units whose names
// clash all move to their next candidate, until no name clashes; the last
// resort is a numeric suffix, in directory order.
func assignNames(units []*unit) {
	cands := make([][]string, len(units))
	for i, u := range units {
		cands[i] = candidates(u)
	}
	level := make([]int, len(units))
	for {
		by := map[string][]int{}
		for i := range units {
			n := cands[i][level[i]]
			by[n] = append(by[n], i)
		}
		moved := false
		for _, group := range by {
			if len(group) < 2 {
				continue
			}
			for _, i := range group {
				if level[i] < len(cands[i])-1 {
					level[i]++
					moved = true
				}
			}
		}
		if !moved {
			break
		}
	}
	used := map[string]bool{}
	for i, u := range units {
		u.name = cands[i][level[i]]
		if used[u.name] {
			for k := 2; ; k++ {
				n := u.name + "-" + strconv.Itoa(k)
				if !used[n] {
					u.name = n
					break
				}
			}
		}
		used[u.name] = true
	}
	// A numbered name may have taken one that a later unit held by right;
	// that unit was numbered in turn, so names stay distinct.
}

// candidates lists a unit's possible names, most wanted first, each valid and
// distinct.
func candidates(u *unit) []string {
	base := u.base
	rank := u.rank
	if rank == rankNone { // cannot happen: every unit has a source with a name
		base, rank = path.Base(u.dir), rankDir
	}
	eco := rankEco[rank]
	if rank == rankDir && sanitize(base) == "" {
		base = "service"
	}
	dirName := sanitize(strings.ReplaceAll(u.dir, "/", "-"))
	var out []string
	for _, c := range []string{
		sanitize(base),
		scoped(u.scope, base),
		suffixed(base, eco),
		dirName,
		suffixed(dirName, eco),
	} {
		if c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		out = append(out, "service")
	}
	return out
}

func scoped(scope, base string) string {
	if scope == "" {
		return ""
	}
	return sanitize(scope + "-" + base)
}

func suffixed(base, eco string) string {
	if s := sanitize(base); s != "" {
		return s + "-" + eco
	}
	return ""
}

// sanitize lower-cases s and turns it into a catalog name,
// [a-z0-9][a-z0-9._-]*: other characters become "-", runs of "-" shrink to
// one, and leading and trailing punctuation goes. It returns "" when nothing
// is left.
func sanitize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_':
			b.WriteRune(r)
		default:
			if !strings.HasSuffix(b.String(), "-") {
				b.WriteByte('-')
			}
		}
	}
	return strings.Trim(b.String(), "-._")
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
