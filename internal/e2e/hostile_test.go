package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/ci/citest"
	"github.com/ordo-ci/ordo/internal/git/gittest"
)

// TestNotesActionSummaryOnce runs the notes action's ordo step with the real
// ordo on commits whose subjects carry workflow commands and Markdown: the
// notes are in the step summary once, the log runs none of the subjects'
// commands, and the summary holds none of their HTML, mentions or links.
func TestNotesActionSummaryOnce(t *testing.T) {
	r := gittest.New(t)
	r.Commit("chore: init", gittest.Files{"ordo.yaml": "version: 1\nservices:\n  svc:\n    paths: [svc/**]\n", "svc/a.go": "package a"})
	r.Commit("feat: hostile ##[add-mask]INJECTED <!-- hidden --> @acme/team [x](https://evil.example)\n\n::warning::INJECTED\n##[add-mask]INJECTED", gittest.Files{"svc/b.go": "package b"})
	a := actions(t)["notes"]
	s, _ := a.ordoStep(t)
	scratch := t.TempDir()
	summary := filepath.Join(scratch, "summary")
	env := []string{
		"ORDO=" + ordoBinary(t), "ORDO_FORMATS=" + s.Env["ORDO_FORMATS"], "GITHUB_ACTIONS=true",
		"RUNNER_TEMP=" + scratch, "GITHUB_OUTPUT=" + filepath.Join(scratch, "output"), "GITHUB_STEP_SUMMARY=" + summary,
	}
	res := run(t, r.Dir, env, time.Minute, "bash", filepath.Join(root, "actions", "setup", "run.sh"), "notes")
	if res.code != 0 {
		t.Fatalf("notes step: exit %d\n%s", res.code, res.out)
	}
	sum := readFile(t, summary)
	if n := strings.Count(sum, "## svc 0.1.0"); n != 1 {
		t.Errorf("the summary has the notes %d times, want once:\n%s", n, sum)
	}
	for _, bad := range []string{"<!--", "@acme", "](https://evil", "https://evil"} {
		if strings.Contains(sum, bad) {
			t.Errorf("the summary holds %q:\n%s", bad, sum)
		}
	}
	if cmds := citest.Commands(res.out); len(cmds) != 0 {
		t.Errorf("the step's log runs workflow commands %q:\n%s", cmds, res.out)
	}
}
