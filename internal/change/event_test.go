package change

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/ci"
	"github.com/ordo-ci/ordo/internal/exit"
)

func TestReadEvent(t *testing.T) {
	t.Parallel()
	sha := strings.Repeat("a", 40)
	other := strings.Repeat("b", 40)
	tests := []struct {
		name    string
		env     map[string]string
		fixture string            // under testdata/github, rendered with data
		raw     string            // a payload as is
		data    map[string]string // for fixture
		want    Event
	}{
		{name: "outside CI", env: map[string]string{"GITHUB_SHA": sha, "CI_COMMIT_SHA": sha}},
		{name: "GITHUB_ACTIONS must be true", env: map[string]string{"GITHUB_ACTIONS": "1", "GITHUB_SHA": sha}},
		{
			name:    "github pull_request",
			env:     map[string]string{"GITHUB_EVENT_NAME": "pull_request", "GITHUB_SHA": other},
			fixture: "pull_request.json", data: map[string]string{"Base": other, "Head": sha},
			want: Event{Platform: "github", Name: "pull_request", PullRequest: 12,
				Labels: []string{"area/auth", "ordo:override:policy.freeze"}, HeadSHA: sha, DefaultBranch: "main", Branch: "main"},
		},
		{
			name:    "github pull_request_review has a pull request too",
			env:     map[string]string{"GITHUB_EVENT_NAME": "pull_request_review", "GITHUB_SHA": other},
			fixture: "pull_request.json", data: map[string]string{"Base": other, "Head": sha},
			want: Event{Platform: "github", Name: "pull_request_review", PullRequest: 12,
				Labels: []string{"area/auth", "ordo:override:policy.freeze"}, HeadSHA: sha, DefaultBranch: "main", Branch: "main"},
		},
		{
			name:    "github merge_group",
			env:     map[string]string{"GITHUB_EVENT_NAME": "merge_group", "GITHUB_SHA": other},
			fixture: "merge_group.json", data: map[string]string{"Base": other, "Head": sha},
			want: Event{Platform: "github", Name: "merge_group", PullRequest: 12, HeadSHA: sha, DefaultBranch: "main", Branch: "main"},
		},
		{
			// https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#workflows-in-forked-repositories
			name: "github pull_request from a fork",
			env:  map[string]string{"GITHUB_EVENT_NAME": "pull_request", "GITHUB_SHA": other},
			raw: `{"number": 5, "pull_request": {"number": 5, "head": {"sha": "` + sha + `", "repo": {"full_name": "mallory/monorepo"}},
				"base": {"sha": "` + other + `", "ref": "release/1.x", "repo": {"full_name": "octo/monorepo"}}}}`,
			want: Event{Platform: "github", Name: "pull_request", PullRequest: 5, HeadSHA: sha, Branch: "release/1.x", Fork: true},
		},
		{
			name: "github pull_request from a branch of the same repository",
			env:  map[string]string{"GITHUB_EVENT_NAME": "pull_request", "GITHUB_SHA": other},
			raw: `{"number": 5, "pull_request": {"number": 5, "head": {"sha": "` + sha + `", "repo": {"full_name": "Octo/Monorepo"}},
				"base": {"sha": "` + other + `", "ref": "main", "repo": {"full_name": "octo/monorepo"}}}}`,
			want: Event{Platform: "github", Name: "pull_request", PullRequest: 5, HeadSHA: sha, Branch: "main"},
		},
		{
			name:    "github tag push",
			env:     map[string]string{"GITHUB_EVENT_NAME": "push", "GITHUB_SHA": sha},
			fixture: "push_tag.json", data: map[string]string{"Tag": "users/v1.0.0", "Head": sha},
			want: Event{Platform: "github", Name: "push", HeadSHA: sha, Tag: "users/v1.0.0", DefaultBranch: "main"},
		},
		{
			name: "github without a payload",
			env:  map[string]string{"GITHUB_EVENT_NAME": "push", "GITHUB_SHA": sha, "GITHUB_REF": "refs/tags/v1.0.0", "GITHUB_EVENT_PATH": ""},
			want: Event{Platform: "github", Name: "push", HeadSHA: sha, Tag: "v1.0.0"},
		},
		{
			name: "github null payload",
			env:  map[string]string{"GITHUB_EVENT_NAME": "workflow_dispatch", "GITHUB_SHA": sha},
			raw:  "null",
			want: Event{Platform: "github", Name: "workflow_dispatch", HeadSHA: sha},
		},
		{
			name: "gitlab merge request",
			env: map[string]string{"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "merge_request_event", "CI_COMMIT_SHA": sha,
				"CI_MERGE_REQUEST_IID": "42", "CI_MERGE_REQUEST_LABELS": "b,a, ordo:override:policy.freeze ,a", "CI_DEFAULT_BRANCH": "trunk"},
			want: Event{Platform: "gitlab", Name: "merge_request_event", PullRequest: 42,
				Labels: []string{"a", "b", "ordo:override:policy.freeze"}, HeadSHA: sha, DefaultBranch: "trunk"},
		},
		{
			name: "gitlab merged results report on the source branch",
			env: map[string]string{"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "merge_request_event", "CI_COMMIT_SHA": sha,
				"CI_MERGE_REQUEST_SOURCE_BRANCH_SHA": other},
			want: Event{Platform: "gitlab", Name: "merge_request_event", HeadSHA: other},
		},
		{
			name: "gitlab tag",
			env:  map[string]string{"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_SHA": sha, "CI_COMMIT_TAG": "v1.2.3"},
			want: Event{Platform: "gitlab", Name: "push", HeadSHA: sha, Tag: "v1.2.3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{}
			if tt.want.Platform == "github" {
				env["GITHUB_ACTIONS"] = "true"
				switch {
				case tt.fixture != "":
					env["GITHUB_EVENT_PATH"] = payload(t, tt.fixture, tt.data)
				case tt.raw != "":
					env["GITHUB_EVENT_PATH"] = writeFile(t, tt.raw)
				}
			}
			for k, v := range tt.env {
				env[k] = v
			}
			got, err := ReadEvent(ciEnv(env))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ReadEvent =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}

	if got, err := ReadEvent(ci.Env{}); err != nil || !reflect.DeepEqual(got, Event{}) {
		t.Errorf("ReadEvent(ci.Env{}) = %+v, %v; want the zero Event", got, err)
	}
}

func TestReadEventErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		raw  string
		code int
		msgs []string
	}{
		{name: "payload missing", env: map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_PATH": "/nonexistent/event.json"},
			code: exit.Env, msgs: []string{"read the github event payload", "/nonexistent/event.json"}},
		{name: "payload not JSON", env: map[string]string{"GITHUB_ACTIONS": "true"}, raw: "{not json",
			code: exit.BadInput, msgs: []string{"parse the github event payload"}},
		{name: "payload of the wrong shape", env: map[string]string{"GITHUB_ACTIONS": "true"}, raw: `{"pull_request": {"number": "12"}}`,
			code: exit.BadInput, msgs: []string{"parse the github event payload", "pull_request.number"}},
		{name: "gitlab IID", env: map[string]string{"GITLAB_CI": "true", "CI_MERGE_REQUEST_IID": "!7"},
			code: exit.BadInput, msgs: []string{`CI_MERGE_REQUEST_IID "!7" is not a merge request number`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.raw != "" {
				tt.env["GITHUB_EVENT_PATH"] = writeFile(t, tt.raw)
			}
			_, err := ReadEvent(ciEnv(tt.env))
			checkErr(t, err, tt.code, tt.msgs...)
		})
	}
}

