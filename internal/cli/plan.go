package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

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
	c.eventFlags(fs)
}

func (c *planCmd) run(ctx context.Context, e *env) error {
	o, gl, planFile := &c.options, c.gl, c.planFile
	var p *plan.Plan
	if c.env.envName != "" {
		ep, err := c.env.plan(ctx, e, o)
		if err != nil {
			return err
		}
		p = ep.plan
	} else {
		cat, _, res, err := e.affected(ctx, o)
		if err != nil {
			return err
		}
		p = plan.New(cat, res, plan.Options{})
	}
	for _, w := range p.Warnings {
		fmt.Fprintf(e.Err, "ordo: warning: %s\n", w)
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
			return p.GitLab(w, gl)
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
		e.emit(ctx, o, queued(p))
	}

	if planFile == "" && e.gh != nil && e.getenv("RUNNER_TEMP") != "" {
		planFile = filepath.Join(e.getenv("RUNNER_TEMP"), "ordo-plan.json")
	}
	if planFile != "" {
		if err := writeFileAtomic(planFile, func(w io.Writer) error { return render.JSON(w, p) }); err != nil {
			return err
		}
		if abs, err := filepath.Abs(planFile); err == nil {
			planFile = abs
		}
	}

	outs, warnings := p.Outputs()
	pairs := make([]string, 0, 2*len(outs)+2)
	dotenv := map[string]string{}
	for _, out := range outs {
		pairs = append(pairs, out.Name, out.Value)
		dotenv[plan.VariableName(out.Name)] = out.Value
	}
	pairs = append(pairs, "plan-file", planFile)
	if planFile != "" {
		dotenv["ORDO_PLAN_FILE"] = planFile
	}
	for _, w := range warnings {
		// An annotation, so that it shows on the run's page: a step whose
		// outputs pass GitHub's limit succeeds, the job fails later.
		e.gh.Warning("ordo: " + w)
	}
	if err := e.gh.SetOutputs(pairs...); err != nil {
		return exit.Envf("%w", err)
	}
	if err := e.summary(func(w io.Writer) error {
		if err := render.PlanMarkdown(w, p); err != nil {
			return err
		}
		return mermaidBlock(w, func(w io.Writer) error { return render.PlanMermaid(w, p) })
	}); err != nil {
		return err
	}
	// dotenv values must be single-line; the matrices are compact JSON.
	return o.writeDotenv(dotenv)
}
