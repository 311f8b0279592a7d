package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/ordo-ci/ordo/internal/change"
	"github.com/ordo-ci/ordo/internal/forge"
)

// mergeRequestLabels returns the labels that override gate rules, and the
// pull or merge request they come from. Merge request pipelines carry them
// in the event. A GitLab branch pipeline after a merge does not: there they
// are the labels of the merge request whose merge made CI_COMMIT_SHA, read
// from the API with GITLAB_TOKEN or the job token. Any problem there is a
// warning: the gate then runs without labels, as before.
func (e *env) mergeRequestLabels(ctx context.Context, ch *change.Change) ([]string, int) {
	ev := ch.Event
	sha, branch := e.getenv("CI_COMMIT_SHA"), e.getenv("CI_COMMIT_BRANCH")
	if ev.Platform != "gitlab" || ev.PullRequest != 0 || ev.Name != "push" || sha == "" || branch == "" {
		return ev.Labels, ev.PullRequest
	}
	cfg, err := forge.FromEnv(e.getenv, "")
	if err != nil {
		fmt.Fprintf(e.Err, "ordo: warning: no merge request labels for this branch pipeline: %v\n", err)
		return nil, 0
	}
	mr, err := forge.GitLabMergedRequest(ctx, cfg, sha, branch)
	if err != nil {
		fmt.Fprintf(e.Err, "ordo: warning: no merge request labels for this branch pipeline: %v\n", err)
		return nil, 0
	}
	if mr == nil {
		return nil, 0
	}
	quoted := make([]string, len(mr.Labels))
	for i, l := range mr.Labels {
		quoted[i] = fmt.Sprintf("%q", l)
	}
	fmt.Fprintf(e.Err, "ordo: commit %s is the merge of merge request !%d, labels: %s\n", short(sha), mr.IID, strings.Join(quoted, ", "))
	return mr.Labels, mr.IID
}
