package render

import (
	"fmt"
	"github.com/ordo-ci/ordo/internal/english"
	"io"
	"strings"

	"github.com/ordo-ci/ordo/internal/rollback"
)

// ref is a rollback commit as the env renderers show one: sha (version).
func ref(r *rollback.Ref) string {
	if r == nil {
		return "-"
	}
	return refText(&EnvRef{SHA: r.SHA, Version: r.Version})
}

// rollbackNote says why a service gets no job, or that it is irreversible.
func rollbackNote(s rollback.Service) string {
	switch {
	case s.Reason == rollback.ReasonIrreversible:
		return "irreversible: skipped (--include-irreversible rolls it back)"
	case s.Reason == rollback.ReasonUnknown:
		return "unknown: another release's in_progress or failure came last; left as it is"
	case s.Reason == rollback.ReasonNeverDeployed:
		return "never deployed before this release: left as it is"
	case s.Irreversible:
		return "irreversible: its rollback cannot undo it"
	}
	return ""
}

func rollbackHeadline(r *rollback.Rollback) string {
	jobs := 0
	for _, s := range r.Services {
		if s.Job {
			jobs++
		}
	}
	return fmt.Sprintf("rollback of %s in %s: %s in %s", r.Release, r.Env, english.Count(jobs, "service"), english.Count(len(r.Waves), "wave"))
}

// RollbackText writes the way back: a row per service in rollback order.
func RollbackText(w io.Writer, r *rollback.Rollback) error {
	fmt.Fprintln(w, rollbackHeadline(r))
	if len(r.Services) > 0 {
		fmt.Fprintln(w)
		rows := [][]string{{"WAVE", "SERVICE", "FROM", "TARGET", "NOTES"}}
		for _, s := range r.Services {
			wave := "-"
			if s.Job {
				wave = fmt.Sprint(rollbackWave(r, s.Name))
			}
			rows = append(rows, []string{wave, s.Name, ref(&s.From), ref(s.Target), dash(rollbackNote(s))})
		}
		if err := table(w, rows); err != nil {
			return err
		}
	}
	if len(r.Superseded) > 0 {
		fmt.Fprintf(w, "\nsuperseded (another release deployed them since; left out): %s\n", strings.Join(r.Superseded, ", "))
	}
	return nil
}

func rollbackWave(r *rollback.Rollback, name string) int {
	for _, w := range r.Waves {
		for _, s := range w.Services {
			if s == name {
				return w.Index
			}
		}
	}
	return -1
}

// RollbackMarkdown writes the way back as a table.
func RollbackMarkdown(w io.Writer, r *rollback.Rollback) error {
	fmt.Fprintf(w, "### ordo %s\n\n", mdCell(rollbackHeadline(r)))
	if len(r.Services) > 0 {
		fmt.Fprintln(w, "| Wave | Service | From | Target | Notes |")
		fmt.Fprintln(w, "|---|---|---|---|---|")
		for _, s := range r.Services {
			wave := ""
			if s.Job {
				wave = fmt.Sprint(rollbackWave(r, s.Name))
			}
			fmt.Fprintf(w, "| %s | `%s` | %s | %s | %s |\n", wave, s.Name, mdCell(ref(&s.From)), mdCell(ref(s.Target)), mdCell(rollbackNote(s)))
		}
	}
	if len(r.Superseded) > 0 {
		fmt.Fprintf(w, "\nSuperseded (another release deployed them since; left out): %s.\n", mdCell(strings.Join(r.Superseded, ", ")))
	}
	return nil
}
