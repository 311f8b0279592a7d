package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/forge"
	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/plan"
	"github.com/ordo-ci/ordo/internal/record"
	"github.com/ordo-ci/ordo/internal/release"
)

type envRecordCmd struct {
	options
	envName  string
	service  string
	state    string
	phase    string
	sha      string
	version  string
	release  string
	wave     int
	planFile string
	mirror   bool
}

func (c *envRecordCmd) flags(fs *flag.FlagSet) {
	c.catalogFlags(fs)
	fs.StringVar(&c.envName, "env", "", "the `environment` (default: the plan's, with --plan-file)")
	fs.StringVar(&c.service, "service", "", "the `service` the entry is about")
	fs.StringVar(&c.state, "state", "", "the `state`: in_progress, success, failure (deploy); verified, failure (verify); rolled_back, success (rollback)")
	fs.StringVar(&c.phase, "phase", record.PhaseDeploy, "the `phase`: deploy, verify or rollback")
	fs.StringVar(&c.sha, "sha", "", "the `commit` (default: the plan's head, else GITHUB_SHA, CI_COMMIT_SHA or HEAD)")
	fs.StringVar(&c.version, "version", "", "the `version` (default: the plan job's, else the service's version at the commit)")
	fs.StringVar(&c.release, "release", "", "the release `id` (default: the plan's)")
	fs.IntVar(&c.wave, "wave", -1, "with --plan-file: record every service of wave `N`; with --service alone: the entry's wave")
	fs.StringVar(&c.planFile, "plan-file", "", "the plan (JSON) the entries belong to: its env, release, head, versions and waves are the defaults")
	fs.BoolVar(&c.mirror, "mirror", true, "in GitHub Actions, also show deploy entries as GitHub deployments (the token needs deployments: write)")
	c.eventFlags(fs)
}

func (c *envRecordCmd) setArgs(args []string) error {
	if len(args) > 0 {
		return exit.BadInputf("env record: unexpected argument %q: it takes flags only (--env, --service, --state, ...)", args[0])
	}
	return nil
}

func (c *envRecordCmd) run(ctx context.Context, e *env) error {
	o := &c.options
	if c.state == "" {
		return exit.BadInputf("env record: --state is required: %s", strings.Join(allStates(), ", "))
	}
	if c.wave >= 0 && c.planFile == "" && c.service == "" {
		return exit.BadInputf("env record: --wave needs --plan-file, which says which services the wave deploys (or --service, whose entry it numbers)")
	}
	if c.wave < 0 && c.service == "" {
		return exit.BadInputf("env record: name the service with --service, or a whole wave with --wave N --plan-file F")
	}
	cat, err := e.loadCatalog(o)
	if err != nil {
		return err
	}
	p, err := readPlanFile(c.planFile)
	if err != nil {
		return err
	}
	entries, err := c.entries(ctx, e, cat, p)
	if err != nil {
		return err
	}
	store, err := e.openStore(ctx, o.dir, c.record, cat)
	if err != nil {
		return err
	}
	if c.phase == record.PhaseVerify && c.state == record.StateVerified {
		c.warnUnsuccessful(ctx, e, store, cat, entries)
	}
	var before map[string][]record.Entry
	if e.emitter(o).Enabled() {
		// What was there decides which events the entries make (the
		// release's first entry, a service's first success).
		if before, err = store.Read(ctx, entries[0].Env); err != nil {
			return err
		}
	}
	for _, en := range entries {
		if err := store.Append(ctx, en); err != nil {
			return err
		}
		fmt.Fprintf(e.Err, "ordo: recorded %s\n", en.Summary())
	}
	if before != nil {
		e.emit(ctx, o, recordEvents(cat, before, entries, c.wave)...)
	}
	if c.mirror && c.phase == record.PhaseDeploy && e.ci.GitHub.Actions {
		c.mirrorEntries(ctx, e, cat, entries)
	}
	return nil
}

// mirrorEntries shows deploy entries as GitHub deployments. The record is
// written already and is the truth: a mirror that fails is a warning.
func (c *envRecordCmd) mirrorEntries(ctx context.Context, e *env, cat *catalog.Catalog, entries []record.Entry) {
	warn := func(err error) {
		msg := fmt.Sprintf("the record is written, but not mirrored as GitHub deployments: %v", err)
		fmt.Fprintf(e.Err, "ordo: warning: %s\n", msg)
	}
	cfg, err := forge.FromEnv(e.ci, e.getenv, "")
	if err != nil {
		warn(err)
		return
	}
	m, err := forge.NewMirror(cfg, 0)
	if err != nil || m == nil {
		if err != nil {
			warn(err)
		}
		return
	}
	for _, en := range entries {
		d := forge.Deployment{Environment: en.Env, Service: en.Service, Ref: en.SHA, Release: en.Release, State: en.State,
			Description: en.Summary(), LogURL: en.URL, Entry: en}
		if env := cat.Environment(en.Env); env != nil {
			d.EnvURL, d.Production = env.URL, env.Tier == "production"
		}
		if err := m.Mirror(ctx, d); err != nil {
			warn(err)
			return
		}
	}
}

