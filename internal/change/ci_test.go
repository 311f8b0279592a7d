package change

import (
	"errors"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git"
)

func TestResolveGitHub(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	zero := strings.Repeat("0", 40)

	tests := []struct {
		name, event, fixture string
		data                 map[string]string
		sha                  string // GITHUB_SHA
		want                 want
	}{
		{
			name: "pull_request", event: "pull_request", fixture: "pull_request.json",
			data: map[string]string{"Base": w.c5, "Head": w.f1},
			sha:  w.merge,
			want: want{Base: w.c4, Head: w.f1, Files: prFiles,
				Source: "github pull_request #12 (" + git.Short(w.c4) + ".." + git.Short(w.f1) + ")",
				Event: &Event{Platform: "github", Name: "pull_request", PullRequest: 12, Branch: "main",
					Labels: []string{"area/auth", "ordo:override:policy.freeze"}, HeadSHA: w.f1, DefaultBranch: "main"}},
		},
		{
			name: "pull_request_target", event: "pull_request_target", fixture: "pull_request_target.json",
			data: map[string]string{"Base": w.c5, "Head": w.f1},
			sha:  w.c5,
			want: want{Base: w.c4, Head: w.f1, Files: prFiles, Source: "github pull_request_target #13",
				Event: &Event{Platform: "github", Name: "pull_request_target", PullRequest: 13, Branch: "main", Fork: true,
					Labels: []string{"deploy"}, HeadSHA: w.f1, DefaultBranch: "main"}},
		},
		{
			name: "merge_group", event: "merge_group", fixture: "merge_group.json",
			data: map[string]string{"Base": w.c5, "Head": w.merge},
			sha:  w.merge,
			want: want{Base: w.c5, Head: w.merge, Files: prFiles, Source: "github merge_group into main",
				Event: &Event{Platform: "github", Name: "merge_group", PullRequest: 12, HeadSHA: w.merge, DefaultBranch: "main", Branch: "main"}},
		},
		{
			name: "push to a branch", event: "push", fixture: "push.json",
			data: map[string]string{"Base": w.c3, "Head": w.c5, "Branch": "main", "DefaultBranch": "main"},
			sha:  w.c5,
			want: want{Base: w.c3, Head: w.c5, Files: []string{"libs/auth/auth.go", "services/orders/x.go"},
				Source: "github push to main (" + git.Short(w.c3) + ".." + git.Short(w.c5) + ")",
				Event:  &Event{Platform: "github", Name: "push", HeadSHA: w.c5, DefaultBranch: "main", Branch: "main"}},
		},
		{
			name: "force push compares from the merge base", event: "push", fixture: "push.json",
			data: map[string]string{"Base": w.c5, "Head": w.f1, "Branch": "feature", "DefaultBranch": "main"},
			sha:  w.f1,
			want: want{Base: w.c4, Head: w.f1, Files: prFiles},
		},
		{
			name: "push of a new branch", event: "push", fixture: "push.json",
			data: map[string]string{"Base": zero, "Head": w.f1, "Branch": "feature", "DefaultBranch": "main"},
			sha:  w.f1,
			want: want{Base: w.c4, Head: w.f1, Files: prFiles, Source: "github push to feature, a new branch compared with origin/HEAD"},
		},
		{
			name: "push of a tag: previous tag of the service", event: "push", fixture: "push_tag.json",
			data: map[string]string{"Tag": "users/v1.2.0", "Head": w.c4},
			sha:  w.c4,
			want: want{Base: w.c2, Head: w.c4, Files: []string{"libs/auth/auth.go", "services/orders/main.go"},
				Source: "github push of tag users/v1.2.0 since users/v1.1.0 (" + git.Short(w.c2) + ".." + git.Short(w.c4) + ")",
				Event:  &Event{Platform: "github", Name: "push", HeadSHA: w.c4, Tag: "users/v1.2.0", DefaultBranch: "main"}},
		},
		{
			name: "push of a tag of no service: previous of any tag", event: "push", fixture: "push_tag.json",
			// v1.9.0 is on the same commit, so it is passed over for users/v1.2.0.
			data: map[string]string{"Tag": "v2.0.0", "Head": w.c5},
			sha:  w.c5,
			want: want{Base: w.c4, Head: w.c5, Files: []string{"services/orders/x.go"}, Source: "since users/v1.2.0"},
		},
		{
			name: "push of a service's first tag", event: "push", fixture: "push_tag.json",
			data: map[string]string{"Tag": "web/v0.1.0", "Head": w.c5},
			sha:  w.c5,
			want: want{All: true, Reason: ReasonNoBase, Source: "github push of tag web/v0.1.0: no earlier tag"},
		},
		{
			name: "workflow_dispatch", event: "workflow_dispatch", fixture: "workflow_dispatch.json",
			sha: w.c5,
			want: want{All: true, Reason: ReasonNoBase, Source: "github workflow_dispatch: nothing to compare with",
				Event: &Event{Platform: "github", Name: "workflow_dispatch", HeadSHA: w.c5, DefaultBranch: "main"}},
		},
		{
			name: "schedule", event: "schedule", fixture: "schedule.json",
			sha:  w.c5,
			want: want{All: true, Reason: ReasonNoBase, Event: &Event{Platform: "github", Name: "schedule", HeadSHA: w.c5}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{
				"GITHUB_ACTIONS":    "true",
				"GITHUB_EVENT_NAME": tt.event,
				"GITHUB_EVENT_PATH": payload(t, tt.fixture, tt.data),
				"GITHUB_SHA":        tt.sha,
			}
			got, err := resolve(t, Options{Dir: w.clone.Dir, CI: ciEnv(env), SameService: sameService})
			if err != nil {
				t.Fatal(err)
			}
			checkChange(t, got, tt.want)
		})
	}

	errTests := []struct {
		name, event, fixture string
		data                 map[string]string
		msgs                 []string
	}{
		{
			name: "not a SHA", event: "pull_request", fixture: "pull_request.json",
			data: map[string]string{"Base": "main", "Head": w.f1},
			msgs: []string{`pull_request.base.sha "main" is not a commit SHA`},
		},
		{
			name: "pull_request without pull_request", event: "pull_request", fixture: "workflow_dispatch.json",
			msgs: []string{"has no pull_request"},
		},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": tt.event, "GITHUB_EVENT_PATH": payload(t, tt.fixture, tt.data)}
			_, err := resolve(t, Options{Dir: w.clone.Dir, CI: ciEnv(env)})
			checkErr(t, err, exit.BadInput, tt.msgs...)
			if tt.name == "not a SHA" && !errors.Is(err, ErrEventSHA) {
				t.Errorf("error %v is not ErrEventSHA", err)
			}
		})
	}
}

