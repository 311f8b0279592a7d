package release

import (
	"math"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/exit"
)

type bumpKind int

const (
	bumpNone bumpKind = iota
	bumpPatch
	bumpMinor
	bumpMajor
)

func (b bumpKind) String() string {
	return [...]string{"", "patch", "minor", "major"}[b]
}

// versioning is release-please's DefaultVersioningStrategy
// (src/versioning-strategies/default.ts): before 1.0.0,
// bump_minor_pre_major turns a breaking change into a minor bump and
// bump_patch_for_minor_pre_major turns a feature into a patch bump.
type versioning struct {
	bumpMinorPreMajor         bool
	bumpPatchForMinorPreMajor bool
}

// adjust applies the pre-major switches to the largest bump of the commits.
func (v versioning) adjust(cur *semver.Version, b bumpKind) bumpKind {
	if cur.Major() >= 1 {
		return b
	}
	switch {
	case b == bumpMajor && v.bumpMinorPreMajor:
		return bumpMinor
	case b == bumpMinor && v.bumpPatchForMinorPreMajor:
		return bumpPatch
	}
	return b
}

// apply bumps a released (non-prerelease) version.
func apply(cur *semver.Version, b bumpKind) (*semver.Version, error) {
	maj, min, pat := cur.Major(), cur.Minor(), cur.Patch()
	var overflow bool
	switch b {
	case bumpMajor:
		overflow = maj == math.MaxUint64
		maj, min, pat = maj+1, 0, 0
	case bumpMinor:
		overflow = min == math.MaxUint64
		min, pat = min+1, 0
	case bumpPatch:
		overflow = pat == math.MaxUint64
		pat++
	}
	if overflow {
		return nil, exit.BadInputf("cannot bump %s: a number would overflow", cur)
	}
	return semver.New(maj, min, pat, "", ""), nil
}

// difference names the largest part in which next differs from cur, for a
// version set outright by Release-As or initial_version.
func difference(cur, next *semver.Version) bumpKind {
	switch {
	case cur == nil:
		return bumpNone
	case next.Major() != cur.Major():
		return bumpMajor
	case next.Minor() != cur.Minor():
		return bumpMinor
	case next.Patch() != cur.Patch() || next.Prerelease() != cur.Prerelease():
		return bumpPatch
	}
	return bumpNone
}

// parseVersion reads a version written by a person (Release-As,
// initial_version): strict semver, with an optional leading "v".
func parseVersion(s string) (*semver.Version, error) {
	return semver.StrictNewVersion(strings.TrimPrefix(strings.TrimSpace(s), "v"))
}

// template is a tag template such as "{service}/v{version}" for one
// service. Tags are made and read by the catalog's catalog.Tag and
// catalog.MatchTag, the one implementation of templates; prefix and suffix
// (the template with the service filled in, around the version) let
// findCurrent search sorted tags and tell a malformed tag of this service
// from another service's.
type template struct {
	text, service  string
	prefix, suffix string
}

const (
	servicePlaceholder = "{service}"
	versionPlaceholder = "{version}"
)

// newTemplate checks a template given to Compute directly (the catalog
// checks ordo.yaml's when it loads).
func newTemplate(tmpl, service string) (template, error) {
	if strings.Count(tmpl, versionPlaceholder) != 1 {
		return template{}, exit.BadInputf("tag template %q must contain %s exactly once, e.g. %q", tmpl, versionPlaceholder, "{service}/v{version}")
	}
	const mark = "\x00"
	prefix, suffix, _ := strings.Cut(catalog.Tag(tmpl, service, mark), mark)
	if strings.ContainsAny(prefix+suffix, "{}") {
		return template{}, exit.BadInputf("tag template %q: unknown placeholder; valid placeholders are %s and %s", tmpl, servicePlaceholder, versionPlaceholder)
	}
	return template{text: tmpl, service: service, prefix: prefix, suffix: suffix}, nil
}

func (t template) tag(v *semver.Version) string { return catalog.Tag(t.text, t.service, v.String()) }

// version returns the version a tag carries for this template. ok is false
// for tags of other templates or services; err is set for a tag of this
// template whose version is not semver.
func (t template) version(tag string) (v *semver.Version, ok bool, err error) {
	if v, ok := catalog.MatchTag(t.text, t.service, tag); ok {
		return v, true, nil
	}
	if len(tag) < len(t.prefix)+len(t.suffix) || !strings.HasPrefix(tag, t.prefix) || !strings.HasSuffix(tag, t.suffix) {
		return nil, false, nil
	}
	_, err = semver.StrictNewVersion(tag[len(t.prefix) : len(tag)-len(t.suffix)])
	return nil, false, err
}
