package forge

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/exit"
)

func TestGitLabSetStatusesIsIdempotent(t *testing.T) {
	t.Parallel()
	fake := newFakeGitLab(t)
	f := newForge(t, fake.config(&sleeps{}))
	setStatusSteps(t, glFake(fake), f, []statusStep{
		{"first run posts every status", []Status{
			{Context: "ordo", State: StatePending, Description: "1 of 2 services affected", TargetURL: "https://ci.example/p/1"},
			{Context: "ordo/api", State: StatePending},
			{Context: "ordo/web", State: StateSuccess, Description: "not affected"},
		}, 3},
		{"the same again posts nothing", []Status{
			{Context: "ordo", State: StatePending, Description: "1 of 2 services affected", TargetURL: "https://ci.example/p/1"},
			{Context: "ordo/api", State: StatePending},
			{Context: "ordo/web", State: StateSuccess, Description: "not affected"},
		}, 0},
		{"finished: pending moves on, failure maps to failed", []Status{
			{Context: "ordo", State: StateFailure, Description: "1 of 2 services affected", TargetURL: "https://ci.example/p/1"},
			{Context: "ordo/api", State: StateError},
			{Context: "ordo/web", State: StateSuccess, Description: "not affected"},
		}, 2},
	})
	got := fake.latestStatuses(sha)
	want := map[string]string{"ordo": "failed", "ordo/api": "failed", "ordo/web": "success"}
	for name, state := range want {
		if got[name].Status != state {
			t.Errorf("%s: %q, want %q", name, got[name].Status, state)
		}
	}
	if len(fake.statuses) != 3 {
		t.Errorf("%d statuses recorded, want 3", len(fake.statuses))
	}
}

// GitLab refuses a post that would not change a pending status; ordo takes
// that as done (here the listing did not show it: it was posted meanwhile).
func TestGitLabSetStatusesUnchangedIsSuccess(t *testing.T) {
	t.Parallel()
	fake := newFakeGitLab(t)
	fake.statuses = []*glStatus{{ID: 1, SHA: sha, Name: "ordo", Status: "pending"}}
	fake.Inject(glListStatuses, fault{Status: 200, Body: "[]"})
	f := newForge(t, fake.config(&sleeps{}))
	if err := f.SetStatuses(context.Background(), sha, []Status{{Context: "ordo", State: StatePending}}); err != nil {
		t.Fatal(err)
	}
	if fake.Count(glPostStatus) != 1 || len(fake.statuses) != 1 {
		t.Errorf("%s, %d statuses", fake.Calls(), len(fake.statuses))
	}
}

func TestGitLabUpsertComment(t *testing.T) {
	t.Parallel()
	const marker = "<!-- ordo:plan -->"
	body := marker + "\n## ordo plan"
	var many []*glNote
	for i := range 120 {
		many = append(many, &glNote{ID: int64(500 + i), MR: 4, Body: fmt.Sprintf("note %d", i)})
	}
	tests := []struct {
		name                   string
		existing               []*glNote
		wantPost, wantPut, del int
	}{
		{"no note yet", nil, 1, 0, 0},
		{"a system note quoting the marker is not ordo's", []*glNote{{ID: 1, MR: 4, Body: "changed the description " + marker, System: true}}, 1, 0, 0},
		{"an old note on page 2 is edited", append(many, &glNote{ID: 9, MR: 4, Body: marker + "\nold", Author: glMe}), 0, 1, 0},
		{"duplicates are deleted", []*glNote{{ID: 9, MR: 4, Body: body, Author: glMe}, {ID: 10, MR: 4, Body: marker + "\nold", Author: glMe}}, 0, 0, 1},
		{"someone else's notes with the marker are left alone", []*glNote{
			{ID: 9, MR: 4, Body: marker + "\nfake", Author: glUser{ID: 5, Username: "mallory"}},
			{ID: 10, MR: 4, Body: body, Author: glUser{ID: 6, Username: glMe.Username + "x", Bot: true}}}, 1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFakeGitLab(t)
			fake.notes, fake.nextID = tt.existing, 1000
			f := newForge(t, fake.config(&sleeps{}))
			upsertCommentTwice(t, glFake(fake), f, 4, marker, body, tt.wantPost, tt.wantPut, tt.del)
			var mine []string
			for _, n := range fake.notesOn(4) {
				if !n.System && n.Author == glMe && strings.Contains(n.Body, marker) {
					mine = append(mine, n.Body)
				}
			}
			for _, old := range tt.existing {
				if old.Author == glMe || old.System {
					continue
				}
				if !slices.ContainsFunc(fake.notesOn(4), func(n glNote) bool { return n == *old }) {
					t.Errorf("someone else's note %d was edited or deleted", old.ID)
				}
			}
			if len(mine) != 1 || mine[0] != body {
				t.Errorf("ordo notes: %q", mine)
			}
		})
	}
}

