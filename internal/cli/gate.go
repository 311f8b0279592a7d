package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/ordo-ci/ordo/internal/diag"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/gate"
	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/plan"
	"github.com/ordo-ci/ordo/internal/render"
)

type gateCmd struct {
	options
	now       time.Time
	overrides []gate.Override
	env       envPlanOptions
}

func (c *gateCmd) flags(fs *flag.FlagSet) {
	c.catalogFlags(fs)
	c.changeFlags(fs)
	c.outputFlags(fs, "text", "json", "markdown")
	c.dotenvFlag(fs)
	fs.Func("now", "check policy windows at `time` (RFC 3339) instead of now", func(v string) error {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return exit.BadInputf("--now %q is not an RFC 3339 time such as 2026-12-24T10:00:00Z", v)
		}
		c.now = t
		return nil
	})
	fs.Func("override", "waive a policy rule: `RULE=reason` (repeatable), e.g. policy.freeze=\"hotfix INC-42\"", func(v string) error {
		o, err := gate.ParseOverride(v)
		if err != nil {
			return overrideError(err)
		}
		c.overrides = append(c.overrides, o)
		return nil
	})
	c.env.flags(fs)
}

func (c *gateCmd) run(ctx context.Context, e *env) error {
	o := &c.options
	in, err := c.input(ctx, e)
	if err != nil {
		return err
	}
	report, err := gate.Check(ctx, in)
	if err != nil {
		return err
	}
	overrideHints(report)
	if err := o.writeOutput(e, func(w io.Writer) error {
		switch o.format {
		case "json":
			return render.JSON(w, report)
		case "markdown":
			return render.GateMarkdown(w, report)
		}
		return render.GateText(w, report)
	}); err != nil {
		return err
	}
	var annotations diag.List
	for _, v := range report.Violations {
		if v.Overridden {
			continue
		}
		annotations = append(annotations, diag.Diagnostic{File: v.File, Line: v.Line, Col: v.Col, Rule: v.Rule, Message: v.Message})
	}
	e.gh.Annotate(annotations)
	violations := render.CompactJSON(render.NonNil(report.Violations))
	if err := e.gh.SetOutputs("passed", fmt.Sprint(report.Passed), "violations", violations); err != nil {
		return exit.Envf("%w", err)
	}
	if err := e.summary(func(w io.Writer) error { return render.GateMarkdown(w, report) }); err != nil {
		return err
	}
	if err := o.writeDotenv(map[string]string{"ORDO_GATE_PASSED": fmt.Sprint(report.Passed)}); err != nil {
		return err
	}
	if !report.Passed {
		return reported(exit.No)
	}
	return nil
}

// input is the gate's input for a change (base..head, files, CI event), or
// with --env for a promotion.
func (c *gateCmd) input(ctx context.Context, e *env) (gate.Input, error) {
	if c.env.envName != "" {
		return c.envInput(ctx, e)
	}
	o := &c.options
	cat, ch, res, err := e.affected(ctx, o)
	if err != nil {
		return gate.Input{}, err
	}
	p := plan.New(cat, res, plan.Options{})
	waves := make([][]string, len(p.Waves))
	for i, w := range p.Waves {
		waves[i] = w.Services
	}
	in := gate.Input{
		Head:      cat,
		Waves:     waves,
		Now:       c.now,
		Overrides: append(c.overrides, e.labelOverrides(ctx, ch.Event)...),
	}
	if ch.Base != "" {
		in.Base = e.baseCatalog(ctx, o, ch.Base)
		// Both ends are commits: the checkout may be neither (GitHub checks
		// out a pull request's merge commit, a user another branch).
		in.Specs = gate.GitSpecs{Repo: git.Repo{Dir: o.dir}, BaseRev: ch.Base, HeadRev: ch.Head}
	} else {
		in.Specs = gate.GitSpecs{Repo: git.Repo{Dir: o.dir}}
	}
	return in, nil
}
