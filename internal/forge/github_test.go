package forge

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/forge/forgetest"
)

const sha = "0123456789abcdef0123456789abcdef01234567"

func newForge(t testing.TB, cfg Config) Forge {
	t.Helper()
	f, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestGitHubSetStatusesIsIdempotent(t *testing.T) {
	t.Parallel()
	fake := newFakeGitHub(t)
	f := newForge(t, ghConfig(fake, &sleeps{}))
	setStatusSteps(t, ghFake(fake), f, []statusStep{
		{"first run posts every status", []Status{
			{Context: "ordo", State: StatePending, Description: "2 of 3 services affected", TargetURL: "https://ci.example/run/1"},
			{Context: "ordo/api", State: StatePending, Description: "deploys in wave 0"},
			{Context: "ordo/web", State: StateSuccess, Description: "not affected"},
		}, 3},
		{"the same again posts nothing", []Status{
			{Context: "ordo", State: StatePending, Description: "2 of 3 services affected", TargetURL: "https://ci.example/run/1"},
			{Context: "ordo/api", State: StatePending, Description: "deploys in wave 0"},
			{Context: "ordo/web", State: StateSuccess, Description: "not affected"},
		}, 0},
		{"only what changed is posted", []Status{
			{Context: "ordo", State: StateSuccess, Description: "2 of 3 services affected", TargetURL: "https://ci.example/run/1"},
			{Context: "ordo/api", State: StateSuccess, Description: "deploys in wave 0"},
			{Context: "ordo/web", State: StateSuccess, Description: "not affected"},
		}, 2},
		{"a long description is cut to 140 characters", []Status{
			{Context: "ordo", State: StateFailure, Description: strings.Repeat("é", 200)},
		}, 1},
		{"and is then seen as unchanged", []Status{
			{Context: "ordo", State: StateFailure, Description: strings.Repeat("é", 200)},
		}, 0},
	})
	want := []ghStatus{
		{Context: "ordo", State: "failure", Description: strings.Repeat("é", 139) + "…"},
		{Context: "ordo/api", State: "success", Description: "deploys in wave 0"},
		{Context: "ordo/web", State: "success", Description: "not affected"},
	}
	got := fake.Statuses(sha)
	for i := range got {
		got[i].ID = 0
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("statuses\n got %+v\nwant %+v", got, want)
	}
}

func TestGitHubUpsertComment(t *testing.T) {
	t.Parallel()
	const marker = "<!-- ordo:plan -->"
	body := marker + "\n## ordo plan\n\n| wave | services |\n|---|---|\n| 0 | api |"
	alice := ghUser{Login: "alice", ID: 7, Type: "User"}
	others := func(n int) []*ghComment {
		var cs []*ghComment
		for i := range n {
			cs = append(cs, &ghComment{ID: int64(1000 + i), Issue: 7, Body: fmt.Sprintf("LGTM %d", i), User: alice})
		}
		return cs
	}
	for _, installation := range []bool{false, true} {
		me := forgetest.Account(installation)
		// An impostor has the bot's name without being the bot.
		impostor := ghUser{Login: strings.TrimSuffix(me.Login, "[bot]"), ID: 99, Type: "User"}
		if !installation {
			impostor = ghUser{Login: me.Login + "[bot]", ID: 99, Type: "Bot"}
		}
		tests := []struct {
			name               string
			existing           []*ghComment
			wantCreate, wantEd int
			wantDel            int
		}{
			{"no comment yet: one is created", nil, 1, 0, 0},
			{"another pull request's comment is not touched", []*ghComment{{ID: 5, Issue: 8, Body: marker + "\nold", User: me}}, 1, 0, 0},
			{"an old comment on page 2 is edited", append(others(130), &ghComment{ID: 9, Issue: 7, Body: marker + "\nold plan", User: me}), 0, 1, 0},
			{"an unchanged comment costs no write", []*ghComment{{ID: 9, Issue: 7, Body: body, User: me}}, 0, 0, 0},
			{"duplicates left by an interrupted run are deleted", []*ghComment{
				{ID: 9, Issue: 7, Body: marker + "\nold", User: me}, {ID: 10, Issue: 7, Body: "thanks", User: alice}, {ID: 11, Issue: 7, Body: marker + "\nolder", User: me}}, 0, 1, 1},
			{"someone else's comments with the marker are left alone", []*ghComment{
				{ID: 9, Issue: 7, Body: marker + "\nfake plan <img src=x>", User: alice}, {ID: 10, Issue: 7, Body: body, User: impostor}}, 1, 0, 0},
		}
		for _, tt := range tests {
			t.Run(fmt.Sprintf("installation=%v/%s", installation, tt.name), func(t *testing.T) {
				t.Parallel()
				fake := newFakeGitHub(t)
				fake.SetInstallation(installation)
				for _, c := range tt.existing {
					fake.AddComments(*c)
				}
				fake.SetNextID(2000)
				f := newForge(t, ghConfig(fake, &sleeps{}))
				upsertCommentTwice(t, ghFake(fake), f, 7, marker, body, tt.wantCreate, tt.wantEd, tt.wantDel)
				var mine []string
				var others []ghComment
				for _, c := range fake.Comments(7) {
					if c.User == me && strings.Contains(c.Body, marker) {
						mine = append(mine, c.Body)
					} else {
						others = append(others, c)
					}
				}
				if len(mine) != 1 || mine[0] != body {
					t.Errorf("ordo comments on #7: %q, want exactly one with the plan", mine)
				}
				var wantOthers []ghComment
				for _, c := range tt.existing {
					if c.Issue == 7 && c.User != me {
						wantOthers = append(wantOthers, *c)
					}
				}
				if !reflect.DeepEqual(others, wantOthers) {
					t.Errorf("other people's comments changed:\n got %+v\nwant %+v", others, wantOthers)
				}
			})
		}
	}
}

func TestGitHubUpsertCommentAddsMarker(t *testing.T) {
	t.Parallel()
	fake := newFakeGitHub(t)
	f := newForge(t, ghConfig(fake, &sleeps{}))
	huge := strings.Repeat("x", 70000)
	for range 2 {
		if err := f.UpsertComment(context.Background(), 3, "ordo:plan", huge); err != nil {
			t.Fatal(err)
		}
	}
	cs := fake.Comments(3)
	if len(cs) != 1 || !strings.HasPrefix(cs[0].Body, "<!-- ordo:plan -->\n") || len([]rune(cs[0].Body)) != ghCommentMax {
		t.Errorf("%d comments; first starts %q and has %d characters", len(cs), cs[0].Body[:30], len([]rune(cs[0].Body)))
	}
}

func TestGitHubUpsertRelease(t *testing.T) {
	t.Parallel()
	fake := newFakeGitHub(t)
	rel := Release{Tag: "users-api/v1.2.0", Body: "## Features\n\n- users: paging", Prerelease: false}
	upsertReleaseSteps(t, ghFake(fake), newForge(t, ghConfig(fake, &sleeps{})), rel, rel.Body+"\n- users: sorting")
	want := []ghRelease{{ID: 1, TagName: rel.Tag, Name: rel.Tag, Body: rel.Body + "\n- users: sorting",
		HTMLURL: "https://github.example/acme/mono/releases/tag/users-api/v1.2.0"}}
	if got := fake.Releases(); !reflect.DeepEqual(got, want) {
		t.Errorf("releases\n got %+v\nwant %+v", got, want)
	}
}

// A release that appears between the lookup and the create (another job,
// or a create whose answer was lost and retried) is updated, not doubled.
func TestGitHubUpsertReleaseCreatedMeanwhile(t *testing.T) {
	t.Parallel()
	fake := newFakeGitHub(t)
	fake.AddReleases(ghRelease{ID: 1, TagName: "v1.0.0", Name: "v1.0.0", Body: "old", HTMLURL: "https://github.example/r/1"})
	fake.SetNextID(1)
	fake.Inject(ghGetRelease, fault{Status: 404, Body: `{"message":"Not Found"}`})
	f := newForge(t, ghConfig(fake, &sleeps{}))
	if _, err := f.UpsertRelease(context.Background(), Release{Tag: "v1.0.0", Body: "new", Prerelease: true}); err != nil {
		t.Fatal(err)
	}
	got := fake.Releases()
	if len(got) != 1 || got[0].Body != "new" || !got[0].Prerelease || fake.Count(ghGetRelease) != 2 {
		t.Errorf("releases %+v after %s", got, fake.Calls())
	}
}

func TestGitHubSetCheckRuns(t *testing.T) {
	t.Parallel()
	anns := func(n int) []Annotation {
		var as []Annotation
		for i := range n {
			as = append(as, Annotation{Path: "ordo.yaml", Line: i, Level: LevelFailure, Message: fmt.Sprintf("problem %d", i)})
		}
		return as
	}
	run := func(state State, n int) CheckRun {
		return CheckRun{Name: "ordo/api", State: state, Title: "api", Summary: "**deploys** in wave 0", DetailsURL: "https://ci.example/1", Annotations: anns(n)}
	}
	tests := []struct {
		name        string
		first, then CheckRun
		wantRuns    int // check runs on the commit in the end
		wantWrites  int // create and update requests of the second call
		wantAnns    int // annotations on the latest run
	}{
		{"the same run twice: the second call only reads", run(StateSuccess, 3), run(StateSuccess, 3), 1, 0, 3},
		{"120 annotations go 50 at a time", run(StateFailure, 0), run(StateFailure, 120), 2, 3, 120},
		{"an in-progress run without annotations is completed in place", run(StatePending, 0), run(StateSuccess, 0), 1, 1, 0},
		{"a completed run is replaced, not appended to", run(StateFailure, 2), run(StateSuccess, 1), 2, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFakeGitHub(t)
			f := newForge(t, ghConfig(fake, &sleeps{}))
			ctx := context.Background()
			if err := f.SetCheckRuns(ctx, sha, []CheckRun{tt.first}); err != nil {
				t.Fatal(err)
			}
			fake.Reset()
			if err := f.SetCheckRuns(ctx, sha, []CheckRun{tt.then}); err != nil {
				t.Fatal(err)
			}
			if w := fake.Count(ghPostRun) + fake.Count(ghPatchRun); w != tt.wantWrites {
				t.Errorf("%d writes, want %d: %s", w, tt.wantWrites, fake.Calls())
			}
			for _, b := range fake.Bodies(ghPatchRun) {
				if strings.Contains(b, `"annotations"`) && strings.Count(b, `"annotation_level"`) > 50 {
					t.Errorf("more than 50 annotations in one request")
				}
			}
			runs := fake.Runs()
			latest := runs[len(runs)-1]
			if len(runs) != tt.wantRuns || len(latest.Annotations) != tt.wantAnns {
				t.Errorf("%d runs, latest with %d annotations; want %d, %d", len(runs), len(latest.Annotations), tt.wantRuns, tt.wantAnns)
			}
			wantStatus, wantConclusion := "completed", string(tt.then.State)
			if tt.then.State == StatePending {
				wantStatus, wantConclusion = "in_progress", ""
			}
			if latest.Status != wantStatus || latest.Conclusion != wantConclusion || latest.Output.Title != "api" || latest.ExternalID != fingerprint(tt.then) {
				t.Errorf("latest run %+v", latest)
			}
			// And a third call finds everything as it left it.
			fake.Reset()
			if err := f.SetCheckRuns(ctx, sha, []CheckRun{tt.then}); err != nil {
				t.Fatal(err)
			}
			if fake.Total() != 1 {
				t.Errorf("third call: %s", fake.Calls())
			}
		})
	}
}

