package catalog

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	"github.com/bmatcuk/doublestar/v4"
	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"

	"github.com/ordo-ci/ordo/internal/diag"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/graph"
)

// Load reads and validates the catalog at path. Problems with its content
// come back as a diag.List (errors and warnings); the catalog is nil when
// there is any error. A file that cannot be read is an error of its own.
func Load(path string) (*Catalog, diag.List, error) {
	src, err := ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, exit.BadInputf("read catalog: %s does not exist: create it with `ordo init`, or point --config at it", path)
		}
		return nil, nil, exit.BadInputf("read catalog: %w", err)
	}
	c, diags := Parse(path, src)
	return c, diags, nil
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// Parse validates src as the catalog file named file.
func Parse(file string, src []byte) (*Catalog, diag.List) {
	d := &decoder{file: file, anchors: map[string]ast.Node{}}
	c := &Catalog{
		File:    file,
		Source:  src,
		Unowned: UnownedIgnore,
		Release: Release{Tag: "{service}/v{version}", InitialVersion: "0.1.0", BumpDependents: "patch"},
		Record:  RecordConfig{RefPrefix: DefaultRefPrefix},
		Verify:  Verify{MaxFailed: 1},
	}
	root, ok := d.parseRoot(src)
	if ok {
		d.catalog(c, root)
	}
	d.checkReferences(c)
	d.diags.Sort()
	if len(d.diags.Errors()) > 0 {
		return nil, d.diags
	}
	return c, d.diags
}

func (d *decoder) parseRoot(src []byte) (ast.Node, bool) {
	if !d.checkSize(src) {
		return nil, false
	}
	if strings.TrimSpace(string(src)) == "" {
		d.errorf(Pos{}, "empty", "the catalog is empty: start it with `version: 1` and a services: mapping, or run `ordo init`")
		return nil, false
	}
	if rest, chunks, ok := splitServices(string(src)); ok {
		if root, ok := d.parseChunked(rest, chunks); ok {
			return root, true
		}
		d.diags = nil // parse it whole and report what that finds
	}
	return d.parseDocument(string(src), 0)
}

// parseChunked parses the catalog without its services, then the services
// chunk by chunk, and puts them back under services:.
func (d *decoder) parseChunked(rest string, chunks []chunk) (ast.Node, bool) {
	root, ok := d.parseDocument(rest, 0)
	if !ok {
		return nil, false
	}
	m, ok := root.(*ast.MappingNode)
	if !ok {
		return nil, false
	}
	var services *ast.MappingValueNode
	for _, mv := range m.Values {
		if mv.Key != nil && mv.Key.GetToken() != nil && mv.Key.GetToken().Value == "services" {
			services = mv
		}
	}
	if services == nil {
		return nil, false
	}
	var joined *ast.MappingNode
	for _, chunk := range chunks {
		croot, ok := d.parseDocument(chunk.src, chunk.offset)
		if !ok {
			return nil, false
		}
		entries, ok := chunkEntries(croot)
		if !ok {
			return nil, false
		}
		if joined == nil {
			joined = entries
		} else {
			joined.Values = append(joined.Values, entries.Values...)
		}
	}
	services.Value = joined
	return root, true
}

// parseDocument parses src, whose first line is line 1+lineOffset of the
// file, so that positions are the file's.
func (d *decoder) parseDocument(src string, lineOffset int) (ast.Node, bool) {
	tokens := lexer.Tokenize(src)
	for _, t := range tokens {
		t.Position.Line += lineOffset
	}
	if !d.checkDepth(tokens) {
		return nil, false
	}
	f, err := parser.Parse(tokens, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		p := Pos{}
		msg := err.Error()
		var se yaml.Error
		if errors.As(err, &se) {
			if t := se.GetToken(); t != nil {
				p = Pos{Line: t.Position.Line, Col: t.Position.Column}
			}
			msg = se.GetMessage()
		}
		d.errorf(p, "syntax", "not valid YAML: %s", msg)
		return nil, false
	}
	var docs []ast.Node
	for _, doc := range f.Docs {
		if doc.Body != nil {
			docs = append(docs, doc.Body)
		}
	}
	switch {
	case len(docs) == 0:
		d.errorf(Pos{}, "empty", "the catalog has no content: start it with `version: 1` and a services: mapping, or run `ordo init`")
		return nil, false
	case len(docs) > 1:
		d.errorf(d.pos(docs[1]), "syntax", "the catalog must be a single YAML document: remove the second `---`")
		return nil, false
	}
	return docs[0], true
}

