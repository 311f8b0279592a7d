package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// actionRun is one run of an action's ordo step (actions/setup/run.sh) with
// a stand-in ordo that records how it was called.
type actionRun struct {
	result
	wd, token string
	args      []string
	called    bool
}

// runOrdoStep runs the action's ordo step in dir as the runner would, with
// the ORDO_INPUT_* variables given (the ones not given are empty, as inputs
// left at an empty default are) and ordo replaced by a recorder.
func runOrdoStep(t *testing.T, a *action, dir string, inputs map[string]string, extraEnv ...string) actionRun {
	t.Helper()
	s, vars := a.ordoStep(t)
	fields := strings.Fields(s.Run)
	mode := fields[len(fields)-1]
	scratch := t.TempDir()
	log := filepath.Join(scratch, "calls")
	stub := filepath.Join(scratch, "ordo")
	// The recorder writes its directory, GITHUB_TOKEN and arguments,
	// NUL-separated, and, like ordo, the file --output names.
	writeFile(t, stub, fmt.Sprintf(`#!/bin/sh
{ printf '%%s\0' "$PWD" "${GITHUB_TOKEN:-}"; printf '%%s\0' "$@"; } >%q
while [ $# -gt 0 ]; do
	if [ "$1" = --output ]; then echo "notes" >"$2"; fi
	shift
done
`, log), 0o755)
	env := []string{
		"ORDO=" + stub, "ORDO_FORMATS=" + s.Env["ORDO_FORMATS"], "GITHUB_TOKEN=",
		"RUNNER_TEMP=" + scratch, "GITHUB_OUTPUT=" + filepath.Join(scratch, "output"), "GITHUB_STEP_SUMMARY=" + filepath.Join(scratch, "summary"),
	}
	for v := range vars {
		env = append(env, v+"="+inputs[v])
	}
	for v := range inputs {
		if _, ok := vars[v]; !ok {
			t.Fatalf("%s passes no %s to its ordo step", a.path, v)
		}
	}
	r := run(t, dir, append(env, extraEnv...), time.Minute, "bash", filepath.Join(root, "actions", "setup", "run.sh"), mode)
	ar := actionRun{result: r}
	if b, err := os.ReadFile(log); err == nil {
		parts := strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
		ar.called, ar.wd, ar.token, ar.args = true, parts[0], parts[1], parts[2:]
	}
	return ar
}

// sampleInput is a valid value for an input and the arguments ordo should
// get for it.
func sampleInput(t *testing.T, input, formats, listFile string) (value string, args []string) {
	t.Helper()
	switch input {
	case "all", "aggregate", "dry-run", "checks", "comment", "strict":
		return "true", []string{"--" + input}
	case "override":
		return "policy.freeze=hotfix INC-42\n\n  policy.max_deploy=big day  \n", []string{"--override", "policy.freeze=hotfix INC-42", "--override", "policy.max_deploy=big day"}
	case "service":
		return "api\nweb\n", []string{"--service", "api", "--service", "web"}
	case "files":
		return "a.txt\nb c.txt", []string{"--files", listFile}
	case "format":
		f, _, _ := strings.Cut(formats, ",")
		return f, []string{"--format", f}
	case "now":
		return "2026-12-24T09:00:00Z", []string{"--now", "2026-12-24T09:00:00Z"}
	case "state":
		return "success", []string{"--state", "success"}
	case "sha":
		sha := strings.Repeat("0a", 20)
		return sha, []string{"--sha", sha}
	case "pr":
		return "42", []string{"--pr", "42"}
	case "config":
		return "catalog.yaml", []string{"--config", "catalog.yaml"}
	case "environment":
		return "staging", []string{"--env", "staging"}
	}
	return "x-" + input, []string{"--" + input, "x-" + input}
}

