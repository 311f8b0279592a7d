package render

import (
	"fmt"
	"github.com/ordo-ci/ordo/internal/english"
	"io"
	"slices"
	"strings"

	"github.com/ordo-ci/ordo/internal/drill"
	"github.com/ordo-ci/ordo/internal/gate"
	"github.com/ordo-ci/ordo/internal/plan"
)

func drillTitle(dr drill.Drill) string {
	if dr.FailService != nil {
		return fmt.Sprintf("%s fails in wave %d", *dr.FailService, dr.FailWave)
	}
	return fmt.Sprintf("wave %d fails (%s)", dr.FailWave, strings.Join(dr.Failed, ", "))
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}

func drillRollback(dr drill.Drill) string {
	if len(dr.Rollback) == 0 {
		return "nothing to roll back"
	}
	waves := make([]string, len(dr.Rollback))
	for i, w := range dr.Rollback {
		steps := make([]string, len(w.Services))
		for k, s := range w.Services {
			steps[k] = s.Name + " -> " + ref(s.Target)
		}
		waves[i] = strings.Join(steps, " + ")
	}
	return strings.Join(waves, ", then ")
}

func brokenText(b gate.BrokenContract) string {
	served := "nothing running serves it"
	if b.Version != "" {
		served = fmt.Sprintf("%s serves %s", b.Provider, b.Version)
	}
	return fmt.Sprintf("%s consumes %s %s: %s", b.Consumer, b.Contract, b.Constraint, served)
}

// DrillText writes each drill as a block of labelled lines.
func DrillText(w io.Writer, d *drill.Doc) error {
	fmt.Fprintf(w, "drill %s: %s rehearsed\n", d.Env, english.Count(len(d.Drills), "failure"))
	for _, n := range d.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	for _, dr := range d.Drills {
		fmt.Fprintf(w, "\n%s\n", drillTitle(dr))
		rows := [][]string{
			{"  new:", listOrNone(dr.New)},
			{"  old:", listOrNone(dr.Old)},
		}
		if len(dr.NotRunning) > 0 {
			rows = append(rows, []string{"  not deployed yet:", strings.Join(dr.NotRunning, ", ")})
		}
		rows = append(rows, []string{"  rollback:", drillRollback(dr)})
		if len(dr.Left) > 0 {
			rows = append(rows, []string{"  left as they are:", strings.Join(dr.Left, ", ") + " (nothing ran before)"})
		}
		rows = append(rows, []string{"  irreversible:", listOrNone(dr.Irreversible)})
		if len(dr.BrokenContracts) == 0 {
			rows = append(rows, []string{"  broken contracts:", "none"})
		}
		for i, b := range dr.BrokenContracts {
			label := ""
			if i == 0 {
				label = "  broken contracts:"
			}
			rows = append(rows, []string{label, brokenText(b)})
		}
		rows = append(rows, []string{"  flags off:", listOrNone(dr.FlagsOff)})
		if err := table(w, rows); err != nil {
			return err
		}
	}
	return nil
}

// DrillMarkdown writes one table per drill.
func DrillMarkdown(w io.Writer, d *drill.Doc) error {
	fmt.Fprintf(w, "### ordo drill %s: %s rehearsed\n", mdCell(d.Env), english.Count(len(d.Drills), "failure"))
	for _, n := range d.Notes {
		fmt.Fprintf(w, "\n> [!NOTE]\n> %s\n", mdCell(n))
	}
	for _, dr := range d.Drills {
		fmt.Fprintf(w, "\n#### %s\n\n| | |\n|---|---|\n", mdCell(drillTitle(dr)))
		fmt.Fprintf(w, "| New | %s |\n| Old | %s |\n", mdCell(listOrNone(dr.New)), mdCell(listOrNone(dr.Old)))
		if len(dr.NotRunning) > 0 {
			fmt.Fprintf(w, "| Not deployed yet | %s |\n", mdCell(strings.Join(dr.NotRunning, ", ")))
		}
		fmt.Fprintf(w, "| Rollback | %s |\n", mdCell(drillRollback(dr)))
		if len(dr.Left) > 0 {
			fmt.Fprintf(w, "| Left as they are | %s |\n", mdCell(strings.Join(dr.Left, ", ")))
		}
		fmt.Fprintf(w, "| Irreversible | %s |\n", mdCell(listOrNone(dr.Irreversible)))
		broken := make([]string, len(dr.BrokenContracts))
		for i, b := range dr.BrokenContracts {
			broken[i] = mdCell(brokenText(b))
		}
		if len(broken) == 0 {
			broken = []string{"none"}
		}
		fmt.Fprintf(w, "| Broken contracts | %s |\n| Flags off | %s |\n", strings.Join(broken, "<br>"), mdCell(listOrNone(dr.FlagsOff)))
	}
	return nil
}

// DrillMermaid draws each drill as a box of the plan's waves, its services
// coloured by their state at the failure: failed, new, old, not deployed.
func DrillMermaid(w io.Writer, d *drill.Doc, p *plan.Plan) error {
	fmt.Fprintln(w, "graph LR")
	if len(d.Drills) == 0 {
		_, err := fmt.Fprintln(w, `  none["nothing to rehearse"]`)
		return err
	}
	id := map[string]int{}
	for i, j := range p.Jobs {
		id[j.Service] = i
	}
	for k, dr := range d.Drills {
		fmt.Fprintf(w, "  subgraph d%d[%s]\n", k, mermaidLabel(drillTitle(dr)))
		fmt.Fprintln(w, "    direction LR")
		for _, wv := range p.Waves {
			fmt.Fprintf(w, "    subgraph d%dw%d[%s]\n", k, wv.Index, mermaidLabel(fmt.Sprintf("wave %d", wv.Index)))
			for _, s := range wv.Services {
				class := "old"
				switch {
				case slices.Contains(dr.Failed, s):
					class = "failed"
				case slices.Contains(dr.New, s):
					class = "new"
				case slices.Contains(dr.NotRunning, s):
					class = "absent"
				}
				fmt.Fprintf(w, "      d%dj%d[%s]:::%s\n", k, id[s], mermaidLabel(s), class)
			}
			fmt.Fprintln(w, "    end")
		}
		fmt.Fprintln(w, "  end")
		for _, j := range p.Jobs {
			for _, a := range j.After {
				fmt.Fprintf(w, "  d%dj%d --> d%dj%d\n", k, id[a], k, id[j.Service])
			}
		}
	}
	_, err := io.WriteString(w, "  classDef failed fill:#fecaca,stroke:#b91c1c\n  classDef new fill:#bbf7d0,stroke:#15803d\n  classDef old fill:#e5e7eb,stroke:#6b7280\n  classDef absent fill:#fff,stroke:#9ca3af,stroke-dasharray:3 3\n")
	return err
}
