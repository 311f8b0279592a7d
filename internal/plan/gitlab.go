package plan

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
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
// A plan too large for one pipeline is an error here: GitLabFiles splits it.
func (p *Plan) GitLab(w io.Writer, o GitLabOptions) error {
	files, _, err := p.GitLabFiles(o)
	if err != nil {
		return err
	}
	if len(files) > 1 {
		return fmt.Errorf("the plan's %d jobs need %d child pipelines, more than one file: write them with --output", len(p.Jobs), len(files)-1)
	}
	if _, err := w.Write(files[0].Data); err != nil {
		return fmt.Errorf("write gitlab pipeline: %w", err)
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
		return nil, nil, fmt.Errorf("gitlab template %q is not a hidden job's name: use a name like .ordo-deploy (%s)", o.Template, ValidTemplate)
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
		return nil, nil, fmt.Errorf("the plan's %d jobs need %d child pipelines (GitLab takes at most %d jobs in one): write them with --output inside the plan job, whose CI_JOB_NAME names the artifacts the parts are read from", len(p.Jobs), len(parts), o.MaxJobs)
	}
	for i := range files {
		files[i].Name = PartFile(o.File, i+1)
	}
	warnings = append(warnings, fmt.Sprintf("the plan's %d jobs (%d KiB of YAML) are more than one GitLab pipeline holds (%d jobs, %d KiB): they run as %d child pipelines, one after the other",
		len(p.Jobs), totalLen(jobs)>>10, o.MaxJobs, o.MaxBytes>>10, len(parts)))
	return append([]GitLabFile{{Name: o.File, Data: dispatcher(files, o)}}, files...), warnings, nil
}

// pipeline writes one child pipeline of the jobs ks (indexes into p.Jobs).
// needs: name jobs of the same pipeline only: parts run one after the other.
func (p *Plan) pipeline(ks []int, jobs [][]byte, o GitLabOptions, ej *envJob) []byte {
	in := make(map[string]bool, len(ks))
	size := 1024
	for _, k := range ks {
		in[p.Jobs[k].Service] = true
		size += len(jobs[k]) + 64
	}
	e := emitter{b: make([]byte, 0, size)}
	useNeeds := true
	release := ej != nil && !ej.rollback // verify jobs, the rollback and the report
	maxNeeds := MaxNeeds
	if ej != nil {
		maxNeeds-- // every job needs PlanFileJob too
	}
	if release {
		useNeeds = p.releaseNeeds(&e, in)
	}
	for _, k := range ks {
		if release {
			break
		}
		j := p.Jobs[k]
		if j.Critical {
			// With needs:, a job of a later wave that is not ordered after
			// the critical one could run beside it; stages cannot.
			useNeeds = false
			e.comment(fmt.Sprintf("Generated by ordo (%s): one stage per wave. %s%s is critical and deploys alone,",
				Schema, JobPrefix, j.Service))
			e.comment("so no job has needs and the stages run the waves one after the other.")
			break
		}
		if len(j.After) > maxNeeds {
			useNeeds = false
			e.comment(fmt.Sprintf("Generated by ordo (%s): one stage per wave. %s%s must follow %d jobs, more than the %d needs GitLab allows,",
				Schema, JobPrefix, j.Service, len(j.After), maxNeeds))
			e.comment("so no job has needs and the stages run the waves one after the other.")
			break
		}
	}
	if useNeeds && !release {
		e.comment("Generated by ordo (" + Schema + "): one stage per wave; each job needs the services it must follow.")
	}
	e.comment(fmt.Sprintf("Deploy jobs are named %q + the service and extend %s.", JobPrefix, o.Template))
	e.workflow()
	e.key(0, "include")
	e.pair(2, "- local", o.TemplateFile)
	first, last := p.Jobs[ks[0]].Wave, p.Jobs[ks[len(ks)-1]].Wave
	e.key(0, "stages")
	for w := first; w <= last; w++ {
		e.item(2, StageName(w))
		if release && !p.smallWave(w) {
			e.item(2, VerifyStage(w)) // after the wave, before the next
		}
	}
	ej.tailStages(&e, useNeeds)
	if ej != nil {
		ej.planFileJob(&e, o, p.Release)
	}
	var wave []string // the deploy jobs of the current wave, for its verify job
	for n, k := range ks {
		j := p.Jobs[k]
		e.b = append(e.b, jobs[k]...)
		wave = append(wave, JobPrefix+j.Service)
		if useNeeds {
			var after []string
			for _, a := range j.After {
				if in[a] && !release {
					after = append(after, JobPrefix+a)
				}
			}
			if release && j.Wave > first {
				// The wave starts once the one before is verified.
				after = append(after, VerifyJob(j.Wave-1))
			}
			if len(after) == 0 && ej == nil {
				e.b = append(e.b, "  needs: []\n"...)
			} else {
				e.key(2, "needs")
				if ej != nil {
					e.item(4, PlanFileJob)
				}
				for _, a := range after {
					// optional: the template's rules may leave the job out.
					e.pair(4, "- job", a)
					e.b = append(e.b, "      optional: true\n"...)
				}
			}
		}
		if release && (n == len(ks)-1 || p.Jobs[ks[n+1]].Wave != j.Wave) {
			var needs []string
			if p.smallWave(j.Wave) {
				needs = wave
			}
			ej.verifyJob(&e, j.Wave, o.Template, p.Release, needs)
			if useNeeds {
				ej.rollbackJobs(&e, StageName(j.Wave), "-wave-"+strconv.Itoa(j.Wave), o.Template, p.Release, append(wave, VerifyJob(j.Wave)))
			}
			wave = nil
		}
	}
	if release {
		if !useNeeds {
			ej.rollbackJobs(&e, "rollback", "", o.Template, p.Release, nil)
		}
		ej.reportJob(&e, o.Template, p.Release)
	}
	if ej != nil && ej.rollback && ej.flagsFile != "" {
		ej.flagsJob(&e, o.Template, p.Release)
	}
	return e.b
}

