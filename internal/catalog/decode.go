package catalog

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/bmatcuk/doublestar/v4"
)

func (d *decoder) catalog(c *Catalog, root *node) {
	pairs, ok := d.mapping(root, Pos{Line: 1, Col: 1}, "the catalog")
	if !ok {
		return
	}
	var versionSeen bool
	d.fields(pairs, "the catalog", map[string]func(pair){
		"version": func(p pair) {
			versionSeen = true
			v, ok := d.integer(p, "version")
			if ok && v != 1 {
				d.errorf(p.valPos, "version", "unsupported version %d: this ordo reads version 1", v)
			}
			c.Version = v
		},
		"global": func(p pair) { c.Global = d.globs(p, "global") },
		"ignore": func(p pair) { c.Ignore = d.globs(p, "ignore") },
		"unowned": func(p pair) {
			if v, ok := d.enum(p, "unowned", string(UnownedIgnore), string(UnownedAll), string(UnownedFail)); ok {
				c.Unowned = Unowned(v)
			}
		},
		"services":  func(p pair) { d.services(c, p) },
		"contracts": func(p pair) { d.contracts(c, p) },
		"policy":    func(p pair) { d.policy(c, p) },
		"release":   func(p pair) { d.release(c, p) },

		"environments": func(p pair) { d.environments(c, p) },
		"record":       func(p pair) { d.record(c, p) },
		"checks":       func(p pair) { d.checks(c, p) },
		"verify":       func(p pair) { d.verify(c, p) },
		"flags":        func(p pair) { d.flags(c, p) },
	})
	if !versionSeen {
		d.errorf(Pos{Line: 1, Col: 1}, "version", "missing version: add `version: 1` at the top")
	}
}

// globs reads a list of doublestar patterns; a leading "!" is allowed only
// where excludes make sense, which the caller checks.
func (d *decoder) globs(p pair, what string) []string {
	list, pos := d.strings(p, what)
	for i, g := range list {
		d.checkGlob(strings.TrimPrefix(g, "!"), pos[i], what)
	}
	return list
}