// A run whose annotations were cut short by a failed request must not look
// finished to the next call: the fingerprint goes with the last request.
func TestGitHubCheckRunCutShortIsWrittenAgain(t *testing.T) {
	t.Parallel()
	fake := newFakeGitHub(t)
	fake.Inject(ghPatchRun, fault{Status: 422, Body: `{"message":"Validation Failed"}`})
	f := newForge(t, ghConfig(fake, &sleeps{}))
	run := CheckRun{Name: "ordo", State: StateFailure, Summary: "2 violations"}
	for i := range 70 {
		run.Annotations = append(run.Annotations, Annotation{Path: "ordo.yaml", Line: i + 1, Message: "m"})
	}
	if err := f.SetCheckRuns(context.Background(), sha, []CheckRun{run}); err == nil || !strings.Contains(err.Error(), `set check run "ordo"`) {
		t.Fatalf("error %v", err)
	}
	if err := f.SetCheckRuns(context.Background(), sha, []CheckRun{run}); err != nil {
		t.Fatal(err)
	}
	runs := fake.Runs()
	if latest := runs[len(runs)-1]; len(latest.Annotations) != 70 || latest.ExternalID != fingerprint(run) {
		t.Errorf("latest run has %d annotations and external_id %q", len(latest.Annotations), latest.ExternalID)
	}
}

