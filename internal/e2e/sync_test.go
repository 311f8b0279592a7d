package e2e

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/ordo-ci/ordo/internal/cli"
)

// The inputs and flags that deliberately do not match one to one, with why.
var (
	// actionOnlyInputs are GitHub action inputs that are not flags.
	actionOnlyInputs = map[string]string{
		"version":           "which ordo the action installs",
		"working-directory": "the directory the action runs ordo in (so every path input is relative to it)",
		"token":             "reaches ordo as GITHUB_TOKEN",
		"files-from":        "reaches ordo as --files PATH: files carries the list itself, files-from a file's path",
	}
	// actionFlagExceptions are flags no GitHub action has an input for.
	actionFlagExceptions = map[string]string{
		"C":                    "the input working-directory: the action changes into it, so config, files and output are relative to it too",
		"files0":               "inputs are text and cannot carry NUL-separated names; files takes one name a line, the root action passes --files0",
		"dotenv":               "GitLab's dotenv report; in Actions, ordo writes step outputs",
		"token-env":            "the input token reaches ordo as GITHUB_TOKEN",
		"gitlab-template":      "GitLab child pipelines are the plan component's (input template)",
		"gitlab-template-file": "GitLab child pipelines are the plan component's (input template_file)",
		"release":              "plan --release: the GitLab plan component's two plans of one job share a release id; the plan action plans once",
		"record":               "--record FILE, common to every command (Part 2): in CI the record is the git store; ORDO_RECORD reaches ordo as a variable",
		"events":               "--events FILE (issue 17): ORDO_EVENTS reaches ordo as a variable; the actions' events input is not wired yet",
		"events-url":           "--events-url (issue 17): ORDO_EVENTS_URL reaches ordo as a variable; the actions' events-url input is not wired yet",
		"events-timeout":       "--events-timeout (issue 17): the default bounds the sink; not an action input",
	}
	// actionInputFlags are action inputs named otherwise than their flag.
	actionInputFlags = map[string]string{
		"environment": "env",
	}
	// notCommandActions run something else than one ordo command, with why.
	notCommandActions = map[string]string{
		"setup":  "installs ordo",
		"deploy": "runs the user's deploy command between two ordo env record calls (TestDeployAction)",
	}
	// componentOnlyInputs are GitLab component inputs that are not flags.
	componentOnlyInputs = map[string]string{
		"stage":      "the stage of the component's jobs",
		"job_prefix": "starts the jobs' names, so a component can be included twice",
		"image":      "the image the jobs run ordo in",
		"rules":      "when the plan and trigger jobs run (GitLab rules:)",
	}
	// componentInputFlags are component inputs named otherwise than their
	// flag, after GitLab's conventions.
	componentInputFlags = map[string]string{
		"template":       "gitlab-template",
		"template_file":  "gitlab-template-file",
		"token_variable": "token-env",
		"environment":    "env",
	}
	// componentFlagExceptions are flags no component has an input for.
	componentFlagExceptions = map[string]string{
		"C":              "jobs run at the root of the project's checkout; config points at a catalog elsewhere",
		"files":          "the change is the pipeline's (the merge request, CI_COMMIT_BEFORE_SHA..CI_COMMIT_SHA) or base..head",
		"files0":         "the change is the pipeline's (the merge request, CI_COMMIT_BEFORE_SHA..CI_COMMIT_SHA) or base..head",
		"output":         "the job's log shows the answer; the dotenv report carries it to later jobs",
		"checks":         "GitHub check runs",
		"sha":            "the pipeline's commit, CI_COMMIT_SHA",
		"record":         "--record FILE, common to every command (Part 2): in CI the record is the git store; ORDO_RECORD reaches ordo as a variable",
		"pr":             "the pipeline's merge request, CI_MERGE_REQUEST_IID",
		"events":         "--events FILE (issue 17): ORDO_EVENTS reaches ordo as a variable; the components' events input is not wired yet",
		"events-url":     "--events-url (issue 17): ORDO_EVENTS_URL reaches ordo as a variable; the components' events_url input is not wired yet",
		"events-timeout": "--events-timeout (issue 17): the default bounds the sink; not a component input",
	}
)

// commandFlags returns the flags of an ordo command; an action or component
// for a command ordo does not have fails the test.
func commandFlags(t *testing.T, command string) []string {
	t.Helper()
	flags, ok := cli.FlagNames(command)
	if !ok {
		t.Fatalf("ordo has no command %q", command)
	}
	return flags
}

