package plan

import (
	"fmt"
	"strings"

	"github.com/ordo-ci/ordo/internal/exit"
)

// A plan of an environment (plan --env) deploys each service in the GitLab
// environment <env>/<service>, one deployment at a time, and records what it
// deploys: the deploy jobs call ordo env record before and after the user's
// script, reading the plan file, which a first job of each child pipeline
// takes from the parent's plan job.
// https://docs.gitlab.com/ci/environments/
// https://docs.gitlab.com/ci/resource_groups/

// PlanFileJob is the job, in stage .pre of each child pipeline of an
// environment's plan, that passes the plan file on to the deploy jobs: the
// parent's artifacts reach a child pipeline only through needs: pipeline:,
// and a job with needs: no longer waits for the stages before it, so the
// deploy jobs take the file from this job instead, by stage or by needs.
const PlanFileJob = "ordo-plan-file"

// maxEnvironmentName is the longest environment name and resource_group key
// GitLab takes.
const maxEnvironmentName = 255

// EnvironmentName is the GitLab environment of service's deploy job to env:
// env/service, a folder per catalog environment in GitLab's list. Catalog
// names are [a-z0-9][a-z0-9._-]*, which GitLab takes in both (letters,
// digits, spaces, - _ / . $ { }, not starting or ending with /).
// https://docs.gitlab.com/ci/yaml/#environmentname
func EnvironmentName(env, service string) string { return env + "/" + service }

// envJob is what an environment's plan adds to every deploy job.
type envJob struct {
	env, tier, planFile, config, templateFile string
	// rollback: the pipeline is a rollback's (GitLabOptions.Rollback),
	// which writes flagsFile at its end when set.
	rollback  bool
	flagsFile string
	// keepBefore and keepAfter: the template's own before_script and
	// after_script, which the deploy job's would otherwise replace
	// (extends: merges mappings but not lists), run beside ordo's.
	keepBefore, keepAfter bool
}

func (p *Plan) envJob(o GitLabOptions) (*envJob, error) {
	if p.Env == "" {
		return nil, nil
	}
	if o.PlanFile == "" || o.PlanJob == "" {
		return nil, exit.BadInputf("an environment's plan needs GitLabOptions.PlanFile and PlanJob: its deploy jobs record what they deploy from the plan file, an artifact of the plan job")
	}
	if err := checkTemplateFile(o.PlanFile); err != nil {
		return nil, exit.BadInputf("plan file %q is not a file inside the project directory, where the child pipeline's jobs read it", o.PlanFile)
	}
	for _, j := range p.Jobs {
		if name := EnvironmentName(p.Env, j.Service); len(name) > maxEnvironmentName {
			return nil, exit.BadInputf("service %q: the GitLab environment %q is longer than GitLab's %d characters: shorten the service or environment name",
				j.Service, name, maxEnvironmentName)
		}
	}
	return &envJob{env: p.Env, tier: o.Tier, planFile: o.PlanFile, config: o.Config, templateFile: o.TemplateFile, rollback: o.Rollback, flagsFile: o.FlagsFile,
		keepBefore: o.TemplateBeforeScript, keepAfter: o.TemplateAfterScript}, nil
}

// variables are the deploy job's variables besides ORDO_SERVICE and
// ORDO_WAVE: what the user's script deploys, and where the record calls find
// the plan.
func (ej *envJob) variables(j Job, release string) []variable {
	if ej == nil {
		return nil
	}
	return []variable{{name: "ORDO_ENV", value: ej.env}, {name: "ORDO_SHA", value: j.SHA}, {name: "ORDO_VERSION", value: j.Version},
		{name: "ORDO_RELEASE", value: release}, {name: "ORDO_PLAN_FILE", value: ej.planFile}}
}

// keys writes the deploy job's environment:, its resource_group (when the
// service has no lock, whose group already keeps the service's deployments
// apart) and the record calls around the user's script.
func (ej *envJob) keys(e *emitter, j Job, template string) {
	e.key(2, "environment")
	e.pair(4, "name", EnvironmentName(ej.env, j.Service))
	if ej.tier != "" {
		e.pair(4, "deployment_tier", ej.tier)
	}
	if j.Lock == "" {
		e.pair(2, "resource_group", resourceGroup(EnvironmentName(ej.env, j.Service)))
	}
	record := ej.ordo("env record", `--plan-file "$ORDO_PLAN_FILE" --service "$ORDO_SERVICE" --state`)
	e.key(2, "before_script")
	e.item(4, `command -v ordo >/dev/null || { echo "ordo: this deploy job records what it deploys with ordo, which is not on PATH: run it in an image with ordo and git (ghcr.io/ordo-ci/ordo has both)" >&2; exit 1; }`)
	if !ej.rollback {
		e.item(4, record+" in_progress")
	}
	if ej.keepBefore {
		e.reference(4, template, "before_script")
	}
	// after_script runs whatever the script did; CI_JOB_STATUS says what
	// (success, failed or canceled). ordo's call comes first: a failing
	// command ends after_script.
	// https://docs.gitlab.com/ci/yaml/#after_script
	e.key(2, "after_script")
	if ej.rollback {
		e.item(4, ej.rollbackRecord())
	} else {
		e.item(4, `if [ "$CI_JOB_STATUS" = success ]; then state=success; else state=failure; fi; `+record+` "$state"`)
	}
	if ej.keepAfter {
		e.reference(4, template, "after_script")
	}
}

// planFileJob writes the job that takes the plan file from the parent's
// plan job (for a split plan, from the plan job of the pipeline at the top).
func (ej *envJob) planFileJob(e *emitter, o GitLabOptions, release string) {
	e.quotedKey(0, PlanFileJob)
	e.pair(2, "stage", ".pre")
	e.key(2, "needs")
	parent := "$ORDO_PARENT_PIPELINE_ID"
	if ej.rollback {
		parent = "$" + RollbackParentVar
	}
	e.pair(4, "- pipeline", parent)
	e.pair(6, "job", o.PlanJob)
	e.key(2, "variables")
	e.pair(4, "GIT_STRATEGY", "none")
	e.key(2, "script")
	e.item(4, fmt.Sprintf("echo %s", shellQuote(fmt.Sprintf("ordo: release %s to %s, plan %s", release, ej.env, ej.planFile))))
	e.key(2, "artifacts")
	e.key(4, "paths")
	e.item(6, ej.planFile)
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
