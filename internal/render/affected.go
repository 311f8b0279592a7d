package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/english"
)

// Change describes where a change came from, for headers and JSON.
type Change struct {
	Base, Head string // "" when unknown
	Source     string
}

// AffectedDoc is the ordo.affected/v1 JSON document.
type AffectedDoc struct {
	Schema       string             `json:"schema"`
	Base         *string            `json:"base"`
	Head         *string            `json:"head"`
	Source       string             `json:"source"`
	ChangedFiles []string           `json:"changed_files"`
	IgnoredFiles []string           `json:"ignored_files"`
	UnownedFiles []string           `json:"unowned_files"`
	Affected     []string           `json:"affected"`
	Services     []affected.Service `json:"services"`
}

// NewAffectedDoc builds the JSON document for res.
func NewAffectedDoc(ch Change, res *affected.Result) AffectedDoc {
	return AffectedDoc{
		Schema:       "ordo.affected/v1",
		Base:         optional(ch.Base),
		Head:         optional(ch.Head),
		Source:       ch.Source,
		ChangedFiles: NonNil(res.ChangedFiles),
		IgnoredFiles: NonNil(res.IgnoredFiles),
		UnownedFiles: NonNil(res.UnownedFiles),
		Affected:     NonNil(res.Names()),
		Services:     NonNil(res.Services),
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// AffectedText writes the affected services as a table with their reasons.
func AffectedText(w io.Writer, cat *catalog.Catalog, ch Change, res *affected.Result) error {
	fmt.Fprintf(w, "%d of %s affected\n", len(res.Services), english.Count(len(cat.Services), "service"))
	fmt.Fprintf(w, "change: %s: %s", Name(ch.Source), english.Count(len(res.ChangedFiles), "changed file"))
	if n := len(res.IgnoredFiles); n > 0 {
		fmt.Fprintf(w, ", %d ignored", n)
	}
	fmt.Fprintln(w)
	if len(res.UnownedFiles) > 0 {
		fmt.Fprintf(w, "%s owned by no service (unowned: %s)\n", english.Count(len(res.UnownedFiles), "file"), cat.Unowned)
	}
	if len(res.Services) == 0 {
		_, err := fmt.Fprintln(w, "nothing affected")
		return err
	}
	fmt.Fprintln(w)
	rows := [][]string{{"SERVICE", "KIND", "REASONS"}}
	for _, s := range res.Services {
		rows = append(rows, []string{s.Name, string(s.Kind), reasonsText(s.Reasons)})
	}
	return table(w, rows)
}

// reasonsText says why a service is affected in one line.
func reasonsText(rs []affected.Reason) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = reasonText(r)
	}
	return strings.Join(parts, "; ")
}

func reasonText(r affected.Reason) string {
	switch r.Type {
	case affected.ReasonChanged, affected.ReasonGlobal, affected.ReasonUnowned:
		return fmt.Sprintf("%s: %s", r.Type, fileList(r.Files, 2))
	case affected.ReasonDependency:
		return "dependency: " + strings.Join(r.Via, " -> ")
	case affected.ReasonContract:
		return fmt.Sprintf("contract: %s changed version", r.Contract)
	case affected.ReasonNoBase:
		return "no-base: no base commit to compare with, so everything is affected"
	case affected.ReasonAll:
		return "all: --all"
	}
	return r.Type
}

func fileList(files []string, max int) string {
	if len(files) <= max {
		return strings.Join(names(files), ", ")
	}
	return fmt.Sprintf("%s (+%d more)", strings.Join(names(files[:max]), ", "), len(files)-max)
}

// AffectedMarkdown writes the affected services as a Markdown table.
func AffectedMarkdown(w io.Writer, cat *catalog.Catalog, ch Change, res *affected.Result) error {
	fmt.Fprintf(w, "### ordo: %d of %s affected\n\n", len(res.Services), english.Count(len(cat.Services), "service"))
	fmt.Fprintf(w, "%s, %s.\n\n", mdCell(ch.Source), english.Count(len(res.ChangedFiles), "changed file"))
	if len(res.Services) == 0 {
		_, err := fmt.Fprintln(w, "Nothing affected.")
		return err
	}
	fmt.Fprintln(w, "| Service | Kind | Reasons |")
	fmt.Fprintln(w, "|---|---|---|")
	for _, s := range res.Services {
		fmt.Fprintf(w, "| `%s` | %s | %s |\n", s.Name, s.Kind, mdCell(reasonsText(s.Reasons)))
	}
	return nil
}

// AffectedMermaid draws the affected subgraph: changed services and the
// dependents they reach, each edge pointing from a dependency to its dependent.
func AffectedMermaid(w io.Writer, cat *catalog.Catalog, res *affected.Result) error {
	fmt.Fprintln(w, "graph LR")
	if len(res.Services) == 0 {
		_, err := fmt.Fprintln(w, `  none["nothing affected"]`)
		return err
	}
	direct := map[string]bool{}
	for _, s := range res.Services {
		for _, r := range s.Reasons {
			if r.Type != affected.ReasonDependency {
				direct[s.Name] = true
			}
		}
	}
	for i, s := range cat.Services {
		if !res.Set[i] {
			continue
		}
		class := "dependent"
		if direct[s.Name] {
			class = "changed"
		}
		fmt.Fprintf(w, "  s%d[%s]:::%s\n", i, mermaidLabel(s.Name), class)
	}
	for i, s := range cat.Services {
		if !res.Set[i] {
			continue
		}
		for _, dep := range s.DependsOn {
			j := cat.Index(dep.Service)
			if res.Set[j] && dep.Propagate {
				fmt.Fprintf(w, "  s%d --> s%d\n", j, i)
			}
		}
	}
	return mermaidClasses(w)
}
