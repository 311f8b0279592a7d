package forge

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/forge/forgetest"
)

// A fakeForge is either forge's fake as the scenarios common to GitHub and
// GitLab drive it: its routes by role, a Config for it, and what it stored.
type fakeForge struct {
	*forgetest.API
	config func(*sleeps) Config
	token  string // the Config's token, which no error may show
	// routes by role: GitHub's comments are GitLab's notes, PATCH is PUT
	listStatuses, postStatus                string
	postComment, editComment, deleteComment string
	postRelease, editRelease                string
	// stored is how many statuses the fake keeps for sha, all posts counted.
	stored func(sha string) int
	// releaseURL is where the fake says the release of tag is.
	releaseURL func(tag string) string
}

func ghFake(f *fakeGitHub) fakeForge {
	return fakeForge{
		API:          f.API,
		config:       func(s *sleeps) Config { return ghConfig(f, s) },
		token:        ghToken,
		listStatuses: ghGetStatus, postStatus: ghPostStatus,
		postComment: ghPostComment, editComment: ghPatchComment, deleteComment: ghDeleteComment,
		postRelease: ghPostRelease, editRelease: ghPatchRelease,
		stored:     func(sha string) int { return len(f.Posted(sha)) },
		releaseURL: func(tag string) string { return "https://github.example/acme/mono/releases/tag/" + tag },
	}
}

func glFake(f *fakeGitLab) fakeForge {
	return fakeForge{
		API:          f.API,
		config:       f.config,
		token:        glToken,
		listStatuses: glListStatuses, postStatus: glPostStatus,
		postComment: glPostNote, editComment: glPutNote, deleteComment: glDeleteNote,
		postRelease: glPostRelease, editRelease: glPutRelease,
		stored: func(sha string) int {
			f.mu.Lock()
			defer f.mu.Unlock()
			n := 0
			for _, s := range f.statuses {
				if s.SHA == sha {
					n++
				}
			}
			return n
		},
		releaseURL: func(tag string) string { return "https://gitlab.example/acme/mono/-/releases/" + tag },
	}
}

// newFake starts the fake of platform, for the scenarios both share.
func newFake(t testing.TB, platform string) fakeForge {
	if platform == GitLab {
		return glFake(newFakeGitLab(t))
	}
	return ghFake(newFakeGitHub(t))
}

var platforms = []string{GitHub, GitLab}

// statusStep is one call of SetStatuses and the posts it should cost.
type statusStep struct {
	name      string
	statuses  []Status
	wantPosts int
}

// setStatusSteps makes each step's call in turn: each reads the commit's
// statuses once and posts only what changed.
func setStatusSteps(t *testing.T, fake fakeForge, f Forge, steps []statusStep) {
	t.Helper()
	for _, st := range steps {
		fake.Reset()
		if err := f.SetStatuses(context.Background(), sha, st.statuses); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := fake.Count(fake.postStatus); got != st.wantPosts {
			t.Errorf("%s: %d statuses posted, want %d (%s)", st.name, got, st.wantPosts, fake.Calls())
		}
		if got := fake.Count(fake.listStatuses); got != 1 {
			t.Errorf("%s: statuses read %d times, want 1", st.name, got)
		}
	}
}

// upsertCommentTwice upserts body on pr twice: the first call creates, edits
// and deletes what is wanted, the second writes nothing.
func upsertCommentTwice(t *testing.T, fake fakeForge, f Forge, pr int, marker, body string, wantPost, wantEdit, wantDelete int) {
	t.Helper()
	for run := 1; run <= 2; run++ {
		fake.Reset()
		if err := f.UpsertComment(context.Background(), pr, marker, body); err != nil {
			t.Fatal(err)
		}
		p, e, d := fake.Count(fake.postComment), fake.Count(fake.editComment), fake.Count(fake.deleteComment)
		if run == 1 && (p != wantPost || e != wantEdit || d != wantDelete) {
			t.Errorf("run 1: %d created, %d edited, %d deleted, want %d, %d, %d", p, e, d, wantPost, wantEdit, wantDelete)
		}
		if run == 2 && p+e+d != 0 {
			t.Errorf("run 2 wrote: %s", fake.Calls())
		}
	}
}

// upsertReleaseSteps publishes rel, the same again, new notes, and the
// same again: one create, one update, and nothing else written.
func upsertReleaseSteps(t *testing.T, fake fakeForge, f Forge, rel Release, newBody string) {
	t.Helper()
	updated := rel
	updated.Body = newBody
	steps := []struct {
		name                 string
		rel                  Release
		wantCreate, wantEdit int
	}{
		{"created", rel, 1, 0},
		{"the same again writes nothing", rel, 0, 0},
		{"new notes update it in place", updated, 0, 1},
		{"and again writes nothing", updated, 0, 0},
	}
	for _, st := range steps {
		fake.Reset()
		url, err := f.UpsertRelease(context.Background(), st.rel)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if want := fake.releaseURL(rel.Tag); url != want {
			t.Errorf("%s: url %q, want %q", st.name, url, want)
		}
		if c, e := fake.Count(fake.postRelease), fake.Count(fake.editRelease); c != st.wantCreate || e != st.wantEdit {
			t.Errorf("%s: %d created, %d updated, want %d, %d", st.name, c, e, st.wantCreate, st.wantEdit)
		}
	}
}

