package cli

import (
	"context"
	"fmt"
	"slices"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/change"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/gate"
	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/plan"
	"github.com/ordo-ci/ordo/internal/record"
)

// envInput is the gate's input for gate --env E: the plan --env of E, the
// env.* rules against the environment E is promoted from, and the contract
// rules against the catalog at the commit running the deployed services.
func (c *gateCmd) envInput(ctx context.Context, e *env) (gate.Input, error) {
	o := &c.options
	ep, err := c.env.plan(ctx, e, o)
	if err != nil {
		return gate.Input{}, err
	}
	p, cat := ep.plan, ep.cat
	for _, w := range p.Warnings {
		fmt.Fprintf(e.Err, "ordo: warning: %s\n", w)
	}
	ev, err := change.ReadEvent(e.ci)
	if err != nil {
		return gate.Input{}, err
	}
	waves := make([][]string, len(p.Waves))
	for i, w := range p.Waves {
		waves[i] = w.Services
	}
	in := gate.Input{
		Head:      cat,
		Waves:     waves,
		Now:       c.now,
		Overrides: append(c.overrides, e.labelOverrides(ctx, ev)...),
		Specs:     gate.GitSpecs{Repo: git.Repo{Dir: o.dir}, HeadRev: ep.head},
	}
	// The contract rules read each service as it is where it runs in the
	// environment: the catalog (and the specs) at its own base.
	env := &gate.EnvInput{Env: c.env.envName, Head: ep.head, Diverged: map[string]string{}}
	for _, j := range p.Jobs {
		if slices.Contains(j.Reasons, plan.ReasonDiverged) {
			env.Diverged[j.Service] = j.Base.Ref.SHA
		}
	}
	catalogs := map[string]*catalog.Catalog{}
	in.BaseFor = func(service string) (*catalog.Catalog, string) {
		run, ok := record.Running(ep.entries[service])
		if !ok {
			return nil, ""
		}
		old, seen := catalogs[run.SHA]
		if !seen {
			if have, _ := ep.git.have(ctx, run.SHA); have {
				old = e.baseCatalog(ctx, o, run.SHA)
			}
			catalogs[run.SHA] = old
		}
		return old, run.SHA
	}
	env.From, env.Soak = promotion(cat, c.env.envName)
	if env.From != "" {
		if err := c.fromEnv(ctx, e, ep, env); err != nil {
			return gate.Input{}, err
		}
	}
	in.Env = env
	return in, nil
}

// fromEnv fills in what the env rules need of the environment promoted from.
func (c *gateCmd) fromEnv(ctx context.Context, e *env, ep *envPlan, env *gate.EnvInput) error {
	cat := ep.cat
	from, err := e.readEnv(ctx, ep.store, cat, env.From)
	if err != nil {
		return err
	}
	env.InFrom = func(name string) bool {
		s := cat.Service(name)
		return s != nil && envListed(cat, s, env.From)
	}
	env.Verified = map[string][]record.Verification{}
	for _, name := range ep.plan.Deploy {
		env.Verified[name] = record.Verifications(from[name])
	}
	// Whether head changes nothing for a service over commit sha is plan
	// --env's answer with sha as the base of every deployed service: one
	// computation per commit.
	m := affected.NewMatcher(cat)
	deployed := ep.plan.Deploy
	cache := map[string]*affected.Result{}
	env.Unaffected = func(ctx context.Context, service, sha string) (bool, error) {
		res, ok := cache[sha]
		if !ok {
			bases := map[string]plan.Base{}
			for _, name := range deployed {
				bases[name] = plan.Base{SHA: sha}
			}
			var err error
			res, _, err = plan.EnvAffected(ctx, cat, m, plan.EnvInput{
				Env: env.From, Head: env.Head, Bases: bases, Git: ep.git,
				Listed: func(s *catalog.Service) bool { return slices.Contains(deployed, s.Name) },
			})
			if err != nil {
				return false, err
			}
			cache[sha] = res
		}
		i := cat.Index(service)
		if i < 0 {
			return false, exit.BadInputf("gate: unknown service %q", service)
		}
		return !res.Set[i], nil
	}
	return nil
}
