package forge

import (
	"context"
	"slices"
	"strings"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// MergedRequest is the merge request that brought a commit into a branch.
type MergedRequest struct {
	IID    int
	Labels []string // sorted
}

// GitLabMergedRequest finds the merge request whose merge made commit sha on
// branch: merged into branch, with sha as its merge commit, its squash
// commit, or (fast-forward merges) its head. nil when there is none. Branch
// pipelines run after a merge have no CI_MERGE_REQUEST_LABELS: this is how
// the gate still sees the labels the merge request had. GitLab lets the job
// token make this call, so cfg may hold CI_JOB_TOKEN.
//
// https://docs.gitlab.com/api/commits/#list-merge-requests-associated-with-a-commit
// https://docs.gitlab.com/ci/jobs/ci_job_token/
func GitLabMergedRequest(ctx context.Context, cfg Config, sha, branch string) (*MergedRequest, error) {
	g, err := newGitLab(cfg, httpClient(cfg))
	if err != nil {
		return nil, redact(err, cfg.Token)
	}
	list, _, err := g.c.Commits.ListMergeRequestsByCommit(g.project, sha, gitlab.WithContext(ctx))
	if err != nil {
		return nil, redact(g.fail(err, "read the merge requests of commit "+sha, "commit"), cfg.Token)
	}
	for _, mr := range list {
		if mr == nil || mr.State != "merged" || (branch != "" && mr.TargetBranch != branch) {
			continue
		}
		if mr.MergeCommitSHA != sha && mr.SquashCommitSHA != sha && mr.SHA != sha {
			continue
		}
		labels := slices.Clone([]string(mr.Labels))
		slices.SortFunc(labels, strings.Compare)
		return &MergedRequest{IID: int(mr.IID), Labels: slices.Compact(labels)}, nil
	}
	return nil, nil
}
