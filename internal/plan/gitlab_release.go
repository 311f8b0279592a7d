package plan

import (
	"fmt"
	"strconv"
)

// An environment's child pipeline conducts the release, as the reusable
// GitHub workflow does: after each wave's deploy jobs a verify job (ordo
// verify: the checks and the breaker) that the next wave waits for; when a
// deploy or a verification fails, a job that plans the way back (ordo
// rollback --format gitlab) and a trigger job that runs it as a child
// pipeline of its own, newest wave first, each rollback job in the deploy
// job's resource_group; and a last job that reports the release. Chat
// messages (ordo notify) go to the webhooks whose URLs are in the variables
// that ORDO_SLACK_WEBHOOK_VAR and ORDO_TEAMS_WEBHOOK_VAR name, and
// ORDO_FLAGS_FILE, when set, is written (ordo flags) after each verified
// wave and after the rollback, as an artifact: the plan component's trigger
// job passes these variables down.
const (
	// RollbackPlanJob plans the way back, when a job before it failed
	// (with needs:, one per wave: RollbackPlanJob + "-wave-<i>"; no colon,
	// which gitlab-ci-local's trigger: include: artifact: cannot find).
	RollbackPlanJob = "ordo-rollback-plan"
	// RollbackJob runs the rollback's child pipeline (likewise).
	RollbackJob = "ordo-rollback"
	// ReportJob reports the release, whatever happened.
	ReportJob = "ordo-report"
	// RollbackFile is the rollback's child pipeline, an artifact of RollbackPlanJob.
	RollbackFile = "ordo-rollback.yml"
	// RollbackParentVar names the pipeline whose RollbackPlanJob holds the
	// plan file, for the rollback pipeline's PlanFileJob: a variable of its
	// own, since the pipeline variable ORDO_PARENT_PIPELINE_ID that the
	// release's pipeline got from its parent would take precedence.
	RollbackParentVar = "ORDO_ROLLBACK_PARENT_PIPELINE_ID"
)

// VerifyJob is the verify job of wave i.
func VerifyJob(i int) string { return "verify:wave-" + strconv.Itoa(i) }

// VerifyStage is the stage of wave i's verify job when the wave has more
// services than the job can need; otherwise the job is in the wave's stage
// and needs them (GitLab takes needs: within a stage). Fewer stages also
// keep gitlab-ci-local, which walks every path back through the stages,
// fast.
func VerifyStage(i int) string { return "verify-" + strconv.Itoa(i) }

// smallWave: wave i's verify job, and with needs its rollback jobs, can
// need every deploy job of the wave, PlanFileJob and the verify job.
func (p *Plan) smallWave(i int) bool { return len(p.Waves[i].Services) <= MaxNeeds-2 }

// notifyFunc defines ordo_notify FILE in a job's script: it posts FILE to
// each webhook configured, and a message that cannot be sent is a warning.
const notifyFunc = `ordo_notify() { ` +
	`if [ -n "${ORDO_SLACK_WEBHOOK_VAR:-}" ]; then ordo notify --slack-webhook-env "$ORDO_SLACK_WEBHOOK_VAR" --from "$1" || echo "ordo: warning: the Slack message was not sent"; fi; ` +
	`if [ -n "${ORDO_TEAMS_WEBHOOK_VAR:-}" ]; then ordo notify --teams-webhook-env "$ORDO_TEAMS_WEBHOOK_VAR" --from "$1" || echo "ordo: warning: the Teams message was not sent"; fi; }`

// ordo returns the command line of ordo's command cmd with the catalog and args.
func (ej *envJob) ordo(cmd, args string) string {
	line := "ordo " + cmd
	if ej.config != "" {
		line += " --config " + shellQuote(ej.config)
	}
	return line + " " + args
}

// flagsLine writes the flags file when ORDO_FLAGS_FILE is set.
func (ej *envJob) flagsLine() string {
	return `if [ -n "${ORDO_FLAGS_FILE:-}" ]; then mkdir -p "$(dirname "$ORDO_FLAGS_FILE")" && ` +
		ej.ordo("flags", `--env "$ORDO_ENV" --output "$ORDO_FLAGS_FILE"`) + `; fi`
}