// A monorepo may have more than 1000 services (GitHub keeps at most 1000
// statuses per commit and context). Each context gets one status, the
// statuses are read in pages of 100, and a second run posts nothing.
func TestSetStatusesForThousandsOfServices(t *testing.T) {
	t.Parallel()
	for _, platform := range platforms {
		t.Run(platform, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, platform)
			f := newForge(t, fake.config(&sleeps{}))
			const n = 1200
			statuses := []Status{{Context: "ordo", State: StatePending, Description: fmt.Sprintf("%d services affected", n)}}
			for i := range n {
				statuses = append(statuses, Status{Context: fmt.Sprintf("ordo/svc-%04d", i), State: StateSuccess, Description: "not affected"})
			}
			for run := 1; run <= 2; run++ {
				fake.Reset()
				if err := f.SetStatuses(context.Background(), sha, statuses); err != nil {
					t.Fatal(err)
				}
				wantLists, wantPosts := 1, n+1
				if run == 2 {
					wantLists, wantPosts = (n+1+99)/100, 0
				}
				if fake.Count(fake.listStatuses) != wantLists || fake.Count(fake.postStatus) != wantPosts || fake.Total() != wantLists+wantPosts {
					t.Errorf("run %d: %s, want %d reads and %d posts", run, fake.Calls(), wantLists, wantPosts)
				}
			}
			if got := fake.stored(sha); got != n+1 {
				t.Errorf("%d statuses stored, want one per context (%d)", got, n+1)
			}
		})
	}
}

func TestRetriesFaults(t *testing.T) {
	t.Parallel()
	secondary := `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}`
	tests := []struct {
		platform  string
		name      string
		route     string
		faults    []fault
		timeout   time.Duration
		wantSleep func(time.Duration) bool
	}{
		{GitHub, "502 then success", ghPostStatus, []fault{{Status: 502, Body: "<html>bad gateway</html>"}}, 0, between(500*time.Millisecond, time.Second)},
		{GitHub, "429 with Retry-After", ghGetStatus, []fault{{Status: 429, Header: map[string]string{"Retry-After": "12"}}}, 0, between(12*time.Second, 12*time.Second)},
		{GitHub, "secondary rate limit", ghPostStatus, []fault{{Status: 403, Body: secondary, Header: map[string]string{"Retry-After": "60"}}}, 0, between(time.Minute, time.Minute)},
		{GitHub, "secondary rate limit without Retry-After", ghPostStatus, []fault{{Status: 403, Body: secondary}}, 0, between(time.Minute, 2*time.Minute)},
		{GitHub, "primary rate limit", ghGetStatus, []fault{{Status: 403, Body: `{"message":"API rate limit exceeded for installation ID 1."}`,
			Header: map[string]string{"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": unix(100 * time.Second)}}}, 0, between(50*time.Second, 102*time.Second)},
		{GitHub, "hanging response", ghGetStatus, []fault{{Hang: true}}, 200 * time.Millisecond, between(500*time.Millisecond, time.Second)},
		{GitHub, "hanging status post", ghPostStatus, []fault{{Hang: true}}, 200 * time.Millisecond, between(500*time.Millisecond, time.Second)},
		{GitLab, "502 then success", glPostStatus, []fault{{Status: 502, Body: "bad gateway"}}, 0, between(500*time.Millisecond, time.Second)},
		{GitLab, "429 with Retry-After", glListStatuses, []fault{{Status: 429, Body: `{"message":"Retry later"}`,
			Header: map[string]string{"Retry-After": "9", "RateLimit-Remaining": "0", "RateLimit-Reset": unix(9 * time.Second)}}}, 0, between(9*time.Second, 9*time.Second)},
		{GitLab, "hanging response", glListStatuses, []fault{{Hang: true}}, 200 * time.Millisecond, between(500*time.Millisecond, time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.platform+"/"+tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, tt.platform)
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
			if fake.Count(tt.route) != 2 || fake.stored(sha) != 1 {
				t.Errorf("%s, %d statuses", fake.Calls(), fake.stored(sha))
			}
		})
	}
}

