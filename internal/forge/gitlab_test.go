package forge

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/exit"
)

func TestGitLabSetStatusesIsIdempotent(t *testing.T) {
	t.Parallel()
	fake := newFakeGitLab(t)
	f := newForge(t, fake.config(&sleeps{}))
	steps := []struct {
		name      string
		statuses  []Status
		wantPosts int
	}{
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
	}
	for _, st := range steps {
		fake.Reset()
		if err := f.SetStatuses(context.Background(), sha, st.statuses); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := fake.Count(glPostStatus); got != st.wantPosts {
			t.Errorf("%s: %d posts, want %d", st.name, got, st.wantPosts)
		}
	}
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

func TestGitLabSetStatusesForThousandsOfServices(t *testing.T) {
	t.Parallel()
	fake := newFakeGitLab(t)
	f := newForge(t, fake.config(&sleeps{}))
	const n = 1050
	var statuses []Status
	for i := range n {
		statuses = append(statuses, Status{Context: fmt.Sprintf("ordo/svc-%04d", i), State: StateSuccess, Description: "not affected"})
	}
	for run := 1; run <= 2; run++ {
		fake.Reset()
		if err := f.SetStatuses(context.Background(), sha, statuses); err != nil {
			t.Fatal(err)
		}
		wantLists, wantPosts := 1, n
		if run == 2 {
			wantLists, wantPosts = (n+99)/100, 0
		}
		if fake.Count(glListStatuses) != wantLists || fake.Count(glPostStatus) != wantPosts {
			t.Errorf("run %d: %s", run, fake.Calls())
		}
	}
	if len(fake.statuses) != n {
		t.Errorf("%d statuses for %d services", len(fake.statuses), n)
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
			for run := 1; run <= 2; run++ {
				fake.Reset()
				if err := f.UpsertComment(context.Background(), 4, marker, body); err != nil {
					t.Fatal(err)
				}
				p, u, d := fake.Count(glPostNote), fake.Count(glPutNote), fake.Count(glDeleteNote)
				if run == 1 && (p != tt.wantPost || u != tt.wantPut || d != tt.del) {
					t.Errorf("run 1: %d created, %d edited, %d deleted", p, u, d)
				}
				if run == 2 && p+u+d != 0 {
					t.Errorf("run 2 wrote: %s", fake.Calls())
				}
			}
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
			f := newForge(t, cfg)
			tag := "users-api/v1.2.0"
			steps := []struct {
				body              string
				wantPost, wantPut int
			}{{"notes", 1, 0}, {"notes", 0, 0}, {"more notes", 0, 1}, {"more notes", 0, 0}}
			for i, st := range steps {
				fake.Reset()
				url, err := f.UpsertRelease(context.Background(), Release{Tag: tag, Body: st.body, Prerelease: true})
				if err != nil {
					t.Fatal(err)
				}
				if url != "https://gitlab.example/acme/mono/-/releases/"+tag {
					t.Errorf("url %q", url)
				}
				if fake.Count(glPostRelease) != st.wantPost || fake.Count(glPutRelease) != st.wantPut {
					t.Errorf("step %d: %s", i, fake.Calls())
				}
			}
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

func TestGitLabRetriesFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		route     string
		faults    []fault
		timeout   time.Duration
		wantSleep func(time.Duration) bool
	}{
		{"502 then success", glPostStatus, []fault{{Status: 502, Body: "bad gateway"}}, 0, between(500*time.Millisecond, time.Second)},
		{"429 with Retry-After", glListStatuses, []fault{{Status: 429, Body: `{"message":"Retry later"}`,
			Header: map[string]string{"Retry-After": "9", "RateLimit-Remaining": "0", "RateLimit-Reset": unix(9 * time.Second)}}}, 0, between(9*time.Second, 9*time.Second)},
		{"hanging response", glListStatuses, []fault{{Hang: true}}, 200 * time.Millisecond, between(500*time.Millisecond, time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFakeGitLab(t)
			fake.Inject(tt.route, tt.faults...)
			s := &sleeps{}
			cfg := fake.config(s)
			if tt.timeout > 0 {
				cfg.RequestTimeout = tt.timeout
			}
			if err := newForge(t, cfg).SetStatuses(context.Background(), sha, []Status{{Context: "ordo", State: StateSuccess}}); err != nil {
				t.Fatal(err)
			}
			if got := s.all(); len(got) != 1 || !tt.wantSleep(got[0]) {
				t.Errorf("waits %v", got)
			}
			if fake.Count(tt.route) != 2 {
				t.Errorf("%s", fake.Calls())
			}
		})
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

func TestGitLabErrors(t *testing.T) {
	t.Parallel()
	statuses := func(f Forge) error {
		return f.SetStatuses(context.Background(), sha, []Status{{Context: "ordo", State: StateSuccess}})
	}
	comment := func(f Forge) error { return f.UpsertComment(context.Background(), 4, "m", "b") }
	release := func(f Forge) error { _, err := f.UpsertRelease(context.Background(), Release{Tag: "v1"}); return err }
	tests := []struct {
		name   string
		cfg    func(*Config)
		route  string
		faults []fault
		call   func(Forge) error
		want   []string
	}{
		{"bad token", func(c *Config) { c.Token = "glpat-wrong" }, "", nil, statuses,
			[]string{"401", "the token in GITLAB_TOKEN is invalid or expired"}},
		{"token without the api scope", nil, glListStatuses, []fault{{Status: 403, Body: `{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token."}`}}, statuses,
			[]string{"403", "insufficient_scope", "needs the api scope and at least the Developer role"}},
		{"role too low for releases", nil, glPostRelease, []fault{{Status: 403, Body: `{"message":"403 Forbidden"}`}}, release,
			[]string{`publish release "v1" in project "acme/mono": 403 Forbidden: the token`, "Developer role"}},
		{"unknown project", func(c *Config) { c.Repository = "acme/nope" }, "", nil, release,
			[]string{"404 Not Found", `project "acme/nope" does not exist, or the token in GITLAB_TOKEN cannot see it`}},
		{"unknown project or commit", func(c *Config) { c.Repository = "acme/nope" }, "", nil, statuses,
			[]string{`project "acme/nope" or its commit does not exist`}},
		{"unknown merge request", func(c *Config) { c.Repository = "acme/nope" }, "", nil, comment,
			[]string{`project "acme/nope" or its merge request !4 does not exist`}},
		{"a server that echoes the token", nil, glListStatuses, []fault{{Status: 400, Body: `{"message":"bad token ` + glToken + `"}`}}, statuses,
			[]string{"bad token [REDACTED]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFakeGitLab(t)
			if tt.route != "" {
				fake.Inject(tt.route, tt.faults...)
			}
			cfg := fake.config(&sleeps{})
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			err := tt.call(newForge(t, cfg))
			if exit.Code(err) != exit.Env {
				t.Fatalf("error %v, exit %d", err, exit.Code(err))
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), glToken) || strings.Contains(err.Error(), "glpat-wrong") {
				t.Errorf("error shows the token: %v", err)
			}
		})
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
