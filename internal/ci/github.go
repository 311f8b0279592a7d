// Package ci is ordo's runtime I/O inside CI systems: GitHub Actions step
// outputs, step summaries and annotations, and GitLab dotenv reports. The
// commands produce values; this package puts them where the CI system reads
// them, within the CI system's limits.
package ci

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/sethvargo/go-githubactions"

	"github.com/ordo-ci/ordo/internal/diag"
	"github.com/ordo-ci/ordo/internal/english"
	"github.com/ordo-ci/ordo/internal/exit"
)

// Limits GitHub enforces.
// https://docs.github.com/en/actions/using-workflows/workflow-commands-for-github-actions#step-isolation-and-limits
const (
	// MaxSummary is the size of one step's summary; GitHub rejects more.
	MaxSummary = 1 << 20
	// MaxOutputs is the total size of a job's outputs.
	MaxOutputs = 1_000_000
	// MaxAnnotations caps how many error (and, apart, warning) annotations
	// ordo writes per step. GitHub shows 10 of each per step, and the runner
	// adds its own error when the step fails, so 9 of ordo's errors are seen
	// with it; the rest would only hide it.
	// https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#setting-an-error-message
	MaxAnnotations = 9
)

// GitHub writes to the GitHub Actions runner. A nil *GitHub (outside
// Actions) ignores every call, so commands need not check where they run.
type GitHub struct {
	action  *githubactions.Action
	env     GitHubEnv
	summary int // bytes written to the step summary so far

	tokenOnce sync.Once
	token     string // for ::stop-commands::, see Guard
}

// NewGitHub returns a GitHub writer when env says ordo runs inside GitHub
// Actions, and nil otherwise. Workflow commands (annotations, masks) go to w;
// ordo passes stderr, which the runner reads for commands as it does stdout,
// so that stdout stays the answer a step may parse.
func NewGitHub(env Env, w io.Writer) *GitHub {
	if !env.GitHub.Actions {
		return nil
	}
	// go-githubactions reads the files it writes to through getenv: give it
	// those of env, so that it sees the environment ordo read.
	getenv := func(name string) string {
		switch name {
		case "GITHUB_OUTPUT":
			return env.GitHub.Output
		case "GITHUB_STEP_SUMMARY":
			return env.GitHub.StepSummary
		}
		return ""
	}
	return &GitHub{
		action: githubactions.New(githubactions.WithGetenv(getenv), githubactions.WithWriter(w)),
		env:    env.GitHub,
	}
}

// SetOutputs writes step outputs in the order given (pairs of name, value).
// Each value is framed by a random delimiter, so a value containing newlines
// or a line that looks like a delimiter cannot end early and inject another
// output.
func (g *GitHub) SetOutputs(pairs ...string) (err error) {
	if g == nil || g.env.Output == "" {
		return nil
	}
	defer recoverFileCommand(&err, "GITHUB_OUTPUT")
	for i := 0; i+1 < len(pairs); i += 2 {
		name, value := pairs[i], pairs[i+1]
		delim := delimiter(value)
		g.action.IssueFileCommand(&githubactions.Command{
			Name:    "output",
			Message: fmt.Sprintf("%s<<%s\n%s\n%s", name, delim, value, delim),
		})
	}
	return nil
}

// delimiter returns a random heredoc delimiter that does not occur in value.
func delimiter(value string) string {
	for {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		d := "ordo_" + hex.EncodeToString(b)
		if !strings.Contains(value, d) {
			return d
		}
	}
}

// AddSummary appends Markdown to the step summary. When the summary would
// pass GitHub's limit, it writes a note saying where the full output is
// instead of being rejected.
func (g *GitHub) AddSummary(markdown, whereFull string) (err error) {
	if g == nil || g.env.StepSummary == "" {
		return nil
	}
	defer recoverFileCommand(&err, "GITHUB_STEP_SUMMARY")
	if g.summary+len(markdown)+1 > MaxSummary {
		markdown = fmt.Sprintf("ordo: the summary is larger than GitHub's 1 MiB limit; %s\n", whereFull)
		if g.summary+len(markdown)+1 > MaxSummary {
			return nil
		}
	}
	g.summary += len(markdown) + 1
	g.action.AddStepSummary(markdown)
	return nil
}

// Annotate writes diagnostics as ::error / ::warning annotations pointing at
// their file and line, at most MaxAnnotations errors and as many warnings,
// then one warning counting the rest.
func (g *GitHub) Annotate(diags diag.List) {
	if g == nil {
		return
	}
	errors, warnings, rest := 0, 0, 0
	for _, d := range diags {
		n := &errors
		if d.Severity == diag.Warning {
			n = &warnings
		}
		if *n == MaxAnnotations {
			rest++
			continue
		}
		*n++
		fields := map[string]string{"file": Defuse(g.repoPath(d.File)), "title": "ordo " + d.Rule}
		if d.Line > 0 {
			fields["line"] = fmt.Sprint(d.Line)
		}
		if d.Col > 0 {
			fields["col"] = fmt.Sprint(d.Col)
		}
		a := g.action.WithFieldsMap(fields)
		if d.Severity == diag.Warning {
			a.Warningf("%s", Defuse(d.Message))
		} else {
			a.Errorf("%s", Defuse(d.Message))
		}
	}
	if rest > 0 {
		g.action.Warningf("ordo: %d more %s %s in the log", rest, english.Noun(rest, "problem"), english.Agree(rest, "is", "are"))
	}
}

// repoPath is file as GitHub places annotations (see Env.RepoPath).
func (g *GitHub) repoPath(file string) string { return Env{GitHub: g.env}.RepoPath(file) }

// Notice writes a notice annotation (one not tied to a file).
func (g *GitHub) Notice(msg string) {
	if g == nil {
		return
	}
	g.action.Noticef("%s", Defuse(msg))
}

// Warning writes a plain warning annotation (one not tied to a file).
func (g *GitHub) Warning(msg string) {
	if g == nil {
		return
	}
	g.action.Warningf("%s", Defuse(msg))
}

// Error writes a plain error annotation (one not tied to a file).
func (g *GitHub) Error(msg string) {
	if g == nil {
		return
	}
	g.action.Errorf("%s", Defuse(msg))
}

// Mask tells the runner to hide value in the log.
func (g *GitHub) Mask(value string) {
	if g == nil || value == "" {
		return
	}
	g.action.AddMask(value)
}

// recoverFileCommand turns the panic go-githubactions raises when it cannot
// write an environment file into an error.
func recoverFileCommand(err *error, file string) {
	if r := recover(); r != nil {
		*err = exit.Envf("write %s: %v", file, r)
	}
}
