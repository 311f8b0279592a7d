package plan

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/git/gittest"
	"github.com/ordo-ci/ordo/internal/testtool"
)

// gitlabCILocal returns the gitlab-ci-local executable named by
// ORDO_GITLAB_CI_LOCAL (see testtool for what happens without it).
func gitlabCILocal(tb testing.TB) string {
	tb.Helper()
	testtool.Find(tb, "", "git")
	return testtool.Find(tb, "ORDO_GITLAB_CI_LOCAL", "gitlab-ci-local")
}

// deployTemplate is the repository's deploy job; it prints what the child
// pipeline passed it.
const deployTemplate = `.ordo-deploy:
  variables:
    GIT_STRATEGY: none
  script:
    - echo "ordo-deploy service=$ORDO_SERVICE wave=$ORDO_WAVE cluster=$ORDO_CLUSTER region=$ORDO_REGION"
`

// ciLocal commits the child pipeline next to the deploy template in a new
// repository with an origin remote, as gitlab-ci-local expects, and runs
// gitlab-ci-local there with args. It fails the test if gitlab-ci-local
// fails and returns what it printed.
func ciLocal(tb testing.TB, bin string, pipeline []byte, args ...string) string {
	tb.Helper()
	r := gittest.New(tb)
	r.Git("remote", "add", "origin", "git@gitlab.example.com:shop/monorepo.git")
	r.Commit("ordo child pipeline", gittest.Files{
		".gitignore":              ".gitlab-ci-local/\n",
		DefaultTemplateFile:       deployTemplate,
		"child.yml":               string(pipeline),
		"services/users/README":   "users\n",
		"services/orders/main.go": "package main\n",
	})
	// Without a default remote branch gitlab-ci-local warns on every run.
	r.Git("update-ref", "refs/remotes/origin/main", "HEAD")
	r.Git("remote", "set-head", "origin", "main")

	cmd := exec.Command(bin, append([]string{"--file", "child.yml", "--color=false"}, args...)...)
	cmd.Dir = r.Dir
	cmd.Env = append(os.Environ(),
		"HOME="+tb.TempDir(), // no user-level gitlab-ci-local variables
		"GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1",
		"NO_COLOR=1", "FORCE_COLOR=0")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		tb.Fatalf("gitlab-ci-local %s: %v\n%s\n--- child.yml\n%s", strings.Join(args, " "), err, out.String(), pipeline)
	}
	return out.String()
}

// TestGitLabCILocal has gitlab-ci-local read the child pipelines ordo writes
// (the realistic plan, which has a critical service and runs by stages, the
// same without critical services, which runs by needs:, one past GitLab's
// needs limit, and the empty plan) and run them with its shell executor, as
// a branch pipeline and as a merge request pipeline, in which a child
// pipeline without workflow: rules would be empty.
func TestGitLabCILocal(t *testing.T) {
	t.Parallel()
	bin := gitlabCILocal(t)

	realistic := loadCatalog(t, "realistic.yaml")
	aff, err := affected.NewMatcher(realistic).Compute(affected.Input{Files: realisticChange})
	if err != nil {
		t.Fatal(err)
	}
	wide := fanIn(t, MaxNeeds+1)

	needsCat := loadCatalog(t, "realistic-needs.yaml")
	needsAff, err := affected.NewMatcher(needsCat).Compute(affected.Input{Files: realisticChange})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		plan *Plan
		mode gitlabMode
		run  bool
	}{
		{"realistic", New(realistic, aff, Options{}), modeStages, true},
		{"realistic with needs", New(needsCat, needsAff, Options{}), modeNeeds, true},
		{"stages fallback", New(wide, affectAll(wide), Options{}), modeStages, false},
		{"empty", New(realistic, nil, Options{}), modeNeeds, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var pipeline bytes.Buffer
			if err := tt.plan.GitLab(&pipeline, GitLabOptions{}); err != nil {
				t.Fatal(err)
			}
			checkGitLab(t, tt.plan, GitLabOptions{}, tt.mode, pipeline.Bytes())
			jobs := []string{NoopJob}
			if len(tt.plan.Jobs) > 0 {
				jobs = jobs[:0]
				for _, j := range tt.plan.Jobs {
					jobs = append(jobs, JobPrefix+j.Service)
				}
			}

			list := ciLocal(t, bin, pipeline.Bytes(), "--list")
			for _, job := range jobs {
				if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(job) + `\s`).MatchString(list) {
					t.Errorf("gitlab-ci-local --list does not show %s:\n%s", job, list)
				}
			}
			if !tt.run {
				return
			}

			for _, source := range []struct{ name, args string }{
				{"branch", ""},
				{"merge request", "--variable CI_PIPELINE_SOURCE=merge_request_event --variable CI_MERGE_REQUEST_IID=7 --variable CI_MERGE_REQUEST_EVENT_TYPE=detached"},
			} {
				t.Run(source.name, func(t *testing.T) {
					log := ciLocal(t, bin, pipeline.Bytes(), append(strings.Fields(source.args), "--shell-executor-no-image")...)
					checkLog(t, tt.plan, jobs, log)
				})
			}
		})
	}
}

// checkLog reads what gitlab-ci-local printed: every job passed, the empty
// plan's job said why, and the deploy jobs ran in the plan's order.
func checkLog(t *testing.T, p *Plan, jobs []string, log string) {
	t.Helper()
	if strings.Contains(log, " FAIL ") {
		t.Fatalf("a job failed:\n%s", log)
	}
	for _, job := range jobs {
		if !regexp.MustCompile(`(?m)^\s*PASS\s+` + regexp.QuoteMeta(job) + `\s*$`).MatchString(log) {
			t.Errorf("%s did not pass:\n%s", job, log)
		}
	}
	if len(p.Jobs) == 0 {
		if !strings.Contains(log, "ordo: nothing to deploy") {
			t.Errorf("the no-op job did not say why:\n%s", log)
		}
		return
	}
	checkRun(t, p, log)
}

// checkRun reads gitlab-ci-local's log: each job got its variables, and no
// job started before the jobs it needs had finished.
func checkRun(tb testing.TB, p *Plan, log string) {
	tb.Helper()
	pos := func(pattern string) int {
		loc := regexp.MustCompile(pattern).FindStringIndex(log)
		if loc == nil {
			tb.Fatalf("no %q in the log:\n%s", pattern, log)
		}
		return loc[0]
	}
	for _, j := range p.Jobs {
		name := regexp.QuoteMeta(JobPrefix + j.Service)
		want := "ordo-deploy service=" + j.Service + " wave=" + strconv.Itoa(j.Wave) +
			" cluster=" + j.With["cluster"] + " region=" + j.With["region"]
		pos(`(?m)^` + name + `\s+> ` + regexp.QuoteMeta(want) + `$`)
		started := pos(`(?m)^` + name + `\s+starting`)
		for _, a := range j.After {
			if done := pos(`(?m)^` + regexp.QuoteMeta(JobPrefix+a) + `\s+finished`); done > started {
				tb.Errorf("%s started before %s%s finished", JobPrefix+j.Service, JobPrefix, a)
			}
		}
	}
}