func TestResolveGitLab(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	zero := strings.Repeat("0", 40)

	tests := []struct {
		name string
		env  map[string]string
		want want
	}{
		{
			name: "merge request",
			env: map[string]string{
				"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_EVENT_TYPE": "detached",
				"CI_MERGE_REQUEST_IID": "7", "CI_MERGE_REQUEST_LABELS": "deploy, area/auth,,deploy",
				"CI_MERGE_REQUEST_DIFF_BASE_SHA": w.c4, "CI_MERGE_REQUEST_TARGET_BRANCH_SHA": "",
				"CI_COMMIT_SHA": w.f1, "CI_DEFAULT_BRANCH": "main",
			},
			want: want{Base: w.c4, Head: w.f1, Files: prFiles, Source: "gitlab merge request !7 (detached)",
				Event: &Event{Platform: "gitlab", Name: "merge_request_event", PullRequest: 7,
					Labels: []string{"area/auth", "deploy"}, HeadSHA: w.f1, DefaultBranch: "main"}},
		},
		{
			name: "merged results",
			env: map[string]string{
				"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_EVENT_TYPE": "merged_result",
				"CI_MERGE_REQUEST_IID": "7", "CI_MERGE_REQUEST_DIFF_BASE_SHA": w.c4,
				"CI_MERGE_REQUEST_TARGET_BRANCH_SHA": w.c5, "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA": w.f1,
				"CI_COMMIT_SHA": w.merge,
			},
			want: want{Base: w.c5, Head: w.merge, Files: prFiles, Source: "gitlab merge request !7 (merged_result)",
				Event: &Event{Platform: "gitlab", Name: "merge_request_event", PullRequest: 7, HeadSHA: w.f1}},
		},
		{
			name: "merge train",
			env: map[string]string{
				"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_EVENT_TYPE": "merge_train",
				"CI_MERGE_REQUEST_IID": "8", "CI_MERGE_REQUEST_DIFF_BASE_SHA": w.c4,
				"CI_MERGE_REQUEST_TARGET_BRANCH_SHA": w.c5, "CI_COMMIT_SHA": w.merge,
			},
			want: want{Base: w.c5, Head: w.merge, Files: prFiles, Source: "gitlab merge request !8 (merge_train)"},
		},
		{
			name: "branch pipeline",
			env: map[string]string{
				"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main",
				"CI_COMMIT_BEFORE_SHA": w.c3, "CI_COMMIT_SHA": w.c5,
			},
			want: want{Base: w.c3, Head: w.c5, Files: []string{"libs/auth/auth.go", "services/orders/x.go"}, Source: "gitlab push to main",
				Event: &Event{Platform: "gitlab", Name: "push", HeadSHA: w.c5}},
		},
		{
			name: "new branch",
			env: map[string]string{
				"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "feature", "CI_DEFAULT_BRANCH": "main",
				"CI_COMMIT_BEFORE_SHA": zero, "CI_COMMIT_SHA": w.f1,
			},
			want: want{Base: w.c4, Head: w.f1, Files: prFiles, Source: "a new branch compared with origin/HEAD"},
		},
		{
			name: "tag pipeline",
			env: map[string]string{
				"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_TAG": "orders/v1.1.0", "CI_COMMIT_SHA": w.c3,
			},
			want: want{Base: w.c1, Head: w.c3, Files: []string{"services/orders/main.go", "services/users/main.go"},
				Source: "gitlab tag pipeline for orders/v1.1.0 since orders/v1.0.0",
				Event:  &Event{Platform: "gitlab", Name: "push", HeadSHA: w.c3, Tag: "orders/v1.1.0"}},
		},
		{
			name: "schedule",
			env:  map[string]string{"CI_PIPELINE_SOURCE": "schedule", "CI_COMMIT_BRANCH": "main", "CI_COMMIT_BEFORE_SHA": zero, "CI_COMMIT_SHA": w.c5},
			want: want{All: true, Reason: ReasonNoBase, Source: "gitlab schedule pipeline: nothing to compare with"},
		},
		{
			name: "web",
			env:  map[string]string{"CI_PIPELINE_SOURCE": "web", "CI_COMMIT_SHA": w.c5},
			want: want{All: true, Reason: ReasonNoBase},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.env["GITLAB_CI"] = "true"
			got, err := resolve(t, Options{Dir: w.clone.Dir, CI: ciEnv(tt.env), SameService: sameService})
			if err != nil {
				t.Fatal(err)
			}
			checkChange(t, got, tt.want)
		})
	}

	t.Run("not a SHA", func(t *testing.T) {
		t.Parallel()
		env := map[string]string{"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main", "CI_COMMIT_SHA": w.c5}
		_, err := resolve(t, Options{Dir: w.clone.Dir, CI: ciEnv(env)})
		checkErr(t, err, exit.BadInput, `CI_COMMIT_BEFORE_SHA "" is not a commit SHA`)
		if !errors.Is(err, ErrEventSHA) {
			t.Errorf("error %v is not ErrEventSHA", err)
		}
	})
}