var unknownFormat = regexp.MustCompile(`unknown format "[^"]*": use ([a-z, ]+) \(see`)

// commandFormats asks ordo which formats a command takes.
func commandFormats(t *testing.T, command string) string {
	t.Helper()
	var out, errs bytes.Buffer
	cli.Run(context.Background(), []string{command, "--format", "no-such-format"}, cli.IO{In: strings.NewReader(""), Out: &out, Err: &errs}, func(string) string { return "" })
	m := unknownFormat.FindStringSubmatch(errs.String())
	if m == nil {
		t.Fatalf("ordo %s --format no-such-format did not list the formats:\n%s", command, errs.String())
	}
	return strings.ReplaceAll(m[1], ", ", ",")
}

// TestActionInputsMatchFlags keeps actions/<command>/action.yml in step with
// `ordo <command>`: each input is a flag of the command (or an action-only
// input above), each flag has an input (or an exception above), and the
// formats the action accepts are the command's.
func TestActionInputsMatchFlags(t *testing.T) {
	for name, a := range actions(t) {
		if _, ok := notCommandActions[name]; ok || name == "" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			flags := commandFlags(t, name)
			s, vars := a.ordoStep(t)
			covered := map[string]bool{}
			for in := range a.Inputs {
				if _, ok := actionOnlyInputs[in]; ok {
					continue
				}
				flag := cmpOr(actionInputFlags[in], in)
				if !slices.Contains(flags, flag) {
					t.Errorf("input %s is no flag of ordo %s (flags: %s)", in, name, strings.Join(flags, ", "))
				}
				if !slices.Contains(mapValues(vars), in) {
					t.Errorf("input %s does not reach the ordo step", in)
				}
				covered[flag] = true
			}
			for _, f := range flags {
				if _, ok := actionFlagExceptions[f]; !covered[f] && !ok {
					t.Errorf("flag --%s of ordo %s has no input: add one, or list it with a reason in actionFlagExceptions", f, name)
				}
			}
			if _, ok := a.Inputs["format"]; ok {
				if got, want := s.Env["ORDO_FORMATS"], commandFormats(t, name); got != want {
					t.Errorf("ORDO_FORMATS %q, ordo %s takes %q", got, name, want)
				}
				if !strings.Contains(a.Inputs["format"].Description, strings.ReplaceAll(commandFormats(t, name), ",", ", ")[:4]) {
					t.Errorf("the format input's description does not list the formats")
				}
			}
		})
	}
}

// component is a GitLab CI/CD component: its spec and its jobs.
// https://docs.gitlab.com/ci/inputs/
type component struct {
	Spec struct {
		Inputs map[string]struct {
			Description string `yaml:"description"`
			Type        string `yaml:"type"`
			Default     any    `yaml:"default"`
			Options     []any  `yaml:"options"`
			Regex       string `yaml:"regex"`
		} `yaml:"inputs"`
	} `yaml:"spec"`
	jobs map[string]struct {
		Variables map[string]any `yaml:"variables"`
		Script    []string       `yaml:"script"`
	}
}

func components(t *testing.T) map[string]*component {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(root, "templates", "*.yml"))
	if len(paths) != 6 {
		t.Fatalf("templates/*.yml: %v, want affected, gate, notes, plan, release and status", paths)
	}
	all := map[string]*component{}
	for _, path := range paths {
		header, body, ok := strings.Cut(readFile(t, path), "\n---\n")
		if !ok {
			t.Fatalf("%s: no --- after the spec", path)
		}
		c := &component{}
		if err := yaml.Unmarshal([]byte(header), c); err != nil {
			t.Fatalf("%s: spec: %v", path, err)
		}
		var rest map[string]any
		if err := yaml.Unmarshal([]byte(header), &rest); err != nil || len(rest) != 1 {
			t.Errorf("%s: the header should hold spec: only, has %v", path, sortedKeys(rest))
		}
		if err := yaml.Unmarshal([]byte(body), &c.jobs); err != nil {
			t.Fatalf("%s: jobs: %v", path, err)
		}
		all[strings.TrimSuffix(filepath.Base(path), ".yml")] = c
	}
	return all
}

