// Package discover finds the services of a repository and the dependencies
// between them in the manifests the repository already has (go.work and
// go.mod, package.json workspaces and pnpm-workspace.yaml, Cargo workspaces,
// Compose files, Dockerfiles), so that `ordo init` can write a first
// ordo.yaml and `ordo validate --strict` can say where the catalog and the
// manifests have drifted apart. Writing a catalog of hundreds of services by
// hand is what stops a team from adopting ordo; Nx and Turborepo infer their
// graph from manifests, and so does this package, with the same answer.
//
// The decisions, each made so that the catalog gives the same affected set as
// the tools that own the manifests:
//
//   - A service is a directory. Every go.mod, every package.json that is a
//     workspace member (or not under any workspace), every Cargo.toml with a
//     [package], every directory with a Dockerfile or Containerfile, and every
//     Compose build context is one; several manifests in one directory are one
//     service. The repository root is never a service (it would own every
//     file): its manifests and lockfiles, and those of nested workspace
//     roots, are global, and a root Dockerfile or build context is left out.
//     Packages inside one Go module are not told apart (that needs import
//     analysis), so a repository that is one root module gets its services
//     from Dockerfiles and Compose only.
//   - Names come from the most specific manifest in the directory: the
//     package.json name, then the Cargo package name, then the last element
//     of the Go module path (without a /vN suffix), then the Compose service
//     name, then the directory's name. They are lower-cased and every
//     character outside [a-z0-9._-] becomes "-", so that they match the
//     catalog's [a-z0-9][a-z0-9._-]*. An npm scope is dropped (@acme/web is
//     web). When names clash, every service of the clash moves to its next
//     candidate until none clashes: scope-name (acme-web) or the parent
//     element of a Go module path, then name-ecosystem (web-npm, web-go,
//     web-cargo, web-compose, web-docker), then the directory path
//     (services-web), then a numeric suffix.
//   - Paths are the directory and everything under it, minus the directories
//     of services nested inside it, so that a file belongs to the innermost
//     package, as in Nx and Turborepo.
//   - Dependencies: npm dependencies, devDependencies, peerDependencies and
//     optionalDependencies that name a package of the same workspace (any
//     version spec, workspace: included) or point at one with file:/link:
//     (Nx reads all four fields; Turborepo leaves out peerDependencies, so
//     there the catalog can affect more, never less);
//     Go requires of a module of the repository, through a replace to a
//     directory, a go.work replace, or the module path; Cargo path
//     dependencies, directly or through [workspace.dependencies]; Compose
//     depends_on (list or map form) between services built from the
//     repository. A dependency cycle cannot be written in ordo.yaml: one edge
//     of each cycle is left out, with a warning.
//   - Kind: library when other services depend on it and it has neither a
//     Dockerfile nor a Compose entry; service otherwise. It is a guess for a
//     person to review.
//   - Directories named node_modules, vendor, target, dist or testdata, and
//     hidden directories, are not searched for manifests (they hold
//     dependencies, build output and fixtures, not services), except the
//     modules go.work uses.
//   - A manifest that cannot be read is reported with its file and position
//     and skipped; the rest of the repository is still discovered.
package discover

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/diag"
)

// Found is what Discover found in a repository.
type Found struct {
	Services []Service // sorted by name
	Global   []string  // repository-relative files, sorted
	// Diags are warnings: manifests that could not be read (skipped), and
	// dependency edges left out to break a cycle.
	Diags diag.List

	edges []edge // every manifest dependency between services, cycles included
}

// Service is one discovered service.
type Service struct {
	Name      string
	Dir       string       // repository-relative, slash-separated
	Kind      catalog.Kind // catalog.KindService or catalog.KindLibrary
	Paths     []string     // doublestar globs for ordo.yaml; "!" excludes nested services
	DependsOn []string     // names, sorted
	// Sources say where the service was found: repository-relative manifest
	// paths, and "file:line" for a Compose entry.
	Sources []string
}

// Rules of the diagnostics Discover reports.
const (
	RuleMalformed = "discover.malformed-manifest"
	RuleDuplicate = "discover.duplicate-name"
	RuleCycle     = "discover.cycle"
	RuleContext   = "discover.compose-context"
)

// skipDirs hold dependencies, build output and test fixtures, not services.
var skipDirs = map[string]bool{"node_modules": true, "vendor": true, "target": true, "dist": true, "testdata": true}

// rootGlobals are the files at the root of a repository (or of a nested
// workspace) that every package is built against.
var rootGlobals = []string{
	"go.work", "go.work.sum", "go.mod", "go.sum",
	"package.json", "package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", "yarn.lock", "bun.lock", "bun.lockb",
	"Cargo.toml", "Cargo.lock",
}