func TestGitHubRejectsBadInputWithoutRequests(t *testing.T) {
	t.Parallel()
	fake := newFakeGitHub(t)
	f := newForge(t, ghConfig(fake, &sleeps{}))
	ctx := context.Background()
	calls := []struct {
		name string
		call func() error
		want string
	}{
		{"unknown state", func() error { return f.SetStatuses(ctx, sha, []Status{{Context: "ordo", State: "done"}}) }, `unknown state "done"`},
		{"duplicate context", func() error {
			return f.SetStatuses(ctx, sha, []Status{{Context: "ordo/a", State: StateSuccess}, {Context: "ORDO/a", State: StateFailure}})
		}, "given twice"},
		{"no context", func() error { return f.SetStatuses(ctx, sha, []Status{{State: StateSuccess}}) }, "no context"},
		{"no marker", func() error { return f.UpsertComment(ctx, 1, " ", "x") }, "marker is empty"},
		{"no pull request", func() error { return f.UpsertComment(ctx, 0, "m", "x") }, "--pr"},
		{"no tag", func() error { _, err := f.UpsertRelease(ctx, Release{Body: "x"}); return err }, "no tag"},
		{"bad annotation level", func() error {
			return f.SetCheckRuns(ctx, sha, []CheckRun{{Name: "ordo", State: StateSuccess, Annotations: []Annotation{{Path: "a", Message: "m", Level: "error"}}}})
		}, `level "error"`},
	}
	for _, c := range calls {
		err := c.call()
		if exit.Code(err) != exit.BadInput || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v (exit %d), want exit 2 with %q", c.name, err, exit.Code(err), c.want)
		}
	}
	if fake.Total() != 0 {
		t.Errorf("requests sent: %s", fake.Calls())
	}
}