func (d *decoder) catalog(c *Catalog, root ast.Node) {
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
	case slices.Contains(strings.Split(g, "/"), ".."):
		d.errorf(p, "glob", "glob %q in %s has \"..\": globs match paths inside the repository, relative to its root", g, what)
	}
}

func (d *decoder) services(c *Catalog, p pair) {
	pairs, ok := d.mapping(p.value, p.valPos, "services")
	if !ok {
		return
	}
	for _, sp := range pairs {
		s := &Service{Name: sp.key, Pos: sp.keyPos, Kind: KindService, Reversible: true, Release: true}
		if !nameRE.MatchString(sp.key) {
			d.errorf(sp.keyPos, "name", "invalid service name %q: use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit", sp.key)
		}
		d.service(s, sp)
		c.Services = append(c.Services, s)
	}
	slices.SortFunc(c.Services, func(a, b *Service) int { return strings.Compare(a.Name, b.Name) })
	c.index = make(map[string]int, len(c.Services))
	for i, s := range c.Services {
		c.index[s.Name] = i
	}
}

func (d *decoder) service(s *Service, sp pair) {
	what := fmt.Sprintf("service %q", s.Name)
	pairs, ok := d.mapping(sp.value, sp.valPos, what)
	if !ok {
		return
	}
	d.fields(pairs, what, map[string]func(pair){
		"kind": func(p pair) {
			if v, ok := d.enum(p, "kind", string(KindService), string(KindLibrary), string(KindMigration)); ok {
				s.Kind = Kind(v)
			}
		},
		"paths": func(p pair) {
			s.Paths = d.globs(p, what+" paths")
			if len(s.Paths) > 0 && !slices.ContainsFunc(s.Paths, func(g string) bool { return !strings.HasPrefix(g, "!") }) {
				d.errorf(p.valPos, "glob", "%s paths has only excludes: add the paths it owns before the \"!\" patterns", what)
			}
		},
		"depends_on": func(p pair) { s.DependsOn = d.deps(p, what) },
		"critical":   func(p pair) { s.Critical, _ = d.boolean(p, "critical") },
		"lock": func(p pair) {
			var ok bool
			if s.Lock, ok = d.str(p, "lock"); ok && s.Lock == "" {
				d.errorf(p.valPos, "type", "lock must not be empty: name the resource the services share, or remove lock")
			}
		},
		"tag": func(p pair) {
			s.Tag, _ = d.str(p, "tag")
			s.tagPos = p.valPos
		},
		"with": func(p pair) {
			pairs, _ := d.mapping(p.value, p.valPos, what+" with")
			s.With = make(map[string]string, len(pairs))
			for _, wp := range pairs {
				if v, ok := d.text(wp, fmt.Sprintf("with %q", wp.key)); ok {
					s.With[wp.key] = v
				}
			}
		},
		"provides": func(p pair) { s.Provides = d.provides(p, what) },
		"consumes": func(p pair) { s.Consumes = d.consumes(p, what) },

		"environments": func(p pair) { s.Environments, s.envPos = d.names(p, what+" environments") },
		"checks":       func(p pair) { s.Checks, s.checkPos = d.names(p, what+" checks") },
		"reversible":   func(p pair) { s.Reversible, _ = d.boolean(p, "reversible") },
		"release":      func(p pair) { s.Release, _ = d.boolean(p, "release") },
	})
}

