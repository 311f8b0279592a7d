package render

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/ordo-ci/ordo/internal/english"
	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/record"
)

// Schemas of the env documents.
const (
	EnvSchema     = "ordo.env/v1"
	EnvDiffSchema = "ordo.envdiff/v1"
)

// EnvDoc is `ordo env show E`: what runs where, per service.
type EnvDoc struct {
	Schema   string       `json:"schema"`
	Env      string       `json:"env"`
	Services []EnvService `json:"services"` // sorted by name
	// Unknown names services the record has and the catalog does not.
	Unknown []string `json:"unknown"`
}

// EnvService is one service of an environment.
type EnvService struct {
	Name string `json:"name"`
	// Running is the newest deploy- or rollback-phase success; nil when
	// nothing ever succeeded.
	Running *Running `json:"running"`
	// Last is the newest entry when it is not Running's.
	Last *LastEntry `json:"last,omitempty"`
}

// Running is what runs a service.
type Running struct {
	SHA      string    `json:"sha"`
	Version  string    `json:"version"`
	State    string    `json:"state"`
	Phase    string    `json:"phase"`
	Since    time.Time `json:"since"`
	Verified bool      `json:"verified"` // verified at SHA
	Release  string    `json:"release"`
	URL      string    `json:"url"`
}

// LastEntry is the newest entry of a service, when it is not the running one.
type LastEntry struct {
	Phase   string    `json:"phase"`
	State   string    `json:"state"`
	SHA     string    `json:"sha"`
	Version string    `json:"version"`
	Time    time.Time `json:"time"`
	Release string    `json:"release"`
	URL     string    `json:"url"`
}

// NewEnvDoc builds the env document for services (the catalog's services
// listed for env) from the record's entries.
func NewEnvDoc(env string, services []string, entries map[string][]record.Entry) *EnvDoc {
	d := &EnvDoc{Schema: EnvSchema, Env: env, Services: []EnvService{}, Unknown: []string{}}
	for name := range entries {
		if !slices.Contains(services, name) {
			d.Unknown = append(d.Unknown, name)
		}
	}
	slices.Sort(d.Unknown)
	names := slices.Sorted(slices.Values(append(slices.Clone(services), d.Unknown...)))
	for _, name := range slices.Compact(names) {
		list := entries[name]
		s := EnvService{Name: name}
		run, ok := record.Running(list)
		if ok {
			s.Running = &Running{SHA: run.SHA, Version: run.Version, State: run.State, Phase: run.Phase, Since: run.Time,
				Verified: record.VerifiedAt(list, run.SHA), Release: run.Release, URL: run.URL}
		}
		// The last entry is shown when it says something the running one
		// does not: not itself, nor the verification of what runs.
		if last, ok := record.Last(list); ok && (s.Running == nil || !sameEntry(last, run) && !verifies(last, run)) {
			s.Last = &LastEntry{Phase: last.Phase, State: last.State, SHA: last.SHA, Version: last.Version, Time: last.Time, Release: last.Release, URL: last.URL}
		}
		d.Services = append(d.Services, s)
	}
	return d
}

func verifies(last, run record.Entry) bool {
	return last.Phase == record.PhaseVerify && last.State == record.StateVerified && last.SHA == run.SHA
}

func sameEntry(a, b record.Entry) bool {
	return a.Phase == b.Phase && a.State == b.State && a.SHA == b.SHA && a.Time.Equal(b.Time) && a.Release == b.Release
}

// EnvText writes the environment as a table.
func EnvText(w io.Writer, d *EnvDoc) error {
	running := 0
	for _, s := range d.Services {
		if s.Running != nil {
			running++
		}
	}
	fmt.Fprintf(w, "%s: %d of %s running\n", d.Env, running, english.Count(len(d.Services), "service"))
	if len(d.Services) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	rows := [][]string{{"SERVICE", "SHA", "VERSION", "STATE", "SINCE", "LAST"}}
	for _, s := range d.Services {
		row := []string{s.Name, "-", "-", "never deployed", "-", dash(lastText(s.Last))}
		if r := s.Running; r != nil {
			row = []string{s.Name, git.Short(r.SHA), dash(r.Version), runningState(r), r.Since.UTC().Format(time.RFC3339), dash(lastText(s.Last))}
		}
		rows = append(rows, row)
	}
	if err := table(w, rows); err != nil {
		return err
	}
	return unknownNote(w, d.Unknown, "")
}

func runningState(r *Running) string {
	if r.Verified {
		return r.State + ", verified"
	}
	return r.State
}

func lastText(l *LastEntry) string {
	if l == nil {
		return ""
	}
	s := fmt.Sprintf("%s %s at %s", l.Phase, l.State, git.Short(l.SHA))
	if l.Version != "" {
		s += " (" + l.Version + ")"
	}
	return s
}

