package cli

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ordo-ci/ordo/internal/events"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/plan"
	"github.com/ordo-ci/ordo/internal/record"
	"github.com/ordo-ci/ordo/internal/render"
	"github.com/ordo-ci/ordo/internal/report"
)

type reportCmd struct {
	options
	envName, release, events, planFile string
}

func (c *reportCmd) flags(fs *flag.FlagSet) {
	c.catalogFlags(fs)
	c.outputFlags(fs, "text", "json", "markdown")
	fs.StringVar(&c.envName, "env", "", "the `environment` the release went to")
	fs.StringVar(&c.release, "release", "", "the release `id` (default: the plan file's)")
	fs.StringVar(&c.events, "events", "", "read the release's CDEvents from JSON-lines `file` (default $ORDO_EVENTS); nothing is written to it")
	fs.StringVar(&c.planFile, "plan-file", "", "the release's plan (JSON); default: the release's pipelinerun.queued event, else the record's entries")
}

func (c *reportCmd) run(ctx context.Context, e *env) error {
	o := &c.options
	p, err := readPlanFile(c.planFile)
	if err != nil {
		return err
	}
	if p != nil {
		if c.release == "" {
			c.release = p.Release
		}
		if c.envName == "" {
			c.envName = p.Env
		}
		if p.Release != c.release {
			return exit.BadInputf("report: the plan file %s is release %q, not %q: pass the release's own plan file", c.planFile, p.Release, c.release)
		}
	}
	if c.envName == "" || c.release == "" {
		return exit.BadInputf("report: name the release with --env E --release ID (or --plan-file F from plan --env)")
	}
	cat, err := e.loadCatalog(o)
	if err != nil {
		return err
	}
	if err := checkEnv(cat, c.envName); err != nil {
		return err
	}
	in := report.Input{Env: c.envName, Release: c.release}
	if file := cmp.Or(c.events, e.getenv("ORDO_EVENTS")); file != "" {
		evs, warnings, err := events.ReadFile(file)
		if err != nil {
			return err
		}
		for _, w := range warnings {
			fmt.Fprintf(e.Err, "ordo: warning: %s\n", w)
		}
		in.Events = evs
	}
	store, err := e.openStore(ctx, o.dir, o.record, cat)
	if err != nil {
		return err
	}
	if in.Entries, err = store.Read(ctx, c.envName); err != nil {
		return err
	}
	in.Plan = c.plan(p, in)
	if len(in.Plan.Waves) == 0 && !released(in) {
		return exit.BadInputf("report: release %q has no plan, events or record entries in %s: check --env, --release and --events", c.release, c.envName)
	}
	in.Commits = c.commits(ctx, e, in.Plan)
	r := report.New(in)
	if err := o.writeOutput(e, func(w io.Writer) error {
		switch o.format {
		case "json":
			return render.JSON(w, r)
		case "markdown":
			return render.ReportMarkdown(w, r)
		}
		return render.ReportText(w, r)
	}); err != nil {
		return err
	}
	return e.summary(func(w io.Writer) error { return render.ReportMarkdown(w, r) })
}

// plan is the release's plan: the plan file, else its pipelinerun.queued,
// else what the record's entries say.
func (c *reportCmd) plan(p *plan.Plan, in report.Input) report.Plan {
	if p != nil {
		rp := report.Plan{Source: "plan-file", Head: p.Head}
		for _, w := range p.Waves {
			rp.Waves = append(rp.Waves, events.Wave{Index: w.Index, Services: w.Services})
		}
		rp.Jobs = queued(p).CustomData.Jobs
		return rp
	}
	for i := len(in.Events) - 1; i >= 0; i-- {
		ev := in.Events[i]
		if ev.Context.Type == events.TypePipelineRunQueued && ev.Context.ChainID == c.release && ev.CustomData != nil {
			return report.Plan{Source: "events", Head: ev.CustomData.Head, Waves: ev.CustomData.Waves, Jobs: ev.CustomData.Jobs}
		}
	}
	return report.PlanFromRecord(c.release, in.Entries)
}

func released(in report.Input) bool {
	for _, ev := range in.Events {
		if ev.Context.ChainID == in.Release {
			return true
		}
	}
	for _, list := range in.Entries {
		for _, en := range list {
			if en.Release == in.Release {
				return true
			}
		}
	}
	return false
}

// commits are what the release brings: base..head of each planned service,
// the head alone for a service that never ran there. A commit this clone
// lacks leaves the lead time out, with a warning.
func (c *reportCmd) commits(ctx context.Context, e *env, p report.Plan) []report.Commit {
	repo := git.Repo{Dir: c.dir}
	seen := map[string]bool{}
	var out []report.Commit
	for _, j := range p.Jobs {
		head := cmp.Or(j.SHA, p.Head)
		if !record.ValidSHA(head) {
			continue
		}
		rng := head
		if j.BaseSHA != "" {
			rng = j.BaseSHA + ".." + head
		} else {
			rng = "-1 " + head
		}
		if seen[rng] {
			continue
		}
		seen[rng] = true
		text, err := repo.Output(ctx, append([]string{"log", "--format=%H %ct"}, strings.Fields(rng)...)...)
		if err != nil {
			fmt.Fprintf(e.Err, "ordo: warning: no lead time: the commits %s are not in this clone (%v)\n", rng, err)
			return nil
		}
		for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
			sha, ts, ok := strings.Cut(line, " ")
			sec, err := strconv.ParseInt(ts, 10, 64)
			if !ok || err != nil || seen[sha] {
				continue
			}
			seen[sha] = true
			out = append(out, report.Commit{SHA: sha, Time: time.Unix(sec, 0).UTC()})
		}
	}
	return out
}
