package plan

import (
	"bytes"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/golden"
)

// envPlan is the realistic plan (realisticNeeds: by needs; else by stages)
// of release r-1 to staging at head.
func envPlan(tb testing.TB, catalogFile string) *Plan {
	tb.Helper()
	cat := loadCatalog(tb, catalogFile)
	aff, err := affected.NewMatcher(cat).Compute(affected.Input{Files: realisticChange})
	if err != nil {
		tb.Fatal(err)
	}
	p := New(cat, aff, Options{})
	versions := map[string]string{}
	for _, s := range p.Deploy {
		versions[s] = "1.2.0+0123456789ab"
	}
	p.SetEnv("staging", "staging-20261129T091500Z-0a1b2c3d", "0123456789abcdef0123456789abcdef01234567",
		map[string]Base{"orders": {SHA: "fedcba9876543210fedcba9876543210fedcba98", Version: "1.1.0"}}, versions)
	return p
}

var envOptions = GitLabOptions{PlanFile: "ordo-plan.json", PlanJob: "ordo-plan", Tier: "staging"}

// TestGitLabEnvGolden writes the child pipeline of an environment's plan,
// by stages and by needs: each deploy job runs in the environment
// staging/<service> with its tier, in a resource_group of its own unless a
// lock gives it one, records in_progress before the user's script and the
// job's outcome after it, and takes the plan file from ordo-plan-file.
// gitlab-ci-local reads the pipeline (the e2e tests run it).
func TestGitLabEnvGolden(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		catalog string
		mode    gitlabMode
	}{{"realistic.yaml", modeStages}, {"realistic-needs.yaml", modeNeeds}} {
		name := strings.TrimSuffix(tt.catalog, ".yaml") + "-env"
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := envPlan(t, tt.catalog)
			var b bytes.Buffer
			if err := p.GitLab(&b, envOptions); err != nil {
				t.Fatal(err)
			}
			checkGitLab(t, p, envOptions, tt.mode, b.Bytes())
			golden.Check(t, filepath.Join("testdata", name+".gitlab.yml"), b.Bytes())
			list := ciLocal(t, gitlabCILocal(t), b.Bytes(), "--list")
			for _, job := range append([]string{PlanFileJob}, p.Deploy...) {
				if job != PlanFileJob {
					job = JobPrefix + job
				}
				if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(job) + `\s`).MatchString(list) {
					t.Errorf("gitlab-ci-local --list does not show %s:\n%s", job, list)
				}
			}
		})
	}
}

// TestGitLabEnvTemplateScripts: a template's own before_script and
// after_script run too, after ordo's record calls, through !reference, and a
// catalog elsewhere is passed to them.
func TestGitLabEnvTemplateScripts(t *testing.T) {
	t.Parallel()
	p := envPlan(t, "realistic-needs.yaml")
	o := envOptions
	o.TemplateBeforeScript, o.TemplateAfterScript, o.Config = true, true, "deploy/it's ordo.yaml"
	var b bytes.Buffer
	if err := p.GitLab(&b, o); err != nil {
		t.Fatal(err)
	}
	job := JobPrefix + p.Jobs[0].Service
	text := b.String()
	start := strings.Index(text, "\n\""+job+"\":")
	end := strings.Index(text[start+1:], "\n\"")
	body := text[start : start+1+end]
	for _, want := range []string{
		`  before_script:
    - "command -v ordo`,
		`
    - "ordo env record --config 'deploy/it'\\''s ordo.yaml' --plan-file \"$ORDO_PLAN_FILE\" --service \"$ORDO_SERVICE\" --state in_progress"
    - !reference [".ordo-deploy", "before_script"]
  after_script:
    - "if [ \"$CI_JOB_STATUS\" = success ]; then state=success; else state=failure; fi; ordo env record --config 'deploy/it'\\''s ordo.yaml' --plan-file \"$ORDO_PLAN_FILE\" --service \"$ORDO_SERVICE\" --state \"$state\""
    - !reference [".ordo-deploy", "after_script"]
`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("%s lacks\n%s\n--- job\n%s", job, want, body)
		}
	}
}

