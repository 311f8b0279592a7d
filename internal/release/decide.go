package release

import (
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/Masterminds/semver/v3"

	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git"
)

// result decides each service's next version and assembles the result.
func (p *computation) result(head string, tags []tagRef, released []string) (*Result, error) {
	n := len(p.services)
	rel := make([]*Release, n)
	var problems []error
	seenBad := map[string]bool{}
	for s := range n {
		if !p.needed[s] || len(p.commits[s]) == 0 || p.services[s].NoRelease {
			continue
		}
		r, err := p.own(s)
		for _, e := range err {
			if msg := e.Error(); !seenBad[msg] {
				seenBad[msg] = true
				problems = append(problems, e)
			}
		}
		rel[s] = r
	}
	if len(problems) > 0 {
		return nil, &exit.Error{Code: exit.BadInput, Err: errors.Join(problems...)}
	}

	if p.cfg.BumpDependents == "patch" {
		// Propagate until nothing changes: a service released only because
		// of a dependency is a dependency release for its own dependents.
		for changed := true; changed; {
			changed = false
			for s := range n {
				if !p.needed[s] || rel[s] != nil || p.services[s].NoRelease {
					continue
				}
				for _, d := range p.services[s].DependsOn {
					if rel[p.byName[d]] != nil {
						r, err := p.dependencyRelease(s)
						if err != nil {
							return nil, err
						}
						rel[s], changed = r, true
						break
					}
				}
			}
		}
		// A tag being described exists: its release is what the tag says.
		p.releasedTags(rel, released)
		for s := range n {
			if rel[s] == nil {
				continue
			}
			for _, d := range p.services[s].DependsOn {
				dr := rel[p.byName[d]]
				// Describing existing tags, a dependency's version is one
				// whose tag exists at that commit, never a computed one.
				if dr != nil && (len(released) == 0 || slices.Contains(released, dr.Tag)) {
					rel[s].Dependencies = append(rel[s].Dependencies, DepBump{Service: d, Version: dr.Next})
				}
			}
			sort.Slice(rel[s].Dependencies, func(i, j int) bool {
				return rel[s].Dependencies[i].Service < rel[s].Dependencies[j].Service
			})
		}
	}

	if p.cfg.BumpDependents != "patch" {
		p.releasedTags(rel, released)
	}
	exists := make(map[string]bool, len(tags))
	for _, t := range tags {
		exists[t.name] = true
	}
	res := &Result{Head: head, Releases: []Release{}}
	for s := range n {
		r := rel[s]
		if r == nil || !p.selected[s] {
			continue
		}
		res.Warnings = append(res.Warnings, p.warnings[s]...)
		if p.currentFrom[s] == "manifest" && len(released) == 0 {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s: no tag holds its current version %s (from its manifest), so every commit in its history counts; tag the commit that released it (%s) to count from there", r.Service, r.Current, p.tmpl[s].tag(p.current[s])))
		}
		if exists[r.Tag] {
			r.TagExists = true
		}
		if r.TagExists && !slices.Contains(released, r.Tag) {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s: tag %q already exists; it is left as it is and not created again", r.Service, r.Tag))
		}
		res.Releases = append(res.Releases, *r)
	}
	for s := range n {
		if !p.selected[s] || p.services[s].NoRelease { // never released: its commits count for nothing anyway
			continue
		}
		u := Unconventional{Service: p.services[s].Name}
		for _, c := range p.commits[s] {
			if !c.Conventional {
				u.Count++
				if len(u.First) < unconventionalShown {
					u.First = append(u.First, c)
				}
			}
		}
		if u.Count > 0 {
			res.Unconventional = append(res.Unconventional, u)
		}
	}
	sort.Slice(res.Unconventional, func(i, j int) bool { return res.Unconventional[i].Service < res.Unconventional[j].Service })
	sort.Slice(res.Releases, func(i, j int) bool { return res.Releases[i].Service < res.Releases[j].Service })
	sort.Strings(res.Warnings)
	return res, nil
}

