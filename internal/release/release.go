package release

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/exit"
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
}

// Release is one service's next release. Its JSON is an entry of the
// `ordo.notes/v1` document.
type Release struct {
	Service string `json:"service"`
	// Next is the version to release.
	Next string `json:"version"`
	// Current is the version released last, empty for a first release.
	Current string `json:"previous"`
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
	p, err := newPlanner(cfg, services, opts)
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

// planner holds one Compute's state, service by service (indexes into
// services).
type planner struct {
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

	warnings   map[int][]string  // per service, reported when it is in the result
	current    []*semver.Version // nil: never released
	currentTag []string
	tagCommit  []string
	commits    [][]Commit // newest first
}

func newPlanner(cfg Config, services []Service, opts Options) (*planner, error) {
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
	p := &planner{
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
	owner := map[template]string{}
	for i, s := range services {
		if other, ok := owner[p.tmpl[i]]; ok && p.tmpl[i] != (template{}) {
			bad("services %q and %q have the same tags (%s...%s); put {service} in the tag template", other, s.Name, p.tmpl[i].prefix, p.tmpl[i].suffix)
		}
		owner[p.tmpl[i]] = s.Name
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

func resolveHead(ctx context.Context, repo git.Repo, head string) (string, error) {
	if strings.HasPrefix(head, "-") {
		return "", exit.BadInputf("head %q is not a revision", head)
	}
	sha, err := repo.Output(ctx, "rev-parse", "--verify", "--quiet", head+"^{commit}")
	var gerr *git.Error
	switch {
	case err == nil && sha != "":
		return sha, nil
	case err == nil, errors.As(err, &gerr) && strings.TrimSpace(gerr.Stderr) == "":
		// --quiet: an unknown revision fails without a word.
		return "", exit.BadInputf("unknown revision %q: pass a commit, branch or tag that exists in the repository", head)
	}
	return "", &exit.Error{Code: exit.Env, Err: fmt.Errorf("resolve %q: %w", head, err)}
}

// tagRef is a tag and the commit it points to.
type tagRef struct {
	name, commit string
	reachable    bool // from head
}

// listTags lists every tag (to know which exist) and marks those reachable
// from head (the only ones that can hold a current version).
func listTags(ctx context.Context, repo git.Repo, head string) ([]tagRef, error) {
	const format = "--format=%(refname)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)"
	all, err := repo.Run(ctx, "for-each-ref", format, "refs/tags")
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	merged, err := repo.Run(ctx, "for-each-ref", "--merged="+head, "--format=%(refname)", "refs/tags")
	if err != nil {
		return nil, fmt.Errorf("list tags merged into %s: %w", head, err)
	}
	reachable := map[string]bool{}
	for _, l := range strings.Split(string(merged), "\n") {
		if l != "" {
			reachable[strings.TrimPrefix(l, "refs/tags/")] = true
		}
	}
	var tags []tagRef
	var nested []int
	for _, l := range strings.Split(string(all), "\n") {
		f := strings.Split(l, "\x00")
		if len(f) != 5 {
			continue
		}
		t := tagRef{name: strings.TrimPrefix(f[0], "refs/tags/")}
		t.reachable = reachable[t.name]
		switch {
		case f[1] == "commit":
			t.commit = f[2]
		case f[3] == "commit":
			t.commit = f[4]
		case f[3] == "tag" && t.reachable:
			nested = append(nested, len(tags)) // a tag of a tag: let git peel it
		}
		tags = append(tags, t)
	}
	for _, i := range nested {
		if sha, err := repo.Output(ctx, "rev-parse", "--verify", "--quiet", "refs/tags/"+tags[i].name+"^{commit}"); err == nil {
			tags[i].commit = sha
		}
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].name < tags[j].name })
	return tags, nil
}

// findCurrent sets each needed service's current version: its highest
// non-prerelease semver tag reachable from head.
func (p *planner) findCurrent(tags []tagRef) {
	claimed := map[string]bool{}
	type odd struct{ tag, why string }
	var odds []odd
	for i, t := range p.tmpl {
		if !p.needed[i] {
			continue
		}
		// Tags are sorted: those starting with the prefix are one run.
		lo := sort.Search(len(tags), func(k int) bool { return tags[k].name >= t.prefix })
		for k := lo; k < len(tags) && strings.HasPrefix(tags[k].name, t.prefix); k++ {
			tag := tags[k]
			if !tag.reachable || tag.commit == "" {
				continue
			}
			v, ok, err := t.version(tag.name)
			switch {
			case err != nil:
				odds = append(odds, odd{tag.name, fmt.Sprintf("its version is not semver (%v)", err)})
				continue
			case !ok:
				continue
			}
			claimed[tag.name] = true
			if v.Prerelease() != "" {
				p.debugf("service %q: tag %q is a prerelease, not a current version", p.services[i].Name, tag.name)
				continue
			}
			if p.current[i] == nil || v.GreaterThan(p.current[i]) {
				p.current[i], p.currentTag[i], p.tagCommit[i] = v, tag.name, tag.commit
			}
		}
	}
	for _, o := range odds {
		if !claimed[o.tag] { // a sibling's good tag is not odd
			p.debugf("ignoring tag %q: %s", o.tag, o.why)
		}
	}
}

func (p *planner) debugf(format string, args ...any) {
	if p.debug != nil {
		fmt.Fprintf(p.debug, "debug: "+format+"\n", args...)
	}
}

// boundary returns a commit whose ancestors are outside every needed
// service's range, so that git log can stop there: when every service has
// been released, a common ancestor of their tags. Empty means all history.
func (p *planner) boundary(ctx context.Context, repo git.Repo) string {
	var commits []string
	for i, need := range p.needed {
		if !need {
			continue
		}
		if p.current[i] == nil {
			return ""
		}
		commits = append(commits, p.tagCommit[i])
	}
	slices.Sort(commits)
	commits = slices.Compact(commits)
	switch len(commits) {
	case 0:
		return ""
	case 1:
		return commits[0]
	}
	out, err := repo.Output(ctx, append([]string{"merge-base", "--octopus"}, commits...)...)
	if err != nil {
		return "" // no common ancestor (unrelated histories): read everything
	}
	base, _, _ := strings.Cut(out, "\n")
	return base
}

// assign gives each needed service the commits of its range that touch its
// paths. A service's range is head minus the ancestors of its tag's commit;
// --date-order lists children before parents, so one forward sweep from the
// tag's position marks all its ancestors.
func (p *planner) assign(log []git.LogEntry) {
	pos := make(map[string]int32, len(log))
	for i, e := range log {
		pos[e.SHA] = int32(i)
	}
	parents := make([][]int32, len(log))
	for i, e := range log {
		for _, sha := range e.Parents {
			if j, ok := pos[sha]; ok {
				parents[i] = append(parents[i], j)
			}
		}
	}

	touched := make([][]int32, len(p.services)) // per service: log positions
	hit := map[int]bool{}
	for i, e := range log {
		clear(hit)
		for _, f := range e.Files {
			p.paths.Each(f, func(s int) { hit[s] = true })
		}
		for s := range hit {
			if p.needed[s] {
				touched[s] = append(touched[s], int32(i))
			}
		}
	}

	// Group services by the commit of their tag, so each sweep serves many.
	byTag := map[string][]int{}
	for s, need := range p.needed {
		if need && len(touched[s]) > 0 {
			byTag[p.tagCommit[s]] = append(byTag[p.tagCommit[s]], s)
		}
	}
	parsed := make(map[int32]Commit)
	commit := func(i int32) Commit {
		c, ok := parsed[i]
		if !ok {
			c = ParseMessage(log[i].Message)
			c.SHA = log[i].SHA
			if c.Trailers == nil {
				c.Trailers = []Trailer{}
			}
			parsed[i] = c
		}
		return c
	}
	ancestor := make([]bool, len(log))
	for tagCommit, ss := range byTag {
		clear(ancestor)
		if start, ok := pos[tagCommit]; ok && tagCommit != "" {
			ancestor[start] = true
			for i := start; i < int32(len(log)); i++ {
				if ancestor[i] {
					for _, j := range parents[i] {
						ancestor[j] = true
					}
				}
			}
		}
		// A tag commit missing from the log is the boundary or below it:
		// nothing the log lists is its ancestor.
		for _, s := range ss {
			for _, i := range touched[s] {
				if !ancestor[i] {
					p.commits[s] = append(p.commits[s], commit(i))
				}
			}
		}
	}
}

// result decides each service's next version and assembles the result.
func (p *planner) result(head string, tags []tagRef, released []string) (*Result, error) {
	n := len(p.services)
	rel := make([]*Release, n)
	var problems []error
	seenBad := map[string]bool{}
	for s := range n {
		if !p.needed[s] || len(p.commits[s]) == 0 {
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
				if !p.needed[s] || rel[s] != nil {
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
		for s := range n {
			if rel[s] == nil {
				continue
			}
			for _, d := range p.services[s].DependsOn {
				if dr := rel[p.byName[d]]; dr != nil {
					rel[s].Dependencies = append(rel[s].Dependencies, DepBump{Service: d, Version: dr.Next})
				}
			}
			sort.Slice(rel[s].Dependencies, func(i, j int) bool {
				return rel[s].Dependencies[i].Service < rel[s].Dependencies[j].Service
			})
		}
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
		if exists[r.Tag] {
			r.TagExists = true
		}
		if r.TagExists && !slices.Contains(released, r.Tag) {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s: tag %q already exists; it is left as it is and not created again", r.Service, r.Tag))
		}
		res.Releases = append(res.Releases, *r)
	}
	sort.Slice(res.Releases, func(i, j int) bool { return res.Releases[i].Service < res.Releases[j].Service })
	sort.Strings(res.Warnings)
	return res, nil
}

// own computes the release a service's own commits call for, or nil.
func (p *planner) own(s int) (*Release, []error) {
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
			errs = append(errs, fmt.Errorf("commit %s: Release-As %q is not a semantic version; write it as MAJOR.MINOR.PATCH, e.g. Release-As: 2.0.0", short(c.SHA), c.ReleaseAs))
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
	default:
		b := p.versions.adjust(cur, largest)
		next, err := apply(cur, b)
		if err != nil {
			return nil, []error{fmt.Errorf("service %q: %w", p.services[s].Name, err)}
		}
		r.Next, r.Bump = next.String(), b.String()
	}
	r.Tag = p.tagFor(s, r.Next)
	return r, nil
}

// dependencyRelease is the patch release of a service whose only reason to
// release is a released dependency.
func (p *planner) dependencyRelease(s int) (*Release, error) {
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

func (p *planner) newRelease(s int) *Release {
	r := &Release{Service: p.services[s].Name, PreviousTag: p.currentTag[s], Commits: p.commits[s]}
	if r.Commits == nil {
		r.Commits = []Commit{}
	}
	if cur := p.current[s]; cur != nil {
		r.Current = cur.String()
	}
	return r
}

func (p *planner) tagFor(s int, version string) string {
	return p.tmpl[s].tag(semver.MustParse(version))
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// CreateTags creates, at r.Head, an annotated tag for each release whose tag
// does not exist yet. It never moves or replaces a tag: git refuses to
// create one that exists, and that refusal is returned as an error. It
// returns the tags it created, also when it stops at an error.
func CreateTags(ctx context.Context, repo git.Repo, r *Result) ([]string, error) {
	var created []string
	for _, rel := range r.Releases {
		if rel.TagExists {
			continue
		}
		msg := fmt.Sprintf("%s %s", rel.Service, rel.Next)
		if _, err := repo.Run(ctx, "tag", "-a", "-m", msg, rel.Tag, r.Head); err != nil {
			return created, fmt.Errorf("create tag %q: %w", rel.Tag, err)
		}
		created = append(created, rel.Tag)
	}
	return created, nil
}
