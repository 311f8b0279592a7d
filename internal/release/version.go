package release

import (
	"fmt"
	"math"
	"strings"

	"github.com/Masterminds/semver/v3"
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
		return nil, fmt.Errorf("cannot bump %s: a number would overflow", cur)
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

// template is a tag template such as "{service}/v{version}" with the service
// filled in: tags of the service are prefix + version + suffix.
type template struct {
	prefix, suffix string
}

const (
	servicePlaceholder = "{service}"
	versionPlaceholder = "{version}"
)

func newTemplate(tmpl, service string) (template, error) {
	if strings.Count(tmpl, versionPlaceholder) != 1 {
		return template{}, fmt.Errorf("tag template %q must contain %s exactly once, e.g. %q", tmpl, versionPlaceholder, "{service}/v{version}")
	}
	filled := strings.ReplaceAll(tmpl, servicePlaceholder, service)
	prefix, suffix, _ := strings.Cut(filled, versionPlaceholder)
	if strings.ContainsAny(prefix+suffix, "{}") {
		return template{}, fmt.Errorf("tag template %q: unknown placeholder; valid placeholders are %s and %s", tmpl, servicePlaceholder, versionPlaceholder)
	}
	return template{prefix: prefix, suffix: suffix}, nil
}

func (t template) tag(v *semver.Version) string { return t.prefix + v.String() + t.suffix }

// version returns the version a tag carries for this template. ok is false
// for tags of other templates or services; err is set for a tag of this
// template whose version is not semver. Because the version must be a whole
// semver, "providers/flagd/v" never takes "providers/flagd-in-process/v1.2.0".
func (t template) version(tag string) (v *semver.Version, ok bool, err error) {
	if len(tag) < len(t.prefix)+len(t.suffix) || !strings.HasPrefix(tag, t.prefix) || !strings.HasSuffix(tag, t.suffix) {
		return nil, false, nil
	}
	middle := tag[len(t.prefix) : len(tag)-len(t.suffix)]
	v, err = semver.StrictNewVersion(middle)
	return v, err == nil, err
}
