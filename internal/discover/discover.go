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
//   - Packages are what the workspace declarations say: pnpm-workspace.yaml
//     or package.json workspaces, Cargo [workspace] members and exclude (and
//     the path dependencies of members, as in Cargo), go.work use. Where an
//     ecosystem declares no workspace, every manifest of it is a package.
//     Manifests under node_modules, vendor, target, dist, testdata,
//     fixtures, __fixtures__ or hidden directories, and files git ignores,
//     are never packages and never global.
//   - A Go module is a service, the repository's root module included: it
//     owns what no nested module owns, its go.mod and go.sum among them. In a
//     repository that is one module, each package with `main` is a service
//     that owns its directory and the directories of the module's packages
//     it imports (read with go/parser, as `go list -deps` reports them).
//   - Names come from the most specific manifest in the directory: the
//     package.json name, then the Cargo package name, then the last element
//     of the Go module path (without a /vN suffix), then the Compose service
//     name, then the directory's name; see naming.go for clashes.
//   - Paths are the directory and everything under it, minus the directories
//     of services nested inside it, so that a file belongs to the innermost
//     package, as in Nx and Turborepo.
//   - Dependencies: npm dependencies of all four kinds on a package of the
//     same workspace; Go requires of a module of the repository; Cargo
//     normal and build dependencies with a path, through
//     [workspace.dependencies] or through a [patch.*] path entry
//     (dev-dependencies never reach the built artifact and are not edges);
//     Compose depends_on, order only (propagate: false): a running
//     dependency is not a rebuilt one.
//   - Kind: service when something deploys it (a Dockerfile in its
//     directory, a Compose service built from it, a Go main package a
//     Dockerfile or .goreleaser file names); library otherwise.
//   - Release: false for private npm packages and publish = false crates.
//   - A manifest that cannot be parsed is reported with its file and position
//     and skipped; one that is too large, not a regular file or a link
//     leaving the repository stops discovery with a bad-input error.
package discover

import (
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/diag"
	"github.com/ordo-ci/ordo/internal/exit"
)

// Found is what Discover found in a repository.
type Found struct {
	Services []Service // sorted by name
	Global   []string  // repository-relative files, sorted
	// Lockfiles are the Global entries that are lockfiles: a change there
	// affects every service, which ordo init says, with how to narrow it.
	Lockfiles []string
	// Diags are warnings: manifests that could not be read (skipped), and
	// dependency edges left out to break a cycle.
	Diags diag.List
	// Notes explain choices a person should know of (Compose services left
	// out, and why); they are comments in the written catalog.
	Notes []string
	// ReleaseTag is the release.tag template the repository's tags follow,
	// "" when they follow none (see SuggestTags).
	ReleaseTag string

	edges []edge // every manifest dependency between services, cycles included
}

// Service is one discovered service.
type Service struct {
	Name      string
	Dir       string       // repository-relative, slash-separated
	Kind      catalog.Kind // catalog.KindService or catalog.KindLibrary
	Paths     []string     // doublestar globs for ordo.yaml; "!" excludes nested services
	DependsOn []string     // names, sorted; OrderOnly ones included
	// OrderOnly are the DependsOn entries that only order deploys
	// (propagate: false): Compose depends_on.
	OrderOnly []string
	// Sources say where the service was found: repository-relative manifest
	// paths, and "file:line" for a Compose entry.
	Sources []string
	// NoRelease is set for packages their manifest says are never published
	// (npm private: true, Cargo publish = false).
	NoRelease bool
	// Version is the manifest's version (package.json, Cargo.toml), "" when
	// it has none.
	Version string
	// TagNames are the names the service's release tags may carry besides
	// its catalog name: the full npm name (@acme/web), the crate name.
	TagNames []string
	// Tag is the service's own tag template, when its tags follow one that
	// release.tag cannot say (see SuggestTags).
	Tag string
}

// Options are optional inputs of Discover.
type Options struct {
	// Files, when not nil, are the repository's files that count (git
	// ls-files --cached --others --exclude-standard): any other file, a
	// git-ignored one, is not looked at.
	Files []string
}

// Rules of the diagnostics Discover reports.
const (
	RuleMalformed = "discover.malformed-manifest"
	RuleDuplicate = "discover.duplicate-name"
	RuleCycle     = "discover.cycle"
	RuleContext   = "discover.compose-context"
)

// maxManifest caps the size of a manifest read: the largest real
// package.json or Cargo.toml is a few hundred kilobytes, and a link to
// /dev/zero must not be read until memory runs out.
const maxManifest = 8 << 20

// skipDirs hold dependencies, build output and test fixtures, not services.
var skipDirs = map[string]bool{
	"node_modules": true, "vendor": true, "target": true, "dist": true,
	"testdata": true, "fixtures": true, "__fixtures__": true,
}

