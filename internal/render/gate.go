package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/ordo-ci/ordo/internal/english"
	"github.com/ordo-ci/ordo/internal/gate"
	"github.com/ordo-ci/ordo/internal/render/md"
)

// The gate's report (gate.Report) as text, Markdown and, through JSON, the
// ordo.gate/v1 document.

// GateSummary says in one line whether the gate passed and how many violations
// were overridden.
func GateSummary(r *gate.Report) string {
	n, waived := len(r.Violations), 0
	for _, v := range r.Violations {
		if v.Overridden {
			waived++
		}
	}
	verdict := "failed"
	if r.Passed {
		verdict = "passed"
	}
	switch {
	case n == 0:
		return "gate passed: no violations"
	case waived == 0:
		return fmt.Sprintf("gate %s: %s", verdict, english.Count(n, "violation"))
	default:
		return fmt.Sprintf("gate %s: %s, %d overridden", verdict, english.Count(n, "violation"), waived)
	}
}

// violationAt is a violation's catalog position as file:line:col, or "".
func violationAt(v gate.Violation) string {
	switch {
	case v.File == "":
		return ""
	case v.Line == 0:
		return v.File
	case v.Col == 0:
		return fmt.Sprintf("%s:%d", v.File, v.Line)
	}
	return fmt.Sprintf("%s:%d:%d", v.File, v.Line, v.Col)
}

// GateText writes the report for a terminal or a log: the verdict, then each
// violation with its rule, service, position, message and fix, then the
// overrides and notes.
func GateText(w io.Writer, r *gate.Report) error {
	b := bufio.NewWriter(w)
	fmt.Fprintln(b, GateSummary(r))
	for _, v := range r.Violations {
		fmt.Fprintf(b, "\n%s %s", v.Rule, v.Service)
		if at := violationAt(v); at != "" {
			fmt.Fprintf(b, " (%s)", at)
		}
		if v.Overridden {
			fmt.Fprint(b, " [overridden]")
		}
		fmt.Fprintf(b, "\n  %s\n", v.Message)
		if v.Fix != "" {
			fmt.Fprintf(b, "  fix: %s\n", v.Fix)
		}
	}
	if len(r.Overrides) > 0 {
		fmt.Fprintln(b, "\noverrides:")
		for _, o := range r.Overrides {
			fmt.Fprintf(b, "  %s (%s): %s, covered %s\n", o.Rule, o.Source, o.Reason, english.Count(o.Violations, "violation"))
		}
	}
	if len(r.Notes) > 0 {
		fmt.Fprintln(b, "\nnotes:")
		for _, n := range r.Notes {
			fmt.Fprintf(b, "  %s\n", n)
		}
	}
	return b.Flush()
}

// GateMarkdown writes the report for a GitHub step summary or a pull/merge
// request comment.
func GateMarkdown(w io.Writer, r *gate.Report) error {
	b := bufio.NewWriter(w)
	verdict := "❌ failed"
	if r.Passed {
		verdict = "✅ passed"
	}
	fmt.Fprintf(b, "### ordo gate %s\n\n%s.\n", verdict, strings.TrimPrefix(GateSummary(r), "gate "))
	if len(r.Violations) > 0 {
		fmt.Fprint(b, "\n| Rule | Service | Problem | Fix |\n| --- | --- | --- | --- |\n")
		for _, v := range r.Violations {
			rule := "`" + v.Rule + "`"
			if v.Overridden {
				rule += " (overridden)"
			}
			service := md.Text(v.Service)
			if at := violationAt(v); at != "" {
				service += "<br>`" + md.Text(at) + "`"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", rule, service, md.Text(v.Message), md.Text(v.Fix))
		}
	}
	if len(r.Overrides) > 0 {
		fmt.Fprint(b, "\n#### Overrides\n\n| Rule | Source | Reason | Violations covered |\n| --- | --- | --- | --- |\n")
		for _, o := range r.Overrides {
			fmt.Fprintf(b, "| `%s` | %s | %s | %d |\n", o.Rule, o.Source, md.Text(o.Reason), o.Violations)
		}
	}
	if len(r.Notes) > 0 {
		fmt.Fprint(b, "\n#### Notes\n\n")
		for _, n := range r.Notes {
			fmt.Fprintf(b, "- %s\n", md.Text(n))
		}
	}
	return b.Flush()
}