var lockfiles = []string{"package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock", "bun.lock", "bun.lockb", "Cargo.lock"}

// Name ranks: lower is more specific.
const (
	rankNPM = iota
	rankCargo
	rankGo
	rankCompose
	rankDir
	rankNone
)

var rankEco = [...]string{"npm", "cargo", "go", "compose", "docker"}

type unit struct {
	dir      string
	sources  []string
	rank     int
	base     string
	scope    string
	deploy   bool // has a Dockerfile or a Compose entry
	name     string
	children []string // directories of the services directly nested inside
}

// edge is a dependency of the service in dir from on the one in dir to, as a
// manifest states it at file:line:col (line 0 when unknown).
type edge struct {
	from, to  string
	file      string
	line, col int
}

type builder struct {
	fsys   fs.FS
	files  map[string][]string // directory -> names of manifest files in it
	units  map[string]*unit
	edges  []edge
	global map[string]bool
	diags  diag.List
}

// Discover walks the repository at the root of fsys and returns its services.
// Malformed manifests are in Found.Diags; the error is for a repository that
// cannot be read at all.
func Discover(fsys fs.FS) (*Found, error) {
	b := &builder{fsys: fsys, files: map[string][]string{}, units: map[string]*unit{}, global: map[string]bool{}}
	if err := b.walk(); err != nil {
		return nil, err
	}
	for _, g := range rootGlobals {
		if slices.Contains(b.files["."], g) {
			b.global[g] = true
		}
	}
	b.golang()
	b.npm()
	b.cargo()
	b.docker()
	b.compose()
	return b.finish(), nil
}

func (b *builder) walk() error {
	err := fs.WalkDir(b.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			b.warn(p, 0, 0, RuleMalformed, "cannot read it: %v; skipped", err)
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if p != "." && (skipDirs[name] || strings.HasPrefix(name, ".")) {
				return fs.SkipDir
			}
			return nil
		}
		if interesting(name) {
			dir := path.Dir(p)
			b.files[dir] = append(b.files[dir], name)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("discover services: %w", err)
	}
	return nil
}

func interesting(name string) bool {
	switch name {
	case "go.mod", "package.json", "pnpm-workspace.yaml", "Cargo.toml":
		return true
	}
	return slices.Contains(rootGlobals, name) || isDockerfile(name) || composeFileRE.MatchString(name)
}

// isDockerfile matches Dockerfile, Containerfile, Dockerfile.prod and
// api.Dockerfile, but not Dockerfile.md or BuildKit's Dockerfile.dockerignore.
func isDockerfile(name string) bool {
	if name == "Dockerfile" || name == "Containerfile" || strings.HasSuffix(strings.ToLower(name), ".dockerfile") {
		return true
	}
	ext, ok := strings.CutPrefix(name, "Dockerfile.")
	return ok && !slices.Contains(notDockerfiles, strings.ToLower(path.Ext("."+ext)))
}

var notDockerfiles = []string{".md", ".txt", ".dockerignore", ".bak", ".orig", ".rej", ".swp"}

func (b *builder) has(dir, name string) bool { return slices.Contains(b.files[dir], name) }

func (b *builder) read(file string) ([]byte, bool) {
	src, err := fs.ReadFile(b.fsys, file)
	if err != nil {
		b.warn(file, 0, 0, RuleMalformed, "cannot read it: %v; skipped", err)
		return nil, false
	}
	return src, true
}

func (b *builder) warn(file string, line, col int, rule, format string, args ...any) {
	b.diags = append(b.diags, diag.Diagnostic{
		File: file, Line: line, Col: col, Rule: rule, Severity: diag.Warning,
		Message: fmt.Sprintf(format, args...),
	})
}

// malformed reports a manifest that cannot be parsed; it is skipped.
func (b *builder) malformed(file string, err error) {
	line, col, msg := 0, 0, err.Error()
	var pe *posError
	var ge *goModError
	switch {
	case errors.As(err, &pe):
		line, col, msg = pe.Line, pe.Col, pe.Msg
	case errors.As(err, &ge):
		line, col, msg = ge.Line, ge.Col, ge.Msg
	}
	b.warn(file, line, col, RuleMalformed, "%s; skipped: fix it and run ordo init again", msg)
}

// unit returns the service for dir, creating it.
func (b *builder) unit(dir string) *unit {
	u, ok := b.units[dir]
	if !ok {
		u = &unit{dir: dir, rank: rankNone}
		b.units[dir] = u
	}
	return u
}

