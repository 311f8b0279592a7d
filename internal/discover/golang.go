package discover

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

type goModule struct {
	dir  string
	file string
	mod  *goMod
}

// golang finds Go modules: those go.work uses when there is one, else every
// go.mod. A repository whose only module is at its root gets its services
// from that module's main packages (goMains).
func (b *builder) golang() {
	var workReplaces []goReplace
	var uses map[string]bool // nil without go.work
	if b.has(".", "go.work") {
		if src, ok := b.read("go.work"); ok {
			w, err := parseGoMod(src, true)
			if err != nil {
				b.malformed("go.work", err)
			} else {
				workReplaces = w.Replaces
				uses = map[string]bool{}
				for _, u := range w.Uses {
					// A module go.work uses is searched even where the walk
					// does not go (a hidden or vendor directory).
					dir, ok := join(".", u.Dir)
					if !ok {
						continue
					}
					uses[dir] = true
					if b.has(dir, "go.mod") {
						continue
					}
					if _, err := fs.Stat(b.fsys, path.Join(dir, "go.mod")); err == nil {
						b.files[dir] = append(b.files[dir], "go.mod")
					}
				}
			}
		}
	}
	var mods []goModule
	byPath := map[string]string{} // module path -> dir
	all := parseAll(b, "go.mod", func(src []byte) (*goMod, error) {
		m, err := parseGoMod(src, false)
		if err == nil && m.Module == "" {
			err = &goModError{1, 1, "go.mod has no module directive: add `module <path>`"}
		}
		return m, err
	})
	if uses != nil {
		// The modules go.work uses, and the directories they (or go.work)
		// replace modules with: the go command builds those too.
		for _, r := range workReplaces {
			if d, ok := join(".", r.New); ok && r.Local {
				uses[d] = true
			}
		}
		for changed := true; changed; {
			changed = false
			for _, m := range all {
				if !uses[m.dir] {
					continue
				}
				for _, r := range m.m.Replaces {
					if d, ok := join(m.dir, r.New); ok && r.Local && !uses[d] {
						uses[d], changed = true, true
					}
				}
			}
		}
	}
	for _, m := range all {
		if uses != nil && !uses[m.dir] {
			continue // go.work leaves it out: a fixture or an example
		}
		if prev, dup := byPath[m.m.Module]; dup {
			b.warn(m.file, 1, 1, RuleDuplicate, "module %q is also declared in %s; requires of it resolve to %s", m.m.Module, path.Join(prev, "go.mod"), prev)
		} else {
			byPath[m.m.Module] = m.dir
		}
		mods = append(mods, goModule{m.dir, m.file, m.m})
	}
	if len(mods) == 1 && mods[0].dir == "." && b.goMains(mods[0]) {
		return
	}
	for _, m := range mods {
		base, scope := goName(m.mod.Module)
		b.add(m.dir, m.file, rankGo, base, scope)
	}
	for _, m := range mods {
		local := map[string]string{}
		for _, r := range workReplaces {
			if r.Local {
				if d, ok := join(".", r.New); ok {
					local[r.Old] = d
				}
			}
		}
		for _, r := range m.mod.Replaces {
			if r.Local {
				if d, ok := join(m.dir, r.New); ok {
					local[r.Old] = d
				}
			} else {
				delete(local, r.Old)
			}
		}
		for _, req := range m.mod.Requires {
			to, ok := local[req.Path]
			if !ok {
				to, ok = byPath[req.Path]
			}
			if ok {
				b.edges = append(b.edges, edge{from: m.dir, to: to, file: m.file, line: req.Line, col: req.Col})
			}
		}
	}
}

// goPackage is what goMains needs of a directory's Go files.
type goPackage struct {
	main    bool
	imports []string // import paths
}

