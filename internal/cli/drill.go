package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/drill"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/plan"
	"github.com/ordo-ci/ordo/internal/render"
)

// drillCmd is `ordo drill`: rehearse a failed wave, touching nothing.
type drillCmd struct {
	options
	recordOptions
	envName     string
	planFile    string
	failWave    int
	failService string
}

func (c *drillCmd) flags(fs *flag.FlagSet) {
	c.catalogFlags(fs)
	c.outputFlags(fs, "text", "json", "markdown", "mermaid")
	c.recordFlag(fs)
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
		eo := envPlanOptions{recordOptions: c.recordOptions, envName: c.envName}
		ep, err := eo.plan(ctx, e, o)
		if err != nil {
			return err
		}
		p, cat = ep.plan, ep.cat
		for _, w := range p.Warnings {
			fmt.Fprintf(e.Err, "ordo: warning: %s\n", w)
		}
	}
	in := drill.Input{Env: p.Env, Plan: p, Head: cat, FailWave: c.failWave, FailService: c.failService}
	in.Base, in.BaseNote = c.baseCatalog(ctx, e, cat, p)
	d, err := drill.New(in)
	if err != nil {
		return err
	}
	if err := e.summary(func(w io.Writer) error {
		if err := render.DrillMarkdown(w, d); err != nil {
			return err
		}
		return mermaidBlock(w, func(w io.Writer) error { return render.DrillMermaid(w, d, p) })
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

// baseCatalog is the catalog that runs now, for the contract simulation:
// the catalog at the commit every planned service runs, or the catalog of
// the release when none runs anywhere yet (then only services outside the
// plan run, which the release does not change). With services at several
// commits there is no one catalog, as for gate --env.
func (c *drillCmd) baseCatalog(ctx context.Context, e *env, cat *catalog.Catalog, p *plan.Plan) (*catalog.Catalog, string) {
	var bases []string
	for _, j := range p.Jobs {
		if j.Base.Ref != nil && !slices.Contains(bases, j.Base.Ref.SHA) {
			bases = append(bases, j.Base.Ref.SHA)
		}
	}
	switch len(bases) {
	case 0:
		return cat, ""
	case 1:
		if old := e.baseCatalog(ctx, &c.options, bases[0]); old != nil {
			return old, ""
		}
		return nil, fmt.Sprintf("the catalog at %s cannot be read here", short(bases[0]))
	}
	return nil, fmt.Sprintf("the planned services run %d different commits in %s", len(bases), p.Env)
}
