package render

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ordo-ci/ordo/internal/english"
	"github.com/ordo-ci/ordo/internal/flags"
)

// FlagsSchema is the schema of `ordo flags --format json`.
const FlagsSchema = "ordo.flags/v1"

// FlagsDoc is `ordo flags --env E`: each flag, whether what runs in E meets
// its requirements, and where its rollout stands at Now.
type FlagsDoc struct {
	Schema          string     `json:"schema"`
	Env             string     `json:"env"`
	Now             time.Time  `json:"now"`
	RequireVerified bool       `json:"require_verified"`
	Flags           []FlagItem `json:"flags"` // sorted by name
}

// FlagItem is one flag.
type FlagItem struct {
	Name string `json:"name"`
	Met  bool   `json:"met"`
	// MetSince is when the rollout's clock started; nil when not met.
	MetSince *time.Time `json:"met_since"`
	// Step is the rollout step reached, from 1; 0 when not met or without
	// a rollout. Steps is the number of steps.
	Step    int `json:"step"`
	Steps   int `json:"steps"`
	Percent int `json:"percent"`
	// Requires lists every requirement, Unmet those not met.
	Requires []FlagRequirement `json:"requires"`
	Unmet    []FlagRequirement `json:"unmet"`
	// Next lists the steps to come, each with when it begins.
	Next []FlagStep `json:"next"`
}

// FlagRequirement is one requirement read against the record.
type FlagRequirement struct {
	Service    string     `json:"service"`
	Constraint string     `json:"constraint"`
	Met        bool       `json:"met"`
	Running    *EnvRef    `json:"running"`
	Since      *time.Time `json:"since"`
	Reason     string     `json:"reason,omitempty"`
}

// FlagStep is a rollout step still to come.
type FlagStep struct {
	Step    int       `json:"step"`
	Percent int       `json:"percent"`
	At      time.Time `json:"at"`
}

// NewFlagsDoc builds the document from the flags' states.
func NewFlagsDoc(env string, now time.Time, requireVerified bool, states []flags.State) *FlagsDoc {
	d := &FlagsDoc{Schema: FlagsSchema, Env: env, Now: now.UTC(), RequireVerified: requireVerified, Flags: []FlagItem{}}
	for _, s := range states {
		it := FlagItem{Name: s.Name, Met: s.Met, Step: s.Step, Steps: s.Steps, Percent: s.Percent,
			Requires: []FlagRequirement{}, Unmet: []FlagRequirement{}, Next: []FlagStep{}}
		if s.Met {
			t := s.MetSince.UTC()
			it.MetSince = &t
		}
		for _, r := range s.Requirements {
			fr := FlagRequirement{Service: r.Service, Constraint: r.Constraint, Met: r.Met, Reason: r.Reason}
			if r.Running != nil {
				fr.Running = &EnvRef{SHA: r.Running.SHA, Version: r.Running.Version}
			}
			if r.Met {
				t := r.Since.UTC()
				fr.Since = &t
			}
			it.Requires = append(it.Requires, fr)
			if !r.Met {
				it.Unmet = append(it.Unmet, fr)
			}
		}
		for _, n := range s.Next {
			it.Next = append(it.Next, FlagStep{Step: n.Step, Percent: n.Percent, At: n.At.UTC()})
		}
		d.Flags = append(d.Flags, it)
	}
	return d
}

// On counts the flags that are on for anyone.
func (d *FlagsDoc) On() int {
	n := 0
	for _, f := range d.Flags {
		if f.Met {
			n++
		}
	}
	return n
}

func flagStep(f FlagItem) string {
	if f.Steps == 0 || !f.Met {
		return "-"
	}
	return fmt.Sprintf("%d/%d", f.Step, f.Steps)
}

// flagNote is what is missing for an unmet flag, else when the next step
// begins.
func flagNote(f FlagItem) string {
	if !f.Met {
		var parts []string
		for _, r := range f.Unmet {
			parts = append(parts, r.Reason)
		}
		return strings.Join(parts, "; ")
	}
	if len(f.Next) > 0 {
		n := f.Next[0]
		return fmt.Sprintf("%d%% from %s", n.Percent, n.At.Format(time.RFC3339))
	}
	return ""
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// FlagsText writes the flags as a table: flag, met?, step, percent, and what
// is missing (or, for a flag on its ramp, when the next step begins).
func FlagsText(w io.Writer, d *FlagsDoc) error {
	fmt.Fprintf(w, "%s: %d of %s met\n", d.Env, d.On(), english.Count(len(d.Flags), "flag"))
	if len(d.Flags) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	rows := [][]string{{"FLAG", "MET", "STEP", "PERCENT", "MISSING / NEXT"}}
	for _, f := range d.Flags {
		rows = append(rows, []string{f.Name, yesNo(f.Met), flagStep(f), fmt.Sprintf("%d%%", f.Percent), dash(flagNote(f))})
	}
	return table(w, rows)
}

// FlagsMarkdown writes the flags as a Markdown table.
func FlagsMarkdown(w io.Writer, d *FlagsDoc) error {
	fmt.Fprintf(w, "### ordo flags: %s\n\n", mdCell(d.Env))
	if len(d.Flags) == 0 {
		_, err := fmt.Fprintln(w, "No flags.")
		return err
	}
	fmt.Fprintf(w, "%d of %s met.\n\n", d.On(), english.Count(len(d.Flags), "flag"))
	fmt.Fprintln(w, "| Flag | Met | Step | Percent | Missing / next |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, f := range d.Flags {
		fmt.Fprintf(w, "| %s | %s | %s | %d%% | %s |\n", mdCell(f.Name), yesNo(f.Met), flagStep(f), f.Percent, mdCell(dash(flagNote(f))))
	}
	return nil
}
