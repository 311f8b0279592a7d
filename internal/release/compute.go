package release

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/exit"
)

// computation holds one Compute's state, service by service (indexes into
// services).
type computation struct {
	cfg      Config
	versions versioning
	head     string
	debug    io.Writer
	services []Service
	byName   map[string]int
	selected []bool // in the result
	needed   []bool // computed: selected, and their dependencies when they propagate
	tmpl     []template
	initial  *semver.Version
	paths    *affected.Owners

	warnings    map[int][]string  // per service, reported when it is in the result
	current     []*semver.Version // nil: never released
	currentFrom []string          // "tag" or "manifest"
	manifest    []*semver.Version // ManifestVersion; nil when none or not semver
	currentTag  []string
	tagCommit   []string
	commits     [][]Commit // newest first
}

func newComputation(cfg Config, services []Service, opts Options) (*computation, error) {
	var problems []error
	bad := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }
	if cfg.Tag == "" {
		cfg.Tag = DefaultTag
	}
	if cfg.InitialVersion == "" {
		cfg.InitialVersion = DefaultInitialVersion
	}
	switch cfg.BumpDependents {
	case "":
		cfg.BumpDependents = "patch"
	case "patch", "none":
	default:
		bad("bump_dependents %q is not valid; use %q or %q", cfg.BumpDependents, "patch", "none")
	}
	initial, err := parseVersion(cfg.InitialVersion)
	if err != nil {
		bad("initial_version %q is not a semantic version such as 0.1.0", cfg.InitialVersion)
	}
	head := opts.Head
	if head == "" {
		head = "HEAD"
	}
	p := &computation{
		cfg:      cfg,
		versions: versioning{cfg.BumpMinorPreMajor, cfg.BumpPatchForMinorPreMajor},
		head:     head,
		debug:    opts.Debug,
		services: services,
		byName:   make(map[string]int, len(services)),
		selected: make([]bool, len(services)),
		needed:   make([]bool, len(services)),
		tmpl:     make([]template, len(services)),
		initial:  initial,
		warnings: map[int][]string{},
	}
	for i, s := range services {
		if _, dup := p.byName[s.Name]; dup {
			bad("service %q is defined twice", s.Name)
		}
		p.byName[s.Name] = i
		t := s.Tag
		if t == "" {
			t = cfg.Tag
		}
		if p.tmpl[i], err = newTemplate(t, s.Name); err != nil {
			bad("service %q: %w", s.Name, err)
		}
	}
	owner := map[[2]string]string{}
	for i, s := range services {
		key := [2]string{p.tmpl[i].prefix, p.tmpl[i].suffix}
		if other, ok := owner[key]; ok && p.tmpl[i] != (template{}) {
			bad("services %q and %q have the same tags (%s...%s); put {service} in the tag template", other, s.Name, p.tmpl[i].prefix, p.tmpl[i].suffix)
		}
		owner[key] = s.Name
	}
	for _, s := range services {
		for _, d := range s.DependsOn {
			if _, ok := p.byName[d]; !ok {
				bad("service %q depends on unknown service %q", s.Name, d)
			}
		}
	}
	if len(opts.Services) == 0 {
		for i := range p.selected {
			p.selected[i] = true
		}
	}
	for _, name := range opts.Services {
		i, ok := p.byName[name]
		if !ok {
			bad("unknown service %q; valid services: %s", name, strings.Join(sortedNames(services), ", "))
			continue
		}
		p.selected[i] = true
	}
	paths := make([][]string, len(services))
	for i, s := range services {
		paths[i] = s.Paths
	}
	if p.paths, err = affected.NewOwners(paths); err != nil {
		var ge *affected.GlobError
		if errors.As(err, &ge) {
			bad("service %q: %w", services[ge.Service].Name, err)
		} else {
			bad("%w", err)
		}
	}
	if len(problems) > 0 {
		return nil, &exit.Error{Code: exit.BadInput, Err: errors.Join(problems...)}
	}
	// A selected service needs its dependencies' releases to know whether
	// it is released because of them.
	var visit func(i int)
	visit = func(i int) {
		if p.needed[i] {
			return
		}
		p.needed[i] = true
		if cfg.BumpDependents == "patch" {
			for _, d := range services[i].DependsOn {
				visit(p.byName[d])
			}
		}
	}
	for i, sel := range p.selected {
		if sel {
			visit(i)
		}
	}
	n := len(services)
	p.current, p.currentTag, p.tagCommit, p.commits = make([]*semver.Version, n), make([]string, n), make([]string, n), make([][]Commit, n)
	p.currentFrom, p.manifest = make([]string, n), make([]*semver.Version, n)
	for i, s := range services {
		if s.ManifestVersion == "" {
			continue
		}
		if v, err := parseVersion(s.ManifestVersion); err == nil && v.Prerelease() == "" {
			p.manifest[i] = v
		} else {
			p.debugf("service %q: the manifest's version %q is not a released semantic version; it is not used", s.Name, s.ManifestVersion)
		}
	}
	return p, nil
}

func sortedNames(services []Service) []string {
	names := make([]string, len(services))
	for i, s := range services {
		names[i] = s.Name
	}
	sort.Strings(names)
	return names
}
