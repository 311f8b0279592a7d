// Package diag is ordo's one diagnostic type: a problem with the user's input,
// located by file, line and column and named by a rule, so that every
// command reports bad input the same way and CI can turn it into annotations.
package diag

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/ordo-ci/ordo/internal/english"
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

// MaxWarnings is how many warnings a command prints before it counts the
// rest: 4,000 "paths match no file" warnings would hide everything else.
const MaxWarnings = 20

// Options say how Print writes a list.
type Options struct {
	// Source holds the bytes of the files the diagnostics point into. With
	// it (on a terminal), each diagnostic is followed by its source line
	// and a caret under the column, as compilers do.
	Source map[string][]byte
	// MaxWarnings, when above zero, is how many warnings are printed; the
	// rest are counted in one line that ends with More (how to see them
	// all). Errors are always printed: each one must be fixed.
	MaxWarnings int
	More        string
}

// Print writes each diagnostic on its own line, in time linear in the
// list and the sources: each file's lines are indexed once.
func (l List) Print(w io.Writer, o Options) {
	lines := map[string][]int{} // file -> offset of each line's start
	warnings, hidden := 0, 0
	for _, d := range l {
		if d.Severity == Warning && o.MaxWarnings > 0 {
			if warnings++; warnings > o.MaxWarnings {
				hidden++
				continue
			}
		}
		fmt.Fprintln(w, d.String())
		src, ok := o.Source[d.File]
		if !ok || d.Line <= 0 {
			continue
		}
		idx, ok := lines[d.File]
		if !ok {
			idx = lineStarts(src)
			lines[d.File] = idx
		}
		if d.Line > len(idx) {
			continue
		}
		line := sourceLine(src, idx, d.Line)
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
	if hidden > 0 {
		msg := fmt.Sprintf("... and %s more %s", thousands(hidden), english.Noun(hidden, "warning"))
		if o.More != "" {
			msg += "; " + o.More
		}
		fmt.Fprintln(w, msg)
	}
}

// lineStarts returns the offset at which each line of src starts.
func lineStarts(src []byte) []int {
	starts := make([]int, 1, bytes.Count(src, []byte{'\n'})+1)
	for i, b := range src {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// sourceLine returns line n (1-based) of src, without its line ending.
func sourceLine(src []byte, starts []int, n int) string {
	end := len(src)
	if n < len(starts) {
		end = starts[n] - 1
	}
	return strings.TrimRight(string(src[starts[n-1]:end]), "\r")
}

// thousands writes n with commas: 3,980.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