// TestActionInputsReachFlags runs each action's ordo step with every input
// set and checks that ordo gets each as its flag, and nothing else.
func TestActionInputsReachFlags(t *testing.T) {
	for name, a := range actions(t) {
		if _, ok := notCommandActions[name]; ok || name == "" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "sub", "catalog.yaml"), "version: 1\n", 0o644)
			s, vars := a.ordoStep(t)
			inputs := map[string]string{}
			var want [][]string
			for v, in := range vars {
				switch in {
				case "working-directory":
					inputs[v] = "sub"
				case "token":
					inputs[v] = "s3cret"
				case "files-from":
					// Goes with files only in TestFilesFrom: they exclude each other.
					inputs[v] = ""
				default:
					value, args := sampleInput(t, in, s.Env["ORDO_FORMATS"], "")
					inputs[v] = value
					want = append(want, groups(args)...)
				}
			}
			r := runOrdoStep(t, a, dir, inputs)
			if r.code != 0 || !r.called {
				t.Fatalf("exit %d, ordo called: %v\n%s", r.code, r.called, r.out)
			}
			if r.args[0] != name {
				t.Fatalf("ordo %q, want the command %s first", r.args, name)
			}
			got := groups(r.args[1:])
			for i, g := range got {
				if g[0] == "--files" {
					if content := readFile(t, g[1]); content != "a.txt\nb c.txt\n" {
						t.Errorf("--files %s holds %q", g[1], content)
					}
					got[i] = []string{"--files", ""}
				}
			}
			sortGroups(got)
			sortGroups(want)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("ordo %s got\n  %q\nwant\n  %q", name, got, want)
			}
			if filepath.Base(r.wd) != "sub" {
				t.Errorf("ordo ran in %s, want working-directory sub", r.wd)
			}
			if _, ok := a.Inputs["token"]; ok && r.token != "s3cret" {
				t.Errorf("GITHUB_TOKEN %q, want the token input", r.token)
			}
		})
	}
}

// TestRootActionArgs: the root action's args are one argument a line.
func TestRootActionArgs(t *testing.T) {
	a := actions(t)[""]
	dir := t.TempDir()
	r := runOrdoStep(t, a, dir, map[string]string{
		"ORDO_INPUT_COMMAND": "versions",
		"ORDO_INPUT_ARGS":    "--format=json\n  --service  \n\nusers api\r\n",
	})
	if r.code != 0 || !slices.Equal(r.args, []string{"versions", "--format=json", "--service", "users api"}) {
		t.Errorf("exit %d, ordo %q\n%s", r.code, r.args, r.out)
	}
}

