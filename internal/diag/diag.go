// Package diag is ordo's one diagnostic type: a problem with the user's input,
// located by file, line and column and named by a rule, so that every
// command reports bad input the same way and CI can turn it into annotations.
package diag

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Severity says whether a diagnostic stops the command.
type Severity int

const (
	// Error diagnostics make the command exit with exit.BadInput.
	Error Severity = iota
	// Warning diagnostics are printed and the command goes on.
	Warning
)

// Diagnostic is one problem at one place.
type Diagnostic struct {
	File     string
	Line     int // 1-based; 0 when the problem concerns the whole file
	Col      int // 1-based; 0 when unknown
	Rule     string
	Message  string
	Severity Severity
}

// String formats d as `file:line:col: message [rule]`, the form editors and
// CI log parsers recognise.
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.File)
	if d.Line > 0 {
		fmt.Fprintf(&b, ":%d", d.Line)
		if d.Col > 0 {
			fmt.Fprintf(&b, ":%d", d.Col)
		}
	}
	b.WriteString(": ")
	if d.Severity == Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(d.Message)
	if d.Rule != "" {
		fmt.Fprintf(&b, " [%s]", d.Rule)
	}
	return b.String()
}

// List is a set of diagnostics. As an error it reports every problem at once.
type List []Diagnostic

// Sort orders the list by file, line, column, then message, so output is stable.
func (l List) Sort() {
	slices.SortStableFunc(l, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// Errors returns the diagnostics of severity Error.
func (l List) Errors() List { return l.filter(Error) }

// Warnings returns the diagnostics of severity Warning.
func (l List) Warnings() List { return l.filter(Warning) }

func (l List) filter(s Severity) List {
	var out List
	for _, d := range l {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	return out
}

func (l List) Error() string {
	lines := make([]string, len(l))
	for i, d := range l {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// Print writes each diagnostic on its own line. With source set (the bytes of
// the file the diagnostics point into), each is followed by its source line
// and a caret under the column, as compilers do on a terminal.
func (l List) Print(w io.Writer, source map[string][]byte) {
	for _, d := range l {
		fmt.Fprintln(w, d.String())
		src, ok := source[d.File]
		if !ok || d.Line <= 0 {
			continue
		}
		line, ok := sourceLine(src, d.Line)
		if !ok {
			continue
		}
		fmt.Fprintf(w, "  %s\n", line)
		if d.Col > 0 && d.Col <= len(line)+1 {
			// Keep tabs so the caret lines up under tab-indented text.
			pad := []rune{}
			for _, r := range line[:d.Col-1] {
				if r == '\t' {
					pad = append(pad, '\t')
				} else {
					pad = append(pad, ' ')
				}
			}
			fmt.Fprintf(w, "  %s^\n", string(pad))
		}
	}
}

func sourceLine(src []byte, n int) (string, bool) {
	lines := strings.Split(string(src), "\n")
	if n > len(lines) {
		return "", false
	}
	return strings.TrimRight(lines[n-1], "\r"), true
}
