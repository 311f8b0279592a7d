package plan

import (
	"fmt"
	"slices"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/ordo-ci/ordo/internal/catalog"
)

// gitlabMode is how a child pipeline orders its jobs.
type gitlabMode int

const (
	// modeOf computes the mode from the plan as the code does; only the
	// random plans of TestProperties use it; fixtures say theirs.
	modeOf gitlabMode = iota
	modeNeeds
	modeStages
)

// checkGitLab parses the child pipeline and asserts its structure: it runs
// in any pipeline (workflow: rules: when: always), the jobs are the plan's,
// each extends the template in its wave's stage, needs name earlier jobs,
// optionally, and at most MaxNeeds of them (or none at all in the stages
// fallback), and the variables carry the service, wave and with: values.
func checkGitLab(tb testing.TB, p *Plan, o GitLabOptions, mode gitlabMode, src []byte) {
	tb.Helper()
	var doc map[string]any
	if err := yaml.Unmarshal(src, &doc); err != nil {
		tb.Fatalf("child pipeline is not YAML: %v\n%s", err, src)
	}
	wf, _ := doc["workflow"].(map[string]any)
	if rules, _ := wf["rules"].([]any); len(rules) != 1 || rules[0].(map[string]any)["when"] != "always" {
		tb.Errorf("workflow = %v, want rules: [{when: always}], or the child is empty in merge request pipelines", doc["workflow"])
	}
	delete(doc, "workflow")
	if len(p.Jobs) == 0 {
		job, ok := doc[NoopJob].(map[string]any)
		if len(doc) != 1 || !ok || job["script"] == nil {
			tb.Errorf("empty plan: want only a %s job with a script, got %v", NoopJob, doc)
		}
		return
	}
	template, file := cmpOr(o.Template, DefaultTemplate), cmpOr(o.TemplateFile, DefaultTemplateFile)
	if inc, _ := doc["include"].([]any); len(inc) != 1 || inc[0].(map[string]any)["local"] != file {
		tb.Errorf("include = %v, want local %s", doc["include"], file)
	}
	release := p.Env != "" && !o.Rollback // verify, rollback and report jobs
	maxNeeds := MaxNeeds
	if p.Env != "" {
		maxNeeds--
	}
	if release {
		// The verify jobs order the waves: needs unless a wave is too large.
		mode = modeNeeds
		for i := range p.Waves {
			if !p.smallWave(i) {
				mode = modeStages
			}
		}
	}
	if mode == modeOf {
		mode = modeNeeds
		if slices.ContainsFunc(p.Jobs, func(j Job) bool { return j.Critical || len(j.After) > maxNeeds }) {
			mode = modeStages
		}
	}
	var wantStages []any
	for i := range p.Waves {
		wantStages = append(wantStages, StageName(i))
		if release && !p.smallWave(i) {
			wantStages = append(wantStages, VerifyStage(i))
		}
	}
	if release && mode == modeStages {
		wantStages = append(wantStages, "rollback", "rollback-run")
	}
	if release {
		wantStages = append(wantStages, "report")
	}
	if stages, _ := doc["stages"].([]any); !slices.Equal(stages, wantStages) {
		tb.Errorf("stages %v, want %v", stages, wantStages)
	}
	own := 2 // include, stages
	if p.Env != "" {
		own++
		checkPlanFileJob(tb, doc, o)
	}
	if release {
		own += checkReleaseJobs(tb, p, doc, mode)
	}
	if got, want := len(doc)-own, len(p.Jobs); got != want {
		tb.Errorf("%d jobs in the pipeline, want %d", got, want)
	}
	fallback := mode == modeStages
	waveOf := map[string]int{}
	for _, j := range p.Jobs {
		waveOf[JobPrefix+j.Service] = j.Wave
	}
	for _, j := range p.Jobs {
		name := JobPrefix + j.Service
		job, ok := doc[name].(map[string]any)
		if !ok {
			tb.Errorf("no job %q", name)
			continue
		}
		if job["extends"] != template || job["stage"] != StageName(j.Wave) {
			tb.Errorf("%s: extends %v stage %v", name, job["extends"], job["stage"])
		}
		needs, has := job["needs"]
		switch {
		case fallback && has:
			tb.Errorf("%s has needs in the stages fallback", name)
		case !fallback && !has:
			tb.Errorf("%s has no needs", name)
		case !fallback:
			list, _ := needs.([]any)
			if p.Env != "" {
				if len(list) == 0 || list[0] != PlanFileJob {
					tb.Errorf("%s: needs %v, want %s first: the plan file comes from it", name, list, PlanFileJob)
					break
				}
				list = list[1:]
			}
			if release {
				// The verify job of the wave before, alone.
				var want []string
				if j.Wave > 0 {
					want = []string{VerifyJob(j.Wave - 1)}
				}
				if got := needNames(list); !slices.Equal(got, want) {
					tb.Errorf("%s (wave %d): needs %v, want %s and %v", name, j.Wave, got, PlanFileJob, want)
				}
				break
			}
			if len(list) != len(j.After) || len(list) > maxNeeds {
				tb.Errorf("%s: needs %v, want %v", name, list, j.After)
				break
			}
			for k, item := range list {
				nd, _ := item.(map[string]any)
				if nd["optional"] != true {
					tb.Errorf("%s: needs %v is not optional: a template's rules may drop the job", name, item)
				}
				if nd["job"] != JobPrefix+j.After[k] || waveOf[JobPrefix+j.After[k]] >= j.Wave {
					tb.Errorf("%s (wave %d) needs %v, want %s%s from an earlier wave", name, j.Wave, nd, JobPrefix, j.After[k])
				}
			}
		}
		wantRG := j.Lock
		if wantRG == "" && p.Env != "" {
			wantRG = p.Env + "/" + j.Service
		}
		if rg, _ := job["resource_group"].(string); (rg != "") != (wantRG != "") || (rg != "" && rg != resourceGroup(wantRG)) {
			tb.Errorf("%s: resource_group %q, want %q (lock %q)", name, rg, wantRG, j.Lock)
		}
		vars, _ := job["variables"].(map[string]any)
		nvars := 2
		if p.Env != "" {
			nvars += 5
			checkEnvJob(tb, p, o, j, job)
		} else if job["environment"] != nil || job["before_script"] != nil || job["after_script"] != nil {
			tb.Errorf("%s: environment or scripts in a plan without --env: %v", name, job)
		}
		if vars["ORDO_SERVICE"] != j.Service || vars["ORDO_WAVE"] != fmt.Sprint(j.Wave) || len(vars) != nvars+len(j.With) {
			tb.Errorf("%s: variables %v", name, vars)
		}
		for k, v := range j.With {
			got := vars[catalog.WithVariable(k)]
			if m, ok := got.(map[string]any); ok {
				if m["expand"] != false {
					tb.Errorf("%s: %s expands", name, catalog.WithVariable(k))
				}
				got = m["value"]
			}
			if got != v {
				tb.Errorf("%s: %s = %#v, want %q", name, catalog.WithVariable(k), got, v)
			}
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
