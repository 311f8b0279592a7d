package cli

import (
	"context"
	"fmt"

	"github.com/ordo-ci/ordo/internal/change"
	"github.com/ordo-ci/ordo/internal/forge"
	"github.com/ordo-ci/ordo/internal/gate"
)

// labelOverrides are the gate overrides that pull request labels give.
//
// On GitHub, with a token, the labels are read live from the API: the
// event's payload is a snapshot (a re-run replays it, so a label added or
// removed since does not count), and merge_group and push payloads carry no
// labels at all. The pull requests are the event's (for a merge group, the
// one its head ref names), else the head commit's. Without a token, or
// when the API cannot be read, the payload's labels are used, with a warning.
// https://docs.github.com/en/webhooks/webhook-events-and-payloads#merge_group
// https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-workflow-runs/re-running-workflows-and-jobs
func (e *env) labelOverrides(ctx context.Context, ev change.Event) []gate.Override {
	payload := gate.LabelOverrides(ev.Labels, ev.PullRequest)
	if ev.Platform == "gitlab" {
		return e.gitlabLabelOverrides(ctx, ev)
	}
	if ev.Platform != "github" {
		return payload
	}
	cfg, err := forge.FromEnv(e.ci, e.getenv, "")
	if err != nil || cfg.Token == "" {
		return payload
	}
	e.gh.Mask(cfg.Token)
	f, err := forge.New(cfg)
	if err != nil {
		return payload
	}
	r, ok := forge.AsReader(f)
	if !ok {
		return payload
	}
	warn := func(err error) []gate.Override {
		msg := fmt.Sprintf("could not read the pull request's labels (%v): using the event's, which a re-run does not refresh", err)
		fmt.Fprintf(e.Err, "ordo: warning: %s\n", msg)
		e.gh.Warning("ordo: " + msg)
		return payload
	}
	prs := []int{ev.PullRequest}
	if ev.PullRequest == 0 {
		if ev.HeadSHA == "" {
			return payload
		}
		if prs, err = r.CommitPullRequests(ctx, ev.HeadSHA); err != nil {
			return warn(err)
		}
	}
	var out []gate.Override
	for _, pr := range prs {
		labels, err := r.Labels(ctx, pr)
		if err != nil {
			return warn(err)
		}
		out = append(out, gate.LabelOverrides(labels, pr)...)
	}
	return out
}
