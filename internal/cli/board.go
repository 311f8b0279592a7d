package cli

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/ordo-ci/ordo/internal/board"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/record"
)

// boardCmd is `ordo board`: the release board as one static HTML page.
type boardCmd struct {
	options
	planFile string
	title    string
	releases int
	now      time.Time
}

func (c *boardCmd) flags(fs *flag.FlagSet) {
	c.catalogFlags(fs)
	fs.StringVar(&c.output, "output", "", "write the page to `path` (e.g. board.html) instead of stdout")
	fs.StringVar(&c.planFile, "plan-file", "", "draw the waves of this plan (JSON) instead of the newest release in the record")
	fs.StringVar(&c.title, "title", "", "the page's `title` (default: the repository directory's name)")
	fs.IntVar(&c.releases, "releases", 20, "list the `N` most recent releases")
	fs.Func("now", "compute ages at `time` (RFC 3339) instead of now", func(v string) error {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return exit.BadInputf("--now %q is not an RFC 3339 time such as 2026-12-24T10:00:00Z", v)
		}
		c.now = t
		return nil
	})
}

func (c *boardCmd) run(ctx context.Context, e *env) error {
	o := &c.options
	if c.releases < 0 {
		return exit.BadInputf("board: --releases %d is negative", c.releases)
	}
	cat, err := e.loadCatalog(o)
	if err != nil {
		return err
	}
	if len(cat.Environments) == 0 {
		return exit.BadInputf("board: %s has no environments: section: add one, e.g. environments: {staging: {}}", cat.File)
	}
	p, err := readPlanFile(c.planFile)
	if err != nil {
		return err
	}
	store, err := e.openStore(ctx, o.dir, c.record, cat)
	if err != nil {
		return err
	}
	in := board.Input{
		Record:      map[string]map[string][]record.Entry{},
		Plan:        p,
		Now:         c.now,
		MaxReleases: max(c.releases, 1),
	}
	if in.Now.IsZero() {
		in.Now = time.Now()
	}
	abs, _ := filepath.Abs(o.dir)
	in.Title = cmp.Or(c.title, filepath.Base(abs))
	for _, env := range cat.Environments {
		in.Environments = append(in.Environments, board.Environment{Name: env.Name, Tier: env.Tier, From: env.From, URL: env.URL})
		entries, err := e.readEnv(ctx, store, cat, env.Name)
		if err != nil {
			return err
		}
		in.Record[env.Name] = entries
	}
	for _, s := range cat.Services {
		if !s.Deployed() {
			continue
		}
		svc := board.Service{Name: s.Name}
		for _, env := range cat.Environments {
			if s.InEnvironment(env.Name) {
				svc.Envs = append(svc.Envs, env.Name)
			}
		}
		in.Services = append(in.Services, svc)
	}
	b := board.Build(in)
	if err := o.writeOutput(e, func(w io.Writer) error { return board.HTML(w, b) }); err != nil {
		return err
	}
	if o.output != "" && o.output != "-" {
		fmt.Fprintf(e.Err, "ordo: wrote %s: %d services × %d environments, %d differ, %d releases\n", o.output, len(b.Rows), len(b.Envs), b.Drifting, len(b.Releases))
	}
	return nil
}