// own computes the release a service's own commits call for, or nil.
func (p *computation) own(s int) (*Release, []error) {
	commits := p.commits[s]
	var errs []error
	var releaseAs *semver.Version
	largest := bumpNone
	for _, c := range commits {
		largest = max(largest, c.bump())
		if c.ReleaseAs == "" {
			continue
		}
		v, err := parseVersion(c.ReleaseAs)
		if err != nil {
			errs = append(errs, fmt.Errorf("commit %s: Release-As %q is not a semantic version; write it as MAJOR.MINOR.PATCH, e.g. Release-As: 2.0.0", git.Short(c.SHA), c.ReleaseAs))
			continue
		}
		if releaseAs == nil { // newest first: the newest Release-As wins, as in release-please
			releaseAs = v
		}
	}
	if len(errs) > 0 || (largest == bumpNone && releaseAs == nil) {
		return nil, errs
	}
	cur := p.current[s]
	r := p.newRelease(s)
	switch {
	case releaseAs != nil:
		r.ReleaseAs = true
		r.Next = releaseAs.String()
		if cur != nil && releaseAs.LessThan(cur) {
			p.warnings[s] = append(p.warnings[s], fmt.Sprintf("%s: Release-As %s is below the current version %s", r.Service, r.Next, cur))
		}
		if b := difference(cur, releaseAs); b != bumpNone {
			r.Bump = b.String()
		} else if cur == nil {
			r.Bump = largest.String()
		}
	case cur == nil:
		r.Next, r.Bump = p.initial.String(), largest.String()
		if p.initial.LessThan(p.floor(s)) {
			r.Next = p.floor(s).String()
		}
	default:
		b := p.versions.adjust(cur, largest)
		next, err := apply(cur, b)
		if err != nil {
			return nil, []error{fmt.Errorf("service %q: %w", p.services[s].Name, err)}
		}
		r.Next, r.Bump = next.String(), b.String()
		if f := p.floor(s); next.LessThan(f) {
			p.warnings[s] = append(p.warnings[s], fmt.Sprintf("%s: the commits call for %s, below the manifest's version %s; proposing %s", r.Service, next, f, f))
			r.Next = f.String()
		}
	}
	r.Tag = p.tagFor(s, r.Next)
	return r, nil
}

// dependencyRelease is the patch release of a service whose only reason to
// release is a released dependency.
func (p *computation) dependencyRelease(s int) (*Release, error) {
	r := p.newRelease(s)
	r.Bump = bumpPatch.String()
	if cur := p.current[s]; cur == nil {
		r.Next = p.initial.String()
	} else {
		next, err := apply(cur, bumpPatch)
		if err != nil {
			return nil, exit.BadInputf("service %q: %w", p.services[s].Name, err)
		}
		r.Next = next.String()
	}
	r.Tag = p.tagFor(s, r.Next)
	return r, nil
}

func (p *computation) newRelease(s int) *Release {
	r := &Release{Service: p.services[s].Name, PreviousTag: p.currentTag[s], Commits: p.commits[s]}
	if r.Commits == nil {
		r.Commits = []Commit{}
	}
	if cur := p.current[s]; cur != nil {
		r.Current, r.CurrentFrom = cur.String(), p.currentFrom[s]
	}
	return r
}

// floor is the lowest version a service may be released at: the version
// its manifest states (raised by hand ahead of the tags, it must not go
// down), the zero version without one.
func (p *computation) floor(s int) *semver.Version {
	if m := p.manifest[s]; m != nil {
		return m
	}
	return semver.New(0, 0, 0, "", "")
}

// releasedTags makes the release of each service whose tag is being
// described (Options.Released) the one that tag names: its version, and the
// bump from the version before it that the tag actually made.
func (p *computation) releasedTags(rel []*Release, released []string) {
	for _, tag := range released {
		for s := range p.services {
			v, ok, _ := p.tmpl[s].version(tag)
			if !ok || !p.needed[s] {
				continue
			}
			if rel[s] == nil {
				rel[s] = p.newRelease(s)
			}
			r := rel[s]
			r.Next, r.Tag, r.ReleaseAs = v.String(), tag, false
			if b := difference(p.current[s], v); b != bumpNone {
				r.Bump = b.String()
			} else if r.Bump == "" {
				r.Bump = bumpPatch.String()
			}
		}
	}
}

func (p *computation) tagFor(s int, version string) string {
	return p.tmpl[s].tag(semver.MustParse(version))
}