// rootGlobals are the files at the root of a repository (or of a nested
// workspace) that every package is built against. A root go.mod is not one:
// the root module is a service that owns it.
var rootGlobals = []string{
	"go.work", "go.work.sum",
	"package.json", "package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", "yarn.lock", "bun.lock", "bun.lockb",
	"Cargo.toml", "Cargo.lock",
}

// buildConfig are root files every package is built or checked with (the
// toolchain version, the shared compiler and build settings): global.
var buildConfig = []string{
	"tsconfig*.json", "vitest.config.*", "vitest.workspace.*", "tsdown.config.*", "tsup.config.*", "turbo.json", "nx.json",
	".node-version", ".nvmrc", ".tool-versions", ".npmrc", ".yarnrc.yml", "rust-toolchain", "rust-toolchain.toml", "Makefile",
}

func isBuildConfig(name string) bool {
	return slices.ContainsFunc(buildConfig, func(g string) bool { ok, _ := path.Match(g, name); return ok })
}

var lockfiles = []string{"package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock", "bun.lock", "bun.lockb", "Cargo.lock", "go.work.sum", "go.sum"}

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
	dir     string
	sources []string
	rank    int
	base    string
	scope   string
	deploy  bool // something deploys it
	// composeDeploy: a deployable Compose service builds from it, which
	// outweighs a profile or a test Compose file that does too.
	composeDeploy bool
	noRelease     bool
	version       string
	tagNames      []string
	extra         []string // more paths it owns (a Go main's imported packages)
	name          string
	children      []string // directories of the services directly nested inside
}

// edge is a dependency of the service in dir from on the one in dir to, as a
// manifest states it at file:line:col (line 0 when unknown).
type edge struct {
	from, to  string
	file      string
	line, col int
	orderOnly bool
}

type builder struct {
	fsys   fs.FS
	files  map[string][]string // directory -> names of manifest files in it
	goDirs []string            // directories with .go files, for a single module
	units  map[string]*unit
	edges  []edge
	global map[string]bool
	diags  diag.List
	notes  []string
	fatal  error // a file that must not be read: discovery stops
	// notDeployed are directories that only Compose services under profiles
	// or in test files build: a Dockerfile there deploys nothing.
	notDeployed map[string]bool
	// deployTexts are the Dockerfiles and .goreleaser files, read once.
	deployTexts []string
	// tracked and trackedDirs restrict the walk to Options.Files.
	tracked, trackedDirs map[string]bool
}

// Discover walks the repository at the root of fsys and returns its services.
// Malformed manifests are in Found.Diags; the error is for a repository that
// cannot be read, or a manifest that must not be (exit.BadInput).
func Discover(fsys fs.FS, opts ...Options) (*Found, error) {
	b := &builder{fsys: fsys, files: map[string][]string{}, units: map[string]*unit{}, global: map[string]bool{}, notDeployed: map[string]bool{}}
	if len(opts) > 0 && opts[0].Files != nil {
		b.tracked, b.trackedDirs = map[string]bool{}, map[string]bool{".": true}
		for _, f := range opts[0].Files {
			b.tracked[f] = true
			for d := path.Dir(f); d != "." && !b.trackedDirs[d]; d = path.Dir(d) {
				b.trackedDirs[d] = true
			}
		}
	}
	if err := b.walk(); err != nil {
		return nil, err
	}
	for _, g := range b.files["."] {
		if slices.Contains(rootGlobals, g) || isBuildConfig(g) {
			b.global[g] = true
		}
	}
	for _, eco := range []func(){b.golang, b.npm, b.cargo, b.docker, b.compose} {
		eco()
		if b.fatal != nil {
			return nil, b.fatal
		}
	}
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
			if p != "." && (skipDirs[name] || strings.HasPrefix(name, ".") || (b.trackedDirs != nil && !b.trackedDirs[p])) {
				return fs.SkipDir
			}
			return nil
		}
		if b.tracked != nil && !b.tracked[p] {
			return nil
		}
		dir := path.Dir(p)
		if interesting(name) || (dir == "." && isBuildConfig(name)) {
			b.files[dir] = append(b.files[dir], name)
		}
		if strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			if n := len(b.goDirs); n == 0 || b.goDirs[n-1] != dir {
				b.goDirs = append(b.goDirs, dir)
			}
		}
		return nil
	})
	if err != nil {
		return exit.Envf("discover services: %w", err)
	}
	return nil
}

func interesting(name string) bool {
	switch name {
	case "go.mod", "package.json", "pnpm-workspace.yaml", "Cargo.toml", ".goreleaser.yml", ".goreleaser.yaml":
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