// add records that dir is a service because of source, named base (with an
// optional scope) at rank unless a more specific manifest named it already.
func (b *builder) add(dir, source string, rank int, base, scope string) *unit {
	u := b.unit(dir)
	if !slices.Contains(u.sources, source) {
		u.sources = append(u.sources, source)
	}
	if rank < u.rank && sanitize(base) != "" {
		u.rank, u.base, u.scope = rank, base, scope
	}
	return u
}

func (b *builder) sortedDirs(manifest func(string) bool) []string {
	var dirs []string
	for dir, names := range b.files {
		if slices.ContainsFunc(names, manifest) {
			dirs = append(dirs, dir)
		}
	}
	sort.Strings(dirs)
	return dirs
}

func is(name string) func(string) bool { return func(s string) bool { return s == name } }

// join resolves rel against the repository-relative dir; ok is false when the
// result leaves the repository.
func join(dir, rel string) (string, bool) {
	rel = strings.ReplaceAll(rel, `\`, "/")
	if path.IsAbs(rel) {
		return "", false
	}
	p := path.Join(dir, rel)
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", false
	}
	return p, true
}

// ---- Go ----

type goModule struct {
	dir  string
	file string
	mod  *goMod
}

func (b *builder) golang() {
	var workReplaces []goReplace
	if b.has(".", "go.work") {
		if src, ok := b.read("go.work"); ok {
			w, err := parseGoMod(src, true)
			if err != nil {
				b.malformed("go.work", err)
			} else {
				workReplaces = w.Replaces
				for _, u := range w.Uses {
					// A module go.work uses is searched even where the walk
					// does not go (a hidden or vendor directory).
					dir, ok := join(".", u.Dir)
					if !ok || b.has(dir, "go.mod") {
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
	for _, dir := range b.sortedDirs(is("go.mod")) {
		file := path.Join(dir, "go.mod")
		src, ok := b.read(file)
		if !ok {
			continue
		}
		m, err := parseGoMod(src, false)
		if err == nil && m.Module == "" {
			err = &goModError{1, 1, "go.mod has no module directive: add `module <path>`"}
		}
		if err != nil {
			b.malformed(file, err)
			continue
		}
		if prev, dup := byPath[m.Module]; dup {
			b.warn(file, 1, 1, RuleDuplicate, "module %q is also declared in %s; requires of it resolve to %s", m.Module, path.Join(prev, "go.mod"), prev)
		} else {
			byPath[m.Module] = dir
		}
		mods = append(mods, goModule{dir, file, m})
		if dir != "." {
			base, scope := goName(m.Module)
			b.add(dir, file, rankGo, base, scope)
		}
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

// ---- npm, pnpm, yarn ----

type npmWorkspace struct {
	dir      string
	patterns workspacePatterns
	names    map[string]string // package name -> dir
}

func (b *builder) npm() {
	pkgs := map[string]*packageJSON{}
	for _, dir := range b.sortedDirs(is("package.json")) {
		file := path.Join(dir, "package.json")
		src, ok := b.read(file)
		if !ok {
			continue
		}
		p, err := parsePackageJSON(src)
		if err != nil {
			b.malformed(file, err)
			continue
		}
		pkgs[dir] = p
	}
	// Workspace roots: pnpm-workspace.yaml wins over package.json workspaces,
	// as in pnpm.
	roots := map[string]*npmWorkspace{}
	for _, dir := range b.sortedDirs(is("pnpm-workspace.yaml")) {
		file := path.Join(dir, "pnpm-workspace.yaml")
		src, ok := b.read(file)
		if !ok {
			continue
		}
		patterns, err := parsePnpmWorkspace(src)
		if err != nil {
			b.malformed(file, err)
			continue
		}
		roots[dir] = b.workspace(dir, file, patterns)
	}
	for dir, p := range pkgs {
		if _, ok := roots[dir]; !ok && p.HasWS {
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
	dirs := make([]string, 0, len(pkgs))
	for dir := range pkgs {
		dirs = append(dirs, dir)
	}
	sort.Strings(dirs)
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
		b.add(dir, path.Join(dir, "package.json"), rankNPM, base, scope)
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

// rel is dir relative to root, both repository-relative.
func rel(root, dir string) string {
	if root == "." {
		return dir
	}
	return strings.TrimPrefix(dir, root+"/")
}

// ---- Cargo ----

func (b *builder) cargo() {
	crates := map[string]*cargoManifest{}
	var dirs []string
	for _, dir := range b.sortedDirs(is("Cargo.toml")) {
		file := path.Join(dir, "Cargo.toml")
		src, ok := b.read(file)
		if !ok {
			continue
		}
		m, err := parseCargoToml(src)
		if err != nil {
			b.malformed(file, err)
			continue
		}
		crates[dir] = m
		dirs = append(dirs, dir)
		if dir == "." {
			continue
		}
		if m.Package != "" {
			b.add(dir, file, rankCargo, m.Package, "")
		} else if m.Workspace {
			b.global[file] = true
			if b.has(dir, "Cargo.lock") {
				b.global[path.Join(dir, "Cargo.lock")] = true
			}
		}
	}
	for _, dir := range dirs {
		m := crates[dir]
		if m.Package == "" {
			continue
		}
		file := path.Join(dir, "Cargo.toml")
		for _, p := range m.PathDeps {
			if to, ok := join(dir, p); ok {
				b.edges = append(b.edges, edge{from: dir, to: to, file: file})
			}
		}
		if len(m.WorkspaceDeps) == 0 {
			continue
		}
		root := ""
		for d := dir; ; d = path.Dir(d) {
			if r, ok := crates[d]; ok && r.Workspace {
				root = d
				break
			}
			if d == "." {
				break
			}
		}
		if root == "" {
			continue
		}
		for _, name := range m.WorkspaceDeps {
			if p, ok := crates[root].WSPathDeps[name]; ok {
				if to, ok := join(root, p); ok {
					b.edges = append(b.edges, edge{from: dir, to: to, file: file})
				}
			}
		}
	}
}

// ---- Dockerfiles and Compose ----

func (b *builder) docker() {
	for _, dir := range b.sortedDirs(isDockerfile) {
		if dir == "." {
			continue
		}
		for _, name := range b.files[dir] {
			if isDockerfile(name) {
				u := b.add(dir, path.Join(dir, name), rankDir, path.Base(dir), "")
				u.deploy = true
			}
		}
	}
}

func (b *builder) compose() {
	for _, dir := range b.sortedDirs(composeFileRE.MatchString) {
		var names []string
		for _, n := range b.files[dir] {
			if composeFileRE.MatchString(n) {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		// Compose merges the files of one directory (a base and its
		// overrides), so service names resolve across them.
		type entry struct {
			file string
			svc  composeService
		}
		var entries []entry
		dirOf := map[string]string{}
		for _, n := range names {
			file := path.Join(dir, n)
			src, ok := b.read(file)
			if !ok {
				continue
			}
			services, err := parseCompose(src)
			if err != nil {
				b.malformed(file, err)
				continue
			}
			for _, s := range services {
				entries = append(entries, entry{file, s})
				if s.Context == "" {
					continue
				}
				target, ok := composeTarget(dir, s)
				if !ok || target == "." {
					continue // the root is never a service
				}
				if st, err := fs.Stat(b.fsys, target); err != nil || !st.IsDir() {
					b.warn(file, s.Line, s.Col, RuleContext, "service %q builds from %q, which is not a directory of the repository; it is skipped", s.Name, target)
					continue
				}
				if _, seen := dirOf[s.Name]; !seen {
					dirOf[s.Name] = target
				}
				u := b.add(target, file+":"+strconv.Itoa(s.Line), rankCompose, s.Name, "")
				u.deploy = true
			}
		}
		for _, e := range entries {
			from, ok := dirOf[e.svc.Name]
			if !ok {
				continue
			}
			for _, dep := range e.svc.DependsOn {
				if to, ok := dirOf[dep]; ok {
					b.edges = append(b.edges, edge{from: from, to: to, file: e.file, line: e.svc.Line, col: e.svc.Col})
				}
			}
		}
	}
}

// composeTarget is the directory a Compose service is built from: the
// context, or the directory of build.dockerfile when that is inside the
// context (a repository-root context with services/api/Dockerfile builds
// services/api). A remote context is not in the repository.
func composeTarget(dir string, s composeService) (string, bool) {
	if strings.Contains(s.Context, "://") || strings.HasPrefix(s.Context, "git@") {
		return "", false
	}
	ctx, ok := join(dir, s.Context)
	if !ok {
		return "", false
	}
	if s.Dockerfile != "" {
		if df, ok := join(ctx, s.Dockerfile); ok && within(ctx, path.Dir(df)) {
			return path.Dir(df), true
		}
	}
	return ctx, true
}

// within reports whether dir is root or under it.
func within(root, dir string) bool {
	return root == "." || dir == root || strings.HasPrefix(dir, root+"/")
}
