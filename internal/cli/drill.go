package cli

import (
	"context"
	"flag"
	"fmt"
	"github.com/ordo-ci/ordo/internal/git"
	"io"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/drill"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/gate"
	"github.com/ordo-ci/ordo/internal/plan"
	"github.com/ordo-ci/ordo/internal/render"
)

// drillCmd is `ordo drill`: rehearse a failed wave, touching nothing.
type drillCmd struct {
	options
	envName     string
	planFile    string
	failWave    int
	failService string
}

func (c *drillCmd) flags(fs *flag.FlagSet) {
	c.catalogFlags(fs)
	c.outputFlags(fs, "text", "json", "markdown", "mermaid")
	fs.StringVar(&c.envName, "env", "", "the `environment` (default: the plan's, with --plan-file)")
	fs.StringVar(&c.planFile, "plan-file", "", "rehearse this plan (JSON, from plan --env): its jobs' base is what runs now; the record is not read")
	fs.StringVar(&c.head, "head", "", "without --plan-file: plan deploying `ref` (default HEAD) from the record")
	fs.IntVar(&c.failWave, "fail-wave", -1, "fail wave `N` (default: rehearse every wave, one drill each)")
	fs.StringVar(&c.failService, "fail-service", "", "fail `service` alone, in its wave")
}

func (c *drillCmd) run(ctx context.Context, e *env) error {
	o := &c.options
	var p *plan.Plan
	var cat *catalog.Catalog
	if c.planFile != "" {
		var err error
		if cat, err = e.loadCatalog(o); err != nil {
			return err
		}
		if p, err = readPlanFile(c.planFile); err != nil {
			return err
		}
		if p.Env == "" {
			return exit.BadInputf("drill: %s is not a plan made with plan --env, so it does not say what runs now: make it with ordo plan --env E --plan-file F", c.planFile)
		}
		if c.envName != "" && c.envName != p.Env {
			return exit.BadInputf("drill: --env %s, but the plan %s is for %s", c.envName, c.planFile, p.Env)
		}
	} else {
		if c.envName == "" {
			return exit.BadInputf("drill: name the environment with --env (the plan comes from its record), or pass --plan-file")
		}
		eo := envPlanOptions{envName: c.envName}
		ep, err := eo.plan(ctx, e, o)
		if err != nil {
			return err
		}
		p, cat = ep.plan, ep.cat
		for _, w := range p.Warnings {
			fmt.Fprintf(e.Err, "ordo: warning: %s\n", w)
		}
	}
	in := drill.Input{Env: p.Env, Plan: p, Head: cat, FailWave: c.failWave, FailService: c.failService, BaseFor: c.baseFor(ctx, e, cat, p)}
	d, err := drill.New(in)
	if err != nil {
		return err
	}
	if err := e.summary(func(w io.Writer) error {
		if err := render.DrillMarkdown(w, d); err != nil {
			return err
		}
		return render.MermaidBlock(w, func(w io.Writer) error { return render.DrillMermaid(w, d, p) })
	}); err != nil {
		return err
	}
	return o.writeOutput(e, func(w io.Writer) error {
		switch o.format {
		case "json":
			return render.JSON(w, d)
		case "markdown":
			return render.DrillMarkdown(w, d)
		case "mermaid":
			return render.DrillMermaid(w, d, p)
		}
		return render.DrillText(w, d)
	})
}

// baseFor says what runs each service now, for the contract simulation:
// a planned service runs its catalog at its job's base (nothing when the
// base is null), a service the plan does not deploy runs head's definition
// (the release does not change it). Catalogs are read from git once per
// commit; one that cannot be read counts as nothing running.
func (c *drillCmd) baseFor(ctx context.Context, e *env, cat *catalog.Catalog, p *plan.Plan) gate.BaseFor {
	jobs := map[string]plan.Job{}
	for _, j := range p.Jobs {
		jobs[j.Service] = j
	}
	catalogs := map[string]*catalog.Catalog{}
	return func(service string) (*catalog.Catalog, string) {
		j, planned := jobs[service]
		switch {
		case !planned:
			return cat, p.Head
		case j.Base.Ref == nil:
			return nil, ""
		}
		sha := j.Base.Ref.SHA
		old, seen := catalogs[sha]
		if !seen {
			old = e.baseCatalog(ctx, &c.options, sha)
			if old == nil {
				fmt.Fprintf(e.Err, "ordo: note: the catalog at %s cannot be read here: the services running it count as not running for broken_contracts\n", git.Short(sha))
			}
			catalogs[sha] = old
		}
		return old, sha
	}
}
