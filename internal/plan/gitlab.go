package plan

import (
	"cmp"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/ordo-ci/ordo/internal/exit"
)

// GitLab child pipelines.
// https://docs.gitlab.com/ci/pipelines/downstream_pipelines/#dynamic-child-pipelines
const (
	// DefaultTemplate is the job every deploy job extends.
	DefaultTemplate = ".ordo-deploy"
	// DefaultTemplateFile is the repository file that defines the template.
	DefaultTemplateFile = ".gitlab/ordo-deploy.yml"

	// JobPrefix starts every deploy job's name: "deploy:" + the service.
	// Service names are [a-z0-9][a-z0-9._-]*, so the job names are unique,
	// never hidden (".x"), and never one of GitLab's reserved top-level
	// keywords (image, stages, variables, ...), which "deploy:" cannot
	// spell. https://docs.gitlab.com/ci/jobs/#job-names
	JobPrefix = "deploy:"
	// NoopJob is the only job of an empty plan's pipeline: GitLab rejects a
	// pipeline without jobs, and "nothing to deploy" must stay green.
	NoopJob = "ordo-noop"

	// MaxNeeds is the most jobs one job may need on GitLab.com and by
	// default on self-managed instances. A plan in which some job must
	// follow more falls back to stages alone.
	// https://docs.gitlab.com/ci/yaml/#needs
	MaxNeeds = 50

	maxJobName = 255
)

// GitLab's limits on one pipeline that shape the child pipelines.
const (
	// MaxPipelineJobs is the most jobs ordo puts in one child pipeline:
	// GitLab.com refuses a pipeline when the project's running pipelines
	// would hold more than 500 jobs (ci_active_jobs), so a larger plan runs
	// as several child pipelines, one after the other.
	// https://docs.gitlab.com/administration/instance_limits/#number-of-jobs-in-active-pipelines
	MaxPipelineJobs = 500
	// MaxPipelineBytes is the size of YAML ordo puts in one child pipeline,
	// well under GitLab's max_yaml_size_bytes (2 MiB by default), which
	// counts the pipeline after includes are expanded.
	// https://docs.gitlab.com/administration/instance_limits/#maximum-size-and-depth-of-cicd-configuration-yaml-files
	MaxPipelineBytes = 1 << 20
)

// GitLabOptions say how deploy jobs reach the job definition that the
// repository owns, and how a plan too large for one pipeline is split.
type GitLabOptions struct {
	// Template is the job each deploy job extends:; "" means DefaultTemplate.
	Template string
	// TemplateFile is the repository file that defines Template, included
	// with include: local; "" means DefaultTemplateFile.
	TemplateFile string
	// File is the path, relative to the project directory, that the first
	// child pipeline is written to; the parts of a split plan are written
	// beside it (PartFile). Only a split plan needs it.
	File string
	// PlanJob is the job of the parent pipeline that wrote the files, whose
	// artifacts hold the parts (CI_JOB_NAME). Only a split plan needs it.
	PlanJob string
	// MaxJobs and MaxBytes bound one child pipeline; 0 means
	// MaxPipelineJobs and MaxPipelineBytes. Tests lower them.
	MaxJobs, MaxBytes int

	// An environment's plan (Plan.Env) needs PlanFile, the plan's JSON
	// relative to the project directory, an artifact of PlanJob that the
	// deploy jobs record from, and PlanJob. Tier is the environment's
	// deployment_tier; Config the catalog the record calls read ("" the
	// default). TemplateBeforeScript and TemplateAfterScript say the
	// template has its own, which the deploy jobs keep.
	PlanFile, Tier, Config                    string
	TemplateBeforeScript, TemplateAfterScript bool
	// Rollback says the plan is a rollback's (ordo rollback): its jobs
	// record rolled_back and the target instead of a deploy, and it has
	// no verify, rollback or report jobs of its own (gitlab_release.go);
	// with FlagsFile, its last job rewrites that flags file.
	Rollback  bool
	FlagsFile string
}

// ValidTemplate is the syntax of GitLabOptions.Template, as the plan
// component's input checks it: a hidden job's name.
var ValidTemplate = regexp.MustCompile(`^\.[A-Za-z0-9_.:-]+$`)

// StageName is the stage of wave i.
func StageName(i int) string { return "wave-" + strconv.Itoa(i) }

// PartFile is the file of part i (from 1) of a split plan: file without
// its .yml, then -part-<i>.yml, so that one artifacts glob holds them all.
func PartFile(file string, i int) string {
	return strings.TrimSuffix(file, ".yml") + "-part-" + strconv.Itoa(i) + ".yml"
}

// GitLabFile is one file of a child pipeline: its path (GitLabOptions.File
// or a PartFile) and its YAML.
type GitLabFile struct {
	Name string
	Data []byte
}

// GitLab writes the plan as one complete child pipeline (see GitLabFiles).
// A plan too large for one pipeline is a SplitError here: GitLabFiles
// splits it.
func (p *Plan) GitLab(w io.Writer, o GitLabOptions) error {
	files, _, err := p.GitLabFiles(o)
	if err != nil {
		return err
	}
	if len(files) > 1 {
		return &SplitError{Jobs: len(p.Jobs), Pipelines: len(files) - 1, MaxJobs: cmp.Or(o.MaxJobs, MaxPipelineJobs)}
	}
	if _, err := w.Write(files[0].Data); err != nil {
		return exit.Envf("write gitlab pipeline: %w", err)
	}
	return nil
}

