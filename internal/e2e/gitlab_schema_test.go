package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ordo-ci/ordo/internal/cli"
)

// GitLab's checks that gitlab-ci-local does not make, held offline: the
// components are interpolated as GitLab interpolates them, and the result,
// like every child pipeline ordo writes, must pass the JSON schema of
// .gitlab-ci.yml that GitLab's pipeline editor uses (gitlab-ci-local ships
// it) and GitLab's own rule that variables: values are strings.
// https://docs.gitlab.com/ci/inputs/#define-input-parameters-with-specinputs
// https://gitlab.com/gitlab-org/gitlab/-/blob/master/app/assets/javascripts/editor/schema/ci.json

var (
	ciSchemaOnce sync.Once
	ciSchema     *jsonschema.Schema
	ciSchemaErr  error
)

// gitlabCISchema compiles the schema bundled in gitlab-ci-local's
// dist/index.js, where it is a JavaScript object literal: the literal is cut
// out by its braces and turned into JSON by node, which runs gitlab-ci-local
// anyway.
func gitlabCISchema(tb testing.TB) *jsonschema.Schema {
	tb.Helper()
	gcl := tool(tb, "ORDO_GITLAB_CI_LOCAL", "gitlab-ci-local")
	node := tool(tb, "ORDO_NODE", "node")
	ciSchemaOnce.Do(func() {
		ciSchema, ciSchemaErr = loadCISchema(gcl, node)
	})
	if ciSchemaErr != nil {
		tb.Fatal(ciSchemaErr)
	}
	return ciSchema
}

func loadCISchema(gcl, node string) (*jsonschema.Schema, error) {
	script, err := filepath.EvalSymlinks(gcl)
	if err != nil {
		return nil, err
	}
	src, err := os.ReadFile(script)
	if err != nil {
		return nil, err
	}
	const start = `{$schema:"http://json-schema.org/draft-07/schema#",$id:"https://gitlab.com/.gitlab-ci.yml"`
	i := bytes.Index(src, []byte(start))
	if i < 0 {
		return nil, fmt.Errorf("%s: no .gitlab-ci.yml schema (%s...)", script, start)
	}
	literal, err := objectLiteral(src[i:])
	if err != nil {
		return nil, fmt.Errorf("%s: %v", script, err)
	}
	cmd := exec.Command(node, "-e", `let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.stringify(eval("("+s+")"))))`)
	cmd.Stdin = bytes.NewReader(literal)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	js, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("node: %v\n%s", err, stderr.String())
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("https://gitlab.com/.gitlab-ci.yml", doc); err != nil {
		return nil, err
	}
	return c.Compile("https://gitlab.com/.gitlab-ci.yml")
}

// objectLiteral returns the JavaScript object literal at the start of src,
// up to its closing brace, skipping braces inside strings.
func objectLiteral(src []byte) ([]byte, error) {
	depth := 0
	var quote byte
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			quote = c
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return src[:i+1], nil
			}
		}
	}
	return nil, fmt.Errorf("the schema's object literal does not end")
}

// validatePipeline checks a pipeline document as GitLab would: against the
// schema, and every variables: value a string (GitLab: "variable definition
// must be either a string or a hash").
func validatePipeline(tb testing.TB, schema *jsonschema.Schema, name string, doc any) {
	tb.Helper()
	js, err := json.Marshal(doc)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		tb.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		tb.Errorf("%s does not pass GitLab's CI schema: %v\n%s", name, err, js)
	}
	top, _ := doc.(map[string]any)
	for job, v := range top {
		def, ok := v.(map[string]any)
		if !ok {
			continue
		}
		vars, _ := def["variables"].(map[string]any)
		for k, val := range vars {
			if m, ok := val.(map[string]any); ok {
				val = m["value"]
			}
			if _, ok := val.(string); !ok {
				tb.Errorf("%s: %s: variable %s is %T %v, GitLab takes only strings here", name, job, k, val, val)
			}
		}
	}
}

