package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/plan"
	"github.com/ordo-ci/ordo/internal/record"
	"github.com/ordo-ci/ordo/internal/release"
)

// envPlanOptions is plan's and gate's --env: plan the deployment of head to
// an environment, from what its record (--record or git) says runs there
// (SPEC section 12).
type envPlanOptions struct {
	envName string
	release string // plan's --release
}

func (eo *envPlanOptions) flags(fs *flag.FlagSet) {
	fs.StringVar(&eo.envName, "env", "", "plan deploying head to `environment`: each service against the commit running it there (not with --base, --files or --all)")
}

// validRelease is a release id given with --release: it reaches job
// variables, record entries and ref-free text, so it stays plain. Compiled
// when first used: its {0,127} made it a thousand allocations at every
// start of the binary.
var validRelease = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}$`)
})

// envPlan is what plan --env computed, for plan and gate.
type envPlan struct {
	cat     *catalog.Catalog
	plan    *plan.Plan
	head    string
	entries map[string][]record.Entry
	git     *envGit
	store   record.Store
}

// plan computes the --env plan.
func (eo *envPlanOptions) plan(ctx context.Context, e *env, o *options) (*envPlan, error) {
	if o.base != "" || o.files != "" || o.files0 != "" || o.all {
		return nil, exit.BadInputf("--env plans from the record, one base per service: it does not take --base, --files, --files0 or --all")
	}
	if eo.release != "" && !validRelease().MatchString(eo.release) {
		return nil, exit.BadInputf("--release %q is not a release id: use at most 128 letters, digits and . _ : + - (%s)", eo.release, validRelease())
	}
	cat, err := e.loadCatalog(o)
	if err != nil {
		return nil, err
	}
	if err := checkEnv(cat, eo.envName); err != nil {
		return nil, err
	}
	repo := git.Repo{Dir: o.dir}
	headRev := o.head
	if headRev == "" {
		headRev = "HEAD"
	}
	head, err := repo.RevParse(ctx, headRev)
	if errors.Is(err, git.ErrUnknownRev) {
		return nil, exit.BadInputf("--head %q is not a commit in this repository", headRev)
	}
	if err != nil {
		return nil, exit.Envf("resolve %s: %w", headRev, err)
	}
	store, err := e.openStore(ctx, o.dir, o.record, cat)
	if err != nil {
		return nil, err
	}
	entries, err := e.readEnv(ctx, store, cat, eo.envName)
	if err != nil {
		return nil, err
	}
	bases := map[string]plan.Base{}
	for name, list := range entries {
		if run, ok := record.Running(list); ok && cat.Service(name) != nil {
			bases[name] = plan.Base{SHA: run.SHA, Version: run.Version}
		}
	}
	g := newEnvGit(e, o, cat)
	res, warnings, err := plan.EnvAffected(ctx, cat, affected.NewMatcher(cat), plan.EnvInput{
		Env: eo.envName, Head: head, Bases: bases, Git: g,
		Listed: func(s *catalog.Service) bool { return envListed(cat, s, eo.envName) },
	})
	if err != nil {
		return nil, err
	}
	p := plan.New(cat, res, plan.Options{})
	p.Warnings = append(p.Warnings, warnings...)
	versions := map[string]string{}
	if len(p.Deploy) > 0 {
		cfg, services := releaseInput(cat)
		if versions, err = release.VersionsAt(ctx, repo, cfg, services, release.Options{Head: head, Services: p.Deploy}); err != nil {
			return nil, fmt.Errorf("versions at %s: %w", git.Short(head), err)
		}
	}
	release := eo.release
	if release == "" {
		release = record.NewRelease(eo.envName, time.Now())
	}
	p.SetEnv(eo.envName, release, head, bases, versions)
	return &envPlan{cat: cat, plan: p, head: head, entries: entries, git: g, store: store}, nil
}
