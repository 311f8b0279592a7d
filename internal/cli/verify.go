package cli

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/english"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/plan"
	"github.com/ordo-ci/ordo/internal/record"
	"github.com/ordo-ci/ordo/internal/render"
	"github.com/ordo-ci/ordo/internal/verify"
)

// verifyCmd is `ordo verify`: the checks of a wave (or of named services),
// the breaker, and a verify-phase entry per service in the record.
type verifyCmd struct {
	options
	envName  string
	wave     int
	planFile string
	services []string
}

func (c *verifyCmd) flags(fs *flag.FlagSet) {
	c.catalogFlags(fs)
	c.outputFlags(fs, "text", "json", "markdown")
	fs.StringVar(&c.envName, "env", "", "the `environment` (default: the plan's, with --plan-file)")
	fs.IntVar(&c.wave, "wave", -1, "verify the services of wave `N` of --plan-file (with --service and no plan: the wave they deployed in)")
	fs.StringVar(&c.planFile, "plan-file", "", "the plan (JSON, from plan --env) whose wave to verify: its head, versions and release go into the record")
	serviceFlag(fs, &c.services, "verify `service` (repeatable); without --plan-file, at the commit the record says runs it")
	c.eventFlags(fs)
}

// serviceFlag registers a repeatable --service.
func serviceFlag(fs *flag.FlagSet, list *[]string, usage string) {
	fs.Func("service", usage, func(v string) error {
		*list = append(*list, v)
		return nil
	})
}

// verifyTarget is one service to verify and where its entry goes.
type verifyTarget struct {
	svc     verify.Service
	release string
}

func (c *verifyCmd) run(ctx context.Context, e *env) error {
	o := &c.options
	if c.wave >= 0 && c.planFile == "" && len(c.services) == 0 {
		return exit.BadInputf("verify: --wave needs --plan-file, which says which services the wave deploys (or name them with --service)")
	}
	if c.wave < 0 && len(c.services) == 0 {
		return exit.BadInputf("verify: say what to verify: --wave N --plan-file F, or --service S (repeatable)")
	}
	cat, err := e.loadCatalog(o)
	if err != nil {
		return err
	}
	p, err := readPlanFile(c.planFile)
	if err != nil {
		return err
	}
	envName := c.envName
	if envName == "" && p != nil {
		envName = p.Env
	}
	if envName == "" {
		return exit.BadInputf("verify: --env is required (or a --plan-file made with plan --env)")
	}
	if err := checkEnv(cat, envName); err != nil {
		return err
	}
	store, err := e.openStore(ctx, o.dir, c.record, cat)
	if err != nil {
		return err
	}
	targets, err := c.targets(ctx, e, cat, p, store, envName)
	if err != nil {
		return err
	}
	services := make([]verify.Service, len(targets))
	for i, t := range targets {
		services[i] = t.svc
	}
	var mu sync.Mutex
	run, err := verify.Prepare(services, verify.Options{
		Dir:       repoRoot(ctx, o.dir),
		Getenv:    e.getenv,
		Bake:      cat.Verify.Bake,
		MaxFailed: cat.Verify.MaxFailed,
		Progress: func(pr verify.Progress) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(e.Err, "ordo: %s\n", render.VerifyProgress(pr))
		},
	})
	if err != nil {
		return unsetError(err)
	}
	// Masks first: the runner hides a value only in what is printed after.
	// https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/workflow-commands-for-github-actions#masking-a-value-in-a-log
	for _, v := range run.Secrets.Values() {
		e.gh.Mask(v)
		for _, line := range strings.Split(v, "\n") {
			if line != v {
				e.gh.Mask(line)
			}
		}
	}
	c.announce(e, envName, cat.Verify.Bake, targets)
	release := verifyRelease(p, targets)
	e.emit(ctx, o, verifyStarted(envName, release, c.wave, targets)...)
	res := run.Start(ctx)
	res.Env = envName
	if c.wave >= 0 {
		w := c.wave
		res.Wave = &w
	}
	if p != nil {
		res.Release = p.Release
	}
	// An interrupt cancelled ctx; what finished is still recorded.
	if err := c.recordResults(context.WithoutCancel(ctx), e, store, envName, targets, res); err != nil {
		return err
	}
	e.emit(context.WithoutCancel(ctx), o, verifyFinished(cat, envName, release, c.wave, lastWave(p, c.wave), targets, res)...)
	if err := e.summary(func(w io.Writer) error { return render.VerifyMarkdown(w, res) }); err != nil {
		return err
	}
	failed := []string{}
	for _, s := range res.Services {
		if s.State == verify.StateFailed {
			failed = append(failed, s.Name)
		}
	}
	if err := e.gh.SetOutputs("passed", fmt.Sprint(res.Passed), "failed", render.CompactJSON(failed)); err != nil {
		return exit.Envf("%w", err)
	}
	if err := o.writeOutput(e, func(w io.Writer) error {
		switch o.format {
		case "json":
			return render.JSON(w, res)
		case "markdown":
			return render.VerifyMarkdown(w, res)
		}
		return render.VerifyText(w, res)
	}); err != nil {
		return err
	}
	switch {
	case res.Interrupted:
		return exit.Envf("verify: interrupted: the services measured so far are above; nothing was recorded for those not finished")
	case res.Tripped:
		return exit.Nof("verify: the breaker tripped: %d of %d services failed in %s (max_failed %d): roll back with ordo rollback", res.Failed, len(res.Services), envName, res.MaxFailed)
	}
	return nil
}