// interpolation is $[[ inputs.x ]] or $[[ component.x ]].
var interpolation = regexp.MustCompile(`\$\[\[\s*(inputs|component)\.([A-Za-z0-9_-]+)\s*\]\]`)

// interpolate does what GitLab does to a component's body after parsing it:
// a string that is one interpolation and nothing else becomes the input's
// value with its type (a boolean stays a boolean, quotes or not); inside a
// longer string the value is written as text. Keys are strings.
func interpolate(tb testing.TB, v any, inputs map[string]any, version string) any {
	tb.Helper()
	value := func(kind, name string) any {
		if kind == "component" {
			if name != "version" {
				tb.Fatalf("$[[ component.%s ]] is not in the spec", name)
			}
			return version
		}
		x, ok := inputs[name]
		if !ok {
			tb.Fatalf("$[[ inputs.%s ]]: no such input", name)
		}
		return x
	}
	switch v := v.(type) {
	case string:
		if m := interpolation.FindStringSubmatch(v); m != nil && m[0] == v {
			return value(m[1], m[2])
		}
		return interpolation.ReplaceAllStringFunc(v, func(s string) string {
			m := interpolation.FindStringSubmatch(s)
			x := value(m[1], m[2])
			if _, ok := x.(string); !ok {
				if _, isList := x.([]any); isList {
					tb.Fatalf("%q: an array input inside a string", v)
				}
			}
			return fmt.Sprint(x)
		})
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[interpolate(tb, k, inputs, version).(string)] = interpolate(tb, x, inputs, version)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = interpolate(tb, x, inputs, version)
		}
		return out
	}
	return v
}

// componentInputs returns the inputs a component gets by default, with
// overrides applied, checked against their declared types as GitLab checks
// them.
func componentInputs(tb testing.TB, c *component, overrides map[string]any) map[string]any {
	tb.Helper()
	in := map[string]any{}
	for name, spec := range c.Spec.Inputs {
		x, ok := overrides[name]
		if !ok {
			x = spec.Default
		}
		want := spec.Type
		if want == "" {
			want = "string"
		}
		var got string
		switch x.(type) {
		case string:
			got = "string"
		case bool:
			got = "boolean"
		case []any:
			got = "array"
		case uint64, int64, float64, int:
			got = "number"
		}
		if got != want {
			tb.Fatalf("input %s: %T %v is not a %s", name, x, x, want)
		}
		if spec.Regex != "" {
			if s, ok := x.(string); ok && !regexp.MustCompile(spec.Regex).MatchString(s) {
				tb.Fatalf("input %s: %q does not match %s", name, s, spec.Regex)
			}
		}
		in[name] = x
	}
	return in
}

// TestComponentsInterpolateAsGitLab interpolates every component, with its
// defaults and with every boolean input turned, as GitLab would when it is
// included at version 1.2.3, and validates what GitLab would get.
func TestComponentsInterpolateAsGitLab(t *testing.T) {
	schema := gitlabCISchema(t)
	for name, c := range components(t) {
		t.Run(name, func(t *testing.T) {
			header, body, _ := strings.Cut(readFile(t, filepath.Join(root, "templates", name+".yml")), "\n---\n")
			var spec any
			if err := yaml.Unmarshal([]byte(header), &spec); err != nil {
				t.Fatal(err)
			}
			// spec: component: (GitLab 18.6) is newer than the schema that
			// gitlab-ci-local ships: it is checked here, the rest there.
			// https://docs.gitlab.com/ci/inputs/#component-context
			sp := spec.(map[string]any)["spec"].(map[string]any)
			if ctx, _ := sp["component"].([]any); !slices.Equal(ctx, []any{"version"}) {
				t.Errorf("spec: component: %v, want [version], which the image's tag uses", sp["component"])
			}
			delete(sp, "component")
			validatePipeline(t, schema, "templates/"+name+".yml's spec", spec)
			var doc any
			if err := yaml.Unmarshal([]byte(body), &doc); err != nil {
				t.Fatal(err)
			}
			turned := map[string]any{"job_prefix": "staging-", "config": "deploy/ordo.yaml"}
			for in, spec := range c.Spec.Inputs {
				if spec.Type == "boolean" {
					turned[in] = spec.Default != true
				}
			}
			for _, set := range []map[string]any{{}, turned} {
				keys := slices.Sorted(maps.Keys(set))
				got := interpolate(t, doc, componentInputs(t, c, set), "1.2.3")
				validatePipeline(t, schema, fmt.Sprintf("templates/%s.yml with %v", name, keys), got)
				for job, def := range got.(map[string]any) {
					img, _ := def.(map[string]any)["image"].(map[string]any)
					if img != nil && img["name"] != "ghcr.io/ordo-ci/ordo:1.2.3" {
						t.Errorf("%s: image %v, want the image of the component's version", job, img["name"])
					}
				}
			}
		})
	}
}

