package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/english"
	"github.com/ordo-ci/ordo/internal/plan"
	"github.com/ordo-ci/ordo/internal/render/md"
)

// The Markdown the commands put where CI users look: GitHub step summaries
// and the pull request comment, each an answer's Markdown with its Mermaid
// picture.

// MaxMermaid is the largest diagram GitHub renders (Mermaid's maxTextSize);
// a larger one is replaced by a note rather than shown as an error.
const MaxMermaid = 50_000

// MermaidBlock writes what draw draws as a fenced mermaid block, or a note
// when GitHub would not draw it.
func MermaidBlock(w io.Writer, draw func(w io.Writer) error) error {
	var b strings.Builder
	if err := draw(&b); err != nil {
		return err
	}
	if b.Len() > MaxMermaid {
		_, err := fmt.Fprintf(w, "\n_The graph is too large for GitHub to draw (%d KB); `--format mermaid` writes it._\n", b.Len()/1000)
		return err
	}
	_, err := fmt.Fprintf(w, "\n```mermaid\n%s```\n", b.String())
	return err
}

// GraphSummary is the step summary of ordo graph.
func GraphSummary(w io.Writer, cat *catalog.Catalog) error {
	if _, err := fmt.Fprintf(w, "### ordo graph: %s\n", english.Count(len(cat.Services), "service")); err != nil {
		return err
	}
	return MermaidBlock(w, func(w io.Writer) error { return GraphMermaid(w, cat) })
}

// AffectedSummary is the step summary of ordo affected.
func AffectedSummary(w io.Writer, cat *catalog.Catalog, ch Change, res *affected.Result) error {
	if err := AffectedMarkdown(w, cat, ch, res); err != nil {
		return err
	}
	return MermaidBlock(w, func(w io.Writer) error { return AffectedMermaid(w, cat, res) })
}

// PlanSummary is the step summary of ordo plan.
func PlanSummary(w io.Writer, p *plan.Plan) error {
	if err := PlanMarkdown(w, p); err != nil {
		return err
	}
	return MermaidBlock(w, func(w io.Writer) error { return PlanMermaid(w, p) })
}

// PlanComment is the pull request comment of ordo status --comment: marker
// (hidden, to find the comment again), the plan, and which ordo wrote it
// from which change.
func PlanComment(w io.Writer, marker string, p *plan.Plan, version, source string) error {
	if _, err := fmt.Fprintln(w, marker); err != nil {
		return err
	}
	if err := PlanSummary(w, p); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n<sub>ordo %s · %s</sub>\n", md.Text(version), md.Text(source))
	return err
}
