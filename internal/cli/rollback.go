package cli

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/plan"
	"github.com/ordo-ci/ordo/internal/render"
	"github.com/ordo-ci/ordo/internal/rollback"
)

// rollbackCmd is `ordo rollback`: the way back for a release, from the
// record, as a plan the CI runs (GitHub waves, a GitLab child pipeline).
type rollbackCmd struct {
	options
	gl                  plan.GitLabOptions
	envName             string
	release             string
	planFile            string
	includeIrreversible bool
}

func (c *rollbackCmd) flags(fs *flag.FlagSet) {
	c.catalogFlags(fs)
	c.outputFlags(fs, "text", "json", "markdown", "github", "gitlab")
	c.dotenvFlag(fs)
	fs.StringVar(&c.envName, "env", "", "the `environment` (default: the plan's, with --plan-file)")
	fs.StringVar(&c.release, "release", "", "the release `id` to roll back (default: the plan's, with --plan-file)")
	fs.StringVar(&c.planFile, "plan-file", "", "the release's plan (JSON, from plan --env): its env, release and waves")
	fs.BoolVar(&c.includeIrreversible, "include-irreversible", false, "also roll back services marked reversible: false (their rollback cannot undo them)")
	fs.StringVar(&c.gl.Template, "gitlab-template", plan.DefaultTemplate, "with --format gitlab: the hidden `job` each rollback job extends")
	fs.StringVar(&c.gl.TemplateFile, "gitlab-template-file", plan.DefaultTemplateFile, "with --format gitlab: the repository `file` that defines the template")
	c.eventFlags(fs)
}

func (c *rollbackCmd) run(ctx context.Context, e *env) error {
	o := &c.options
	cat, err := e.loadCatalog(o)
	if err != nil {
		return err
	}
	p, err := readPlanFile(c.planFile)
	if err != nil {
		return err
	}
	in := rollback.Input{Env: c.envName, Release: c.release, Catalog: cat, IncludeIrreversible: c.includeIrreversible}
	if p != nil {
		in.Env = cmp.Or(in.Env, p.Env)
		in.Release = cmp.Or(in.Release, p.Release)
		if in.Release == p.Release {
			in.Waves = p.Waves
		}
	}
	if in.Env == "" || in.Release == "" {
		return exit.BadInputf("rollback: name the release: --env E --release ID, or --plan-file F (a plan made with plan --env)")
	}
	if err := checkEnv(cat, in.Env); err != nil {
		return err
	}
	store, err := e.openStore(ctx, o.dir, c.record, cat)
	if err != nil {
		return err
	}
	if in.Entries, err = e.readEnv(ctx, store, cat, in.Env); err != nil {
		return err
	}
	r, err := rollback.New(in)
	if err != nil {
		return err
	}
	rp := r.Plan(cat)
	if o.format == "gitlab" {
		// The rollback jobs record what they undo and what runs again, from
		// the release's plan file, which this job passes on as an artifact.
		if c.planFile == "" {
			return exit.BadInputf("rollback: --format gitlab needs --plan-file: the rollback jobs record from the release's plan file")
		}
		// ORDO_FLAGS_FILE (the plan component's flags_file): the rollback
		// pipeline rewrites it at its end.
		c.gl.PlanJob, c.gl.Rollback, c.gl.FlagsFile = e.getenv("CI_JOB_NAME"), true, e.getenv("ORDO_FLAGS_FILE")
		if err := gitlabEnvOptions(&c.gl, cat, rp.Env, c.planFile, o.config, o.dir); err != nil {
			return err
		}
	}
	e.emitOnce(ctx, o, rollbackFinished(r))
	if err := e.summary(func(w io.Writer) error { return render.RollbackMarkdown(w, r) }); err != nil {
		return err
	}
	if err := o.writeOutput(e, func(w io.Writer) error {
		switch o.format {
		case "json":
			return render.JSON(w, r)
		case "markdown":
			return render.RollbackMarkdown(w, r)
		case "github":
			return render.JSON(w, rp.WaveMatrices())
		case "gitlab":
			// An environment's rollback pipeline: its jobs record
			// rolled_back and success (GitLabOptions.Rollback).
			return rp.GitLab(w, c.gl)
		}
		return render.RollbackText(w, r)
	}); err != nil {
		return err
	}
	// The plan's outputs, so a workflow runs rollback waves as it runs deploy waves.
	outs, _ := render.PlanOutputs(rp)
	pairs := []string{}
	dotenv := map[string]string{}
	for _, out := range outs {
		switch out.Name {
		case "deploy", "has-deploy", "waves", "wave-count":
			pairs = append(pairs, out.Name, out.Value)
			dotenv[catalog.WithVariable(out.Name)] = out.Value
		}
	}
	if err := e.gh.SetOutputs(pairs...); err != nil {
		return exit.Envf("%w", err)
	}
	for _, s := range r.Services {
		if s.Irreversible && !s.Job && s.Target != nil {
			fmt.Fprintf(e.Err, "ordo: warning: %s is irreversible (reversible: false) and is not rolled back: what it changed stays; --include-irreversible runs its job anyway\n", s.Name)
		}
	}
	return o.writeDotenv(dotenv)
}