// deployJob writes the deploy job of j, without its needs:, which depend on
// the part it lands in: the one place a deploy job is written. ej, for an
// environment's plan, adds the environment, its resource_group and the
// record calls.
func deployJob(e *emitter, j Job, vars []variable, template string, ej *envJob) {
	e.quotedKey(0, JobPrefix+j.Service)
	e.pair(2, "extends", template)
	e.pair(2, "stage", StageName(j.Wave))
	if j.Lock != "" {
		e.pair(2, "resource_group", resourceGroup(j.Lock))
	}
	if ej != nil {
		ej.keys(e, j, template)
	}
	e.key(2, "variables")
	for _, v := range vars {
		if strings.Contains(v.value, "$") {
			// GitLab expands $NAME inside variable values; with: values
			// are passed as written, as in a GitHub matrix.
			// https://docs.gitlab.com/ci/yaml/#variablesexpand
			e.key(4, v.name)
			e.pair(6, "value", v.value)
			e.b = append(e.b, "      expand: false\n"...)
			continue
		}
		e.pair(4, v.name, v.value)
	}
}

// checkTemplateFile accepts a path inside the repository, as include: local
// takes it.
func checkTemplateFile(file string) error {
	clean := strings.TrimPrefix(file, "/")
	if clean == "" || !filepath.IsLocal(filepath.FromSlash(clean)) || strings.ContainsFunc(file, unicode.IsControl) {
		return fmt.Errorf("gitlab template file %q is not a file inside the repository: use a path like %s", file, DefaultTemplateFile)
	}
	return nil
}

type variable struct{ name, value, key string }

// gitlabVariables returns each job's variables: ORDO_SERVICE, ORDO_WAVE,
// those of an environment's plan (envJob.variables), then the with: keys in
// key order. Two keys that map to one name, or a key that maps to one ordo
// sets, are an error rather than a silent overwrite.
func (p *Plan) gitlabVariables(ej *envJob) ([][]variable, error) {
	out := make([][]variable, len(p.Jobs))
	for k, j := range p.Jobs {
		if len(JobPrefix)+len(j.Service) > maxJobName {
			return nil, fmt.Errorf("service %q: the GitLab job name %q is longer than GitLab's %d characters: shorten the service name",
				j.Service, JobPrefix+j.Service, maxJobName)
		}
		vars := []variable{{"ORDO_SERVICE", j.Service, ""}, {"ORDO_WAVE", strconv.Itoa(j.Wave), ""}}
		vars = append(vars, ej.variables(j, p.Release)...)
		own := len(vars)
		for _, key := range slices.Sorted(maps.Keys(j.With)) {
			name := VariableName(key)
			for i, v := range vars {
				if v.name != name {
					continue
				}
				if i < own {
					return nil, fmt.Errorf("service %q: with key %q becomes %s, which ordo sets itself: rename the key", j.Service, key, name)
				}
				return nil, fmt.Errorf("service %q: with keys %q and %q both become %s: rename one of them", j.Service, v.key, key, name)
			}
			vars = append(vars, variable{name, j.With[key], key})
		}
		out[k] = vars
	}
	return out, nil
}

// VariableName is the CI variable that carries the with: key: ORDO_ and the
// key upper-cased, with every character other than an ASCII letter or digit
// turned into _.
func VariableName(key string) string {
	var b strings.Builder
	b.Grow(len("ORDO_") + len(key))
	b.WriteString("ORDO_")
	for _, r := range key {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// resourceGroup makes a lock name a valid resource_group key: letters,
// digits, '-', '_', '.', '/' and spaces, not starting or ending with '/'.
// '$', '{' and '}' are valid too but would be expanded as variables, so like
// every other character they become '_'. Two locks that meet in one key only
// serialise more, never less.
// https://docs.gitlab.com/ci/resource_groups/
func resourceGroup(lock string) string {
	b := []byte(lock)
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == ' ' || c == '/' && i > 0 && i < len(b)-1
		if !ok {
			b[i] = '_'
		}
	}
	return string(b)
}