// TestActionInputErrors: a wrong input value fails the step with an
// annotation that names the input, before ordo runs; values cannot smuggle
// in workflow commands of their own.
func TestActionInputErrors(t *testing.T) {
	all := actions(t)
	for _, tc := range []struct {
		action, input, value, want string
	}{
		{"plan", "format", "yaml", `::error title=ordo plan::input format: unknown format "yaml": use text, json, markdown, mermaid, github, gitlab`},
		{"affected", "format", "x%0A::warning::injected\n::warning::injected", `::error title=ordo affected::input format: unknown format "x%250A::warning::injected%0A::warning::injected"`},
		{"plan", "config", "missing.yaml", `::error title=ordo plan::input config: "missing.yaml" does not exist`},
		{"plan", "working-directory", "nowhere", `::error title=ordo plan::input working-directory: "nowhere" is not a directory`},
		{"plan", "all", "yes", `::error title=ordo plan::input all: "yes" is not a boolean: use true or false`},
		{"plan", "output", "a\nb", `::error title=ordo plan::input output: has a line break`},
		{"gate", "now", "tomorrow", `::error title=ordo gate::input now: "tomorrow" is not an RFC 3339 time`},
		{"gate", "override", "policy.freeze=ok\nfreeze", `::error title=ordo gate::input override: "freeze" is not RULE=REASON`},
		{"notes", "service", "api\nUsers API", `::error title=ordo notes::input service: "Users API" is not a service name`},
		{"notes", "format", "text", `::error title=ordo notes::input format: unknown format "text": use markdown, json`},
		{"release", "dry-run", "maybe", `::error title=ordo release::input dry-run: "maybe" is not a boolean`},
		{"status", "state", "done", `::error title=ordo status::input state: unknown state "done": use pending, success or failure`},
		{"status", "sha", "abc123", `::error title=ordo status::input sha: "abc123" is not a full commit SHA`},
		{"status", "pr", "#12", `::error title=ordo status::input pr: "#12" is not a pull request number`},
		{"", "command", "deploy", `::error title=ordo::input command: "deploy" is not an ordo command`},
	} {
		t.Run(tc.action+"/"+tc.input, func(t *testing.T) {
			a := all[tc.action]
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "ordo.yaml"), "version: 1\n", 0o644)
			_, vars := a.ordoStep(t)
			inputs := map[string]string{}
			for v, in := range vars {
				if in == tc.input {
					inputs[v] = tc.value
				}
			}
			if len(inputs) == 0 {
				t.Fatalf("%s has no input %s", a.path, tc.input)
			}
			r := runOrdoStep(t, a, dir, inputs)
			if r.code != 2 || !strings.Contains(r.out, tc.want) {
				t.Errorf("exit %d, want 2 and %q in\n%s", r.code, tc.want, r.out)
			}
			if r.called {
				t.Errorf("ordo ran with a wrong input")
			}
			for _, line := range strings.Split(r.out, "\n") {
				if strings.HasPrefix(line, "::warning") {
					t.Errorf("an input value issued a workflow command: %q", line)
				}
			}
		})
	}

	t.Run("no catalog", func(t *testing.T) {
		r := runOrdoStep(t, all["affected"], t.TempDir(), nil)
		if want := "::error title=ordo affected::input config: there is no ordo.yaml in"; r.code != 2 || !strings.Contains(r.out, want) {
			t.Errorf("exit %d, want %q\n%s", r.code, want, r.out)
		}
	})
}

// TestOrdoAnnotatesItsOwnErrors: what only ordo can check (a ref that does
// not exist) fails the step with ordo's own annotation.
func TestOrdoAnnotatesItsOwnErrors(t *testing.T) {
	repo := newMonorepo(t, "https://github.com/acme/shop.git", nil, "change")
	a := actions(t)["plan"]
	s, vars := a.ordoStep(t)
	env := []string{"ORDO=" + ordoBinary(t), "ORDO_FORMATS=" + s.Env["ORDO_FORMATS"], "GITHUB_ACTIONS=true", "RUNNER_TEMP=" + t.TempDir()}
	for v, in := range vars {
		value := ""
		if in == "base" {
			value = "no-such-ref"
		}
		env = append(env, v+"="+value)
	}
	r := run(t, repo.Dir, env, time.Minute, "bash", filepath.Join(root, "actions", "setup", "run.sh"), "plan")
	if r.code != 2 || !strings.Contains(r.out, "::error::") || !strings.Contains(r.out, "no-such-ref") {
		t.Errorf("exit %d, want 2 and an ::error annotation naming no-such-ref\n%s", r.code, r.out)
	}
}

// groups splits arguments into flags with their values.
func groups(args []string) [][]string {
	var out [][]string
	for _, a := range args {
		if strings.HasPrefix(a, "--") || len(out) == 0 {
			out = append(out, []string{a})
			continue
		}
		out[len(out)-1] = append(out[len(out)-1], a)
	}
	return out
}

func sortGroups(g [][]string) {
	slices.SortFunc(g, func(a, b []string) int { return strings.Compare(strings.Join(a, "\x00"), strings.Join(b, "\x00")) })
}

