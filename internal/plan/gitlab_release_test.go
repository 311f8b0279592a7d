package plan

import (
	"fmt"
	"slices"
	"testing"
)

// checkReleaseJobs asserts the jobs an environment's pipeline conducts the
// release with: a verify job per wave, in the wave's stage needing its
// deploy jobs (in a stage of its own for a wave too large to need), with no
// environment;
// the rollback jobs when: on_failure, which GitLab evaluates against a job's
// needs when it has some, else against every job of the earlier stages
// (https://docs.gitlab.com/ci/yaml/#when), so that the rollback follows any
// failed deploy or verify job; the report always, after every other job.
// It returns how many jobs it checked.
func checkReleaseJobs(tb testing.TB, p *Plan, doc map[string]any, mode gitlabMode) int {
	tb.Helper()
	for i, w := range p.Waves {
		job, ok := doc[VerifyJob(i)].(map[string]any)
		if !ok {
			tb.Errorf("no job %s", VerifyJob(i))
			continue
		}
		stage := StageName(i)
		if !p.smallWave(i) {
			stage = VerifyStage(i)
		}
		if job["stage"] != stage || job["environment"] != nil || job["when"] != nil {
			tb.Errorf("%s: stage %v, environment %v, when %v: want stage %s, no environment, on success", VerifyJob(i), job["stage"], job["environment"], job["when"], stage)
		}
		needs, has := job["needs"].([]any)
		if !p.smallWave(i) {
			if has {
				tb.Errorf("%s has needs for a wave of %d services", VerifyJob(i), len(w.Services))
			}
			continue
		}
		want := []string{PlanFileJob}
		for _, s := range w.Services {
			want = append(want, JobPrefix+s)
		}
		var got []string
		for _, n := range needs {
			if m, ok := n.(map[string]any); ok {
				got = append(got, m["job"].(string))
			} else {
				got = append(got, n.(string))
			}
		}
		if len(got) != len(want) {
			tb.Errorf("%s: needs %v, want %v", VerifyJob(i), got, want)
			continue
		}
		for k := range want {
			if got[k] != want[k] {
				tb.Errorf("%s: needs %v, want %v", VerifyJob(i), got, want)
				break
			}
		}
	}
	// The rollback jobs: with needs, a pair per wave after its verify job,
	// needing the wave's deploy jobs and verify job; in the fallback one
	// pair after every wave, without needs.
	n := len(p.Waves) + 1 // the verify jobs, the report
	type pair struct{ plan, trigger, stage string }
	var pairs []pair
	var needsOf [][]string
	if mode == modeStages {
		pairs = append(pairs, pair{RollbackPlanJob, RollbackJob, "rollback"})
		needsOf = append(needsOf, nil)
	} else {
		for i, w := range p.Waves {
			suffix := fmt.Sprintf("-wave-%d", i)
			pairs = append(pairs, pair{RollbackPlanJob + suffix, RollbackJob + suffix, StageName(i)})
			want := []string{PlanFileJob}
			for _, s := range w.Services {
				want = append(want, JobPrefix+s)
			}
			needsOf = append(needsOf, append(want, VerifyJob(i)))
		}
	}
	for k, pr := range pairs {
		n += 2
		plan, _ := doc[pr.plan].(map[string]any)
		trig, _ := doc[pr.trigger].(map[string]any)
		if plan == nil || trig == nil {
			tb.Errorf("no jobs %s and %s", pr.plan, pr.trigger)
			continue
		}
		if plan["stage"] != pr.stage || plan["when"] != "on_failure" || !slices.Equal(needNames(plan["needs"]), needsOf[k]) {
			tb.Errorf("%s: stage %v when %v needs %v, want stage %s, when on_failure, needs %v", pr.plan, plan["stage"], plan["when"], plan["needs"], pr.stage, needsOf[k])
		}
		if t, _ := trig["trigger"].(map[string]any); t["strategy"] != "depend" {
			tb.Errorf("%s: trigger %v, want strategy depend (the pipeline fails when the rollback does)", pr.trigger, t)
		}
		if needsOf[k] == nil && (trig["when"] != "on_failure" || trig["stage"] != "rollback-run") {
			tb.Errorf("%s: when %v stage %v, want on_failure in rollback-run", pr.trigger, trig["when"], trig["stage"])
		}
		if needsOf[k] != nil && (trig["when"] != "on_failure" || !slices.Equal(needNames(trig["needs"]), append([]string{pr.plan}, needsOf[k][1:]...))) {
			tb.Errorf("%s: when %v needs %v, want on_failure after %s and %v", pr.trigger, trig["when"], trig["needs"], pr.plan, needsOf[k][1:])
		}
	}
	if job, _ := doc[ReportJob].(map[string]any); job["stage"] != "report" || job["when"] != "always" || job["needs"] != nil {
		tb.Errorf("%s: %v, want stage report, when always, no needs: it follows every other job", ReportJob, job)
	}
	return n
}

func needNames(v any) []string {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	var out []string
	for _, n := range list {
		if m, ok := n.(map[string]any); ok {
			out = append(out, m["job"].(string))
		} else {
			out = append(out, fmt.Sprint(n))
		}
	}
	return out
}
