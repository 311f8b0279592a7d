package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"

	"github.com/ordo-ci/ordo/internal/change"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/plan"
	"github.com/ordo-ci/ordo/internal/render"
)

type planCmd struct {
	options
	gl       plan.GitLabOptions
	planFile string
	env      envPlanOptions
}

func (c *planCmd) flags(fs *flag.FlagSet) {
	c.catalogFlags(fs)
	c.changeFlags(fs)
	c.outputFlags(fs, "text", "json", "markdown", "mermaid", "github", "gitlab")
	c.dotenvFlag(fs)
	fs.StringVar(&c.gl.Template, "gitlab-template", plan.DefaultTemplate, "with --format gitlab: the hidden `job` each deploy job extends")
	fs.StringVar(&c.gl.TemplateFile, "gitlab-template-file", plan.DefaultTemplateFile, "with --format gitlab: the repository `file` that defines the template")
	fs.StringVar(&c.planFile, "plan-file", "", "also write the full plan as JSON to `path` (in GitHub Actions the default is $RUNNER_TEMP/ordo-plan.json)")
	c.env.flags(fs)
	fs.StringVar(&c.env.release, "release", "", "with --env: the release `id` (default: a new one); the GitLab plan component gives its two plans one")
	c.eventFlags(fs)
}

func (c *planCmd) run(ctx context.Context, e *env) error {
	o, gl, planFile := &c.options, c.gl, c.planFile
	// The template reaches YAML: refuse what the plan component's regex
	// refuses before any work, whatever the format.
	if !plan.ValidTemplate.MatchString(gl.Template) {
		return exit.BadInputf("--gitlab-template %q is not a hidden job's name such as %s: start it with a dot and use letters, digits, _ . : -", gl.Template, plan.DefaultTemplate)
	}
	// The plan job, whose artifacts hold the parts of a split plan and
	// the plan file that an environment's deploy jobs read.
	c.gl.PlanJob = e.ci.GitLab.JobName
	if c.env.release != "" && c.env.envName == "" {
		return exit.BadInputf("--release names the release of an environment's plan: use it with --env")
	}
	var p *plan.Plan
	noBase := false
	if c.env.envName != "" {
		ep, err := c.env.plan(ctx, e, o)
		if err != nil {
			return err
		}
		p = ep.plan
		if o.format == "gitlab" {
			if err := c.gitlabEnvOptions(ep.cat, p); err != nil {
				return err
			}
		}
	} else {
		cat, ch, res, err := e.affected(ctx, o)
		if err != nil {
			return err
		}
		p = plan.New(cat, res, plan.Options{})
		noBase = ch.Reason == change.ReasonNoBase
	}
	for _, w := range p.Warnings {
		fmt.Fprintf(e.Err, "ordo: warning: %s\n", w)
	}
	var gitlabFiles []plan.GitLabFile
	if o.format == "gitlab" {
		var err error
		if gitlabFiles, err = c.gitlabFiles(e, p); err != nil {
			return err
		}
	}
	if err := o.writeOutput(e, func(w io.Writer) error {
		switch o.format {
		case "json":
			return render.JSON(w, p)
		case "github":
			// One line, so that `matrix=$(ordo plan --format github)` and
			// `echo "matrix=$(...)" >>"$GITHUB_OUTPUT"` work.
			_, err := fmt.Fprintln(w, render.CompactJSON(p.Matrix()))
			return err
		case "gitlab":
			_, err := w.Write(gitlabFiles[0].Data)
			return err
		case "markdown":
			return render.PlanMarkdown(w, p)
		case "mermaid":
			return render.PlanMermaid(w, p)
		}
		return render.PlanText(w, p)
	}); err != nil {
		return err
	}
	if p.Release != "" {
		// Once per release: the GitLab plan component plans twice with one id.
		e.emitOnce(ctx, o, queued(p))
	}

	if planFile == "" && e.gh != nil && e.ci.GitHub.RunnerTemp != "" {
		planFile = filepath.Join(e.ci.GitHub.RunnerTemp, "ordo-plan.json")
	}
	dotenvPlanFile := planFile // as given: later GitLab jobs run in their own directory
	if planFile != "" {
		if err := writeFileAtomic(planFile, func(w io.Writer) error { return render.JSON(w, p) }); err != nil {
			return err
		}
		if abs, err := filepath.Abs(planFile); err == nil {
			planFile = abs
		}
	}

	outs, warnings := render.PlanOutputs(p)
	pairs := make([]string, 0, 2*len(outs)+2)
	for _, out := range outs {
		pairs = append(pairs, out.Name, out.Value)
	}
	pairs = append(pairs, "plan-file", planFile)
	dotenv := gitlabDotenv(p, noBase, dotenvPlanFile)
	for _, w := range warnings {
		// An annotation, so that it shows on the run's page: a step whose
		// outputs pass GitHub's limit succeeds, the job fails later.
		e.gh.Warning("ordo: " + w)
	}
	if err := e.gh.SetOutputs(pairs...); err != nil {
		return exit.Envf("%w", err)
	}
	if err := e.summary(func(w io.Writer) error { return render.PlanSummary(w, p) }); err != nil {
		return err
	}
	return o.writeDotenv(dotenv)
}

// gitlabFiles writes the parts of a plan too large for one GitLab pipeline
// beside --output and returns the child pipelines, the first to be written
// to --output. The parts are read from the plan job's artifacts
// (CI_JOB_NAME), so their names stay as --output gives them.
func (c *planCmd) gitlabFiles(e *env, p *plan.Plan) ([]plan.GitLabFile, error) {
	gl := c.gl
	if c.output != "" && c.output != "-" {
		gl.File = filepath.ToSlash(c.output)
	}
	files, warnings, err := p.GitLabFiles(gl)
	if err != nil {
		return nil, splitError(err)
	}
	for _, w := range warnings {
		fmt.Fprintf(e.Err, "ordo: warning: %s\n", w)
	}
	for _, f := range files[1:] {
		if err := writeFileAtomic(filepath.FromSlash(f.Name), func(w io.Writer) error {
			_, err := w.Write(f.Data)
			return err
		}); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// gitlabDotenv is the plan job's dotenv report: only small values, because
// GitLab refuses a report over 5,120 bytes or 20 variables. The lists (deploy,
// matrices) are in the plan file, an artifact that later jobs read.
// ORDO_NO_BASE says the plan is "everything" only because there was nothing to
// compare with, which the plan component turns into "nothing deploys".
func gitlabDotenv(p *plan.Plan, noBase bool, planFile string) map[string]string {
	vars := map[string]string{
		"ORDO_HAS_DEPLOY":     strconv.FormatBool(len(p.Deploy) > 0),
		"ORDO_DEPLOY_COUNT":   strconv.Itoa(len(p.Deploy)),
		"ORDO_AFFECTED_COUNT": strconv.Itoa(len(p.Affected)),
		"ORDO_WAVE_COUNT":     strconv.Itoa(len(p.Waves)),
		"ORDO_NO_BASE":        strconv.FormatBool(noBase),
	}
	if planFile != "" {
		vars["ORDO_PLAN_FILE"] = filepath.ToSlash(relToWD(planFile))
	}
	return vars
}
