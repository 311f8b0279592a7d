package discover

import (
	"bytes"
	"encoding/json"
	"path"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// packageJSON is what discovery needs from a package.json.
type packageJSON struct {
	Name       string
	Workspaces []string          // patterns; nil when the file declares none
	HasWS      bool              // the file has a workspaces field (even an empty one)
	Deps       []string          // names from dependencies, devDependencies, peerDependencies, optionalDependencies
	Specs      map[string]string // version spec by dependency name
	Version    string
	Private    bool
}

// npmDepFields are the package.json fields whose entries name packages the
// package needs. Nx reads all four; Turborepo reads all but peerDependencies.
// A workspace package named in any of them is a dependency here: a catalog
// that over-approximates deploys too much, one that under-approximates misses
// a deploy.
var npmDepFields = []string{"dependencies", "devDependencies", "peerDependencies", "optionalDependencies"}

// parsePackageJSON reads a package.json. Malformed JSON and fields of the
// wrong type are errors with the position json reports.
func parsePackageJSON(src []byte) (*packageJSON, error) {
	src = bytes.TrimPrefix(src, []byte("\uFEFF")) // npm reads files saved with a BOM
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(src, &raw); err != nil {
		return nil, jsonError(src, err, "")
	}
	if raw == nil {
		return nil, &posError{1, 1, "package.json must be a JSON object"}
	}
	p := &packageJSON{Specs: map[string]string{}}
	field := func(name string, v any) error {
		r, ok := raw[name]
		if !ok {
			return nil
		}
		if err := json.Unmarshal(r, v); err != nil {
			return jsonError(src, err, name)
		}
		return nil
	}
	if err := field("name", &p.Name); err != nil {
		return nil, err
	}
	if err := field("version", &p.Version); err != nil {
		return nil, err
	}
	if r, ok := raw["private"]; ok {
		_ = json.Unmarshal(r, &p.Private) // npm reads anything but true as false
	}
	if r, ok := raw["workspaces"]; ok {
		p.HasWS = true
		var list []string
		if err := json.Unmarshal(r, &list); err != nil {
			// Yarn's object form: {"packages": [...], "nohoist": [...]}.
			var obj struct {
				Packages []string `json:"packages"`
			}
			if err2 := json.Unmarshal(r, &obj); err2 != nil {
				e := jsonError(src, err, "workspaces").(*posError)
				e.Msg = "workspaces must be a list of patterns or {\"packages\": [patterns]}"
				return nil, e
			}
			list = obj.Packages
		}
		p.Workspaces = list
	}
	for _, f := range npmDepFields {
		var deps map[string]json.RawMessage
		if err := field(f, &deps); err != nil {
			return nil, err
		}
		for name, spec := range deps {
			if _, seen := p.Specs[name]; !seen {
				p.Deps = append(p.Deps, name)
			}
			var s string
			_ = json.Unmarshal(spec, &s) // a non-string spec names no path
			p.Specs[name] = s
		}
	}
	return p, nil
}

type npmWorkspace struct {
	dir      string
	patterns workspacePatterns
	names    map[string]string // package name -> dir
}

// npm finds the packages of npm, pnpm and yarn workspaces, and standalone
// packages outside any workspace.
func (b *builder) npm() {
	pkgs := map[string]*packageJSON{}
	var dirs []string
	for _, m := range parseAll(b, "package.json", parsePackageJSON) {
		pkgs[m.dir] = m.m
		dirs = append(dirs, m.dir)
	}
	// Workspace roots: pnpm-workspace.yaml wins over package.json workspaces,
	// as in pnpm.
	roots := map[string]*npmWorkspace{}
	for _, m := range parseAll(b, "pnpm-workspace.yaml", parsePnpmWorkspace) {
		roots[m.dir] = b.workspace(m.dir, m.file, m.m)
	}
	for _, dir := range dirs {
		if p := pkgs[dir]; roots[dir] == nil && p.HasWS {
			roots[dir] = b.workspace(dir, path.Join(dir, "package.json"), p.Workspaces)
		}
	}
	for dir := range roots {
		if dir == "." {
			continue
		}
		for _, g := range append([]string{"package.json", "pnpm-workspace.yaml"}, lockfiles...) {
			if b.has(dir, g) {
				b.global[path.Join(dir, g)] = true
			}
		}
	}
	member := map[string]*npmWorkspace{} // package dir -> its workspace; nil for a standalone package
	for _, dir := range dirs {
		if _, isRoot := roots[dir]; isRoot || dir == "." {
			continue
		}
		ws := nearestRoot(dir, roots)
		if ws != nil && !ws.patterns.member(rel(ws.dir, dir)) {
			continue // under a workspace, but not one of its packages
		}
		member[dir] = ws
		p := pkgs[dir]
		base, scope := p.Name, ""
		if s, n, ok := strings.Cut(strings.TrimPrefix(p.Name, "@"), "/"); ok && strings.HasPrefix(p.Name, "@") {
			base, scope = n, s
		}
		u := b.add(dir, path.Join(dir, "package.json"), rankNPM, base, scope)
		u.noRelease = u.noRelease || p.Private
		if u.version == "" {
			u.version = p.Version
		}
		if p.Name != "" {
			u.tagNames = append(u.tagNames, p.Name)
		}
		if ws != nil && p.Name != "" {
			if prev, dup := ws.names[p.Name]; dup {
				b.warn(path.Join(dir, "package.json"), 0, 0, RuleDuplicate, "package %q is also in %s; dependencies on it resolve to %s", p.Name, prev, prev)
			} else {
				ws.names[p.Name] = dir
			}
		}
	}
	for _, dir := range dirs {
		ws, ok := member[dir]
		if !ok {
			continue
		}
		p := pkgs[dir]
		file := path.Join(dir, "package.json")
		for _, dep := range p.Deps {
			if local, ok := npmLocalSpec(p.Specs[dep]); ok {
				if to, ok := join(dir, local); ok {
					b.edges = append(b.edges, edge{from: dir, to: to, file: file})
				}
				continue
			}
			if ws == nil {
				continue
			}
			if to, ok := ws.names[dep]; ok {
				b.edges = append(b.edges, edge{from: dir, to: to, file: file})
			}
		}
	}
}

func (b *builder) workspace(dir, file string, patterns []string) *npmWorkspace {
	w, bad := newWorkspacePatterns(patterns)
	for _, p := range bad {
		b.warn(file, 0, 0, RuleMalformed, "workspace pattern %q is not a valid glob; it is skipped", p)
	}
	return &npmWorkspace{dir: dir, patterns: w, names: map[string]string{}}
}

// nearestRoot returns the innermost workspace whose root contains dir.
func nearestRoot(dir string, roots map[string]*npmWorkspace) *npmWorkspace {
	for d := path.Dir(dir); ; d = path.Dir(d) {
		if ws, ok := roots[d]; ok {
			return ws
		}
		if d == "." {
			return nil
		}
	}
}

// pnpmWorkspace reads the packages list of a pnpm-workspace.yaml.
func parsePnpmWorkspace(src []byte) ([]string, error) {
	var doc struct {
		Packages []string `yaml:"packages"`
	}
	if err := unmarshalYAML(src, &doc); err != nil {
		return nil, err
	}
	return doc.Packages, nil
}

// workspacePatterns is a workspace's member patterns, split into includes and
// "!" excludes, cleaned of "./" and trailing slashes.
type workspacePatterns struct {
	include, exclude []string
}

func newWorkspacePatterns(patterns []string) (workspacePatterns, []string) {
	var w workspacePatterns
	var bad []string
	for _, p := range patterns {
		neg := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		p = strings.TrimSuffix(strings.TrimPrefix(path.Clean("/"+strings.TrimPrefix(p, "./")), "/"), "/")
		if p == "" || !doublestar.ValidatePattern(p) {
			bad = append(bad, p)
			continue
		}
		if neg {
			w.exclude = append(w.exclude, p)
		} else {
			w.include = append(w.include, p)
		}
	}
	return w, bad
}

// member reports whether rel, a directory relative to the workspace root, is
// one of the workspace's packages.
func (w workspacePatterns) member(rel string) bool {
	in := false
	for _, p := range w.include {
		if ok, _ := doublestar.Match(p, rel); ok {
			in = true
			break
		}
	}
	if !in {
		return false
	}
	for _, p := range w.exclude {
		if ok, _ := doublestar.Match(p, rel); ok {
			return false
		}
	}
	return true
}

// npmLocalSpec returns the directory a file:, link: or portal: dependency
// points at, relative to the depending package.
func npmLocalSpec(spec string) (string, bool) {
	for _, pre := range []string{"file:", "link:", "portal:"} {
		if rest, ok := strings.CutPrefix(spec, pre); ok {
			return rest, true
		}
	}
	return "", false
}