// A response that spends the quota makes go-github refuse later requests on
// its own; the transport must still get to wait for the reset and retry.
func TestGitHubWaitsForQuotaSpentBySuccess(t *testing.T) {
	t.Parallel()
	fake := newFakeGitHub(t)
	reset := unix(100 * time.Second)
	spent := map[string]string{"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
	fake.Inject(ghGetStatus, fault{Status: 200, Header: spent, Body: `{"state":"pending","sha":"x","total_count":0,"statuses":[]}`})
	fake.Inject(ghPostStatus, fault{Status: 403, Header: spent, Body: `{"message":"API rate limit exceeded for installation ID 1."}`})
	s := &sleeps{}
	f := newForge(t, ghConfig(fake, s))
	if err := f.SetStatuses(context.Background(), sha, []Status{{Context: "ordo", State: StateSuccess}}); err != nil {
		t.Fatal(err)
	}
	if got := s.all(); len(got) != 1 || !between(50*time.Second, 102*time.Second)(got[0]) {
		t.Errorf("waits %v", got)
	}
}

func TestGitHubBaseURLs(t *testing.T) {
	t.Parallel()
	for _, suffix := range []string{"/api/v3", "/api/v3/", ""} {
		t.Run(suffix, func(t *testing.T) {
			t.Parallel()
			fake := newFakeGitHub(t)
			cfg := ghConfig(fake, &sleeps{})
			cfg.BaseURL = fake.ServerURL() + suffix
			if err := newForge(t, cfg).SetStatuses(context.Background(), sha, []Status{{Context: "ordo", State: StateSuccess}}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The subset of GitHub's description holds exactly the operations ordo
// calls, and the validation built on it does reject a bad request.
func TestGitHubOpenAPISubset(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromFile(filepath.Join("testdata", "github-openapi-subset.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			got = append(got, method+" "+path)
		}
	}
	// The fake's routes, in the description's words.
	rename := strings.NewReplacer(ghBase, "", "{number}", "{issue_number}", "comments/{id}", "comments/{comment_id}",
		"releases/{id}", "releases/{release_id}", "check-runs/{id}", "check-runs/{check_run_id}", "commits/{sha}/pulls", "commits/{commit_sha}/pulls",
		"deployments/{id}", "deployments/{deployment_id}")
	var want []string
	for _, r := range []string{ghGetStatus, ghPostStatus, ghListComments, ghPostComment, ghPatchComment, ghDeleteComment,
		ghGetRelease, ghPostRelease, ghPatchRelease, ghListRuns, ghPostRun, ghPatchRun,
		ghListLabels, ghCommitPulls, ghBranchRules, ghGetBranch,
		ghListDeployments, ghPostDeployment, ghPostDeployStatus, ghGetUser} {
		want = append(want, rename.Replace(r))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("operations in the subset\n got %v\nwant %v", got, want)
	}

	fake := newFakeGitHub(t)
	req, _ := http.NewRequest(http.MethodPost, fake.ServerURL()+"/api/v3/repos/acme/mono/statuses/"+sha, strings.NewReader(`{"state":"done"}`))
	req.Header.Set("Content-Type", "application/json")
	if err := fake.Validate(req, []byte(`{"state":"done"}`)); err == nil {
		t.Error("a status with state \"done\" passed validation")
	}
	req, _ = http.NewRequest(http.MethodGet, fake.ServerURL()+"/api/v3/repos/acme/mono/releases", nil)
	if err := fake.Validate(req, nil); err == nil {
		t.Error("an operation ordo does not call passed validation")
	}
}
