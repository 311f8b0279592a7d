package e2e

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/ordo-ci/ordo/internal/git/gittest"
)

// action is the part of an action.yml the tests read.
// https://docs.github.com/en/actions/sharing-automations/creating-actions/metadata-syntax-for-github-actions
type action struct {
	path   string
	Name   string `yaml:"name"`
	Inputs map[string]struct {
		Description string  `yaml:"description"`
		Required    bool    `yaml:"required"`
		Default     *string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []step `yaml:"steps"`
	} `yaml:"runs"`
}

type step struct {
	ID    string            `yaml:"id"`
	Shell string            `yaml:"shell"`
	Env   map[string]string `yaml:"env"`
	Run   string            `yaml:"run"`
	Uses  string            `yaml:"uses"`
}

// actions reads action.yml and actions/*/action.yml, by command: the
// directory's name, "" for the root action.
func actions(tb testing.TB) map[string]*action {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join(root, "actions", "*", "action.yml"))
	if err != nil || len(paths) < 7 {
		tb.Fatalf("actions/*/action.yml: %v %v", paths, err)
	}
	all := map[string]*action{}
	for _, path := range append(paths, filepath.Join(root, "action.yml")) {
		var a action
		if err := yaml.Unmarshal([]byte(readFile(tb, path)), &a); err != nil {
			tb.Fatalf("%s: %v", path, err)
		}
		a.path, _ = filepath.Rel(root, path)
		name := filepath.Base(filepath.Dir(path))
		if a.path == "action.yml" {
			name = ""
		}
		all[name] = &a
	}
	return all
}

// ordoStep is the step that runs ordo (the last), and the input each of its
// ORDO_INPUT_* variables carries.
func (a *action) ordoStep(tb testing.TB) (step, map[string]string) {
	tb.Helper()
	s := a.Runs.Steps[len(a.Runs.Steps)-1]
	vars := map[string]string{}
	for k, v := range s.Env {
		if m := inputRef.FindStringSubmatch(v); m != nil && strings.HasPrefix(k, "ORDO_INPUT_") {
			vars[k] = m[1]
		}
	}
	return s, vars
}

var inputRef = regexp.MustCompile(`^\$\{\{ inputs\.([a-z0-9-]+) \}\}$`)

// TestActionSteps checks the composite actions' steps, which actionlint does
// not look into: no ${{ }} inside a run: script (every input reaches a
// script through env:, so no value can become shell code), each input used
// and described, each output taken from a step that exists, and every
// action but setup installs ordo with the shared installer before it runs.
func TestActionSteps(t *testing.T) {
	for name, a := range actions(t) {
		t.Run(a.path, func(t *testing.T) {
			if a.Runs.Using != "composite" {
				t.Errorf("runs.using %q, want composite", a.Runs.Using)
			}
			ids := map[string]bool{}
			used := map[string]bool{}
			for i, s := range a.Runs.Steps {
				if strings.Contains(s.Run, "${{") {
					t.Errorf("step %d: an expression inside run: %q; pass it through env:", i, s.Run)
				}
				if s.Run != "" && s.Shell != "bash" {
					t.Errorf("step %d: shell %q, want bash", i, s.Shell)
				}
				ids[s.ID] = true
				for _, v := range s.Env {
					for _, m := range regexp.MustCompile(`inputs\.([a-z0-9-]+)`).FindAllStringSubmatch(v, -1) {
						if _, ok := a.Inputs[m[1]]; !ok {
							t.Errorf("step %d uses the undeclared input %s", i, m[1])
						}
						used[m[1]] = true
					}
				}
			}
			for in, spec := range a.Inputs {
				if !used[in] {
					t.Errorf("input %s is declared but never passed to a step", in)
				}
				if strings.TrimSpace(spec.Description) == "" {
					t.Errorf("input %s has no description", in)
				}
				if !spec.Required && spec.Default == nil {
					t.Errorf("input %s is optional without a default", in)
				}
				if strings.Contains(spec.Description, "${{") {
					t.Errorf("input %s: an expression in the description (act evaluates it)", in)
				}
			}
			for out, spec := range a.Outputs {
				m := regexp.MustCompile(`^\$\{\{ steps\.([a-z]+)\.outputs\.([a-z-]+) \}\}$`).FindStringSubmatch(spec.Value)
				if m == nil || !ids[m[1]] {
					t.Errorf("output %s = %q: not a step's output", out, spec.Value)
				}
				if strings.TrimSpace(spec.Description) == "" || strings.Contains(spec.Description, "${{") {
					t.Errorf("output %s: description %q", out, spec.Description)
				}
			}
			if name == "setup" {
				return
			}
			installer := `"$GITHUB_ACTION_PATH/../setup/install.sh"`
			runner := `"$GITHUB_ACTION_PATH/../setup/run.sh" ` + name
			switch name {
			case "":
				installer, runner = `"$GITHUB_ACTION_PATH/actions/setup/install.sh"`, `"$GITHUB_ACTION_PATH/actions/setup/run.sh" command`
			case "deploy":
				runner = `"$GITHUB_ACTION_PATH/deploy.sh"`
			}
			if len(a.Runs.Steps) != 2 || a.Runs.Steps[0].Run != installer || a.Runs.Steps[1].Run != runner {
				t.Errorf("steps should be the installer (%s) and the runner (%s), are %+v", installer, runner, a.Runs.Steps)
			}
			if a.Runs.Steps[1].Env["ORDO"] != "${{ steps.setup.outputs.path }}" {
				t.Errorf("the runner should get the installed ordo as ORDO")
			}
		})
	}
}

