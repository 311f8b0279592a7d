package cli

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/change"
	"github.com/ordo-ci/ordo/internal/english"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/forge"
	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/plan"
	"github.com/ordo-ci/ordo/internal/render"
)

// commentMarker finds ordo's pull request comment so it is edited in place.
const commentMarker = "<!-- ordo:plan -->"

type statusCmd struct {
	options
	state    string
	sha      string
	checks   bool
	comment  bool
	pr       int
	tokenEnv string
}

func (c *statusCmd) flags(fs *flag.FlagSet) {
	c.catalogFlags(fs)
	c.changeFlags(fs)
	fs.Func("state", "state of the affected services: pending, success or failure (default pending)", func(v string) error {
		switch v {
		case "pending", "success", "failure":
			c.state = v
			return nil
		}
		return exit.BadInputf("unknown state %q: use pending, success or failure", v)
	})
	fs.StringVar(&c.sha, "sha", "", "post on commit `sha` (default: the pull request head, merge_group.head_sha, GITHUB_SHA or CI_COMMIT_SHA)")
	fs.BoolVar(&c.checks, "checks", false, "post GitHub check runs instead of commit statuses")
	fs.BoolVar(&c.comment, "comment", false, "keep one pull/merge request comment with the plan, edited in place")
	fs.IntVar(&c.pr, "pr", 0, "pull/merge request `number` for --comment (default: from the CI event)")
	fs.StringVar(&c.tokenEnv, "token-env", "", "read the API token from environment variable `name` (default GITHUB_TOKEN or GITLAB_TOKEN)")
}

func (c *statusCmd) run(ctx context.Context, e *env) error {
	o := &c.options
	if c.state == "" {
		c.state = "pending"
	}
	cfg, err := forge.FromEnv(e.ci, e.getenv, c.tokenEnv)
	if err != nil {
		return err
	}
	e.gh.Mask(cfg.Token)
	ev, err := change.ReadEvent(e.ci)
	if err != nil {
		return err
	}
	if ev.Fork && ev.Name == "pull_request" {
		// GitHub gives a fork's pull_request workflows a read-only token,
		// whatever permissions: says: posting would fail with a 403.
		// https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication#permissions-for-the-github_token
		msg := fmt.Sprintf("pull request #%d comes from a fork, whose workflows get a read-only token: not posting statuses; post them from a workflow_run workflow (see the README's \"Pull requests from forks\")", ev.PullRequest)
		e.gh.Notice("ordo: " + msg)
		fmt.Fprintf(e.out, "%s\n", msg)
		return nil
	}
	sha := cmp.Or(c.sha, ev.HeadSHA, e.ci.CommitSHA())
	if cfg.Platform == forge.GitLab && c.sha == "" && e.ci.GitLab.CommitSHA != "" {
		// A GitLab status belongs to this pipeline (CI_PIPELINE_ID), whose
		// commit is CI_COMMIT_SHA, also in merged results pipelines.
		sha = e.ci.GitLab.CommitSHA
	}
	if sha == "" {
		return exit.BadInputf("no commit to post on: pass --sha, or run inside GitHub Actions or GitLab CI")
	}
	pr := c.pr
	if pr == 0 {
		pr = ev.PullRequest
	}
	if c.comment && pr == 0 {
		return exit.BadInputf("--comment needs a pull or merge request: pass --pr N, or run on a pull_request or merge request pipeline")
	}
	f, err := forge.New(cfg)
	if err != nil {
		return err
	}
	target := e.ci.RunURL()
	cat, ch, res, err := e.affected(ctx, o)
	if err != nil {
		// A required `ordo` check must go red, not stay "Expected" forever.
		fail := forge.Status{Context: "ordo", State: forge.StateFailure, TargetURL: target,
			Description: fmt.Sprintf("ordo could not work out the change (exit %d): see the run's log", exit.Code(err))}
		if exit.Code(err) == exit.BadInput {
			fail.Description = "the catalog or the change is invalid: see the run's log"
		}
		if perr := c.post(ctx, f, sha, []forge.Status{fail}, nil); perr != nil {
			fmt.Fprintf(e.Err, "ordo: could not post the failure: %v\n", perr)
		}
		return err
	}
	state := forge.State(c.state)
	required, why := requiredContexts(ctx, f, cmp.Or(ev.Branch, ev.DefaultBranch))
	statuses := []forge.Status{{
		Context:     "ordo",
		State:       state,
		Description: fmt.Sprintf("%d of %s affected (%s)", len(res.Names()), english.Count(len(cat.Services), "service"), c.state),
		TargetURL:   target,
	}}
	var skipped []string
	var anns []forge.Annotation
	level := map[forge.State]forge.Level{forge.StateFailure: forge.LevelFailure}[state]
	for i, s := range cat.Services {
		st := forge.Status{Context: "ordo/" + s.Name, TargetURL: target}
		if res.Set[i] {
			st.State = state
			st.Description = "affected: " + reasonTypes(res, s.Name)
			anns = append(anns, forge.Annotation{Path: e.ci.RepoPath(o.configPath()), Line: s.Pos.Line,
				Level: cmp.Or(level, forge.LevelNotice), Title: s.Name + " " + c.state, Message: st.Description})
		} else {
			st.State = forge.StateSuccess
			st.Description = "not affected"
		}
		// Every affected service without --checks; an unaffected one, and
		// with --checks any, only when a branch rule requires its context
		// (or the rules cannot be read): GitHub allows GITHUB_TOKEN 1,000
		// requests an hour.
		// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#primary-rate-limit-for-github_token-in-github-actions
		if required != nil && !required[st.Context] && (c.checks || !res.Set[i]) {
			if !res.Set[i] {
				skipped = append(skipped, s.Name)
			}
			continue
		}
		statuses = append(statuses, st)
	}
	if d := forge.WriteTime(len(statuses)); d > 0 {
		fmt.Fprintf(e.out, "posting up to %d %s, at most 80 a minute (GitHub's secondary rate limit): up to %s\n", len(statuses), c.kind(), d.Round(time.Second))
	}
	if err := c.post(ctx, f, sha, statuses, anns); err != nil {
		return err
	}
	fmt.Fprintf(e.out, "posted %d %s on %s: ordo %s, %d affected\n", len(statuses), c.kind(), git.Short(sha), c.state, len(res.Names()))
	if why != "" {
		fmt.Fprintf(e.out, "%s\n", why)
	}
	if len(skipped) > 0 {
		fmt.Fprintf(e.out, "skipped the status of %s that no branch rule requires: %s\n", english.Count(len(skipped), "unaffected service"), listSome(skipped, 20))
	}
	if !c.comment {
		return nil
	}
	p := plan.New(cat, res, plan.Options{})
	var body strings.Builder
	if err := render.PlanComment(&body, commentMarker, p, Version(), ch.Source); err != nil {
		return err
	}
	if err := f.UpsertComment(ctx, pr, commentMarker, body.String()); err != nil {
		return err
	}
	fmt.Fprintf(e.out, "updated the plan comment on #%d\n", pr)
	return nil
}

