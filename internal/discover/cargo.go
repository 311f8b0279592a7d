package discover

import (
	"path"
	"sort"
)

// cargoManifest is what discovery needs from a Cargo.toml.
type cargoManifest struct {
	Package string // [package] name; "" for a virtual manifest
	// Version is [package] version, or the workspace's when it says
	// version.workspace = true (VersionFromWorkspace).
	Version              string
	VersionFromWorkspace bool
	NoPublish            bool // publish = false or publish = []
	Workspace            *cargoWorkspace
	// Deps are the normal and build dependencies, of the package and of
	// its [target.*] tables; dev-dependencies never reach the built
	// artifact and are not read.
	Deps []cargoDep
	// DevPaths are the paths of dev-dependencies: not edges, but Cargo
	// makes the crates there workspace members like any path dependency.
	DevPaths []string
	// Patches are [patch.<registry>] entries with a path, by package name,
	// relative to this manifest's directory. Cargo honours them only in the
	// workspace root.
	Patches map[string]string
}

type cargoWorkspace struct {
	Members, Exclude []string
	Deps             map[string]cargoDep // [workspace.dependencies]
	Version          string              // [workspace.package] version
}

type cargoDep struct {
	Name      string // the key
	Package   string // package = "..." (a renamed dependency), else Name
	Path      string
	Workspace bool // name = { workspace = true }
}

// cargoDepTables are the tables of a package (or of a [target.*] table) that
// list what goes into its build.
var cargoDepTables = []string{"dependencies", "build-dependencies"}

// parseCargoToml reads a Cargo.toml with a TOML parser, so that every TOML
// form of a key (dotted keys, inline tables, quoted keys) reads the same, and
// errors carry their position.
func parseCargoToml(src []byte) (*cargoManifest, error) {
	doc, err := parseTOML(src)
	if err != nil {
		return nil, err
	}
	m := &cargoManifest{Patches: map[string]string{}}
	if pkg, ok := doc["package"].(map[string]any); ok {
		name, ok := pkg["name"].(string)
		if !ok || name == "" {
			return nil, &posError{0, 0, "[package] has no name: add name = \"...\""}
		}
		m.Package = name
		switch v := pkg["version"].(type) {
		case string:
			m.Version = v
		case map[string]any:
			m.VersionFromWorkspace, _ = v["workspace"].(bool)
		}
		switch p := pkg["publish"].(type) {
		case bool:
			m.NoPublish = !p
		case []any:
			m.NoPublish = len(p) == 0
		}
	}
	if ws, ok := doc["workspace"].(map[string]any); ok {
		w := &cargoWorkspace{Members: stringList(ws["members"]), Exclude: stringList(ws["exclude"]), Deps: map[string]cargoDep{}}
		if deps, ok := ws["dependencies"].(map[string]any); ok {
			for name, d := range deps {
				w.Deps[name] = cargoDepOf(name, d)
			}
		}
		if p, ok := ws["package"].(map[string]any); ok {
			w.Version, _ = p["version"].(string)
		}
		m.Workspace = w
	}
	if patch, ok := doc["patch"].(map[string]any); ok {
		for _, reg := range patch {
			entries, _ := reg.(map[string]any)
			for name, d := range entries {
				if dep := cargoDepOf(name, d); dep.Path != "" {
					m.Patches[dep.Package] = dep.Path
				}
			}
		}
	}
	tables := []map[string]any{doc}
	if targets, ok := doc["target"].(map[string]any); ok {
		for _, t := range targets {
			if t, ok := t.(map[string]any); ok {
				tables = append(tables, t)
			}
		}
	}
	for _, t := range tables {
		for _, key := range cargoDepTables {
			deps, _ := t[key].(map[string]any)
			for name, d := range deps {
				m.Deps = append(m.Deps, cargoDepOf(name, d))
			}
		}
		dev, _ := t["dev-dependencies"].(map[string]any)
		for name, d := range dev {
			if p := cargoDepOf(name, d).Path; p != "" {
				m.DevPaths = append(m.DevPaths, p)
			}
		}
	}
	sort.Slice(m.Deps, func(i, j int) bool { return m.Deps[i].Name < m.Deps[j].Name })
	sort.Strings(m.DevPaths)
	return m, nil
}

