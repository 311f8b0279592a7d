package forge

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/exit"
)

// TestGitLabStatusesNeedThePipeline refuses, before any request, to post a
// status that GitLab would attach to another pipeline; the fake checks
// pipeline_id on every status request of the other tests.
func TestGitLabStatusesNeedThePipeline(t *testing.T) {
	t.Parallel()
	fake := newFakeGitLab(t)
	cfg := fake.config(&sleeps{})
	cfg.PipelineID = 0
	err := newForge(t, cfg).SetStatuses(context.Background(), sha, []Status{{Context: "ordo", State: StatePending}})
	if exit.Code(err) != exit.BadInput || !strings.Contains(err.Error(), "CI_PIPELINE_ID") {
		t.Errorf("err = %v, want exit 2 naming CI_PIPELINE_ID", err)
	}
	if n := fake.Count(glPostStatus) + fake.Count(glListStatuses); n != 0 {
		t.Errorf("%d requests", n)
	}
}

// TestGitLabMergedRequest finds the merge request whose merge made a commit
// on the branch, with the job token, among merge requests that only contain
// the commit, are still open, or went to another branch.
func TestGitLabMergedRequest(t *testing.T) {
	t.Parallel()
	fake := newFakeGitLab(t)
	const merge, squash, ff = "1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222", "3333333333333333333333333333333333333333"
	mr := func(iid int, state, target, sha, mergeSHA, squashSHA string, labels ...string) map[string]any {
		return map[string]any{"iid": iid, "state": state, "target_branch": target, "sha": sha,
			"merge_commit_sha": mergeSHA, "squash_commit_sha": squashSHA, "labels": labels}
	}
	fake.mrs = map[string][]map[string]any{
		merge: {
			mr(3, "opened", "main", "aaaa", "", "", "ordo:override:policy.freeze"),
			mr(4, "merged", "release", "bbbb", merge, "", "ordo:override:policy.freeze"),
			mr(5, "merged", "main", "cccc", merge, "", "ordo:override:policy.max_deploy", "ordo:override:policy.freeze", "bug"),
		},
		squash: {mr(6, "merged", "main", "dddd", "eeee", squash, "x")},
		ff:     {mr(7, "merged", "main", ff, "", "", "y"), mr(8, "merged", "main", "ffff", "9999", "", "z")},
	}
	cfg := fake.config(&sleeps{})
	cfg.Token, cfg.TokenEnv, cfg.JobToken = glJobToken, "CI_JOB_TOKEN", true
	tests := []struct {
		sha, branch string
		want        *MergedRequest
	}{
		{merge, "main", &MergedRequest{IID: 5, Labels: []string{"bug", "ordo:override:policy.freeze", "ordo:override:policy.max_deploy"}}},
		{merge, "release", &MergedRequest{IID: 4, Labels: []string{"ordo:override:policy.freeze"}}},
		{merge, "develop", nil},
		{squash, "main", &MergedRequest{IID: 6, Labels: []string{"x"}}},
		{ff, "main", &MergedRequest{IID: 7, Labels: []string{"y"}}},
		{sha, "main", nil},
	}
	for _, tt := range tests {
		got, err := GitLabMergedRequest(context.Background(), cfg, tt.sha, tt.branch)
		if err != nil {
			t.Fatalf("%s on %s: %v", tt.sha[:4], tt.branch, err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s on %s: %+v, want %+v", tt.sha[:4], tt.branch, got, tt.want)
		}
	}

	cfg.Repository = "acme/other"
	if _, err := GitLabMergedRequest(context.Background(), cfg, merge, "main"); exit.Code(err) != exit.Env || strings.Contains(err.Error(), glJobToken) {
		t.Errorf("unknown project: err = %v, want exit 3 without the token", err)
	}
}
