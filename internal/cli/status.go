package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/forge"
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
	cfg, err := forge.FromEnv(e.getenv, c.tokenEnv)
	if err != nil {
		return err
	}
	e.gh.Mask(cfg.Token)
	cat, ch, res, err := e.affected(ctx, o)
	if err != nil {
		return err
	}
	sha := firstNonEmpty(c.sha, ch.Event.HeadSHA, e.getenv("GITHUB_SHA"), e.getenv("CI_COMMIT_SHA"))
	if cfg.Platform == forge.GitLab && c.sha == "" && e.getenv("CI_COMMIT_SHA") != "" {
		// A GitLab status belongs to this pipeline (CI_PIPELINE_ID), whose
		// commit is CI_COMMIT_SHA, also in merged results pipelines.
		sha = e.getenv("CI_COMMIT_SHA")
	}
	if sha == "" {
		return exit.BadInputf("no commit to post on: pass --sha, or run inside GitHub Actions or GitLab CI")
	}
	pr := c.pr
	if pr == 0 {
		pr = ch.Event.PullRequest
	}
	if c.comment && pr == 0 {
		return exit.BadInputf("--comment needs a pull or merge request: pass --pr N, or run on a pull_request or merge request pipeline")
	}
	f, err := forge.New(cfg)
	if err != nil {
		return err
	}
	target := runURL(e.getenv)
	state := forge.State(c.state)
	affectedNames := res.Names()
	statuses := []forge.Status{{
		Context:     "ordo",
		State:       state,
		Description: fmt.Sprintf("%d of %d services affected (%s)", len(affectedNames), len(cat.Services), c.state),
		TargetURL:   target,
	}}
	for i, s := range cat.Services {
		st := forge.Status{Context: "ordo/" + s.Name, TargetURL: target}
		if res.Set[i] {
			st.State = state
			st.Description = "affected: " + reasonTypes(res, s.Name)
		} else {
			st.State = forge.StateSuccess
			st.Description = "not affected"
		}
		statuses = append(statuses, st)
	}
	if c.checks {
		runs := make([]forge.CheckRun, len(statuses))
		for i, st := range statuses {
			runs[i] = forge.CheckRun{Name: st.Context, State: st.State, DetailsURL: st.TargetURL, Title: st.Description, Summary: st.Description}
		}
		err = f.SetCheckRuns(ctx, sha, runs)
	} else {
		err = f.SetStatuses(ctx, sha, statuses)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Out, "posted %d %s on %s: ordo %s, %d affected\n", len(statuses), map[bool]string{true: "check runs", false: "statuses"}[c.checks], short(sha), c.state, len(affectedNames))
	if !c.comment {
		return nil
	}
	p := plan.New(cat, res, plan.Options{})
	var body strings.Builder
	body.WriteString(commentMarker + "\n")
	if err := render.PlanMarkdown(&body, p); err != nil {
		return err
	}
	if err := mermaidBlock(&body, func(w io.Writer) error { return render.PlanMermaid(w, p) }); err != nil {
		return err
	}
	fmt.Fprintf(&body, "\n<sub>ordo %s · %s</sub>\n", Version(), ch.Source)
	if err := f.UpsertComment(ctx, pr, commentMarker, body.String()); err != nil {
		return err
	}
	fmt.Fprintf(e.Out, "updated the plan comment on #%d\n", pr)
	return nil
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

// runURL links a status to the CI run that posted it.
func runURL(getenv func(string) string) string {
	if id := getenv("GITHUB_RUN_ID"); id != "" && getenv("GITHUB_REPOSITORY") != "" {
		return fmt.Sprintf("%s/%s/actions/runs/%s", firstNonEmpty(getenv("GITHUB_SERVER_URL"), "https://github.com"), getenv("GITHUB_REPOSITORY"), id)
	}
	return firstNonEmpty(getenv("CI_JOB_URL"), getenv("CI_PIPELINE_URL"))
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