var flagInScript = regexp.MustCompile(`(?:^|[\s{+])--([a-z][a-z0-9-]*)`)

// TestComponentInputsMatchFlags keeps templates/<command>.yml in step with
// `ordo <command>`, as TestActionInputsMatchFlags does for the actions: each
// input is a flag (or a component-only input), reaches the jobs, and each
// flag is an input, passed by the script itself, or an exception above.
func TestComponentInputsMatchFlags(t *testing.T) {
	for name, c := range components(t) {
		t.Run(name, func(t *testing.T) {
			flags := commandFlags(t, name)
			var script strings.Builder
			vars := map[string]bool{}
			for job, j := range c.jobs {
				if !strings.Contains(job, "$[[ inputs.job_prefix ]]") {
					t.Errorf("job %q does not start with the job_prefix input", job)
				}
				for _, line := range j.Script {
					script.WriteString(line + "\n")
				}
				for k := range j.Variables {
					vars[k] = true
				}
			}
			covered := map[string]bool{}
			for _, m := range flagInScript.FindAllStringSubmatch(script.String(), -1) {
				covered[m[1]] = true
				if !slices.Contains(flags, m[1]) {
					t.Errorf("the script passes --%s, no flag of ordo %s", m[1], name)
				}
			}
			for in, spec := range c.Spec.Inputs {
				if strings.TrimSpace(spec.Description) == "" {
					t.Errorf("input %s has no description", in)
				}
				if len(spec.Options) > 0 && !slices.Contains(spec.Options, spec.Default) {
					t.Errorf("input %s: default %v is not one of its options %v", in, spec.Default, spec.Options)
				}
				if _, ok := componentOnlyInputs[in]; ok {
					continue
				}
				flag := componentInputFlags[in]
				if flag == "" {
					flag = strings.ReplaceAll(in, "_", "-")
				}
				if !slices.Contains(flags, flag) {
					t.Errorf("input %s is no flag of ordo %s (flags: %s)", in, name, strings.Join(flags, ", "))
				}
				v := "ORDO_INPUT_" + strings.ToUpper(in)
				if spec.Type == "boolean" {
					// GitLab would make a whole-value variable a boolean,
					// which variables: refuses: the script tests it.
					if vars[v] || !strings.Contains(script.String(), `"$[[ inputs.`+in+` ]]" = true`) {
						t.Errorf("boolean input %s must be tested in the script (\"$[[ inputs.%s ]]\" = true), not passed as %s", in, in, v)
					}
				} else if !vars[v] || !strings.Contains(script.String(), v) {
					t.Errorf("input %s does not reach the script as %s", in, v)
				}
				covered[flag] = true
			}
			for _, f := range flags {
				if _, ok := componentFlagExceptions[f]; !covered[f] && !ok {
					t.Errorf("flag --%s of ordo %s has no input: add one, or list it with a reason in componentFlagExceptions", f, name)
				}
			}
			if spec, ok := c.Spec.Inputs["format"]; ok {
				want := strings.Split(commandFormats(t, name), ",")
				for _, o := range spec.Options {
					if !slices.Contains(want, o.(string)) {
						t.Errorf("format option %v is not a format of ordo %s (%v)", o, name, want)
					}
				}
			}
		})
	}
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

var componentInputRef = regexp.MustCompile(`\$\[\[ *inputs\.[a-z_]+ *\]\]`)

// TestComponentScripts shellchecks the components' job scripts as POSIX sh,
// the shell of the ordo image (Alpine's): actionlint checks the workflows'
// scripts, nothing checks GitLab's.
func TestComponentScripts(t *testing.T) {
	shellcheck := tool(t, "ORDO_SHELLCHECK", "shellcheck")
	for name, c := range components(t) {
		for job, j := range c.jobs {
			if len(j.Script) == 0 {
				continue
			}
			// Boolean inputs are interpolated into the script as true or false:
			// shellcheck sees a variable, as it cannot know which.
			script := "#!/bin/sh\n" + componentInputRef.ReplaceAllString(strings.Join(j.Script, "\n"), "$$ORDO_INPUT") + "\n"
			cmd := exec.Command(shellcheck, "--shell=sh", "--severity=style", "-")
			cmd.Stdin = strings.NewReader(script)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("templates/%s.yml, job %s: shellcheck: %v\n%s\n%s", name, job, err, out, script)
			}
		}
	}
}