func TestQueuedPullRequest(t *testing.T) {
	t.Parallel()
	for ref, want := range map[string]int{
		"refs/heads/gh-readonly-queue/main/pr-12-0123abcd":          12,
		"refs/heads/gh-readonly-queue/release/pr-2/x/pr-345-abcdef": 345,
		"refs/heads/gh-readonly-queue/main/pr-x-0123":               0,
		"refs/heads/gh-readonly-queue/main/pr--5-0123":              0,
		"refs/heads/main": 0,
		"":                0,
	} {
		if got := queuedPullRequest(ref); got != want {
			t.Errorf("queuedPullRequest(%q) = %d, want %d", ref, got, want)
		}
	}
}

func writeFile(tb testing.TB, content string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "event.json")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// FuzzReadEvent feeds arbitrary payloads to every kind of GitHub event:
// parsing must fail cleanly or describe a comparison of real SHAs.
func FuzzReadEvent(f *testing.F) {
	fixtures, err := filepath.Glob(filepath.Join("testdata", "github", "*.json"))
	if err != nil || len(fixtures) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	for _, p := range fixtures {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{"", "null", "[]", `"x"`, "{}", `{"pull_request": null}`, `{"merge_group": {"head_ref": "/pr-"}}`,
		`{"ref": "refs/tags/", "after": ""}`, `{"pull_request": {"labels": [null, {"name": ""}]}}`} {
		f.Add([]byte(s))
	}
	events := []string{"pull_request", "pull_request_target", "merge_group", "push", "workflow_dispatch", ""}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range events {
			env := map[string]string{"GITHUB_EVENT_NAME": name, "GITHUB_SHA": strings.Repeat("a", 40)}
			ev, d, err := parseGitHub(ciEnv(env).GitHub, data)
			if err != nil {
				if exit.Code(err) != exit.BadInput {
					t.Errorf("%s: error %v has exit code %d, want %d", name, err, exit.Code(err), exit.BadInput)
				}
				continue
			}
			if ev.Platform != "github" || ev.Name != name {
				t.Errorf("%s: event %+v", name, ev)
			}
			if d.err != nil || d.noBase || d.tag != "" {
				continue
			}
			for _, sha := range []string{d.base, d.head} {
				if sha != zeroSHA && !isLowerSHA(sha) {
					t.Errorf("%s: would compare %q, not a SHA", name, sha)
				}
			}
		}
	})
}

func isLowerSHA(s string) bool {
	return (len(s) == 40 || len(s) == 64) && strings.Trim(s, "0123456789abcdef") == ""
}