// TestFilesFrom: a list of changed files too long for an input (one
// environment variable, at most 128 KiB on Linux: MAX_ARG_STRLEN) comes as
// a file, relative to working-directory, and reaches ordo as --files.
// https://man7.org/linux/man-pages/man2/execve.2.html#NOTES
func TestFilesFrom(t *testing.T) {
	a := actions(t)["plan"]
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "sub", "ordo.yaml"), "version: 1\n", 0o644)
	var long strings.Builder
	for i := 0; long.Len() < 200<<10; i++ {
		fmt.Fprintf(&long, "services/svc-%05d/main.go\n", i)
	}
	writeFile(t, filepath.Join(dir, "sub", "changed.txt"), long.String(), 0o644)
	r := runOrdoStep(t, a, dir, map[string]string{"ORDO_INPUT_WORKING_DIRECTORY": "sub", "ORDO_INPUT_FILES_FROM": "changed.txt"})
	if r.code != 0 || fmt.Sprint(r.args) != "[plan --files changed.txt]" {
		t.Errorf("exit %d, ordo %q, want plan --files changed.txt\n%s", r.code, r.args, r.out)
	}
	for _, tc := range []struct {
		inputs map[string]string
		want   string
	}{
		{map[string]string{"ORDO_INPUT_FILES_FROM": "missing.txt"}, `input files-from: "missing.txt" is not a file`},
		{map[string]string{"ORDO_INPUT_FILES_FROM": "changed.txt", "ORDO_INPUT_FILES": "a.go"}, "input files-from: is set together with files"},
	} {
		tc.inputs["ORDO_INPUT_WORKING_DIRECTORY"] = "sub"
		r := runOrdoStep(t, a, dir, tc.inputs)
		if r.code != 2 || r.called || !strings.Contains(r.out, tc.want) {
			t.Errorf("%v: exit %d, ordo called %v, want %q\n%s", tc.inputs, r.code, r.called, tc.want, r.out)
		}
	}
}

// TestAnnotationsFromWorkingDirectory: with working-directory, ordo runs in
// a subdirectory, but GitHub places an annotation at a path from the
// repository's root (GITHUB_WORKSPACE); and a step shows at most 10 error
// annotations, one of them the runner's own for the failed step.
// https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#setting-an-error-message
func TestAnnotationsFromWorkingDirectory(t *testing.T) {
	ws := t.TempDir()
	var cat strings.Builder
	cat.WriteString("version: 1\nservices:\n")
	for i := range 15 {
		fmt.Fprintf(&cat, "  s%02d: {depends_on: [nowhere-%d]}\n", i, i)
	}
	writeFile(t, filepath.Join(ws, "platform", "ordo.yaml"), cat.String(), 0o644)
	a := actions(t)["plan"]
	s, vars := a.ordoStep(t)
	env := []string{"ORDO=" + ordoBinary(t), "ORDO_FORMATS=" + s.Env["ORDO_FORMATS"], "GITHUB_ACTIONS=true", "RUNNER_TEMP=" + t.TempDir(), "GITHUB_WORKSPACE=" + ws}
	for v, in := range vars {
		value := ""
		switch in {
		case "working-directory":
			value = "platform"
		case "all":
			value = "true"
		}
		env = append(env, v+"="+value)
	}
	r := run(t, ws, env, time.Minute, "bash", filepath.Join(root, "actions", "setup", "run.sh"), "plan")
	if r.code != 2 {
		t.Fatalf("exit %d, want 2\n%s", r.code, r.out)
	}
	errs := regexp.MustCompile(`(?m)^::error .*file=([^,:]+)`).FindAllStringSubmatch(r.out, -1)
	if len(errs) != 9 {
		t.Errorf("%d error annotations with a file, want 9\n%s", len(errs), r.out)
	}
	for _, m := range errs {
		if m[1] != "platform/ordo.yaml" {
			t.Errorf("annotation at %q, want platform/ordo.yaml (from the repository root)", m[1])
		}
	}
	if !strings.Contains(r.out, "more problems are in the log") {
		t.Errorf("no word of the problems left out\n%s", r.out)
	}
}
