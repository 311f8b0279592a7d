package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/ordo-ci/ordo/internal/english"
	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/plan"
)

// PlanText writes the waves as a table, then the rollback order.
func PlanText(w io.Writer, p *plan.Plan) error {
	to := ""
	if p.Env != "" {
		to = " to " + p.Env
	}
	fmt.Fprintf(w, "%s %s%s in %s (%d affected)\n", english.Count(len(p.Deploy), "service"), english.Agree(len(p.Deploy), "deploys", "deploy"), to, english.Count(len(p.Waves), "wave"), len(p.Affected))
	if p.Release != "" {
		fmt.Fprintf(w, "release %s at %s\n", p.Release, git.Short(p.Head))
	}
	for _, warn := range p.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
	if len(p.Jobs) == 0 {
		_, err := fmt.Fprintln(w, "nothing to deploy")
		return err
	}
	fmt.Fprintln(w)
	rows := [][]string{{"WAVE", "SERVICE", "KIND", "AFTER", "NOTES"}}
	for _, j := range p.Jobs {
		rows = append(rows, []string{fmt.Sprint(j.Wave), j.Service, string(j.Kind), dash(strings.Join(j.After, ", ")), dash(jobNotes(j))})
	}
	if err := table(w, rows); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nrollback: %s\n", rollbackText(p))
	return err
}

func jobNotes(j plan.Job) string {
	var notes []string
	if j.Critical {
		notes = append(notes, "critical")
	}
	if j.Lock != "" {
		notes = append(notes, "lock "+j.Lock)
	}
	if j.Changed {
		notes = append(notes, "changed")
	} else {
		notes = append(notes, "via "+strings.Join(j.Reasons, ", "))
	}
	if j.Base.Env && j.Base.Ref != nil { // plan --env: what it replaces
		from := "from " + git.Short(j.Base.Ref.SHA)
		if j.Base.Ref.Version != "" {
			from += " (" + j.Base.Ref.Version + ")"
		}
		notes = append(notes, from)
	}
	return strings.Join(notes, ", ")
}

func rollbackText(p *plan.Plan) string {
	parts := make([]string, len(p.Rollback))
	for i, wv := range p.Rollback {
		parts[i] = strings.Join(wv.Services, " + ")
	}
	return strings.Join(parts, ", then ")
}

// PlanMarkdown writes the plan as a Markdown table, one row per wave.
func PlanMarkdown(w io.Writer, p *plan.Plan) error {
	fmt.Fprintf(w, "### ordo plan: %s in %s\n\n", english.Count(len(p.Deploy), "service"), english.Count(len(p.Waves), "wave"))
	for _, warn := range p.Warnings {
		fmt.Fprintf(w, "> [!WARNING]\n> %s\n\n", mdCell(warn))
	}
	if len(p.Jobs) == 0 {
		_, err := fmt.Fprintf(w, "Nothing to deploy (%d affected, none deployable).\n", len(p.Affected))
		return err
	}
	jobs := map[string]plan.Job{}
	for _, j := range p.Jobs {
		jobs[j.Service] = j
	}
	fmt.Fprintln(w, "| Wave | Services |")
	fmt.Fprintln(w, "|---|---|")
	for _, wv := range p.Waves {
		names := make([]string, len(wv.Services))
		for i, s := range wv.Services {
			names[i] = fmt.Sprintf("`%s`", s)
			if notes := jobNotes(jobs[s]); notes != "" {
				names[i] += " (" + mdCell(notes) + ")"
			}
		}
		fmt.Fprintf(w, "| %d | %s |\n", wv.Index, strings.Join(names, "<br>"))
	}
	_, err := fmt.Fprintf(w, "\nRollback: %s.\n", mdCell(rollbackText(p)))
	return err
}

// PlanMermaid draws the waves left to right, each a box of its services,
// with an arrow from each service to those that must wait for it. Services
// changed directly and services deployed only because of something else are
// styled apart.
func PlanMermaid(w io.Writer, p *plan.Plan) error {
	fmt.Fprintln(w, "graph LR")
	if len(p.Jobs) == 0 {
		_, err := fmt.Fprintln(w, `  none["nothing to deploy"]`)
		return err
	}
	id := map[string]int{}
	for i, j := range p.Jobs {
		id[j.Service] = i
	}
	for _, wv := range p.Waves {
		fmt.Fprintf(w, "  subgraph w%d[%s]\n", wv.Index, mermaidLabel(fmt.Sprintf("wave %d", wv.Index)))
		for _, s := range wv.Services {
			j := p.Jobs[id[s]]
			class := "dependent"
			if j.Changed {
				class = "changed"
			}
			fmt.Fprintf(w, "    j%d[%s]:::%s\n", id[s], mermaidLabel(s), class)
		}
		fmt.Fprintln(w, "  end")
	}
	for i, j := range p.Jobs {
		for _, a := range j.After {
			fmt.Fprintf(w, "  j%d --> j%d\n", id[a], i)
		}
	}
	return mermaidClasses(w)
}