// TestGitLabEnvErrors: an environment's plan needs the plan file and the
// plan job, and names GitLab takes.
func TestGitLabEnvErrors(t *testing.T) {
	t.Parallel()
	p := envPlan(t, "realistic.yaml")
	for _, tt := range []struct {
		name string
		o    GitLabOptions
		p    func(*Plan)
		want string
	}{
		{"no plan file", GitLabOptions{PlanJob: "ordo-plan"}, nil, "needs GitLabOptions.PlanFile and PlanJob"},
		{"no plan job", GitLabOptions{PlanFile: "plan.json"}, nil, "needs GitLabOptions.PlanFile and PlanJob"},
		{"plan file outside", GitLabOptions{PlanFile: "../plan.json", PlanJob: "ordo-plan"}, nil, "inside the project directory"},
		{"long environment", envOptions, func(p *Plan) { p.Env = strings.Repeat("e", 250) }, "longer than GitLab's 255 characters"},
		{"with key of ordo's", envOptions, func(p *Plan) { p.Jobs[0].With = map[string]string{"sha": "x"} }, "ORDO_SHA, which ordo sets itself"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q := *p
			q.Jobs = slices.Clone(p.Jobs)
			if tt.p != nil {
				tt.p(&q)
			}
			_, _, err := q.GitLabFiles(tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one saying %q", err, tt.want)
			}
			if !exit.Classified(err) || exit.Code(err) != exit.BadInput {
				t.Errorf("err = %v exits %d, want %d", err, exit.Code(err), exit.BadInput)
			}
		})
	}
}

// TestGitLabEnvSplit: every part of a split environment's plan has its
// ordo-plan-file job (counted in the part's jobs), and the part's trigger
// passes the top pipeline's id down, where the plan file is.
func TestGitLabEnvSplit(t *testing.T) {
	t.Parallel()
	p := envPlan(t, "realistic.yaml")
	o := envOptions
	o.File, o.MaxJobs = "child.yml", 4
	files, _, err := p.GitLabFiles(o)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("%d files, want a split plan", len(files))
	}
	var first map[string]any
	if err := yaml.Unmarshal(files[0].Data, &first); err != nil {
		t.Fatal(err)
	}
	for i := range files[1:] {
		trigger, _ := first[PartJob(i+1)].(map[string]any)
		if vars, _ := trigger["variables"].(map[string]any); vars["ORDO_PARENT_PIPELINE_ID"] != "$ORDO_PARENT_PIPELINE_ID" {
			t.Errorf("%s does not pass ORDO_PARENT_PIPELINE_ID down: %v", PartJob(i+1), trigger)
		}
	}
	deployed := 0
	for _, f := range files[1:] {
		var doc map[string]any
		if err := yaml.Unmarshal(f.Data, &doc); err != nil {
			t.Fatal(err)
		}
		jobs := 0
		for name := range doc {
			if strings.HasPrefix(name, JobPrefix) {
				jobs++
			}
		}
		deployed += jobs
		if doc[PlanFileJob] == nil || jobs+1 > o.MaxJobs {
			t.Errorf("%s: %d deploy jobs and %s: %v; want it, and at most %d jobs in all", f.Name, jobs, PlanFileJob, doc[PlanFileJob] != nil, o.MaxJobs)
		}
	}
	if deployed != len(p.Jobs) {
		t.Errorf("%d deploy jobs in the parts, want %d", deployed, len(p.Jobs))
	}
}