// announce says what is about to be measured, and for about how long (the
// slowest check's schedule and the bake; a breaker that trips ends it sooner).
func (c *verifyCmd) announce(e *env, envName string, bake time.Duration, targets []verifyTarget) {
	var longest time.Duration
	checks := 0
	for _, t := range targets {
		for _, ch := range t.svc.Checks {
			checks++
			longest = max(longest, ch.InitialDelay+time.Duration(max(ch.Count, 1)-1)*ch.Interval+bake)
		}
	}
	fmt.Fprintf(e.Err, "ordo: verify %s: %s, %s, up to about %s\n", envName, english.Count(len(targets), "service"), english.Count(checks, "check"), roughly(longest))
}

// targets are the services to verify with their placeholders' values: the
// jobs of the plan's wave, else each --service at what the record says runs
// it (sha, version, release), in wave --wave if given.
func (c *verifyCmd) targets(ctx context.Context, e *env, cat *catalog.Catalog, p *plan.Plan, store record.Store, envName string) ([]verifyTarget, error) {
	var out []verifyTarget
	if p != nil {
		for _, j := range p.Jobs {
			if (c.wave >= 0 && j.Wave != c.wave) || (len(c.services) > 0 && !slices.Contains(c.services, j.Service)) {
				continue
			}
			s := cat.Service(j.Service)
			if s == nil {
				return nil, exit.BadInputf("verify: the plan deploys %q, which the catalog does not have: make the plan with this catalog", j.Service)
			}
			w := j.Wave
			sha := cmp.Or(j.SHA, p.Head)
			out = append(out, verifyTarget{release: p.Release, svc: verify.Service{Name: s.Name, Checks: cat.ChecksFor(s),
				Vars: verify.Vars{Service: s.Name, Env: envName, Wave: &w, Version: j.Version, SHA: sha, With: j.With}}})
		}
		if c.wave >= 0 && c.wave >= len(p.Waves) {
			return nil, exit.BadInputf("verify: the plan %s has %d waves, so no wave %d (waves count from 0)", c.planFile, len(p.Waves), c.wave)
		}
		return out, nil
	}
	entries, err := e.readEnv(ctx, store, cat, envName)
	if err != nil {
		return nil, err
	}
	for _, name := range c.services {
		s := cat.Service(name)
		if s == nil {
			return nil, exit.BadInputf("verify: unknown service %q: the catalog's services are %s", name, strings.Join(serviceNames(cat), ", "))
		}
		if !s.Deployed() || !envListed(cat, s, envName) {
			return nil, exit.BadInputf("verify: %q is not deployed to %s", name, envName)
		}
		run, ok := record.Running(entries[name])
		if !ok {
			return nil, exit.BadInputf("verify: nothing runs %s in %s according to the record: deploy it first, or verify a wave with --plan-file", name, envName)
		}
		t := verifyTarget{release: run.Release, svc: verify.Service{Name: name, Checks: cat.ChecksFor(s),
			Vars: verify.Vars{Service: name, Env: envName, Version: run.Version, SHA: run.SHA, With: s.With}}}
		if c.wave >= 0 {
			w := c.wave
			t.svc.Vars.Wave = &w
		}
		out = append(out, t)
	}
	return out, nil
}

// recordResults appends a verify-phase entry per finished service: verified
// or failure. A service stopped before it finished gets none.
func (c *verifyCmd) recordResults(ctx context.Context, e *env, store record.Store, envName string, targets []verifyTarget, res *verify.Result) error {
	now := time.Now().UTC()
	url := e.ci.RunURL()
	for i, sr := range res.Services {
		t := targets[i]
		state := record.StateVerified
		switch sr.State {
		case verify.StateStopped:
			continue
		case verify.StateFailed:
			state = record.StateFailure
		}
		if !record.ValidSHA(t.svc.Vars.SHA) {
			fmt.Fprintf(e.Err, "ordo: warning: %s is not recorded: the plan has no full commit sha for it (make the plan with plan --env)\n", sr.Name)
			continue
		}
		en := record.Entry{Env: envName, Service: sr.Name, Phase: record.PhaseVerify, State: state, SHA: t.svc.Vars.SHA,
			Version: t.svc.Vars.Version, Release: t.release, Wave: t.svc.Vars.Wave, Time: now, URL: url}
		if err := store.Append(ctx, en); err != nil {
			return err
		}
		fmt.Fprintf(e.Err, "ordo: recorded %s\n", en.Summary())
	}
	return nil
}

// repoRoot is the top of the repository dir is in, where commands run;
// dir itself outside a repository.
func repoRoot(ctx context.Context, dir string) string {
	top, err := git.Repo{Dir: dir}.Output(ctx, "rev-parse", "--show-toplevel")
	if err != nil {
		return dir
	}
	return strings.TrimSpace(top)
}

// roughly rounds d for people: to the second, below one to the millisecond.
func roughly(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Second)
}