func cargoDepOf(name string, d any) cargoDep {
	dep := cargoDep{Name: name, Package: name}
	if t, ok := d.(map[string]any); ok {
		dep.Path, _ = t["path"].(string)
		dep.Workspace, _ = t["workspace"].(bool)
		if p, ok := t["package"].(string); ok && p != "" {
			dep.Package = p
		}
	}
	return dep
}

func stringList(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// cargo finds the crates of Cargo workspaces (members and exclude, and the
// path dependencies of members, which Cargo makes members too) and
// standalone crates outside any workspace, with their normal and build
// dependencies on each other.
func (b *builder) cargo() {
	crates := map[string]*cargoManifest{}
	var roots []string // workspace roots, sorted
	var dirs []string
	for _, m := range parseAll(b, "Cargo.toml", parseCargoToml) {
		crates[m.dir] = m.m
		dirs = append(dirs, m.dir)
		if m.m.Workspace != nil {
			roots = append(roots, m.dir)
		}
	}
	rootOf := func(dir string) string { // the innermost workspace root above or at dir; "" for none
		best := ""
		for _, r := range roots {
			if within(r, dir) && (best == "" || len(r) > len(best)) {
				best = r
			}
		}
		return best
	}
	members := map[string]string{} // crate dir -> its workspace root ("" standalone)
	for _, dir := range dirs {
		m := crates[dir]
		root := rootOf(dir)
		switch {
		case m.Package == "":
		case root == "":
			members[dir] = ""
		case root == dir:
			members[dir] = root
		default:
			w, _ := newWorkspacePatterns(crates[root].Workspace.Members)
			ex, _ := newWorkspacePatterns(crates[root].Workspace.Exclude)
			r := rel(root, dir)
			if w.member(r) && !ex.member(r) {
				members[dir] = root
			}
		}
		if root == dir && dir != "." {
			if m.Package == "" {
				b.global[path.Join(dir, "Cargo.toml")] = true
			}
			if b.has(dir, "Cargo.lock") {
				b.global[path.Join(dir, "Cargo.lock")] = true
			}
		}
	}
	// Path dependencies of members are members too.
	for changed := true; changed; {
		changed = false
		for dir, root := range members {
			var tos []string
			for _, d := range crates[dir].Deps {
				if to, ok := b.cargoTarget(crates, dir, root, d); ok {
					tos = append(tos, to)
				}
			}
			for _, p := range crates[dir].DevPaths {
				if to, ok := join(dir, p); ok {
					tos = append(tos, to)
				}
			}
			for _, to := range tos {
				if _, in := members[to]; !in && crates[to] != nil && crates[to].Package != "" {
					members[to], changed = rootOf(to), true
				}
			}
		}
	}
	for _, dir := range dirs {
		root, ok := members[dir]
		if !ok {
			continue
		}
		m := crates[dir]
		file := path.Join(dir, "Cargo.toml")
		if dir == "." {
			// The root crate owns the root manifest: a change there is a
			// change to it, and the workspace part affects everything
			// through the lockfile and the members' manifests.
			delete(b.global, "Cargo.toml")
		}
		u := b.add(dir, file, rankCargo, m.Package, "")
		u.noRelease = u.noRelease || m.NoPublish
		u.tagNames = append(u.tagNames, m.Package)
		if u.version == "" {
			u.version = m.Version
			if m.VersionFromWorkspace && root != "" {
				u.version = crates[root].Workspace.Version
			}
		}
		for _, d := range m.Deps {
			if to, ok := b.cargoTarget(crates, dir, root, d); ok {
				b.edges = append(b.edges, edge{from: dir, to: to, file: file})
			}
		}
	}
}

// cargoTarget is the crate directory a dependency resolves to inside the
// repository: its path, the path of its [workspace.dependencies] entry, or
// a [patch.*] path of the workspace root for the package it names.
func (b *builder) cargoTarget(crates map[string]*cargoManifest, dir, root string, d cargoDep) (string, bool) {
	if d.Path != "" {
		return join(dir, d.Path)
	}
	pkg := d.Package
	if d.Workspace && root != "" {
		wd, ok := crates[root].Workspace.Deps[d.Name]
		if !ok {
			return "", false
		}
		if wd.Path != "" {
			return join(root, wd.Path)
		}
		pkg = wd.Package
	}
	patchRoot := root
	if patchRoot == "" {
		patchRoot = dir
	}
	if p, ok := crates[patchRoot].Patches[pkg]; ok {
		return join(patchRoot, p)
	}
	return "", false
}
