package ci

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/ci/citest"
	"github.com/ordo-ci/ordo/internal/diag"
)

// hostileNames are file names a pull request can add, each trying to become
// a workflow command in the log.
var hostileNames = []string{
	"svc/x\n::warning title=ordo::INJECTED",
	"svc/x\r::warning::INJECTED",
	"svc/x ##[add-mask]INJECTED",
	"svc/x\n  ::set-env name=A::INJECTED",
	"svc/x\n::stop-commands::x\n::INJECTED::",
}

// TestGuardStopsCommands writes hostile text through Guard, in whole and
// partial lines, next to ordo's own annotation, and reads the log the way
// the runner does: the only command left is ordo's.
func TestGuardStopsCommands(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	g := NewGitHub(ReadEnv(env(map[string]string{"GITHUB_ACTIONS": "true"})), &log)
	w := g.Guard(&log)
	for _, n := range hostileNames {
		fmt.Fprintf(w, "changed: %s", n) // partial line, ended by the next write
		fmt.Fprintln(w)
	}
	g.Annotate(diag.List{{File: "ordo.yaml", Line: 1, Rule: "r", Message: "bad ##[add-mask]INJECTED"}})
	fmt.Fprint(w, "tail without newline ::warning::INJECTED ##[error]INJECTED")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	cmds := citest.Commands(log.String())
	if len(cmds) != 1 || !strings.HasPrefix(cmds[0], "::error ") {
		t.Fatalf("commands the runner would run: %q\nlog:\n%s", cmds, log.String())
	}
	var want strings.Builder
	for _, n := range hostileNames {
		fmt.Fprintf(&want, "changed: %s\n", n)
	}
	want.WriteString("tail without newline ::warning::INJECTED ##[error]INJECTED\n")
	if got := unframe(log.String()); got != want.String() {
		t.Errorf("the text was not written as given:\ngot  %q\nwant %q", got, want.String())
	}
}

// unframe drops the frame lines and ordo's annotations from a log.
func unframe(log string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(log, "\n") {
		if !strings.HasPrefix(l, "::") || strings.HasPrefix(l, "::INJECTED") || strings.HasPrefix(l, "::warning") || strings.HasPrefix(l, "::stop-commands::x") || strings.HasPrefix(l, "  ::") {
			b.WriteString(l)
		}
	}
	return b.String()
}

// TestGuardWithoutFrameWouldRun makes sure the runner model sees the
// attack: the same text written directly is executed.
func TestGuardWithoutFrameWouldRun(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	for _, n := range hostileNames {
		fmt.Fprintf(&log, "changed: %s\n", n)
	}
	if cmds := citest.Commands(log.String()); len(cmds) < len(hostileNames)-1 {
		t.Fatalf("the runner model found only %q", cmds)
	}
}

func TestGuardOutsideActionsWritesAsIs(t *testing.T) {
	t.Parallel()
	var g *GitHub
	var b bytes.Buffer
	w := g.Guard(&b)
	fmt.Fprint(w, "a\nb")
	w.Flush()
	if b.String() != "a\nb" {
		t.Fatalf("got %q", b.String())
	}
}

func TestRunnerLines(t *testing.T) {
	t.Parallel()
	if got := citest.Lines("a\r\nb\rc\n"); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("%q", got)
	}
}