// GitLab's rules for the names ordo gives environments and resource groups:
// letters, digits, spaces, - _ / . $ { }, not starting or ending with /, at
// most 255 characters (GitLab's Gitlab::Regex.environment_name_regex, which
// resource_group keys share).
// https://docs.gitlab.com/ci/yaml/#environmentname
// https://docs.gitlab.com/ci/yaml/#resource_group
// GitHub's, for the environment the GitHub deploy jobs run in (the catalog
// environment's own name): at most 255 characters, not case sensitive.
// https://docs.github.com/en/actions/reference/workflows-and-actions/deployments-and-environments#environments
var (
	gitlabEnvironmentName = regexp.MustCompile(`^[a-zA-Z0-9_/${}. -]+$`)
	catalogName           = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`) // catalog.nameRE
)

func gitlabNameOK(s string) bool {
	return gitlabEnvironmentName.MatchString(s) && !strings.HasPrefix(s, "/") && !strings.HasSuffix(s, "/") && len(s) <= maxEnvironmentName
}

// TestForgeNames holds the names ordo writes to GitLab's and GitHub's
// rules: every catalog name makes a valid GitLab environment and
// resource_group (locks are free text and are made valid), and no two
// catalog environments, which are lower case, are one GitHub environment.
func TestForgeNames(t *testing.T) {
	t.Parallel()
	names := []string{"a", "0", "staging", "prod-eu.1", "x_y", strings.Repeat("s", 120)}
	for _, env := range names {
		for _, svc := range names {
			if !catalogName.MatchString(env) || !catalogName.MatchString(svc) {
				t.Fatalf("%q or %q is not a catalog name", env, svc)
			}
			name := EnvironmentName(env, svc)
			if !gitlabNameOK(name) || !gitlabNameOK(resourceGroup(name)) {
				t.Errorf("environment %q, resource_group %q: not a GitLab name", name, resourceGroup(name))
			}
			if resourceGroup(name) != name {
				t.Errorf("resource_group %q changed the environment's name %q", resourceGroup(name), name)
			}
		}
	}
	for _, lock := range []string{"db primary", "/db/", "a$b{c}", "ü", "x\ny", "db:1"} {
		if rg := resourceGroup(lock); !gitlabNameOK(rg) || strings.ContainsAny(rg, "${}") {
			t.Errorf("lock %q: resource_group %q is not a GitLab name, or would expand a variable", lock, rg)
		}
	}
	for _, env := range names {
		if strings.ToLower(env) != env || len(env) > 255 {
			t.Errorf("catalog environment %q is not a GitHub environment of its own", env)
		}
	}
}

// checkPlanFileJob: the job takes the plan file from the parent's plan job
// and passes it on as an artifact, without a clone.
func checkPlanFileJob(tb testing.TB, doc map[string]any, o GitLabOptions) {
	tb.Helper()
	job, _ := doc[PlanFileJob].(map[string]any)
	if job == nil {
		tb.Errorf("no %s job in an environment's child pipeline", PlanFileJob)
		return
	}
	needs, _ := job["needs"].([]any)
	nd, _ := needs[0].(map[string]any)
	if job["stage"] != ".pre" || len(needs) != 1 || nd["pipeline"] != "$ORDO_PARENT_PIPELINE_ID" || nd["job"] != o.PlanJob {
		tb.Errorf("%s: stage %v, needs %v; want .pre and the parent's %s", PlanFileJob, job["stage"], needs, o.PlanJob)
	}
	art, _ := job["artifacts"].(map[string]any)
	if paths, _ := art["paths"].([]any); len(paths) != 1 || paths[0] != o.PlanFile {
		tb.Errorf("%s: artifacts %v, want %s", PlanFileJob, art, o.PlanFile)
	}
}

// checkEnvJob: the deploy job's environment, variables and record calls.
func checkEnvJob(tb testing.TB, p *Plan, o GitLabOptions, j Job, job map[string]any) {
	tb.Helper()
	name := JobPrefix + j.Service
	env, _ := job["environment"].(map[string]any)
	if env["name"] != p.Env+"/"+j.Service || env["deployment_tier"] != o.Tier || len(env) != 2 {
		tb.Errorf("%s: environment %v, want {name: %s/%s, deployment_tier: %s}", name, env, p.Env, j.Service, o.Tier)
	}
	vars, _ := job["variables"].(map[string]any)
	for k, v := range map[string]string{"ORDO_ENV": p.Env, "ORDO_SHA": j.SHA, "ORDO_VERSION": j.Version, "ORDO_RELEASE": p.Release, "ORDO_PLAN_FILE": o.PlanFile} {
		if vars[k] != v || v == "" {
			tb.Errorf("%s: %s = %v, want %q", name, k, vars[k], v)
		}
	}
	before, _ := job["before_script"].([]any)
	after, _ := job["after_script"].([]any)
	record := `ordo env record --plan-file "$ORDO_PLAN_FILE" --service "$ORDO_SERVICE" --state`
	if len(before) != 2 || before[1] != record+" in_progress" {
		tb.Errorf("%s: before_script %q, want the check for ordo and %s in_progress", name, before, record)
	}
	if len(after) != 1 || !strings.HasSuffix(after[0].(string), record+` "$state"`) || !strings.Contains(after[0].(string), `"$CI_JOB_STATUS" = success`) {
		tb.Errorf("%s: after_script %q, want the job's outcome recorded", name, after)
	}
}
