package catalog

import (
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// MatchTag reports whether tag was made from template for service, and if
// so returns its version. The version part must be semver, which keeps
// `providers/flagd/v{version}` from claiming `providers/flagd-in-process/v1.0.0`.
func MatchTag(template, service, tag string) (*semver.Version, bool) {
	prefix, suffix, ok := strings.Cut(strings.ReplaceAll(template, "{service}", service), "{version}")
	if !ok || !strings.HasPrefix(tag, prefix) || !strings.HasSuffix(tag, suffix) || len(tag) < len(prefix)+len(suffix) {
		return nil, false
	}
	v, err := semver.StrictNewVersion(tag[len(prefix) : len(tag)-len(suffix)])
	if err != nil {
		return nil, false
	}
	return v, true
}

// ServiceForTag returns the service whose tag template matches tag, or nil.
// When several match (a template without {service}), the one whose literal
// prefix is longest wins, then the first by name.
func (c *Catalog) ServiceForTag(tag string) *Service {
	var best *Service
	bestLen := -1
	for _, s := range c.Services {
		tmpl := c.TagTemplate(s)
		if _, ok := MatchTag(tmpl, s.Name, tag); !ok {
			continue
		}
		prefix, _, _ := strings.Cut(strings.ReplaceAll(tmpl, "{service}", s.Name), "{version}")
		if len(prefix) > bestLen {
			best, bestLen = s, len(prefix)
		}
	}
	return best
}

// ChangedContracts returns the contracts, sorted, whose provided versions
// differ between the catalog at base and the catalog at head (including
// contracts that appear or disappear).
func ChangedContracts(base, head *Catalog) []string {
	versions := func(c *Catalog) map[string]string {
		m := map[string]string{}
		for _, s := range c.Services {
			for _, p := range s.Provides {
				var vs []string
				for _, v := range p.Versions {
					vs = append(vs, v.String())
				}
				m[p.Contract] = strings.Join(vs, ",")
			}
		}
		return m
	}
	b, h := versions(base), versions(head)
	var changed []string
	for name, v := range h {
		if b[name] != v {
			changed = append(changed, name)
		}
	}
	for name := range b {
		if _, ok := h[name]; !ok {
			changed = append(changed, name)
		}
	}
	slices.Sort(changed)
	return changed
}

// checkTags checks every tag template and the tags it makes. Tags reach git
// as arguments and ref names: a tag that starts with "-" would be read as an
// option, and one git refuses would fail the release after the notes are
// written. A template is tried first with a neutral name, to blame the
// template; then with each service's name, to blame the name.
func (d *decoder) checkTags(c *Catalog) {
	const sample = "1.2.3-rc.1+build.5" // a version with every part semver allows
	tryTemplate := func(t string, p Pos) bool {
		switch {
		case strings.Count(t, "{version}") != 1:
			d.errorf(p, "tag", "tag template %q must have {version} exactly once: write e.g. \"{service}/v{version}\"", t)
			return false
		case strings.ContainsAny(Tag(t, "", ""), "{}"):
			d.errorf(p, "tag", "tag template %q: the only placeholders are {service} and {version}", t)
			return false
		}
		tag := Tag(t, "svc", sample)
		if err := checkRefName("refs/tags/" + tag); err != nil || strings.HasPrefix(tag, "-") {
			if err == nil {
				err = checkRefName(tag)
			}
			d.errorf(p, "tag", "tag template %q makes tags such as %q, which git does not accept as tag names: %v", t, tag, err)
			return false
		}
		return true
	}
	releaseOK := tryTemplate(c.Release.Tag, d.releaseTagPos)
	for _, s := range c.Services {
		at, ok := s.Pos, releaseOK
		if s.Tag != "" {
			if ok = tryTemplate(s.Tag, s.tagPos); !ok {
				continue
			}
		}
		if !ok {
			continue
		}
		tag := Tag(c.TagTemplate(s), s.Name, sample)
		if err := checkRefName("refs/tags/" + tag); err != nil {
			d.errorf(at, "tag", "service name %q makes tags such as %q, which git does not accept as tag names: %v: rename the service, or give it a tag: template without {service}", s.Name, tag, err)
		}
	}
}

// Tag makes the tag of service at version from template.
func Tag(template, service, version string) string {
	return strings.ReplaceAll(strings.ReplaceAll(template, "{service}", service), "{version}", version)
}
