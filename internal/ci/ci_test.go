package ci

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/diag"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestOutsideActionsIsANoOp(t *testing.T) {
	t.Parallel()
	var g *GitHub = NewGitHub(ReadEnv(env(nil)), &bytes.Buffer{})
	if g != nil {
		t.Fatal("NewGitHub outside Actions must be nil")
	}
	if err := g.SetOutputs("a", "b"); err != nil {
		t.Fatal(err)
	}
	g.Annotate(diag.List{{File: "x"}})
	g.Mask("x")
}

// TestOutputsCannotInject writes a value that tries to close its heredoc
// early and add an output of its own; parsing the file the way the runner
// does must give back exactly the outputs written.
func TestOutputsCannotInject(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "output")
	g := NewGitHub(ReadEnv(env(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": out})), &bytes.Buffer{})
	hostile := "line\nEOF\ninjected=yes\n_GitHubActionsFileCommandDelimeter_\nfoo<<X\nbar\nX"
	if err := g.SetOutputs("plan", hostile, "has-deploy", "true"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got := parseOutputs(t, string(data))
	if len(got) != 2 || got["plan"] != hostile || got["has-deploy"] != "true" {
		t.Fatalf("outputs = %q", got)
	}
}

// parseOutputs reads a GITHUB_OUTPUT file as the runner does: name=value
// lines and name<<DELIM heredocs.
func parseOutputs(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		if name, delim, ok := strings.Cut(lines[i], "<<"); ok {
			var val []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				val = append(val, lines[i])
			}
			if i == len(lines) {
				t.Fatalf("heredoc %s not closed", delim)
			}
			out[name] = strings.Join(val, "\n")
			continue
		}
		name, val, _ := strings.Cut(lines[i], "=")
		out[name] = val
	}
	return out
}

func TestSummaryLimit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sum := filepath.Join(dir, "summary")
	g := NewGitHub(ReadEnv(env(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": sum})), &bytes.Buffer{})
	if err := g.AddSummary(strings.Repeat("x", MaxSummary-100), "see the plan file"); err != nil {
		t.Fatal(err)
	}
	if err := g.AddSummary(strings.Repeat("y", 500), "see the plan file"); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(sum)
	if len(data) > MaxSummary {
		t.Errorf("summary is %d bytes, over GitHub's limit", len(data))
	}
	if strings.Contains(string(data), "yyy") {
		t.Error("the second part should have been replaced by a note")
	}
}

func TestAnnotationsAreCapped(t *testing.T) {
	t.Parallel()
	var w bytes.Buffer
	g := NewGitHub(ReadEnv(env(map[string]string{"GITHUB_ACTIONS": "true"})), &w)
	var diags diag.List
	for i := 1; i <= 25; i++ {
		diags = append(diags, diag.Diagnostic{File: "ordo.yaml", Line: i, Col: 3, Rule: "r", Message: "bad"})
	}
	g.Annotate(diags)
	if n := strings.Count(w.String(), "::error "); n != MaxAnnotations {
		t.Errorf("%d error annotations, want %d", n, MaxAnnotations)
	}
	if !strings.Contains(w.String(), "16 more problems are in the log") {
		t.Errorf("no count of the rest:\n%s", w.String())
	}
}

func TestDotenv(t *testing.T) {
	t.Parallel()
	got, err := Dotenv(map[string]string{"B": `["a","b"]`, "A": "true"})
	if err != nil || got != "A=true\nB=[\"a\",\"b\"]\n" {
		t.Fatalf("Dotenv = %q, %v", got, err)
	}
	if _, err := Dotenv(map[string]string{"A": "x\ny"}); err == nil {
		t.Error("a multi-line value must be refused")
	}
	if _, err := Dotenv(map[string]string{"1A": "x"}); err == nil {
		t.Error("an invalid name must be refused")
	}
}
