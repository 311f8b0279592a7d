package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/ordo-ci/ordo/internal/change"
	"github.com/ordo-ci/ordo/internal/forge"
	"github.com/ordo-ci/ordo/internal/gate"
	"github.com/ordo-ci/ordo/internal/git"
)

// gitlabLabelOverrides are the gate overrides that merge request labels
// give on GitLab. Merge request pipelines carry the labels
// (CI_MERGE_REQUEST_LABELS). A branch pipeline after a merge does not: there
// they are the labels of the merge request whose merge made CI_COMMIT_SHA,
// read from the API with GITLAB_TOKEN or the job token. Any problem there is
// a warning: the gate then runs without labels, as before.
func (e *env) gitlabLabelOverrides(ctx context.Context, ev change.Event) []gate.Override {
	sha, branch := e.ci.GitLab.CommitSHA, e.ci.GitLab.CommitBranch
	if ev.PullRequest != 0 || ev.Name != "push" || sha == "" || branch == "" {
		return gate.LabelOverrides(ev.Labels, ev.PullRequest)
	}
	cfg, err := forge.FromEnv(e.ci, e.getenv, "")
	if err != nil {
		fmt.Fprintf(e.Err, "ordo: warning: no merge request labels for this branch pipeline: %v\n", err)
		return nil
	}
	mr, err := forge.GitLabMergedRequest(ctx, cfg, sha, branch)
	if err != nil {
		fmt.Fprintf(e.Err, "ordo: warning: no merge request labels for this branch pipeline: %v\n", err)
		return nil
	}
	if mr == nil {
		return nil
	}
	quoted := make([]string, len(mr.Labels))
	for i, l := range mr.Labels {
		quoted[i] = fmt.Sprintf("%q", l)
	}
	fmt.Fprintf(e.Err, "ordo: commit %s is the merge of merge request !%d, labels: %s\n", git.Short(sha), mr.IID, strings.Join(quoted, ", "))
	return gate.LabelOverrides(mr.Labels, mr.IID)
}
