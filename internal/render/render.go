// Package render turns ordo's answers into the formats people and machines
// read: aligned text for terminals, versioned JSON, Markdown for summaries
// and comments, Mermaid and Graphviz for pictures. Renderers take values and
// a writer; choosing the format is the command line's job.
package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"

	"github.com/ordo-ci/ordo/internal/render/md"
)

// JSON writes v indented, with a trailing newline. Field order comes from the
// struct definitions and maps are sorted by encoding/json, so the output is
// deterministic. The bytes are those of an encoding/json Encoder with
// SetIndent("", "  "), then DefuseJSON; the indenter makes them several
// times faster.
//
// "##[" is written "##\u005b": the same JSON value, but not a line the
// GitHub Actions runner reads as a workflow command when the JSON is printed
// to a job log (a file name from a pull request can hold it).
func JSON(w io.Writer, v any) error {
	ind := newIndenter(w)
	enc := json.NewEncoder(ind)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return ind.flush(true)
}

// DefuseJSON rewrites "##[" in encoded JSON, where it can only occur inside
// a string, as "##\u005b", which decodes to the same string.
func DefuseJSON(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte("##["), []byte(`##\u005b`))
}

// CompactJSON returns v as one line of JSON, for CI outputs.
func CompactJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("render: %v", err)) // only for values ordo builds itself
	}
	return string(DefuseJSON([]byte(strings.TrimSuffix(b.String(), "\n"))))
}

// Name shows a name from the repository or a pull request (a file, a
// branch, a tag) in text for people: as it is, or Go-quoted when it holds a
// control character (a line break, \r, an escape sequence) or is not UTF-8,
// so that it stays on its line and cannot pass for other output.
func Name(s string) string {
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }) {
		return strconv.Quote(s)
	}
	return s
}

// names applies Name to each of names.
func names(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = Name(s)
	}
	return out
}

// table writes rows as aligned columns, the first row a header.
func table(w io.Writer, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// mdCell escapes text for Markdown: a table cell, a paragraph, a list item.
func mdCell(s string) string { return md.Text(s) }

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