// TestChildPipelinesPassGitLabSchema writes child pipelines with ordo plan
// --format gitlab (a plan, an empty plan, and a plan of 600 services that is
// split) and validates each file against GitLab's schema.
func TestChildPipelinesPassGitLabSchema(t *testing.T) {
	schema := gitlabCISchema(t)
	// The schema can say no: a job that runs "sometimes", needs without a
	// job, a trigger with an unknown strategy.
	for _, bad := range []string{
		`{"x": {"script": ["true"], "when": "sometimes"}}`,
		`{"x": {"script": ["true"], "needs": [{"optional": true}]}}`,
		`{"x": {"trigger": {"include": [{"artifact": "a.yml", "job": "p"}], "strategy": "later"}}}`,
	} {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		if schema.Validate(inst) == nil {
			t.Errorf("GitLab's schema accepts %s", bad)
		}
	}
	dir := t.TempDir()
	var cat, all strings.Builder
	cat.WriteString("version: 1\nservices:\n  db: {kind: migration, paths: [db/**], lock: primary}\n  api: {paths: [api/**], depends_on: [db], with: {cluster: eu-1, note: \"$HOME yes\"}}\n")
	for i := range 600 {
		fmt.Fprintf(&cat, "  svc-%03d: {paths: [svc/%03d/**], depends_on: [api]}\n", i, i)
		fmt.Fprintf(&all, "svc/%03d/x\n", i)
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ordo.yaml", cat.String())
	write("small.txt", "api/main.go\ndb/1.sql\n")
	write("none.txt", "README\n")
	write("large.txt", "db/1.sql\n"+all.String())
	for _, change := range []string{"small", "none", "large"} {
		t.Run(change, func(t *testing.T) {
			out := filepath.Join(dir, change+"-child.yml")
			var stdout, stderr bytes.Buffer
			getenv := func(k string) string { return map[string]string{"CI_JOB_NAME": "ordo-plan"}[k] }
			if code := cli.Run(context.Background(), []string{"plan", "-C", dir, "--files", filepath.Join(dir, change+".txt"), "--format", "gitlab", "--output", out},
				cli.IO{In: strings.NewReader(""), Out: &stdout, Err: &stderr}, getenv); code != 0 {
				t.Fatalf("ordo plan: exit %d\n%s", code, stderr.String())
			}
			files, _ := filepath.Glob(filepath.Join(dir, change+"-child*.yml"))
			if change == "large" && len(files) < 3 {
				t.Errorf("600 jobs in %d files, want a first pipeline and at least two parts:\n%s", len(files), stderr.String())
			}
			for _, f := range files {
				var doc any
				if err := yaml.Unmarshal([]byte(readFile(t, f)), &doc); err != nil {
					t.Fatal(err)
				}
				validatePipeline(t, schema, filepath.Base(f), doc)
				if wf, _ := doc.(map[string]any)["workflow"].(map[string]any); wf["rules"] == nil {
					t.Errorf("%s has no workflow: rules: its jobs would not run in a merge request pipeline", filepath.Base(f))
				}
			}
		})
	}
}