// GitLabFiles writes the plan as child pipelines: one stage per wave and one
// job per deployed service, named JobPrefix + service, that extends the
// template and sets ORDO_SERVICE, ORDO_WAVE and ORDO_<KEY> for each with: key
// (upper-cased, anything but letters and digits turned into _). A job needs
// the jobs of the services it must follow (Job.After), so it starts as soon
// as they are done. needs: lets jobs of later waves overtake unrelated slow
// ones, so when the plan has a critical service, which must deploy alone, or
// when some job would need more than MaxNeeds, no job has needs: and the
// stages run the waves one after the other. Services sharing a lock share a
// resource_group, which also keeps them apart across pipelines.
//
// Every pipeline has workflow: rules: when: always. A child pipeline
// inherits its parent's merge request, and there jobs without rules run only
// in branch and tag pipelines: without workflow rules the child would be
// empty and its trigger would fail. The user's template may have rules that
// drop a job, so needs: are optional.
// https://docs.gitlab.com/ci/pipelines/downstream_pipelines/#run-child-pipelines-with-merge-request-pipelines
//
// An empty plan is a valid pipeline with the single job NoopJob. A plan of
// more than MaxJobs jobs or MaxBytes of YAML is cut between waves into parts
// that run one after the other: the first file then only triggers them
// (trigger: include: artifact:), reading them from PlanJob's artifacts in the
// parent pipeline (needs: pipeline: $ORDO_PARENT_PIPELINE_ID). warnings say so.
func (p *Plan) GitLabFiles(o GitLabOptions) (files []GitLabFile, warnings []string, err error) {
	if o.Template == "" {
		o.Template = DefaultTemplate
	}
	if o.TemplateFile == "" {
		o.TemplateFile = DefaultTemplateFile
	}
	if !ValidTemplate.MatchString(o.Template) {
		return nil, nil, exit.BadInputf("gitlab template %q is not a hidden job's name: use a name like .ordo-deploy (%s)", o.Template, ValidTemplate)
	}
	if err := checkTemplateFile(o.TemplateFile); err != nil {
		return nil, nil, err
	}
	o.MaxJobs = cmp.Or(o.MaxJobs, MaxPipelineJobs)
	o.MaxBytes = cmp.Or(o.MaxBytes, MaxPipelineBytes)
	ej, err := p.envJob(o)
	if err != nil {
		return nil, nil, err
	}
	vars, err := p.gitlabVariables(ej)
	if err != nil {
		return nil, nil, err
	}
	if len(p.Jobs) == 0 {
		e := emitter{}
		e.comment("Generated by ordo (" + Schema + "): nothing to deploy.")
		e.comment("GitLab rejects a pipeline without jobs, so this one has a job that does nothing.")
		e.workflow()
		e.key(0, NoopJob)
		e.key(2, "variables")
		e.pair(4, "GIT_STRATEGY", "none")
		e.key(2, "script")
		e.item(4, `echo "ordo: nothing to deploy"`)
		return []GitLabFile{{Name: o.File, Data: e.b}}, nil, nil
	}

	jobs := make([][]byte, len(p.Jobs))
	for k, j := range p.Jobs {
		e := emitter{b: make([]byte, 0, 256)}
		deployJob(&e, j, vars[k], o.Template, ej)
		jobs[k] = e.b
	}
	maxJobs := o.MaxJobs
	if ej != nil {
		maxJobs -= 2 + ej.tailJobCount(len(p.Waves)) // each pipeline's PlanFileJob and FlagsJob, verify, rollback and report jobs
	}
	parts := p.parts(jobs, maxJobs, o.MaxBytes)
	for _, part := range parts {
		files = append(files, GitLabFile{Data: p.pipeline(part, jobs, o, ej)})
	}
	if len(parts) == 1 {
		files[0].Name = o.File
		return files, nil, nil
	}
	if o.File == "" || o.PlanJob == "" {
		return nil, nil, &SplitError{Jobs: len(p.Jobs), Pipelines: len(parts), MaxJobs: o.MaxJobs}
	}
	for i := range files {
		files[i].Name = PartFile(o.File, i+1)
	}
	warnings = append(warnings, fmt.Sprintf("the plan's %d jobs (%d KiB of YAML) are more than one GitLab pipeline holds (%d jobs, %d KiB): they run as %d child pipelines, one after the other",
		len(p.Jobs), totalLen(jobs)>>10, o.MaxJobs, o.MaxBytes>>10, len(parts)))
	return append([]GitLabFile{{Name: o.File, Data: dispatcher(files, o)}}, files...), warnings, nil
}

// checkTemplateFile accepts a path inside the repository, as include: local
// takes it.
func checkTemplateFile(file string) error {
	clean := strings.TrimPrefix(file, "/")
	if clean == "" || !filepath.IsLocal(filepath.FromSlash(clean)) || strings.ContainsFunc(file, unicode.IsControl) {
		return exit.BadInputf("gitlab template file %q is not a file inside the repository: use a path like %s", file, DefaultTemplateFile)
	}
	return nil
}