func (d *decoder) checkGlob(g string, p Pos, what string) {
	switch {
	case g == "":
		d.errorf(p, "glob", "empty pattern in %s: remove it", what)
	case !doublestar.ValidatePattern(g):
		d.errorf(p, "glob", "invalid glob %q in %s: check brackets and braces (doublestar syntax)", g, what)
	case strings.HasPrefix(g, "/") || strings.HasPrefix(g, "./"):
		d.errorf(p, "glob", "glob %q in %s must be relative to the repository root, without a leading %q", g, what, g[:strings.IndexByte(g, '/')+1])
	case strings.Contains(g, `\`):
		d.errorf(p, "glob", "glob %q in %s uses a backslash: paths are slash-separated", g, what)
	case hasDotDot(g):
		d.errorf(p, "glob", "glob %q in %s has \"..\": globs match paths inside the repository, relative to its root", g, what)
	}
}

func (d *decoder) services(c *Catalog, p pair) {
	if d.chunked != nil {
		c.Services = d.joinChunks()
	} else {
		pairs, ok := d.mapping(p.value, p.valPos, "services")
		if !ok {
			return
		}
		c.Services = d.serviceList(pairs)
	}
	slices.SortFunc(c.Services, func(a, b *Service) int { return strings.Compare(a.Name, b.Name) })
	c.index = make(map[string]int, len(c.Services))
	for i, s := range c.Services {
		c.index[s.Name] = i
	}
}

// serviceList decodes the entries of services: (or of one chunk of it).
func (d *decoder) serviceList(pairs []pair) []*Service {
	out := make([]*Service, 0, len(pairs))
	for _, sp := range pairs {
		s := &Service{Name: sp.key, Pos: sp.keyPos, Kind: KindService, Reversible: true, Release: true}
		if !validName(sp.key) {
			d.errorf(sp.keyPos, "name", "invalid service name %q: use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit", sp.key)
		}
		d.service(s, sp)
		out = append(out, s)
	}
	return out
}

// serviceKeys are the keys of a service entry, for unknown-key hints.
var serviceKeys = []string{"checks", "consumes", "critical", "depends_on", "environments", "kind", "lock", "paths", "provides", "release", "reversible", "tag", "with"}

// service decodes one entry of services:. It is the one decoder that runs
// thousands of times, so it switches on the key instead of building the
// handler map fields() takes.
func (d *decoder) service(s *Service, sp pair) {
	what := "service " + strconv.Quote(s.Name)
	pairs, ok := d.mapping(sp.value, sp.valPos, what)
	if !ok {
		return
	}
	for _, p := range pairs {
		switch p.key {
		case "kind":
			if v, ok := d.enum(p, "kind", string(KindService), string(KindLibrary), string(KindMigration)); ok {
				s.Kind = Kind(v)
			}
		case "paths":
			s.Paths = d.globs(p, what+" paths")
			if len(s.Paths) > 0 && !slices.ContainsFunc(s.Paths, func(g string) bool { return !strings.HasPrefix(g, "!") }) {
				d.errorf(p.valPos, "glob", "%s paths has only excludes: add the paths it owns before the \"!\" patterns", what)
			}
		case "depends_on":
			s.DependsOn = d.deps(p, what)
		case "critical":
			s.Critical, _ = d.boolean(p, "critical")
		case "lock":
			var ok bool
			if s.Lock, ok = d.str(p, "lock"); ok && s.Lock == "" {
				d.errorf(p.valPos, "type", "lock must not be empty: name the resource the services share, or remove lock")
			}
		case "tag":
			s.Tag, _ = d.str(p, "tag")
			s.tagPos = p.valPos
		case "with":
			d.with(s, p, what)
		case "provides":
			s.Provides = d.provides(p, what)
		case "consumes":
			s.Consumes = d.consumes(p, what)
		case "environments":
			s.Environments, s.envPos = d.names(p, what+" environments")
		case "checks":
			s.Checks, s.checkPos = d.names(p, what+" checks")
		case "reversible":
			s.Reversible, _ = d.boolean(p, "reversible")
		case "release":
			s.Release, _ = d.boolean(p, "release")
		default:
			d.unknownKey(p, what, serviceKeys)
		}
	}
}

func (d *decoder) with(s *Service, p pair, what string) {
	pairs, _ := d.mapping(p.value, p.valPos, what+" with")
	s.With = make(map[string]string, len(pairs))
	keys, pos := make([]string, 0, len(pairs)), make([]Pos, 0, len(pairs))
	for _, wp := range pairs {
		if v, ok := scalarValue(wp.value); ok {
			s.With[wp.key] = v
		} else {
			d.text(wp, "with "+strconv.Quote(wp.key)) // reports it
		}
		keys, pos = append(keys, wp.key), append(pos, wp.keyPos)
	}
	d.withKeys(s.Name, keys, pos)
}

// depKeys are the keys of a depends_on entry, sorted.
var depKeys = []string{"propagate", "service"}

func (d *decoder) deps(p pair, what string) []Dep {
	items, _ := d.sequence(p.value, p.valPos, what+" depends_on")
	var deps []Dep
	if len(items) > 0 {
		deps = make([]Dep, 0, len(items))
	}
	for _, it := range items {
		dep := Dep{Propagate: true, Pos: it.pos}
		switch {
		case it.value.is(stringKind):
			dep.Service = it.value.text
		case it.value.is(mappingKind):
			pairs, _ := d.mapping(it.value, it.pos, "a depends_on entry")
			// A switch, not d.fields: its map of closures per entry was
			// most of what reading depends_on allocated.
			for _, p := range pairs {
				switch p.key {
				case "service":
					dep.Service, _ = d.str(p, "service")
				case "propagate":
					dep.Propagate, _ = d.boolean(p, "propagate")
				default:
					d.unknownKey(p, "a depends_on entry", depKeys)
				}
			}
			if dep.Service == "" {
				d.errorf(it.pos, "depends_on", "depends_on entry has no service: write {service: NAME, propagate: false}")
				continue
			}
		default:
			d.errorf(it.pos, "type", "each depends_on entry must be a service name or {service: NAME, propagate: false}, not a %s", typeName(it.value))
			continue
		}
		deps = append(deps, dep)
	}
	return deps
}

func (d *decoder) provides(p pair, what string) []Provide {
	pairs, _ := d.mapping(p.value, p.valPos, what+" provides")
	var out []Provide
	for _, cp := range pairs {
		pr := Provide{Contract: cp.key, Pos: cp.keyPos}
		var raw []string
		var pos []Pos
		if cp.value.is(sequenceKind) {
			raw, pos = d.strings(cp, fmt.Sprintf("provides %q", cp.key))
			if len(raw) == 0 {
				d.errorf(cp.valPos, "semver", "provides %q lists no version: give at least one", cp.key)
			}
		} else if v, ok := scalarValue(cp.value); ok {
			raw, pos = []string{v}, []Pos{cp.valPos}
		} else {
			d.text(cp, fmt.Sprintf("provides %q", cp.key)) // reports it
		}
		for i, r := range raw {
			v, err := semver.StrictNewVersion(r)
			if err != nil {
				d.errorf(pos[i], "semver", "provides %q: invalid version %q: write MAJOR.MINOR.PATCH without a leading v, e.g. 2.4.0", cp.key, r)
				continue
			}
			pr.Versions = append(pr.Versions, v)
		}
		slices.SortFunc(pr.Versions, func(a, b *semver.Version) int { return a.Compare(b) })
		out = append(out, pr)
	}
	slices.SortFunc(out, func(a, b Provide) int { return strings.Compare(a.Contract, b.Contract) })
	return out
}

func (d *decoder) consumes(p pair, what string) []Consume {
	pairs, _ := d.mapping(p.value, p.valPos, what+" consumes")
	var out []Consume
	for _, cp := range pairs {
		raw, ok := scalarValue(cp.value)
		if !ok {
			d.text(cp, fmt.Sprintf("consumes %q", cp.key)) // reports it
			continue
		}
		con, err := d.constraint(raw)
		if err != nil {
			d.errorf(cp.valPos, "semver", "consumes %q: invalid constraint %q: %v (e.g. ^2.1, >=1.4 <3)", cp.key, raw, err)
			continue
		}
		out = append(out, Consume{Contract: cp.key, Constraint: con, Raw: raw, Pos: cp.keyPos})
	}
	slices.SortFunc(out, func(a, b Consume) int { return strings.Compare(a.Contract, b.Contract) })
	return out
}

func (d *decoder) contracts(c *Catalog, p pair) {
	pairs, _ := d.mapping(p.value, p.valPos, "contracts")
	c.Contracts = make(map[string]Contract, len(pairs))
	for _, cp := range pairs {
		ct := Contract{Pos: cp.keyPos}
		what := fmt.Sprintf("contract %q", cp.key)
		fields, _ := d.mapping(cp.value, cp.valPos, what)
		d.fields(fields, what, map[string]func(pair){
			"spec": func(p pair) {
				var ok bool
				if ct.Spec, ok = d.str(p, "spec"); !ok {
					return
				}
				if err := checkLocalPath(ct.Spec); err != nil {
					d.errorf(p.valPos, "path", "%s spec %q must be a path inside the repository, relative to its root: %v", what, ct.Spec, err)
				}
			},
		})
		c.Contracts[cp.key] = ct
	}
}

func (d *decoder) release(c *Catalog, p pair) {
	pairs, _ := d.mapping(p.value, p.valPos, "release")
	d.fields(pairs, "release", map[string]func(pair){
		"tag": func(p pair) {
			c.Release.Tag, _ = d.str(p, "tag")
			d.releaseTagPos = p.valPos
		},
		"initial_version": func(p pair) {
			v, ok := d.text(p, "initial_version")
			if !ok {
				return
			}
			if _, err := semver.StrictNewVersion(v); err != nil {
				d.errorf(p.valPos, "semver", "initial_version: invalid version %q: write MAJOR.MINOR.PATCH, e.g. 0.1.0", v)
			}
			c.Release.InitialVersion = v
		},
		"bump_minor_pre_major":           func(p pair) { c.Release.BumpMinorPreMajor, _ = d.boolean(p, "bump_minor_pre_major") },
		"bump_patch_for_minor_pre_major": func(p pair) { c.Release.BumpPatchForMinorPreMajor, _ = d.boolean(p, "bump_patch_for_minor_pre_major") },
		"bump_dependents": func(p pair) {
			if v, ok := d.enum(p, "bump_dependents", "patch", "none"); ok {
				c.Release.BumpDependents = v
			}
		},
	})
}

// constraint parses a semver constraint, once per text: catalogs repeat the
// same few (">=1.0.0", "^2"), and parsing one runs several regexps.
// Constraints are only read after parsing, so services may share one.
func (d *decoder) constraint(raw string) (*semver.Constraints, error) {
	if c, ok := d.constraints[raw]; ok {
		return c, nil
	}
	c, err := semver.NewConstraint(raw)
	if err != nil {
		return nil, err
	}
	if d.constraints == nil {
		d.constraints = map[string]*semver.Constraints{}
	}
	d.constraints[raw] = c
	return c, nil
}
