package release

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/ordo-ci/ordo/internal/git"
)

// Config is the `release:` section of ordo.yaml.
type Config struct {
	// Tag is the tag template, "{service}/v{version}" when empty.
	Tag string
	// InitialVersion is the first version of a service without tags, "0.1.0" when empty.
	InitialVersion string
	// BumpMinorPreMajor and BumpPatchForMinorPreMajor are release-please's
	// options of the same names: before 1.0.0, a breaking change bumps the
	// minor and a feature the patch.
	BumpMinorPreMajor         bool
	BumpPatchForMinorPreMajor bool
	// BumpDependents is "patch" (also when empty) or "none": whether a
	// service gets a patch release because a dependency is released.
	BumpDependents string
}

// Defaults of Config's empty fields, as documented for ordo.yaml.
const (
	DefaultTag            = "{service}/v{version}"
	DefaultInitialVersion = "0.1.0"
)

// Service is what versioning needs to know of a catalog service.
type Service struct {
	Name string
	// Paths are doublestar globs against repository-relative paths; a
	// leading "!" excludes.
	Paths []string
	// Tag is the service's own tag template, e.g. "providers/flagd/v{version}"
	// for a Go module in a subdirectory; empty means Config.Tag.
	Tag string
	// DependsOn are the services whose releases propagate to this one
	// (depends_on edges with propagate: true).
	DependsOn []string
	// NoRelease is release: false in the catalog (or npm private: true,
	// Cargo publish = false): the service is never released and its
	// commits never bump its dependents.
	NoRelease bool
	// ManifestVersion is the version its manifest (package.json, Cargo.toml)
	// states at head, "" when none: the current version when no tag is,
	// and a floor for the next version.
	ManifestVersion string
}

// Options are the per-run inputs of Compute.
type Options struct {
	// Head is the revision to release, "HEAD" when empty.
	Head string
	// Services limits the result to these services (--service); all when empty.
	Services []string
	// Debug, when not nil, receives one line per tag that was ignored.
	Debug io.Writer
	// Released are tags being published now (`ordo release --tag`): they do
	// not count as current versions, so the release they name is computed
	// from the tag before them, and their existence is not a warning.
	Released []string
}

// Result is the computed releases at one head.
type Result struct {
	// Head is the full SHA the releases (and their tags) are for.
	Head string
	// Releases are the services with something to release, sorted by name.
	Releases []Release
	// Warnings are problems that did not stop the computation, such as a
	// tag that already exists for a computed version.
	Warnings []string
	// Unconventional are, per selected service with any, the commits of its
	// range that are not Conventional Commits and so count for nothing;
	// sorted by service.
	Unconventional []Unconventional
}

// Unconventional is the commits of one service that are not Conventional
// Commits: how many, and the first few (newest first).
type Unconventional struct {
	Service string   `json:"service"`
	Count   int      `json:"count"`
	First   []Commit `json:"first"`
}

// unconventionalShown is how many non-conventional commits a result lists
// per service; Count has them all.
const unconventionalShown = 5

// Release is one service's next release. Its JSON is an entry of the
// `ordo.notes/v1` document.
type Release struct {
	Service string `json:"service"`
	// Next is the version to release.
	Next string `json:"version"`
	// Current is the version released last, empty for a first release.
	Current string `json:"previous"`
	// CurrentFrom says where Current comes from: "tag", or "manifest" when
	// no tag holds one and the package's manifest does.
	CurrentFrom string `json:"previous_from,omitempty"`
	// Tag is the tag for Next; PreviousTag the tag Current came from.
	Tag         string `json:"tag"`
	PreviousTag string `json:"previous_tag"`
	// Bump is "major", "minor" or "patch": the part of Current that Next
	// raises. For a first release (no Current) it is the largest change
	// among the commits, "patch" for a release only caused by dependencies.
	Bump string `json:"bump"`
	// ReleaseAs is set when a Release-As footer chose Next.
	ReleaseAs bool `json:"release_as,omitempty"`
	// TagExists means Tag is already in the repository: it is reported and
	// never moved.
	TagExists bool `json:"tag_exists"`
	// Commits are the service's commits since PreviousTag, newest first,
	// releasable or not.
	Commits []Commit `json:"commits"`
	// Dependencies are the released dependencies of the service; when the
	// service has no releasable commit of its own they are why it is released.
	Dependencies []DepBump `json:"dependencies,omitempty"`
}

// DepBump is a dependency released alongside, with its new version.
type DepBump struct {
	Service string `json:"service"`
	Version string `json:"version"`
}

// Compute finds, for each service, the commits since its current version
// (the highest non-prerelease semver tag of its template reachable from
// head) that touch its paths, and the next version they call for.
//
// Commits and the files they change come from one `git log` over the union
// of every service's range, matched against the globs in memory, so the cost
// grows with history, not with the number of services.
func Compute(ctx context.Context, repo git.Repo, cfg Config, services []Service, opts Options) (*Result, error) {
	p, err := newComputation(cfg, services, opts)
	if err != nil {
		return nil, err
	}
	head, err := resolveHead(ctx, repo, p.head)
	if err != nil {
		return nil, err
	}
	tags, err := listTags(ctx, repo, head)
	if err != nil {
		return nil, err
	}
	for i := range tags {
		if slices.Contains(opts.Released, tags[i].name) {
			tags[i].reachable = false
		}
	}
	p.findCurrent(tags)
	revs := []string{head}
	if b := p.boundary(ctx, repo); b != "" {
		revs = append(revs, "^"+b)
	}
	log, err := repo.Log(ctx, revs...)
	if err != nil {
		return nil, fmt.Errorf("list commits: %w", err)
	}
	p.assign(log)
	return p.result(head, tags, opts.Released)
}