func TestGitLabUpsertRelease(t *testing.T) {
	t.Parallel()
	for _, jobToken := range []bool{false, true} {
		t.Run(fmt.Sprint("job token ", jobToken), func(t *testing.T) {
			t.Parallel()
			fake := newFakeGitLab(t)
			cfg := fake.config(&sleeps{})
			if jobToken {
				cfg.Token, cfg.TokenEnv, cfg.JobToken = glJobToken, "CI_JOB_TOKEN", true
			}
			tag := "users-api/v1.2.0"
			upsertReleaseSteps(t, glFake(fake), newForge(t, cfg), Release{Tag: tag, Body: "notes", Prerelease: true}, "more notes")
			want := []glRelease{{TagName: tag, Name: tag, Description: "more notes", Links: map[string]string{"self": "https://gitlab.example/acme/mono/-/releases/" + tag}}}
			if got := fake.allReleases(); !reflect.DeepEqual(got, want) {
				t.Errorf("releases %+v", got)
			}
		})
	}
}

func TestGitLabUpsertReleaseCreatedMeanwhile(t *testing.T) {
	t.Parallel()
	fake := newFakeGitLab(t)
	fake.releases = []*glRelease{{TagName: "v2.0.0", Name: "v2.0.0", Description: "old", Links: map[string]string{"self": "u"}}}
	fake.Inject(glGetRelease, fault{Status: 404, Body: `{"message":"404 Not Found"}`})
	if _, err := newForge(t, fake.config(&sleeps{})).UpsertRelease(context.Background(), Release{Tag: "v2.0.0", Body: "new"}); err != nil {
		t.Fatal(err)
	}
	if got := fake.allReleases(); len(got) != 1 || got[0].Description != "new" {
		t.Errorf("releases %+v after %s", got, fake.Calls())
	}
}

func TestGitLabRefusesWhatItCannotDo(t *testing.T) {
	t.Parallel()
	fake := newFakeGitLab(t)
	cfg := fake.config(&sleeps{})
	ctx := context.Background()
	err := newForge(t, cfg).SetCheckRuns(ctx, sha, []CheckRun{{Name: "ordo", State: StateSuccess}})
	if !errors.Is(err, errors.ErrUnsupported) || exit.Code(err) != exit.BadInput || !strings.Contains(err.Error(), "not supported on GitLab") {
		t.Errorf("check runs: %v", err)
	}
	cfg.Token, cfg.TokenEnv, cfg.JobToken = glJobToken, "CI_JOB_TOKEN", true
	jf := newForge(t, cfg)
	for name, err := range map[string]error{
		"statuses": jf.SetStatuses(ctx, sha, []Status{{Context: "ordo", State: StateSuccess}}),
		"comment":  jf.UpsertComment(ctx, 1, "m", "b"),
	} {
		if exit.Code(err) != exit.BadInput || !strings.Contains(err.Error(), "set GITLAB_TOKEN") || strings.Contains(err.Error(), glJobToken) {
			t.Errorf("%s with a job token: %v", name, err)
		}
	}
	if fake.Total() != 0 {
		t.Errorf("requests sent: %s", fake.Calls())
	}
}

// client-go retries on its own by default; on top of ordo's transport that
// would multiply the attempts. Three attempts allowed means three sent.
func TestGitLabRetriesAreNotDoubled(t *testing.T) {
	t.Parallel()
	fake := newFakeGitLab(t)
	for range 10 {
		fake.Inject(glListStatuses, fault{Status: 500, Body: `{"message":"500 Internal Server Error"}`})
	}
	s := &sleeps{}
	cfg := fake.config(s)
	cfg.MaxRetries = 2
	err := newForge(t, cfg).SetStatuses(context.Background(), sha, []Status{{Context: "ordo", State: StateSuccess}})
	if exit.Code(err) != exit.Env || !strings.Contains(err.Error(), "500") {
		t.Errorf("error %v", err)
	}
	if n := fake.Count(glListStatuses); n != 3 || len(s.all()) != 2 {
		t.Errorf("%d attempts and %d waits, want 3 and 2", n, len(s.all()))
	}
}

func TestGitLabNumericProjectAndBaseURL(t *testing.T) {
	t.Parallel()
	fake := newFakeGitLab(t)
	cfg := fake.config(&sleeps{})
	cfg.Repository, cfg.BaseURL = "42", fake.ServerURL() // client-go adds /api/v4
	if err := newForge(t, cfg).SetStatuses(context.Background(), sha, []Status{{Context: "ordo", State: StateSuccess}}); err != nil {
		t.Fatal(err)
	}
}