// TestScriptsHaveNoExpressions greps every run: of the workflows too: an
// expression inside a script is a script injection waiting for a value that
// contains quotes.
func TestScriptsHaveNoExpressions(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.yml"))
	if len(paths) == 0 {
		t.Fatal("no workflows")
	}
	for _, path := range paths {
		var wf struct {
			Jobs map[string]struct {
				Steps []step `yaml:"steps"`
			} `yaml:"jobs"`
		}
		if err := yaml.Unmarshal([]byte(readFile(t, path)), &wf); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for job, j := range wf.Jobs {
			for i, s := range j.Steps {
				if strings.Contains(s.Run, "${{") {
					t.Errorf("%s: job %s, step %d: an expression inside run:; pass it through env:", filepath.Base(path), job, i)
				}
			}
		}
	}
	for _, name := range []string{"install.sh", "run.sh"} {
		if strings.Contains(readFile(t, filepath.Join(root, "actions", "setup", name)), "${{ inputs") {
			t.Errorf("actions/setup/%s: an input expression in a script", name)
		}
	}
}

// TestExampleWorkflowMatchesReadme keeps the README's deploy workflow and
// .github/workflows/example-deploy.yml the same workflow: apart from
// comments, the guard that keeps the example from running in ordo's own
// repository and the number of wave jobs, they must not differ.
func TestExampleWorkflowMatchesReadme(t *testing.T) {
	normalize := func(text string, waves int) []string {
		var lines []string
		skip := false
		for _, line := range strings.Split(text, "\n") {
			if strings.HasPrefix(line, "  wave-") {
				n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(line, "  wave-"), ":"))
				skip = n >= waves
			}
			if i := strings.Index(line, " #"); i >= 0 {
				line = line[:i]
			}
			line = strings.TrimRight(line, " ")
			trimmed := strings.TrimSpace(line)
			if skip || trimmed == "" || strings.HasPrefix(trimmed, "#") || trimmed == "if: github.repository != 'ordo-ci/ordo'" ||
				strings.HasPrefix(trimmed, "name: ") && !strings.HasPrefix(trimmed, "name: Deploy") || trimmed == "workflow_dispatch:" {
				continue
			}
			lines = append(lines, line)
		}
		return lines
	}
	example := readFile(t, filepath.Join(root, ".github", "workflows", "example-deploy.yml"))
	example = strings.ReplaceAll(example, "wave-count > 6", "wave-count > 3")
	for _, r := range [][2]string{{"Deploy waves 6 and later", "Deploy waves 3 and later"}, {"FIRST: 6", "FIRST: 3"}, {"needs: [plan, wave-5]", "needs: [plan, wave-2]"}} {
		example = strings.ReplaceAll(example, r[0], r[1])
	}
	got := normalize(readmeFiles(t)[".github/workflows/deploy.yml"], 3)
	want := normalize(example, 3)
	if !slices.Equal(got, want) {
		t.Errorf("the README's deploy workflow and example-deploy.yml differ:\nREADME:\n%s\n\nexample:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestActionsLint runs actionlint over every action's metadata. actionlint
// reads an action.yml only through a workflow that uses it, so the test
// writes one: a step per action (uses: ./actions/<name>, or ./ for the root
// action) with every input set and every output read, in a scratch
// repository holding copies of the actions.
func TestActionsLint(t *testing.T) {
	actionlint := tool(t, "ORDO_ACTIONLINT", "actionlint")
	shellcheck := tool(t, "ORDO_SHELLCHECK", "shellcheck")
	dir := gittest.New(t).Dir
	var wf strings.Builder
	wf.WriteString("on: push\npermissions: {}\njobs:\n  all:\n    runs-on: ubuntu-latest\n    steps:\n")
	for name, a := range actions(t) {
		writeFile(t, filepath.Join(dir, a.path), readFile(t, filepath.Join(root, a.path)), 0o644)
		id, uses := "a_"+strings.ReplaceAll(name, "-", "_"), "./actions/"+name
		if name == "" {
			id, uses = "root", "./"
		}
		fmt.Fprintf(&wf, "      - id: %s\n        uses: %s\n", id, uses)
		if len(a.Inputs) > 0 {
			wf.WriteString("        with:\n")
			for _, in := range sortedKeys(a.Inputs) {
				fmt.Fprintf(&wf, "          %s: x\n", in)
			}
		}
		if len(a.Outputs) > 0 {
			wf.WriteString("      - env:\n")
			for _, out := range sortedKeys(a.Outputs) {
				fmt.Fprintf(&wf, "          %s_%s: ${{ steps.%s.outputs.%s }}\n", strings.ToUpper(id), strings.ToUpper(strings.ReplaceAll(out, "-", "_")), id, out)
			}
			wf.WriteString("        run: env\n")
		}
	}
	writeFile(t, filepath.Join(dir, ".github", "workflows", "all-actions.yml"), wf.String(), 0o644)
	cmd := exec.Command(actionlint, "-no-color", "-shellcheck", shellcheck)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("actionlint: %v\n%s\n%s", err, out, wf.String())
	}
}
