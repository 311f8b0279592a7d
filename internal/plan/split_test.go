package plan

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/ordo-ci/ordo/internal/exit"
)

// checkGitLabFiles writes the plan's child pipelines and checks them: one
// pipeline when it fits (checkGitLab), else a first pipeline that triggers
// the parts one after the other, reading them from the plan job's artifacts,
// and parts that each run in any pipeline, hold at most MaxJobs jobs and
// whole waves, need only jobs of their own part, and together hold every job
// in plan order.
func checkGitLabFiles(tb testing.TB, p *Plan, o GitLabOptions) []GitLabFile {
	tb.Helper()
	files, warnings, err := p.GitLabFiles(o)
	if err != nil {
		tb.Fatal(err)
	}
	if len(files) == 1 {
		if len(warnings) > 0 {
			tb.Errorf("warnings for one pipeline: %v", warnings)
		}
		checkGitLab(tb, p, o, modeOf, files[0].Data)
		return files
	}
	maxJobs := o.MaxJobs
	if maxJobs == 0 {
		maxJobs = MaxPipelineJobs
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], fmt.Sprintf("%d child pipelines", len(files)-1)) {
		tb.Errorf("warnings = %v, want one saying the plan runs as %d child pipelines", warnings, len(files)-1)
	}
	parse := func(f GitLabFile) map[string]any {
		var doc map[string]any
		if err := yaml.Unmarshal(f.Data, &doc); err != nil {
			tb.Fatalf("%s is not YAML: %v\n%s", f.Name, err, f.Data)
		}
		wf, _ := doc["workflow"].(map[string]any)
		if rules, _ := wf["rules"].([]any); len(rules) != 1 || rules[0].(map[string]any)["when"] != "always" {
			tb.Errorf("%s: workflow = %v, want rules: [{when: always}]", f.Name, doc["workflow"])
		}
		return doc
	}
	first := parse(files[0])
	if files[0].Name != o.File {
		tb.Errorf("first file %q, want %q", files[0].Name, o.File)
	}
	parts := first[partsJob].(map[string]any)
	needs := parts["needs"].([]any)[0].(map[string]any)
	if needs["pipeline"] != "$ORDO_PARENT_PIPELINE_ID" || needs["job"] != o.PlanJob {
		tb.Errorf("%s needs %v, want the plan job %s of the parent pipeline", partsJob, needs, o.PlanJob)
	}
	var seen []string
	lastWave := -1
	for i, f := range files[1:] {
		if f.Name != PartFile(o.File, i+1) {
			tb.Errorf("part %d is %q", i+1, f.Name)
		}
		if !slices.Contains(parts["artifacts"].(map[string]any)["paths"].([]any), any(f.Name)) {
			tb.Errorf("%s does not pass on %s", partsJob, f.Name)
		}
		trigger, _ := first[PartJob(i+1)].(map[string]any)
		inc := trigger["trigger"].(map[string]any)["include"].([]any)[0].(map[string]any)
		if inc["artifact"] != f.Name || inc["job"] != partsJob {
			tb.Errorf("%s includes %v, want %s from %s", PartJob(i+1), inc, f.Name, partsJob)
		}
		if tn := trigger["needs"].([]any); i > 0 && !slices.Contains(tn, any(PartJob(i))) {
			tb.Errorf("%s needs %v: it must wait for %s", PartJob(i+1), tn, PartJob(i))
		}
		doc := parse(f)
		var jobs []string
		for name := range doc {
			if strings.HasPrefix(name, JobPrefix) {
				jobs = append(jobs, name)
			}
		}
		if len(jobs) == 0 || len(jobs) > maxJobs {
			tb.Errorf("%s has %d jobs, want 1 to %d", f.Name, len(jobs), maxJobs)
		}
		in := map[string]bool{}
		for _, j := range jobs {
			in[j] = true
		}
		for _, j := range p.Jobs[len(seen) : len(seen)+len(jobs)] {
			name := JobPrefix + j.Service
			if !in[name] {
				tb.Fatalf("%s lacks %s, the next job of the plan", f.Name, name)
			}
			if j.Wave == lastWave && len(seen) > 0 && !in[JobPrefix+seen[len(seen)-1]] {
				tb.Errorf("wave %d is cut between two parts", j.Wave)
			}
			lastWave = j.Wave
			seen = append(seen, j.Service)
			job := doc[name].(map[string]any)
			list, _ := job["needs"].([]any)
			for _, nd := range list {
				if n := nd.(map[string]any)["job"].(string); !in[n] {
					tb.Errorf("%s: %s needs %s from another part", f.Name, name, n)
				}
			}
		}
	}
	if len(seen) != len(p.Jobs) {
		tb.Errorf("the parts hold %d jobs, the plan %d", len(seen), len(p.Jobs))
	}
	return files
}

// TestGitLabSplit cuts plans too large for one GitLab pipeline, by jobs and
// by bytes, between waves, and refuses to split without the names the first
// pipeline needs.
func TestGitLabSplit(t *testing.T) {
	t.Parallel()
	chain := fanIn(t, 30) // 30 services in wave 0, top in wave 1
	p := New(chain, affectAll(chain), Options{MaxWave: 7})
	o := GitLabOptions{File: "out/ordo-child.yml", PlanJob: "ordo-plan", MaxJobs: 10}
	files := checkGitLabFiles(t, p, o)
	if len(files) < 4 {
		t.Errorf("%d files for %d jobs at 10 a pipeline", len(files), len(p.Jobs))
	}
	if files[1].Name != "out/ordo-child-part-1.yml" {
		t.Errorf("part 1 is %q", files[1].Name)
	}

	o = GitLabOptions{File: "ordo-child.yml", PlanJob: "ordo-plan", MaxBytes: 2000}
	if files := checkGitLabFiles(t, p, o); len(files) < 3 {
		t.Errorf("%d files at 2,000 bytes a pipeline", len(files))
	}

	// Bad input, which the command line says how to write.
	var split *SplitError
	if _, _, err := p.GitLabFiles(GitLabOptions{MaxJobs: 10}); !errors.As(err, &split) || exit.Code(err) != exit.BadInput || *split != (SplitError{Jobs: 31, Pipelines: 4, MaxJobs: 10}) {
		t.Errorf("split without a file and plan job: err = %v", err)
	}
	if err := p.GitLab(&strings.Builder{}, GitLabOptions{MaxJobs: 10, File: "x.yml", PlanJob: "p"}); !errors.As(err, &split) || exit.Code(err) != exit.BadInput {
		t.Errorf("GitLab wrote one file of a split plan: err = %v", err)
	}
}

// TestGitLabHostileOptions feeds the template options what a hostile
// --gitlab-template would: they are refused, never written into the YAML.
func TestGitLabHostileOptions(t *testing.T) {
	t.Parallel()
	cat := fanIn(t, 2)
	p := New(cat, affectAll(cat), Options{})
	for _, o := range []GitLabOptions{
		{Template: ".ordo-deploy\nstages: [pwned]"},
		{Template: "ordo-deploy"},
		{Template: `.x" : y`},
		{TemplateFile: "../outside.yml"},
		{TemplateFile: "a.yml\ninclude: evil"},
	} {
		if err := p.GitLab(&strings.Builder{}, o); err == nil {
			t.Errorf("%q / %q: no error", o.Template, o.TemplateFile)
		}
	}
}
