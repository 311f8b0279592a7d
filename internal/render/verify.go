package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/ordo-ci/ordo/internal/verify"
)

// VerifyProgress is one line for a measurement as it is taken (stderr).
func VerifyProgress(p verify.Progress) string {
	n := fmt.Sprintf("%d/%d", p.N, p.Of)
	if p.Baking {
		n = fmt.Sprintf("bake %d", p.N-p.Of)
	}
	m := p.Measurement
	verdict := "ok"
	if !m.Passed {
		verdict = "FAILED"
	}
	line := fmt.Sprintf("verify %s %s %s: %s", p.Service, p.Check, n, verdict)
	if m.Value != "" {
		line += " " + m.Value
	}
	if m.Error != "" {
		line += ": " + m.Error
	}
	return line
}

// verifyHeadline says where and how a verification ended.
func verifyHeadline(r *verify.Result) string {
	where := r.Env
	if r.Wave != nil {
		where += fmt.Sprintf(" wave %d", *r.Wave)
	}
	failed := fmt.Sprintf("%d of %d services failed", r.Failed, len(r.Services))
	switch {
	case r.Interrupted:
		return fmt.Sprintf("verify %s: interrupted; %s before it stopped", where, failed)
	case r.Tripped:
		return fmt.Sprintf("verify %s: the breaker tripped: %s (max_failed %d)", where, failed, r.MaxFailed)
	case len(r.Services) == 0:
		return fmt.Sprintf("verify %s: passed: nothing to verify", where)
	}
	return fmt.Sprintf("verify %s: passed: %s (max_failed %d)", where, failed, r.MaxFailed)
}

// measurementsText is a check's measurements in a few words: "3: 200 200 503".
func measurementsText(ms []verify.Measurement) string {
	if len(ms) == 0 {
		return "none"
	}
	vals := make([]string, len(ms))
	for i, m := range ms {
		v := m.Value
		if v == "" {
			v = "error"
		}
		if !m.Passed {
			v += "!"
		}
		vals[i] = v
	}
	return fmt.Sprintf("%d: %s", len(ms), strings.Join(vals, " "))
}

func checkState(c verify.CheckResult) string {
	switch {
	case c.Passed:
		return "passed"
	case c.Reason != "":
		return "failed"
	}
	return "stopped"
}

// VerifyText writes the outcome: a headline, then a row per check.
func VerifyText(w io.Writer, r *verify.Result) error {
	fmt.Fprintln(w, verifyHeadline(r))
	if len(r.Services) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	rows := [][]string{{"SERVICE", "STATE", "CHECK", "MEASUREMENTS", "REASON"}}
	for _, s := range r.Services {
		if len(s.Checks) == 0 {
			rows = append(rows, []string{s.Name, s.State, "-", "-", "no checks: passes"})
			continue
		}
		for i, c := range s.Checks {
			name, state := s.Name, s.State
			if i > 0 {
				name, state = "", ""
			}
			rows = append(rows, []string{name, state, c.Name + " " + checkState(c), measurementsText(c.Measurements), dash(c.Reason)})
		}
	}
	return table(w, rows)
}

// VerifyMarkdown writes the outcome as a table, for summaries and messages.
func VerifyMarkdown(w io.Writer, r *verify.Result) error {
	fmt.Fprintf(w, "### ordo %s\n\n", mdCell(verifyHeadline(r)))
	if len(r.Services) == 0 {
		return nil
	}
	fmt.Fprintln(w, "| Service | State | Check | Measurements | Reason |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, s := range r.Services {
		if len(s.Checks) == 0 {
			fmt.Fprintf(w, "| `%s` | %s | | | no checks: passes |\n", s.Name, s.State)
			continue
		}
		for _, c := range s.Checks {
			fmt.Fprintf(w, "| `%s` | %s | `%s` %s | %s | %s |\n", s.Name, s.State, c.Name, checkState(c), mdCell(measurementsText(c.Measurements)), mdCell(c.Reason))
		}
	}
	return nil
}