func unknownNote(w io.Writer, unknown []string, prefix string) error {
	if len(unknown) == 0 {
		return nil
	}
	_, err := fmt.Fprintf(w, "\n%snot in the catalog (entries kept, not planned): %s\n", prefix, strings.Join(unknown, ", "))
	return err
}

// EnvMarkdown writes the environment as a Markdown table.
func EnvMarkdown(w io.Writer, d *EnvDoc) error {
	fmt.Fprintf(w, "### ordo env: %s\n\n", mdCell(d.Env))
	if len(d.Services) == 0 {
		_, err := fmt.Fprintln(w, "No services.")
		return err
	}
	fmt.Fprintln(w, "| Service | SHA | Version | State | Since | Last |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, s := range d.Services {
		if r := s.Running; r != nil {
			fmt.Fprintf(w, "| %s | `%s` | %s | %s | %s | %s |\n", mdCell(s.Name), git.Short(r.SHA), mdCell(dash(r.Version)), runningState(r),
				r.Since.UTC().Format(time.RFC3339), mdCell(dash(lastText(s.Last))))
			continue
		}
		fmt.Fprintf(w, "| %s | - | - | never deployed | - | %s |\n", mdCell(s.Name), mdCell(dash(lastText(s.Last))))
	}
	return unknownNote(w, d.Unknown, "")
}

// EnvDiffDoc is `ordo env diff A B`: parity between two environments.
type EnvDiffDoc struct {
	Schema   string        `json:"schema"`
	A        string        `json:"a"`
	B        string        `json:"b"`
	Services []EnvDiffItem `json:"services"` // sorted by name
	Unknown  []string      `json:"unknown"`
}

// Parity states of EnvDiffItem.
const (
	DiffSame    = "same"
	DiffDiffers = "differs"
	DiffMissing = "missing"
)

// EnvDiffItem compares what runs one service in A and in B.
type EnvDiffItem struct {
	Name   string `json:"name"`
	Status string `json:"status"` // same, differs, missing
	// MissingIn names the environment where nothing runs it (status missing).
	MissingIn string  `json:"missing_in,omitempty"`
	InA       *EnvRef `json:"a"`
	InB       *EnvRef `json:"b"`
	// Ahead and Behind count the commits A's sha has that B's has not, and
	// the reverse (git rev-list --left-right --count A...B); nil when the
	// status is not differs or a commit could not be had.
	Ahead  *int `json:"ahead"`
	Behind *int `json:"behind"`
}

// EnvRef is a sha and version running somewhere.
type EnvRef struct {
	SHA     string `json:"sha"`
	Version string `json:"version"`
}

// EnvDiffText writes the comparison as a table.
func EnvDiffText(w io.Writer, d *EnvDiffDoc) error {
	counts := map[string]int{}
	for _, s := range d.Services {
		counts[s.Status]++
	}
	fmt.Fprintf(w, "%s vs %s: %d same, %d differ, %d missing\n", d.A, d.B, counts[DiffSame], counts[DiffDiffers], counts[DiffMissing])
	if len(d.Services) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	rows := [][]string{{"SERVICE", "STATUS", d.A, d.B, "COMMITS"}}
	for _, s := range d.Services {
		rows = append(rows, []string{s.Name, s.Status, refText(s.InA), refText(s.InB), dash(commitsText(d, s))})
	}
	if err := table(w, rows); err != nil {
		return err
	}
	return unknownNote(w, d.Unknown, "")
}

func refText(r *EnvRef) string {
	if r == nil {
		return "-"
	}
	if r.Version == "" {
		return git.Short(r.SHA)
	}
	return git.Short(r.SHA) + " (" + r.Version + ")"
}

func commitsText(d *EnvDiffDoc, s EnvDiffItem) string {
	switch {
	case s.Status == DiffMissing:
		return "not in " + s.MissingIn
	case s.Status != DiffDiffers:
		return ""
	case s.Ahead == nil || s.Behind == nil:
		return "commits unknown"
	}
	return fmt.Sprintf("%s %d ahead, %d behind", d.A, *s.Ahead, *s.Behind)
}

// EnvDiffMarkdown writes the comparison as a Markdown table.
func EnvDiffMarkdown(w io.Writer, d *EnvDiffDoc) error {
	fmt.Fprintf(w, "### ordo env diff: %s vs %s\n\n", mdCell(d.A), mdCell(d.B))
	if len(d.Services) == 0 {
		_, err := fmt.Fprintln(w, "No services.")
		return err
	}
	fmt.Fprintf(w, "| Service | Status | %s | %s | Commits |\n|---|---|---|---|---|\n", mdCell(d.A), mdCell(d.B))
	for _, s := range d.Services {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", mdCell(s.Name), s.Status, mdCell(refText(s.InA)), mdCell(refText(s.InB)), mdCell(dash(commitsText(d, s))))
	}
	return unknownNote(w, d.Unknown, "")
}