func (d *decoder) deps(p pair, what string) []Dep {
	items, _ := d.sequence(p.value, p.valPos, what+" depends_on")
	var deps []Dep
	for _, it := range items {
		dep := Dep{Propagate: true, Pos: it.pos}
		switch it.value.(type) {
		case *ast.StringNode:
			dep.Service = scalarText(it.value)
		case *ast.MappingNode, *ast.MappingValueNode:
			pairs, _ := d.mapping(it.value, it.pos, "a depends_on entry")
			d.fields(pairs, "a depends_on entry", map[string]func(pair){
				"service":   func(p pair) { dep.Service, _ = d.str(p, "service") },
				"propagate": func(p pair) { dep.Propagate, _ = d.boolean(p, "propagate") },
			})
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
		if _, ok := cp.value.(*ast.SequenceNode); ok {
			raw, pos = d.strings(cp, fmt.Sprintf("provides %q", cp.key))
			if len(raw) == 0 {
				d.errorf(cp.valPos, "semver", "provides %q lists no version: give at least one", cp.key)
			}
		} else if v, ok := d.text(cp, fmt.Sprintf("provides %q", cp.key)); ok {
			raw, pos = []string{v}, []Pos{cp.valPos}
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
		raw, ok := d.text(cp, fmt.Sprintf("consumes %q", cp.key))
		if !ok {
			continue
		}
		con, err := semver.NewConstraint(raw)
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

// policy windows -----------------------------------------------------------

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

func (d *decoder) policy(c *Catalog, p pair) {
	pairs, _ := d.mapping(p.value, p.valPos, "policy")
	d.fields(pairs, "policy", map[string]func(pair){
		"freeze":            func(p pair) { c.Policy.Freeze = d.windows(p, "freeze", true) },
		"migration_windows": func(p pair) { c.Policy.MigrationWindows = d.windows(p, "migration_windows", false) },
		"max_deploy": func(p pair) {
			v, ok := d.integer(p, "max_deploy")
			if ok && v < 1 {
				d.errorf(p.valPos, "policy", "max_deploy must be at least 1, not %d: remove it for no limit", v)
			}
			c.Policy.MaxDeploy = v
		},
	})
}

func (d *decoder) windows(p pair, what string, withServices bool) []Window {
	items, _ := d.sequence(p.value, p.valPos, what)
	var out []Window
	for i, it := range items {
		w := Window{Pos: it.pos, Location: time.UTC}
		label := fmt.Sprintf("%s[%d]", what, i)
		pairs, _ := d.mapping(it.value, it.pos, label)
		var from, to pair
		var tzSeen bool
		handlers := map[string]func(pair){
			"name": func(p pair) { w.Name, _ = d.str(p, "name") },
			"from": func(p pair) { from = p },
			"to":   func(p pair) { to = p },
			"days": func(p pair) {
				days, pos := d.strings(p, "days")
				for j, day := range days {
					wd, ok := weekdays[strings.ToLower(day)]
					if !ok {
						d.errorf(pos[j], "window", "%s: unknown day %q: use mon, tue, wed, thu, fri, sat or sun", label, day)
						continue
					}
					w.Days = append(w.Days, wd)
				}
				if len(days) == 0 {
					d.errorf(p.valPos, "window", "%s: days is empty: list the days, or remove days for every day", label)
				}
			},
			"tz": func(p pair) {
				tzSeen = true
				name, ok := d.str(p, "tz")
				if !ok {
					return
				}
				loc, err := time.LoadLocation(name)
				if err != nil || name == "" || name == "Local" {
					d.errorf(p.valPos, "window", "%s: unknown time zone %q: use an IANA name such as UTC or Europe/Berlin", label, name)
					return
				}
				w.Location = loc
			},
		}
		if withServices {
			handlers["services"] = func(p pair) {
				w.Services = d.globs(p, label+" services")
			}
		}
		d.fields(pairs, label, handlers)
		if w.Name != "" {
			label = fmt.Sprintf("%s %q", what, w.Name)
		}
		d.window(&w, from, to, tzSeen, label)
		out = append(out, w)
	}
	return out
}

// window reads from/to: RFC 3339 instants make a one-off window, HH:MM clock
// times (or neither) a weekly one.
func (d *decoder) window(w *Window, from, to pair, tzSeen bool, label string) {
	fromText, toText := d.timeText(from, "from"), d.timeText(to, "to")
	absolute := strings.Contains(fromText, "T") || strings.Contains(toText, "T") || strings.Count(fromText, "-") >= 2 || strings.Count(toText, "-") >= 2
	if absolute {
		if fromText == "" || toText == "" {
			d.errorf(w.Pos, "window", "%s: a one-off window needs both from and to as RFC 3339 times, e.g. 2026-12-20T00:00:00Z", label)
			return
		}
		var err error
		if w.From, err = time.Parse(time.RFC3339, fromText); err != nil {
			d.errorf(from.valPos, "window", "%s: from %q is not an RFC 3339 time such as 2026-12-20T00:00:00Z", label, fromText)
		}
		if w.To, err = time.Parse(time.RFC3339, toText); err != nil {
			d.errorf(to.valPos, "window", "%s: to %q is not an RFC 3339 time such as 2027-01-04T00:00:00Z", label, toText)
		}
		if len(w.Days) > 0 {
			d.errorf(w.Pos, "window", "%s: days cannot be combined with RFC 3339 from/to: use HH:MM times for a weekly window", label)
		}
		if tzSeen {
			d.errorf(w.Pos, "window", "%s: tz has no effect on RFC 3339 times, which carry their own offset: remove tz", label)
		}
		if !w.From.IsZero() && !w.To.IsZero() && !w.To.After(w.From) {
			d.errorf(to.valPos, "window", "%s: ends (%s) before it starts (%s): swap from and to", label, toText, fromText)
		}
		return
	}
	w.Start, w.End = 0, 24*60
	if fromText != "" {
		m, ok := clock(fromText)
		if !ok {
			d.errorf(from.valPos, "window", "%s: from %q is not a time: write HH:MM (24-hour, quoted) or an RFC 3339 time", label, fromText)
		}
		w.Start = m
	}
	if toText != "" {
		m, ok := clock(toText)
		if !ok {
			d.errorf(to.valPos, "window", "%s: to %q is not a time: write HH:MM (24-hour, quoted) or an RFC 3339 time", label, toText)
		}
		w.End = m
		if m == 0 {
			w.End = 24 * 60 // "to: 00:00" means until midnight
		}
	}
	if w.End <= w.Start {
		d.errorf(to.valPos, "window", "%s: ends (%s) before it starts (%s): a window crossing midnight must be written as two windows", label, toText, fromText)
	}
}

func (d *decoder) timeText(p pair, what string) string {
	if p.value == nil {
		return ""
	}
	s, _ := d.text(p, what)
	return s
}

// clock parses HH:MM into minutes after midnight.
func clock(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// cross-references --------------------------------------------------------

func (d *decoder) checkReferences(c *Catalog) {
	d.checkEnvironments(c)
	d.checkCheckNames(c)
	d.checkFlags(c)
	d.checkTags(c)
	providers := map[string]*Service{}
	for _, s := range c.Services {
		for _, dep := range s.DependsOn {
			switch {
			case dep.Service == s.Name:
				d.errorf(dep.Pos, "depends_on", "service %q depends on itself: remove it from its depends_on", s.Name)
			case c.Service(dep.Service) == nil:
				d.errorf(dep.Pos, "depends_on", "service %q depends on unknown service %q%s", s.Name, dep.Service, suggest(dep.Service, c))
			}
		}
		for _, pr := range s.Provides {
			if other, ok := providers[pr.Contract]; ok {
				d.errorf(pr.Pos, "contract", "contract %q is provided by both %q and %q: one service owns a contract", pr.Contract, other.Name, s.Name)
				continue
			}
			providers[pr.Contract] = s
		}
	}
	for _, s := range c.Services {
		for _, co := range s.Consumes {
			if _, ok := providers[co.Contract]; !ok {
				d.errorf(co.Pos, "contract", "service %q consumes contract %q that no service provides: add it to the provider's provides", s.Name, co.Contract)
			}
		}
	}
	for name, ct := range c.Contracts {
		if _, ok := providers[name]; !ok {
			d.errorf(ct.Pos, "contract", "contract %q is provided by no service: add it to a service's provides, or remove it", name)
		}
	}
	if len(d.diags.Errors()) > 0 {
		return // a cycle among half-read services would only confuse
	}
	g, labels := orderGraph(c)
	if cyc := g.Cycle(); cyc != nil {
		names := make([]string, len(cyc))
		for i, n := range cyc {
			names[i] = c.Services[n].Name
		}
		// Point at the edge that closes the cycle, in the service that declares it.
		from, to := cyc[len(cyc)-2], cyc[len(cyc)-1]
		d.errorf(labels[[2]int{from, to}], "cycle", "dependency cycle: %s: remove one of these edges", strings.Join(names, " -> "))
	}
}

// orderGraph returns the deploy-order edges (dependent -> dependency, and
// consumer -> provider) with the position that declares each edge.
func orderGraph(c *Catalog) (*graph.Graph, map[[2]int]Pos) {
	g := OrderGraph(c)
	pos := map[[2]int]Pos{}
	provider := c.providers()
	for i, s := range c.Services {
		for _, dep := range s.DependsOn {
			pos[[2]int{i, c.index[dep.Service]}] = dep.Pos
		}
		for _, co := range s.Consumes {
			if p, ok := provider[co.Contract]; ok {
				if _, seen := pos[[2]int{i, p}]; !seen {
					pos[[2]int{i, p}] = co.Pos
				}
			}
		}
	}
	return g, pos
}

// OrderGraph returns the graph whose edge a -> b says a deploys after b: a
// depends on b (propagating or not) or consumes a contract b provides. Node
// ids are indexes into c.Services and edges are sorted by target.
func OrderGraph(c *Catalog) *graph.Graph {
	g := graph.New(len(c.Services))
	provider := c.providers()
	for i, s := range c.Services {
		var to []int
		for _, dep := range s.DependsOn {
			if j, ok := c.index[dep.Service]; ok {
				to = append(to, j)
			}
		}
		for _, co := range s.Consumes {
			if j, ok := provider[co.Contract]; ok && j != i {
				to = append(to, j)
			}
		}
		slices.Sort(to)
		g.Out[i] = slices.Compact(to)
	}
	return g
}

// PropagationGraph returns the graph whose edge b -> a says a change in b
// affects a: a depends on b through a propagating edge. Edges are sorted by
// target.
func PropagationGraph(c *Catalog) *graph.Graph {
	g := graph.New(len(c.Services))
	for i, s := range c.Services {
		for _, dep := range s.DependsOn {
			if j, ok := c.index[dep.Service]; ok && dep.Propagate {
				g.Add(j, i)
			}
		}
	}
	for i := range g.Out {
		slices.Sort(g.Out[i])
		g.Out[i] = slices.Compact(g.Out[i])
	}
	return g
}

// providers maps each contract to the index of the service that provides it
// (the first, when a bad catalog has two). It is built once: Provider is
// called per consumed contract, on catalogs of thousands of services.
func (c *Catalog) providers() map[string]int {
	if c.provider != nil {
		return c.provider
	}
	m := map[string]int{}
	for i, s := range c.Services {
		for _, p := range s.Provides {
			if _, ok := m[p.Contract]; !ok {
				m[p.Contract] = i
			}
		}
	}
	c.provider = m
	return m
}

// Provider returns the service that provides contract, or nil.
func (c *Catalog) Provider(contract string) *Service {
	if i, ok := c.providers()[contract]; ok {
		return c.Services[i]
	}
	return nil
}

// suggest returns a "did you mean" hint for a misspelt service name.
func suggest(name string, c *Catalog) string {
	best, bestDist := "", 3
	for _, s := range c.Services {
		if dist := levenshtein(name, s.Name); dist < bestDist {
			best, bestDist = s.Name, dist
		}
	}
	if best == "" {
		return ": add it under services:, or fix the name"
	}
	return fmt.Sprintf(": did you mean %q?", best)
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
