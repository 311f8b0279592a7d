package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/report"
)

// reportHeadline is the report's first line: the release, where, and how it ended.
func reportHeadline(r *report.Report) string {
	s := fmt.Sprintf("release %s in %s: %s", r.Release, r.Env, r.Outcome)
	if r.ChangeFailure {
		s += " (change failure)"
	}
	return s
}

// reportFacts are the release's numbers, one "name: value" each.
func reportFacts(r *report.Report) [][2]string {
	var out [][2]string
	if r.Duration != nil {
		out = append(out, [2]string{"duration", r.Duration.Text})
	}
	if lt := r.LeadTime; lt != nil {
		out = append(out, [2]string{"lead time", fmt.Sprintf("%s (from %s, %s, to the first success)", lt.Text, git.Short(lt.From), lt.FromTime.Format("2006-01-02T15:04:05Z"))})
	} else {
		out = append(out, [2]string{"lead time", "- (no success yet, or its commits are not in this clone)"})
	}
	out = append(out, [2]string{"plan", "from " + planSourceText(r.PlanSource)})
	return out
}

func planSourceText(s string) string {
	switch s {
	case "plan-file":
		return "the plan file"
	case "events":
		return "the release's pipelinerun.queued event"
	}
	return "the record's entries"
}

func listOrDash(s []string) string {
	if len(s) == 0 {
		return "-"
	}
	return strings.Join(s, ", ")
}

func waveDuration(w report.Wave) string {
	if w.Duration == nil {
		return "-"
	}
	return w.Duration.Text
}

func checkText(c report.Check) string {
	state := "passed"
	if !c.Passed {
		state = "failed"
		if c.Error != "" {
			state += ": " + c.Error
		}
	}
	return fmt.Sprintf("%s %s %s", c.Service, c.Check, state)
}

// ReportText writes the report as aligned text.
func ReportText(w io.Writer, r *report.Report) error {
	fmt.Fprintln(w, reportHeadline(r))
	for _, f := range reportFacts(r) {
		fmt.Fprintf(w, "  %s: %s\n", f[0], f[1])
	}
	fmt.Fprintln(w)
	rows := [][]string{{"WAVE", "PLANNED", "DEPLOYED", "VERIFIED", "FAILED", "ROLLED BACK", "DURATION"}}
	for _, wv := range r.Waves {
		rows = append(rows, []string{fmt.Sprint(wv.Index), listOrDash(wv.Planned), listOrDash(wv.Deployed), listOrDash(wv.Verified),
			listOrDash(wv.Failed), listOrDash(wv.RolledBack), waveDuration(wv)})
	}
	if err := table(w, rows); err != nil {
		return err
	}
	var checks []string
	for _, wv := range r.Waves {
		for _, c := range wv.Checks {
			checks = append(checks, fmt.Sprintf("  wave %d: %s", wv.Index, checkText(c)))
		}
	}
	if len(checks) > 0 {
		fmt.Fprintf(w, "\nchecks:\n%s\n", strings.Join(checks, "\n"))
	}
	if len(r.Unplanned) > 0 {
		fmt.Fprintf(w, "\nnot in the plan: %s\n", strings.Join(r.Unplanned, ", "))
	}
	return nil
}

// ReportMarkdown writes the report for a step summary or a comment.
func ReportMarkdown(w io.Writer, r *report.Report) error {
	icon := "✅"
	switch {
	case r.ChangeFailure:
		icon = "❌"
	case r.Outcome != report.OutcomeSuccess:
		icon = "⏳"
	}
	fmt.Fprintf(w, "### %s ordo report: %s\n\n", icon, mdCell(reportHeadline(r)))
	for _, f := range reportFacts(r) {
		fmt.Fprintf(w, "- **%s**: %s\n", f[0], mdCell(f[1]))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| Wave | Planned | Deployed | Verified | Failed | Rolled back | Duration |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, wv := range r.Waves {
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %s |\n", wv.Index, mdCell(listOrDash(wv.Planned)), mdCell(listOrDash(wv.Deployed)),
			mdCell(listOrDash(wv.Verified)), mdCell(listOrDash(wv.Failed)), mdCell(listOrDash(wv.RolledBack)), waveDuration(wv))
	}
	var header bool
	for _, wv := range r.Waves {
		for _, c := range wv.Checks {
			if !header {
				fmt.Fprintln(w, "\n| Wave | Service | Check | Result |")
				fmt.Fprintln(w, "|---|---|---|---|")
				header = true
			}
			res := "passed"
			if !c.Passed {
				res = "**failed**"
				if c.Error != "" {
					res += ": " + c.Error
				}
			}
			fmt.Fprintf(w, "| %d | %s | %s | %s |\n", wv.Index, mdCell(c.Service), mdCell(c.Check), mdCell(res))
		}
	}
	if len(r.Unplanned) > 0 {
		fmt.Fprintf(w, "\nNot in the plan: %s\n", mdCell(strings.Join(r.Unplanned, ", ")))
	}
	return nil
}