// helperJob starts a job of ordo's own that runs in the template's image
// (with ordo and git, and its runner tags) but none of its scripts. A
// template's environment: would apply too (GitLab's schema refuses null,
// which would unset it): the deploy jobs set their own, so templates have
// none.
func (ej *envJob) helperJob(e *emitter, name, stage, template, release string) {
	e.quotedKey(0, name)
	e.pair(2, "extends", template)
	e.pair(2, "stage", stage)
	e.b = append(e.b, "  before_script: []\n  after_script: []\n"...)
	e.key(2, "variables")
	e.pair(4, "ORDO_ENV", ej.env)
	e.pair(4, "ORDO_RELEASE", release)
	e.pair(4, "ORDO_PLAN_FILE", ej.planFile)
}

// verifyJob writes wave i's verify job; needs, when not nil, are its needs:
// the wave's deploy jobs (optional: the template's rules may drop one).
func (ej *envJob) verifyJob(e *emitter, i int, template, release string, needs []string) {
	stage := VerifyStage(i)
	if needs != nil {
		stage = StageName(i)
	}
	ej.helperJob(e, VerifyJob(i), stage, template, release)
	if needs != nil {
		e.key(2, "needs")
		e.item(4, PlanFileJob)
		for _, n := range needs {
			e.pair(4, "- job", n)
			e.b = append(e.b, "      optional: true\n"...)
		}
	}
	e.key(2, "script")
	e.item(4, notifyFunc)
	e.item(4, ej.ordo("verify", `--wave `+strconv.Itoa(i)+` --plan-file "$ORDO_PLAN_FILE" --format json --output ordo-verify.json`)+
		` || { status=$?; ordo_notify ordo-verify.json; exit "$status"; }`)
	e.item(4, ej.flagsLine())
	ej.artifacts(e, "ordo-verify.json")
}

// artifacts keeps the job's document and the flags file, whatever happened.
func (ej *envJob) artifacts(e *emitter, doc string) {
	e.key(2, "artifacts")
	e.pair(4, "when", "always")
	e.key(4, "paths")
	e.item(6, doc)
	e.item(6, "$ORDO_FLAGS_FILE")
}

// rollbackJobs writes the job that plans the way back and the trigger job
// that runs it. suffix names them ("-wave-<i>" for a wave's, "" for the
// pipeline's); needs, when not nil, are the jobs whose failure starts them.
//
// when: on_failure runs a job when one of its needs failed or, without
// needs, when a job of an earlier stage did. With needs: (the pipeline's
// jobs have them) each wave has its own pair, after its verify job, needing
// the wave's deploy jobs and its verify job: a later wave never starts once
// one fails, so exactly one pair runs. In the stages fallback one pair, in
// the stages after every wave's, follows any failure.
// https://docs.gitlab.com/ci/yaml/#when
func (ej *envJob) rollbackJobs(e *emitter, stage, suffix, template, release string, needs []string) {
	ej.helperJob(e, RollbackPlanJob+suffix, stage, template, release)
	e.pair(2, "when", "on_failure")
	if needs != nil {
		e.key(2, "needs")
		e.item(4, PlanFileJob)
		for _, n := range needs {
			e.pair(4, "- job", n)
			e.b = append(e.b, "      optional: true\n"...)
		}
	}
	e.key(2, "script")
	e.item(4, notifyFunc)
	e.item(4, ej.ordo("rollback", `--plan-file "$ORDO_PLAN_FILE" --format json --output ordo-rollback.json`))
	e.item(4, ej.ordo("rollback", `--plan-file "$ORDO_PLAN_FILE" --format gitlab --output `+RollbackFile+
		` --gitlab-template `+shellQuote(template)+` --gitlab-template-file `+shellQuote(ej.templateFile)))
	e.item(4, "ordo_notify ordo-rollback.json")
	e.key(2, "artifacts")
	e.key(4, "paths")
	e.item(6, RollbackFile)
	e.item(6, "ordo-rollback.json")
	e.item(6, ej.planFile) // the rollback pipeline's PlanFileJob takes it from here

	// The trigger: on_failure too, and with needs, after the plan job and
	// the same jobs, so that it runs when the wave failed (once the way back
	// is planned) and never in a healthy release.
	e.quotedKey(0, RollbackJob+suffix)
	if needs != nil {
		e.pair(2, "stage", stage)
		e.pair(2, "when", "on_failure")
		e.key(2, "needs")
		e.item(4, RollbackPlanJob+suffix)
		for _, n := range needs {
			e.pair(4, "- job", n)
			e.b = append(e.b, "      optional: true\n"...)
		}
	} else {
		e.pair(2, "stage", stage+"-run")
		e.pair(2, "when", "on_failure")
	}
	// Job variables reach the rollback pipeline; this pipeline's own
	// (from the plan component's trigger) would not. The flags file's path
	// is written into the rollback pipeline (GitLabOptions.FlagsFile).
	e.key(2, "variables")
	e.pair(4, RollbackParentVar, "$CI_PIPELINE_ID")
	e.pair(4, "ORDO_EVENTS_URL", "$ORDO_EVENTS_URL")
	e.key(2, "trigger")
	e.key(4, "include")
	e.pair(6, "- artifact", RollbackFile)
	e.pair(8, "job", RollbackPlanJob+suffix)
	e.pair(4, "strategy", "depend")
}

