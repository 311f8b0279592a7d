// Package render turns ordo's answers into the formats people and machines
// read: aligned text for terminals, versioned JSON, Markdown for summaries
// and comments, Mermaid and Graphviz for pictures. Renderers take values and
// a writer; choosing the format is the command line's job.
package render

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// JSON writes v indented, with a trailing newline. Field order comes from the
// struct definitions and maps are sorted by encoding/json, so the output is
// deterministic.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// CompactJSON returns v as one line of JSON, for CI outputs.
func CompactJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("render: %v", err)) // only for values ordo builds itself
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// table writes rows as aligned columns, the first row a header.
func table(w io.Writer, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// mdCell escapes text for a Markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\n", " ")
	return s
}

// mermaidLabel quotes a label for a Mermaid node.
func mermaidLabel(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, "#quot;") + `"`
}

// mermaidClasses styles services changed directly apart from those affected
// only through something else.
func mermaidClasses(w io.Writer) error {
	_, err := io.WriteString(w, "  classDef changed fill:#fde68a,stroke:#b45309\n  classDef dependent fill:#dbeafe,stroke:#1d4ed8\n")
	return err
}

// NonNil returns s, or an empty slice for nil, so JSON says [] rather than null.
func NonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
