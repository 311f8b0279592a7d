package plan

import (
	"testing"
)

// checkReleaseJobs asserts the jobs an environment's pipeline conducts the
// release with: a verify job per wave in its own stage, after the wave's
// deploy jobs (by needs, or by stages in the fallback), with no environment;
// the rollback jobs when: on_failure and without needs: GitLab evaluates
// on_failure against a job's needs when it has some, else against every
// job of the earlier stages (https://docs.gitlab.com/ci/yaml/#when), and the
// rollback must follow any failed deploy or verify job; the report always.
func checkReleaseJobs(tb testing.TB, p *Plan, doc map[string]any, mode gitlabMode) {
	tb.Helper()
	for i, w := range p.Waves {
		job, ok := doc[VerifyJob(i)].(map[string]any)
		if !ok {
			tb.Errorf("no job %s", VerifyJob(i))
			continue
		}
		if job["stage"] != VerifyStage(i) || job["environment"] != nil || job["when"] != nil {
			tb.Errorf("%s: stage %v, environment %v, when %v: want stage %s, no environment, on success", VerifyJob(i), job["stage"], job["environment"], job["when"], VerifyStage(i))
		}
		needs, has := job["needs"].([]any)
		if mode == modeStages {
			if has {
				tb.Errorf("%s has needs in the stages fallback", VerifyJob(i))
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
	for name, want := range map[string]struct{ stage, when string }{
		RollbackPlanJob: {"rollback", "on_failure"}, RollbackJob: {"rollback-run", "on_failure"}, ReportJob: {"report", "always"},
	} {
		job, ok := doc[name].(map[string]any)
		if !ok {
			tb.Errorf("no job %s", name)
			continue
		}
		if job["stage"] != want.stage || job["when"] != want.when || job["needs"] != nil {
			tb.Errorf("%s: stage %v when %v needs %v, want stage %s when %s and no needs", name, job["stage"], job["when"], job["needs"], want.stage, want.when)
		}
	}
	if trig, _ := doc[RollbackJob].(map[string]any)["trigger"].(map[string]any); trig["strategy"] != "depend" {
		tb.Errorf("%s: trigger %v, want strategy depend (the run fails when the rollback does)", RollbackJob, trig)
	}
}