// entries builds the entries to append, checked against the catalog.
func (c *envRecordCmd) entries(ctx context.Context, e *env, cat *catalog.Catalog, p *plan.Plan) ([]record.Entry, error) {
	envName := c.envName
	if envName == "" && p != nil {
		envName = p.Env
	}
	if envName == "" {
		return nil, exit.BadInputf("env record: --env is required (or a --plan-file made with plan --env)")
	}
	if err := checkEnv(cat, envName); err != nil {
		return nil, err
	}
	var jobs []plan.Job
	switch {
	case p == nil:
		jobs = []plan.Job{{Service: c.service, Wave: c.wave}} // the entry's wave, -1 for none
	default:
		for _, j := range p.Jobs {
			if (c.wave < 0 || j.Wave == c.wave) && (c.service == "" || j.Service == c.service) {
				jobs = append(jobs, j)
			}
		}
		if len(jobs) == 0 {
			what := fmt.Sprintf("wave %d", c.wave)
			if c.service != "" {
				what = fmt.Sprintf("service %q", c.service)
				if c.wave >= 0 {
					what += fmt.Sprintf(" in wave %d", c.wave)
				}
			}
			return nil, exit.BadInputf("env record: the plan %s deploys no %s", c.planFile, what)
		}
	}
	for _, j := range jobs {
		s := cat.Service(j.Service)
		if s == nil {
			return nil, exit.BadInputf("env record: unknown service %q: the catalog's services are %s", j.Service, strings.Join(serviceNames(cat), ", "))
		}
		if !s.Deployed() {
			return nil, exit.BadInputf("env record: %q is a library, which is never deployed and has no record", j.Service)
		}
		if !envListed(cat, s, envName) {
			return nil, exit.BadInputf("env record: %q is not deployed to %s (its environments: in the catalog)", j.Service, envName)
		}
	}
	sha, err := c.commit(ctx, e, p)
	if err != nil {
		return nil, err
	}
	release := c.release
	if release == "" && p != nil {
		release = p.Release
	}
	versions, err := c.versions(ctx, cat, sha, p, jobs)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	url := e.ci.RunURL()
	out := make([]record.Entry, 0, len(jobs))
	for _, j := range jobs {
		en := record.Entry{Env: envName, Service: j.Service, Phase: c.phase, State: c.state, SHA: sha,
			Version: versions[j.Service], Release: release, Time: now, URL: url}
		if j.Wave >= 0 {
			w := j.Wave
			en.Wave = &w
		}
		if err := en.Validate(); err != nil {
			return nil, err
		}
		out = append(out, en)
	}
	return out, nil
}

// commit is --sha, else the plan's head, else the CI's commit, else HEAD.
func (c *envRecordCmd) commit(ctx context.Context, e *env, p *plan.Plan) (string, error) {
	rev := c.sha
	if rev == "" && p != nil {
		rev = p.Head
	}
	if rev == "" {
		rev = e.ci.CommitSHA()
	}
	if record.ValidSHA(rev) {
		return rev, nil // recorded as given: the commit need not be in this clone
	}
	if rev == "" {
		rev = "HEAD"
	}
	sha, err := git.Repo{Dir: c.dir}.RevParse(ctx, rev)
	if errors.Is(err, git.ErrUnknownRev) {
		return "", exit.BadInputf("env record: %q is not a commit in this repository: pass --sha with a full commit sha", rev)
	}
	if err != nil {
		return "", exit.Envf("env record: resolve %s: %w", rev, err)
	}
	return sha, nil
}

// versions is --version, else the plan job's when it deploys sha, else the
// version at sha (SPEC section 12, "Versions").
func (c *envRecordCmd) versions(ctx context.Context, cat *catalog.Catalog, sha string, p *plan.Plan, jobs []plan.Job) (map[string]string, error) {
	out := map[string]string{}
	var missing []string
	for _, j := range jobs {
		switch {
		case c.version != "":
			out[j.Service] = c.version
		case p != nil && j.Version != "" && j.SHA == sha:
			out[j.Service] = j.Version
		default:
			missing = append(missing, j.Service)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	cfg, services := releaseInput(cat)
	vs, err := release.VersionsAt(ctx, git.Repo{Dir: c.dir}, cfg, services, release.Options{Head: sha, Services: missing})
	if err != nil {
		return nil, fmt.Errorf("env record: the version at %s: %w (pass --version)", git.Short(sha), err)
	}
	for _, s := range missing {
		out[s] = vs[s]
	}
	return out, nil
}

// warnUnsuccessful warns about a verified entry at a commit the service
// never deployed successfully: allowed, but probably a mistake.
func (c *envRecordCmd) warnUnsuccessful(ctx context.Context, e *env, store record.Store, cat *catalog.Catalog, entries []record.Entry) {
	if len(entries) == 0 {
		return
	}
	have, err := store.Read(ctx, entries[0].Env)
	if err != nil {
		return // the append will report it
	}
	for _, en := range entries {
		if run, ok := record.Running(have[en.Service]); !ok || run.SHA != en.SHA {
			fmt.Fprintf(e.Err, "ordo: warning: %s is verified in %s at %s, which it does not run (no deploy success there first)\n", en.Service, en.Env, git.Short(en.SHA))
		}
	}
}

// readPlanFile reads the plan JSON at path; "" is no plan.
func readPlanFile(path string) (*plan.Plan, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, exit.BadInputf("plan file %s does not exist: pass the plan-file output of ordo plan", path)
	}
	if err != nil {
		return nil, exit.Envf("read plan file: %w", err)
	}
	var p plan.Plan
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, exit.BadInputf("plan file %s is not ordo's plan JSON: %v", path, err)
	}
	if p.Schema != plan.Schema {
		return nil, exit.BadInputf("plan file %s has schema %q, want %q", path, p.Schema, plan.Schema)
	}
	return &p, nil
}

func allStates() []string {
	var out []string
	for _, ph := range record.Phases() {
		for _, s := range record.States(ph) {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

func serviceNames(cat *catalog.Catalog) []string {
	names := make([]string, len(cat.Services))
	for i, s := range cat.Services {
		names[i] = s.Name
	}
	return names
}
