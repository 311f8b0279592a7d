package discover

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/ordo-ci/ordo/internal/english"
)

// composeFileRE matches Compose file names: docker-compose.yml, compose.yaml
// and their overrides (docker-compose.prod.yml, compose.override.yaml).
var composeFileRE = regexp.MustCompile(`^(docker-)?compose([.-][^/]+)?\.ya?ml$`)

// composeService is one entry under services: of a Compose file.
type composeService struct {
	Name       string
	Line, Col  int    // of its key
	Context    string // build context relative to the Compose file; "" when it has no build
	Dockerfile string // build.dockerfile, relative to Context
	DependsOn  []string
	Image      string
	Profiles   []string
}

// parseCompose reads the services of a Compose file: the YAML is decoded as a
// whole (so anchors and `<<` merges work) and walked as a tree only for the
// line of each service.
func parseCompose(src []byte) ([]composeService, error) {
	var doc struct {
		Services map[string]struct {
			Build     any      `yaml:"build"`
			DependsOn any      `yaml:"depends_on"`
			Image     string   `yaml:"image"`
			Profiles  []string `yaml:"profiles"`
		} `yaml:"services"`
	}
	if err := unmarshalYAML(src, &doc); err != nil {
		return nil, err
	}
	pos := composeKeyPositions(src)
	var out []composeService
	for name, s := range doc.Services {
		cs := composeService{Name: name, Image: s.Image, Profiles: s.Profiles}
		if p, ok := pos[name]; ok {
			cs.Line, cs.Col = p[0], p[1]
		}
		switch b := s.Build.(type) {
		case nil:
		case string:
			cs.Context = b
		case map[string]any:
			ctx, _ := b["context"].(string)
			if ctx == "" {
				ctx = "."
			}
			cs.Context = ctx
			cs.Dockerfile, _ = b["dockerfile"].(string)
		default:
			return nil, &posError{cs.Line, cs.Col, fmt.Sprintf("services.%s.build must be a path or a mapping with context:", name)}
		}
		switch d := s.DependsOn.(type) {
		case nil:
		case []any:
			for _, x := range d {
				if n, ok := x.(string); ok {
					cs.DependsOn = append(cs.DependsOn, n)
				}
			}
		case map[string]any:
			for n := range d {
				cs.DependsOn = append(cs.DependsOn, n)
			}
		default:
			return nil, &posError{cs.Line, cs.Col, fmt.Sprintf("services.%s.depends_on must be a list or a mapping of service names", name)}
		}
		sort.Strings(cs.DependsOn)
		out = append(out, cs)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// testDir reports whether dir is, or is inside, a directory of tests.
func testDir(dir string) bool {
	for _, seg := range strings.Split(dir, "/") {
		switch seg {
		case "test", "tests", "__tests__", "e2e", "integration-tests":
			return true
		}
	}
	return false
}

// docker makes every directory with a Dockerfile a deployed service (the
// root aside: it would own every file).
func (b *builder) docker() {
	for _, dir := range b.sortedDirs(isDockerfile) {
		if dir == "." {
			continue
		}
		if testDir(dir) {
			b.notes = append(b.notes, fmt.Sprintf("%s: a Dockerfile in a test directory runs tests, it is not deployed; left out", dir))
			continue
		}
		for _, name := range b.files[dir] {
			if isDockerfile(name) {
				u := b.add(dir, path.Join(dir, name), rankDir, dirBase(dir), "")
				u.deploy = true
			}
		}
	}
}

// compose makes each Compose service built from a directory of the
// repository a deployed service. Its depends_on orders deploys but does not
// propagate changes: a service needs its dependency running, not rebuilt.
// Left out, each with a note: services under profiles (started on demand,
// usually tools), every service of a test Compose file, and image-only
// services (the repository holds no file of theirs, so no change can
// affect them, and ordo does not deploy third-party images).
func (b *builder) compose() {
	for _, dir := range b.sortedDirs(composeFileRE.MatchString) {
		var names []string
		for _, n := range b.files[dir] {
			if composeFileRE.MatchString(n) {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		// Compose merges the files of one directory (a base and its
		// overrides), so service names resolve across them.
		type entry struct {
			file string
			svc  composeService
		}
		var entries []entry
		dirOf := map[string]string{}
		var profiled []string
		image := map[string]string{} // image-only service -> its image
		for _, n := range names {
			file := path.Join(dir, n)
			src, ok := b.read(file)
			if !ok {
				continue
			}
			services, err := parseCompose(src)
			if err != nil {
				b.malformed(file, err)
				continue
			}
			test := strings.Contains(strings.ToLower(n), "test")
			if test {
				b.notes = append(b.notes, fmt.Sprintf("%s: a test Compose file; its %s %s left out: test services are not deployed", file, english.Count(len(services), "service"), english.Agree(len(services), "is", "are")))
			}
			for _, s := range services {
				if test || len(s.Profiles) > 0 {
					if !test {
						profiled = append(profiled, fmt.Sprintf("%s (profiles: %s)", s.Name, strings.Join(s.Profiles, ", ")))
					}
					if target, ok := composeTarget(dir, s); ok && s.Context != "" {
						b.notDeployed[target] = true
					}
					continue
				}
				entries = append(entries, entry{file, s})
				if s.Context == "" {
					if s.Image != "" {
						image[s.Name] = s.Image
					}
					continue
				}
				target, ok := composeTarget(dir, s)
				if !ok || target == "." {
					continue // the root is never a service
				}
				if st, err := fs.Stat(b.fsys, target); err != nil || !st.IsDir() {
					b.warn(file, s.Line, s.Col, RuleContext, "service %q builds from %q, which is not a directory of the repository; it is skipped", s.Name, target)
					continue
				}
				if _, seen := dirOf[s.Name]; !seen {
					dirOf[s.Name] = target
				}
				u := b.add(target, file+":"+strconv.Itoa(s.Line), rankCompose, s.Name, "")
				u.deploy, u.composeDeploy = true, true
			}
		}
		var images []string
		for name, img := range image {
			if _, built := dirOf[name]; !built { // built in another file of the directory
				images = append(images, name+" ("+img+")")
			}
		}
		sort.Strings(images)
		where := path.Join(dir, "compose")
		if len(profiled) > 0 {
			b.notes = append(b.notes, fmt.Sprintf("%s: services under profiles are started on demand, not deployed: %s", where, strings.Join(profiled, ", ")))
		}
		if len(images) > 0 {
			b.notes = append(b.notes, fmt.Sprintf("%s: image-only services are built elsewhere and no file here changes them; left out (add them by hand, with propagate: false dependencies, to order deploys after them): %s", where, strings.Join(images, ", ")))
		}
		for _, e := range entries {
			from, ok := dirOf[e.svc.Name]
			if !ok {
				continue
			}
			for _, dep := range e.svc.DependsOn {
				if to, ok := dirOf[dep]; ok {
					b.edges = append(b.edges, edge{from: from, to: to, file: e.file, line: e.svc.Line, col: e.svc.Col, orderOnly: true})
				}
			}
		}
	}
}

// composeKeyPositions returns the line and column of each key under the
// top-level services: mapping.
func composeKeyPositions(src []byte) (out map[string][2]int) {
	out = map[string][2]int{}
	defer func() {
		if recover() != nil { // see unmarshalYAML; positions are a nicety
			out = map[string][2]int{}
		}
	}()
	f, err := parser.ParseBytes(src, 0)
	if err != nil || len(f.Docs) == 0 {
		return out
	}
	for _, kv := range mappingValues(f.Docs[0].Body) {
		if kv.Key == nil || kv.Key.String() != "services" {
			continue
		}
		for _, s := range mappingValues(kv.Value) {
			if s.Key == nil || s.Key.GetToken() == nil {
				continue
			}
			p := s.Key.GetToken().Position
			out[s.Key.GetToken().Value] = [2]int{p.Line, p.Column}
		}
	}
	return out
}

// mappingValues returns the entries of a mapping node, looking through
// anchors and tags; nil for anything else.
func mappingValues(n ast.Node) []*ast.MappingValueNode {
	for {
		switch v := n.(type) {
		case *ast.MappingNode:
			return v.Values
		case *ast.MappingValueNode:
			return []*ast.MappingValueNode{v}
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		default:
			return nil
		}
	}
}

// composeTarget is the directory a Compose service is built from: the
// context, or the directory of build.dockerfile when that is inside the
// context (a repository-root context with services/api/Dockerfile builds
// services/api). A remote context is not in the repository.
func composeTarget(dir string, s composeService) (string, bool) {
	if strings.Contains(s.Context, "://") || strings.HasPrefix(s.Context, "git@") {
		return "", false
	}
	ctx, ok := join(dir, s.Context)
	if !ok {
		return "", false
	}
	if s.Dockerfile != "" {
		if df, ok := join(ctx, s.Dockerfile); ok && within(ctx, path.Dir(df)) {
			return path.Dir(df), true
		}
	}
	return ctx, true
}