// Every failed call is exit 3 and says what to fix, in the forge's words,
// without the token.
func TestErrors(t *testing.T) {
	t.Parallel()
	ghForbidden := fault{Status: 403, Body: `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest"}`}
	ghRateLimit := map[string]string{"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": unix(time.Hour)}
	statuses := func(f Forge) error {
		return f.SetStatuses(context.Background(), sha, []Status{{Context: "ordo", State: StateSuccess}})
	}
	comment := func(f Forge) error { return f.UpsertComment(context.Background(), 7, "m", "plan") }
	release := func(f Forge) error {
		_, err := f.UpsertRelease(context.Background(), Release{Tag: "v1.0.0"})
		return err
	}
	checks := func(f Forge) error {
		return f.SetCheckRuns(context.Background(), sha, []CheckRun{{Name: "ordo", State: StateSuccess}})
	}
	badToken := func(c *Config) { c.Token += "-wrong" }
	unknown := func(c *Config) { c.Repository = "acme/nope" }
	tests := []struct {
		platform string
		name     string
		cfg      func(*Config)
		route    string
		faults   []fault
		call     func(Forge) error
		want     []string
	}{
		{GitHub, "bad token", badToken, "", nil, statuses,
			[]string{"401 Bad credentials", "the token in GITHUB_TOKEN is invalid or expired"}},
		{GitHub, "statuses: write missing", nil, ghGetStatus, []fault{ghForbidden}, statuses,
			[]string{"403 Resource not accessible by integration", `needs the "statuses: write" permission`}},
		{GitHub, "pull-requests: write missing", nil, ghPostComment, []fault{ghForbidden}, comment,
			[]string{"comment on pull request #7", `"pull-requests: write"`}},
		{GitHub, "contents: write missing", nil, ghPostRelease, []fault{ghForbidden}, release,
			[]string{`publish release "v1.0.0"`, `"contents: write"`}},
		{GitHub, "checks: write missing", nil, ghPostRun, []fault{ghForbidden}, checks,
			[]string{`"checks: write"`, "GitHub App token"}},
		{GitHub, "unknown repository", unknown, "", nil, release,
			[]string{"404 Not Found", `repository "acme/nope" does not exist, or the token in GITHUB_TOKEN cannot see it`}},
		{GitHub, "unknown repository or commit", unknown, "", nil, statuses,
			[]string{"read the statuses of commit " + sha, `repository "acme/nope" or its commit does not exist`}},
		{GitHub, "unknown pull request", unknown, "", nil, comment,
			[]string{`repository "acme/nope" or its pull request #7 does not exist`}},
		{GitHub, "retries exhausted", func(c *Config) { c.MaxRetries = 1 }, ghGetStatus, []fault{{Status: 502, Body: `{"message":"Server Error"}`}, {Status: 503}}, statuses,
			[]string{"503"}},
		{GitHub, "rate limit resets too late", nil, ghGetStatus, []fault{{Status: 403, Body: `{"message":"API rate limit exceeded for installation ID 1."}`, Header: ghRateLimit}}, statuses,
			[]string{"rate limit of 1000 requests is spent until"}},
		{GitHub, "a server that echoes the token", nil, ghGetStatus, []fault{{Status: 400, Body: `{"message":"token ` + ghToken + ` looks odd"}`}}, statuses,
			[]string{"token [REDACTED] looks odd"}},
		{GitLab, "bad token", badToken, "", nil, statuses,
			[]string{"401", "the token in GITLAB_TOKEN is invalid or expired"}},
		{GitLab, "token without the api scope", nil, glListStatuses, []fault{{Status: 403, Body: `{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token."}`}}, statuses,
			[]string{"403", "insufficient_scope", "needs the api scope and at least the Developer role"}},
		{GitLab, "role too low for releases", nil, glPostRelease, []fault{{Status: 403, Body: `{"message":"403 Forbidden"}`}}, release,
			[]string{`publish release "v1.0.0" in project "acme/mono": 403 Forbidden: the token`, "Developer role"}},
		{GitLab, "unknown project", unknown, "", nil, release,
			[]string{"404 Not Found", `project "acme/nope" does not exist, or the token in GITLAB_TOKEN cannot see it`}},
		{GitLab, "unknown project or commit", unknown, "", nil, statuses,
			[]string{`project "acme/nope" or its commit does not exist`}},
		{GitLab, "unknown merge request", unknown, "", nil, comment,
			[]string{`project "acme/nope" or its merge request !7 does not exist`}},
		{GitLab, "a server that echoes the token", nil, glListStatuses, []fault{{Status: 400, Body: `{"message":"bad token ` + glToken + `"}`}}, statuses,
			[]string{"bad token [REDACTED]"}},
	}
	for _, tt := range tests {
		t.Run(tt.platform+"/"+tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, tt.platform)
			if tt.route != "" {
				fake.Inject(tt.route, tt.faults...)
			}
			cfg := fake.config(&sleeps{})
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			err := tt.call(newForge(t, cfg))
			if err == nil {
				t.Fatal("no error")
			}
			if exit.Code(err) != exit.Env {
				t.Errorf("exit code %d, want %d", exit.Code(err), exit.Env)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), fake.token) {
				t.Errorf("error shows the token: %v", err)
			}
		})
	}
}
