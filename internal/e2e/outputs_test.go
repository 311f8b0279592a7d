package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// parseGitHubOutput reads a GITHUB_OUTPUT file the way the runner does:
// `name=value` lines and `name<<DELIMITER` heredocs that end at the first
// line equal to DELIMITER. A name set twice keeps its last value.
// https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/workflow-commands-for-github-actions#multiline-strings
func parseGitHubOutput(t *testing.T, text string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if line == "" {
			continue
		}
		heredoc := strings.Index(line, "<<")
		equals := strings.Index(line, "=")
		if heredoc >= 0 && (equals < 0 || heredoc < equals) {
			name, delim := line[:heredoc], line[heredoc+2:]
			var value []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				value = append(value, lines[i])
			}
			if i == len(lines) {
				t.Fatalf("GITHUB_OUTPUT: heredoc %s<<%s does not end", name, delim)
			}
			out[name] = strings.Join(value, "\n")
			continue
		}
		if equals < 0 {
			t.Fatalf("GITHUB_OUTPUT: line %q is neither name=value nor name<<delimiter", line)
		}
		out[line[:equals]] = line[equals+1:]
	}
	return out
}

// TestOutputsCannotBeInjected runs ordo plan inside "GitHub Actions" on the
// fixture, whose admin service has the with: value "x\nEOF\nfoo=bar", and
// with a plan file whose path holds "\nEOF\nfoo=bar" too (a value that
// reaches GITHUB_OUTPUT as raw text, not JSON): the runner must read exactly
// the plan's outputs, with those values intact, and no foo.
func TestOutputsCannotBeInjected(t *testing.T) {
	repo := newMonorepo(t, "https://github.com/acme/shop.git", nil, "change")
	scratch := t.TempDir()
	output := filepath.Join(scratch, "output")
	writeFile(t, output, "", 0o644)
	planFile := filepath.Join(scratch, "plan\nEOF\nfoo=bar.json")
	r := run(t, repo.Dir, []string{"GITHUB_ACTIONS=true", "GITHUB_OUTPUT=" + output}, time.Minute,
		ordoBinary(t), "plan", "--base", repo.init, "--head", repo.change, "--plan-file", planFile)
	if r.code != 0 {
		t.Fatalf("ordo plan: exit %d\n%s", r.code, r.out)
	}
	outs := parseGitHubOutput(t, readFile(t, output))
	names := sortedKeys(outs)
	if want := []string{"affected", "deploy", "has-deploy", "matrix", "plan-file", "rollback", "wave-count", "wave-services", "waves"}; !slices.Equal(names, want) {
		t.Errorf("outputs %v, want %v", names, want)
	}
	if outs["plan-file"] != planFile {
		t.Errorf("plan-file = %q, want %q", outs["plan-file"], planFile)
	}
	if _, err := os.Stat(planFile); err != nil {
		t.Errorf("the plan file: %v", err)
	}
	var matrix struct {
		Include []struct {
			Service string            `json:"service"`
			With    map[string]string `json:"with"`
		} `json:"include"`
	}
	if err := json.Unmarshal([]byte(outs["matrix"]), &matrix); err != nil {
		t.Fatalf("matrix: %v\n%s", err, outs["matrix"])
	}
	found := false
	for _, j := range matrix.Include {
		if j.Service == "admin" {
			found = true
			if j.With["note"] != "x\nEOF\nfoo=bar" {
				t.Errorf("admin's with.note = %q, want it as the catalog has it", j.With["note"])
			}
		}
	}
	if !found {
		t.Errorf("admin is not in the matrix %s", outs["matrix"])
	}
}