// reportJob writes the job that reports the release, after every other.
func (ej *envJob) reportJob(e *emitter, template, release string) {
	ej.helperJob(e, ReportJob, "report", template, release)
	e.pair(2, "when", "always")
	e.key(2, "script")
	e.item(4, notifyFunc)
	e.item(4, ej.ordo("report", `--plan-file "$ORDO_PLAN_FILE" --format json --output ordo-report.json`))
	e.item(4, ej.ordo("report", `--plan-file "$ORDO_PLAN_FILE"`))
	e.item(4, "ordo_notify ordo-report.json")
	// After a rollback the flags follow what runs again.
	e.item(4, ej.flagsLine())
	ej.artifacts(e, "ordo-report.json")
}

// FlagsJob is the last job of a rollback's pipeline: it rewrites the flags
// file once the rollback jobs are done, so that the flags follow what runs.
const FlagsJob = "ordo-flags"

// flagsJob writes FlagsJob, in the stage "flags" after the rollback's
// waves, when the rollback pipeline has a flags file to write.
func (ej *envJob) flagsJob(e *emitter, template, release string) {
	ej.helperJob(e, FlagsJob, "flags", template, release)
	e.pair(4, "ORDO_FLAGS_FILE", ej.flagsFile)
	e.key(2, "script")
	e.item(4, ej.flagsLine())
	e.key(2, "artifacts")
	e.key(4, "paths")
	e.item(6, "$ORDO_FLAGS_FILE")
}

// tailJobCount bounds how many jobs an environment's pipeline has besides
// its deploy jobs and PlanFileJob: per wave a verify job and two rollback
// jobs, and the report.
func (ej *envJob) tailJobCount(waves int) int {
	if ej == nil || ej.rollback {
		return 0
	}
	return 3*waves + 1
}

// rollbackRecord is the after_script of a rollback job: on success it
// records rolled_back (the release's sha, the plan's head) and then the
// target as running.
func (ej *envJob) rollbackRecord() string {
	base := ej.ordo("env record", `--plan-file "$ORDO_PLAN_FILE" --service "$ORDO_SERVICE" --phase rollback --state`)
	return fmt.Sprintf(`if [ "$CI_JOB_STATUS" = success ]; then %s rolled_back && %s success --sha "$ORDO_SHA" --version "$ORDO_VERSION"; fi`, base, base)
}

// releaseNeeds says whether an environment's release pipeline of the jobs
// in has needs: each wave's verify job needs the wave's deploy jobs, and
// the next wave's need the verify job alone: a wave starts once the one
// before is deployed and verified, so no job overtakes a critical one and
// none needs more than two. Only a wave too large for its verify job to
// need falls back to stages, which the pipeline's comment says.
func (p *Plan) releaseNeeds(e *emitter, in map[string]bool) bool {
	for _, w := range p.Waves {
		if !p.smallWave(w.Index) && in[w.Services[0]] {
			e.comment(fmt.Sprintf("Generated by ordo (%s): one stage per wave. A wave of %d services is more than a verify job can need (%d),",
				Schema, len(w.Services), MaxNeeds-2))
			e.comment("so no job has needs and the stages run the waves one after the other.")
			return false
		}
	}
	e.comment("Generated by ordo (" + Schema + "): one stage per wave; each wave needs the verify job of the wave before.")
	return true
}

// tailStages writes the stages an environment's pipeline adds after the
// waves': the rollback's in the stages fallback and the report's; in a
// rollback's pipeline, the flags stage.
func (ej *envJob) tailStages(e *emitter, useNeeds bool) {
	switch {
	case ej == nil:
	case ej.rollback:
		if ej.flagsFile != "" {
			e.item(2, "flags")
		}
	default:
		if !useNeeds {
			e.item(2, "rollback")
			e.item(2, "rollback-run")
		}
		e.item(2, "report")
	}
}