// goMains makes each main package of the repository's single module a
// service that owns its directory and the directories of the module's
// packages it imports, directly or not: the set `go list -deps` reports.
// Imports are read with go/parser (imports only, build constraints
// ignored, so a package imported under any GOOS counts). It reports false
// when the module has no main package: the module is then one service.
func (b *builder) goMains(m goModule) bool {
	pkgs := map[string]*goPackage{} // directory -> package
	for _, dir := range b.goDirs {
		entries, err := fs.ReadDir(b.fsys, dir)
		if err != nil {
			continue
		}
		p := &goPackage{}
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || !e.Type().IsRegular() {
				continue
			}
			file := path.Join(dir, name)
			if b.tracked != nil && !b.tracked[file] {
				continue
			}
			src, ok := b.read(file)
			if !ok {
				return false
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, src, parser.ImportsOnly)
			if err != nil {
				continue // go build reports it; it is no package here
			}
			if f.Name.Name == "main" {
				p.main = true
			}
			for _, imp := range f.Imports {
				if s, err := strconv.Unquote(imp.Path.Value); err == nil {
					p.imports = append(p.imports, s)
				}
			}
		}
		pkgs[dir] = p
	}
	dirOf := func(importPath string) (string, bool) {
		if importPath == m.mod.Module {
			return ".", true
		}
		r, ok := strings.CutPrefix(importPath, m.mod.Module+"/")
		if !ok {
			return "", false
		}
		_, ok = pkgs[r]
		return r, ok
	}
	var mains []string
	for dir, p := range pkgs {
		if p.main && dir != "." {
			mains = append(mains, dir)
		}
	}
	if len(mains) == 0 {
		return false
	}
	sort.Strings(mains)
	if b.has(".", "go.mod") {
		// Every main is built against the module's requirements.
		b.global["go.mod"] = true
		if b.has(".", "go.sum") {
			b.global["go.sum"] = true
		}
	}
	for _, dir := range mains {
		u := b.add(dir, dir+" (package main)", rankGo, path.Base(dir), path.Base(path.Dir(dir)))
		u.deploy = u.deploy || b.namedByDeployFile(dir)
		seen := map[string]bool{dir: true}
		queue := []string{dir}
		for len(queue) > 0 {
			d := queue[0]
			queue = queue[1:]
			for _, imp := range pkgs[d].imports {
				to, ok := dirOf(imp)
				if !ok || seen[to] {
					continue
				}
				seen[to] = true
				queue = append(queue, to)
				if !within(dir, to) {
					u.extra = append(u.extra, path.Join(escapeGlob(to), "*"))
				}
			}
		}
		sort.Strings(u.extra)
	}
	return true
}

// namedByDeployFile reports whether a Dockerfile or a .goreleaser file names
// dir (./cmd/api, cmd/api): then something deploys the main package there.
func (b *builder) namedByDeployFile(dir string) bool {
	if b.deployTexts == nil {
		b.deployTexts = []string{}
		deployFile := func(n string) bool { return isDockerfile(n) || strings.HasPrefix(n, ".goreleaser.") }
		for _, d := range b.sortedDirs(deployFile) {
			for _, n := range b.files[d] {
				if deployFile(n) {
					if src, ok := b.read(path.Join(d, n)); ok {
						b.deployTexts = append(b.deployTexts, string(src))
					}
				}
			}
		}
	}
	for _, t := range b.deployTexts {
		if mentionsDir(t, dir) {
			return true
		}
	}
	return false
}

// mentionsDir reports whether text names dir as a path (not as part of a
// longer name: cmd/api is not cmd/apis).
func mentionsDir(text, dir string) bool {
	re := regexp.MustCompile(`(^|[\s"'=./])` + regexp.QuoteMeta(dir) + `($|[\s"'/])`)
	return re.MatchString(text)
}

var majorRE = regexp.MustCompile(`^v[0-9]+$`)

// goName derives a name from a module path: its last element, or the one
// before a /vN suffix; the scope is the element before that.
func goName(module string) (base, scope string) {
	parts := strings.Split(module, "/")
	if len(parts) > 1 && majorRE.MatchString(parts[len(parts)-1]) {
		parts = parts[:len(parts)-1]
	}
	base = parts[len(parts)-1]
	if len(parts) > 2 {
		scope = parts[len(parts)-2]
	}
	return base, scope
}
