package render

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/ordo-ci/ordo/internal/catalog"
)

// GraphDoc is the ordo.graph/v1 JSON document: every service and every edge.
type GraphDoc struct {
	Schema   string         `json:"schema"`
	Services []GraphService `json:"services"`
	Edges    []GraphEdge    `json:"edges"`
}

// GraphService is one node of the graph.
type GraphService struct {
	Name     string              `json:"name"`
	Kind     catalog.Kind        `json:"kind"`
	Paths    []string            `json:"paths"`
	Critical bool                `json:"critical"`
	Lock     string              `json:"lock,omitempty"`
	Provides map[string][]string `json:"provides,omitempty"`
	Consumes map[string]string   `json:"consumes,omitempty"`
	With     map[string]string   `json:"with,omitempty"`
}

// GraphEdge says From must deploy before To. Type is depends_on (To depends on
// From) or consumes (To consumes Contract, which From provides).
type GraphEdge struct {
	From      string `json:"from"`
	To        string `json:"to"`
	Type      string `json:"type"`
	Propagate bool   `json:"propagate"`
	Contract  string `json:"contract,omitempty"`
}

// NewGraphDoc builds the graph document for the catalog.
func NewGraphDoc(cat *catalog.Catalog) GraphDoc {
	doc := GraphDoc{Schema: "ordo.graph/v1", Services: []GraphService{}, Edges: graphEdges(cat)}
	for _, s := range cat.Services {
		gs := GraphService{Name: s.Name, Kind: s.Kind, Paths: NonNil(s.Paths), Critical: s.Critical, Lock: s.Lock, With: s.With}
		for _, p := range s.Provides {
			if gs.Provides == nil {
				gs.Provides = map[string][]string{}
			}
			for _, v := range p.Versions {
				gs.Provides[p.Contract] = append(gs.Provides[p.Contract], v.String())
			}
		}
		for _, c := range s.Consumes {
			if gs.Consumes == nil {
				gs.Consumes = map[string]string{}
			}
			gs.Consumes[c.Contract] = c.Raw
		}
		doc.Services = append(doc.Services, gs)
	}
	return doc
}

func graphEdges(cat *catalog.Catalog) []GraphEdge {
	edges := []GraphEdge{}
	for _, s := range cat.Services {
		for _, d := range s.DependsOn {
			edges = append(edges, GraphEdge{From: d.Service, To: s.Name, Type: "depends_on", Propagate: d.Propagate})
		}
		for _, c := range s.Consumes {
			if p := cat.Provider(c.Contract); p != nil {
				edges = append(edges, GraphEdge{From: p.Name, To: s.Name, Type: "consumes", Contract: c.Contract})
			}
		}
	}
	slices.SortFunc(edges, func(a, b GraphEdge) int {
		if c := strings.Compare(a.From, b.From); c != 0 {
			return c
		}
		if c := strings.Compare(a.To, b.To); c != 0 {
			return c
		}
		return strings.Compare(a.Type+a.Contract, b.Type+b.Contract)
	})
	return edges
}

// GraphText lists each service with what it depends on.
func GraphText(w io.Writer, cat *catalog.Catalog) error {
	rows := [][]string{{"SERVICE", "KIND", "DEPENDS ON", "CONTRACTS"}}
	for _, s := range cat.Services {
		var deps, contracts []string
		for _, d := range s.DependsOn {
			if d.Propagate {
				deps = append(deps, d.Service)
			} else {
				deps = append(deps, d.Service+" (order only)")
			}
		}
		for _, p := range s.Provides {
			var vs []string
			for _, v := range p.Versions {
				vs = append(vs, v.String())
			}
			contracts = append(contracts, fmt.Sprintf("provides %s@%s", p.Contract, strings.Join(vs, ",")))
		}
		for _, c := range s.Consumes {
			contracts = append(contracts, fmt.Sprintf("consumes %s %s", c.Contract, c.Raw))
		}
		kind := string(s.Kind)
		if s.Critical {
			kind += ", critical"
		}
		if s.Lock != "" {
			kind += ", lock " + s.Lock
		}
		rows = append(rows, []string{s.Name, kind, dash(strings.Join(deps, ", ")), dash(strings.Join(contracts, "; "))})
	}
	return table(w, rows)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// GraphMermaid draws the whole catalog, edges from dependency to dependent.
// Order-only edges are dotted; contract edges carry the contract's name.
func GraphMermaid(w io.Writer, cat *catalog.Catalog) error {
	fmt.Fprintln(w, "graph LR")
	for i, s := range cat.Services {
		shape := "[%s]"
		if s.Kind == catalog.KindLibrary {
			shape = "([%s])"
		} else if s.Kind == catalog.KindMigration {
			shape = "[(%s)]"
		}
		fmt.Fprintf(w, "  s%d"+shape+"\n", i, mermaidLabel(s.Name))
	}
	for _, e := range graphEdges(cat) {
		from, to := cat.Index(e.From), cat.Index(e.To)
		switch {
		case e.Type == "consumes":
			fmt.Fprintf(w, "  s%d -- %s --> s%d\n", from, mermaidLabel(e.Contract), to)
		case !e.Propagate:
			fmt.Fprintf(w, "  s%d -.-> s%d\n", from, to)
		default:
			fmt.Fprintf(w, "  s%d --> s%d\n", from, to)
		}
	}
	return nil
}

// GraphDot writes the catalog in Graphviz's dot language.
func GraphDot(w io.Writer, cat *catalog.Catalog) error {
	fmt.Fprintln(w, "digraph ordo {")
	fmt.Fprintln(w, "  rankdir=LR;")
	for _, s := range cat.Services {
		attrs := []string{"label=" + strconv.Quote(s.Name)}
		switch s.Kind {
		case catalog.KindLibrary:
			attrs = append(attrs, "shape=ellipse")
		case catalog.KindMigration:
			attrs = append(attrs, "shape=cylinder")
		default:
			attrs = append(attrs, "shape=box")
		}
		if s.Critical {
			attrs = append(attrs, "penwidth=2")
		}
		fmt.Fprintf(w, "  %s [%s];\n", strconv.Quote(s.Name), strings.Join(attrs, ", "))
	}
	for _, e := range graphEdges(cat) {
		var attrs []string
		if e.Type == "consumes" {
			attrs = append(attrs, "label="+strconv.Quote(e.Contract), "style=dashed")
		} else if !e.Propagate {
			attrs = append(attrs, "style=dotted")
		}
		suffix := ""
		if len(attrs) > 0 {
			suffix = " [" + strings.Join(attrs, ", ") + "]"
		}
		fmt.Fprintf(w, "  %s -> %s%s;\n", strconv.Quote(e.From), strconv.Quote(e.To), suffix)
	}
	_, err := fmt.Fprintln(w, "}")
	return err
}