func (c *statusCmd) kind() string {
	if c.checks {
		return "check runs"
	}
	return "statuses"
}

// post writes statuses as commit statuses, or with --checks as check runs,
// the aggregate `ordo` carrying one annotation per affected service.
func (c *statusCmd) post(ctx context.Context, f forge.Forge, sha string, statuses []forge.Status, anns []forge.Annotation) error {
	if !c.checks {
		return f.SetStatuses(ctx, sha, statuses)
	}
	runs := make([]forge.CheckRun, len(statuses))
	for i, st := range statuses {
		runs[i] = forge.CheckRun{Name: st.Context, State: st.State, DetailsURL: st.TargetURL, Title: st.Description, Summary: st.Description}
		if st.Context == "ordo" {
			runs[i].Annotations = anns
		}
	}
	return f.SetCheckRuns(ctx, sha, runs)
}

// requiredContexts reads which contexts the rules of branch require. nil
// means unknown (another forge, no branch, or the rules cannot be read):
// then every context is posted, and why says so.
func requiredContexts(ctx context.Context, f forge.Forge, branch string) (required map[string]bool, why string) {
	r, ok := forge.AsReader(f)
	if !ok {
		return nil, ""
	}
	if branch == "" {
		return nil, "no branch to read the rules of (not a pull request, merge group or push): posted every service's context"
	}
	list, err := r.RequiredChecks(ctx, branch)
	if err != nil {
		return nil, fmt.Sprintf("could not read the rules of branch %s (%v): posted every service's context", branch, err)
	}
	required = make(map[string]bool, len(list))
	for _, c := range list {
		required[c] = true
	}
	return required, ""
}

// listSome joins the first n names and counts the rest.
func listSome(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:n], ", "), len(names)-n)
}

// reasonTypes lists the distinct reason types of an affected service.
func reasonTypes(res *affected.Result, name string) string {
	var types []string
	for _, s := range res.Services {
		if s.Name != name {
			continue
		}
		for _, r := range s.Reasons {
			if !slices.Contains(types, r.Type) {
				types = append(types, r.Type)
			}
		}
	}
	return strings.Join(types, ", ")
}
