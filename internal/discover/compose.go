package discover

import (
	"fmt"
	"regexp"
	"sort"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
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
}

// parseCompose reads the services of a Compose file: the YAML is decoded as a
// whole (so anchors and `<<` merges work) and walked as a tree only for the
// line of each service.
func parseCompose(src []byte) ([]composeService, error) {
	var doc struct {
		Services map[string]struct {
			Build     any `yaml:"build"`
			DependsOn any `yaml:"depends_on"`
		} `yaml:"services"`
	}
	if err := unmarshalYAML(src, &doc); err != nil {
		return nil, err
	}
	pos := composeKeyPositions(src)
	var out []composeService
	for name, s := range doc.Services {
		cs := composeService{Name: name}
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
