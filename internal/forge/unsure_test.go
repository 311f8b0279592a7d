package forge

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/exit"
)

// A create that the server stores but answers 5xx (a proxy timing out, a
// crash after the write) must not make a second comment, check run or
// release: the transport does not repeat it, and ordo reads again before
// creating again.
func TestStoredThen5xxMakesNoDuplicate(t *testing.T) {
	t.Parallel()
	stored502 := fault{status: http.StatusBadGateway, body: `{"message":"Bad Gateway"}`, stored: true}
	sha := strings.Repeat("c", 40)
	t.Run("github comment", func(t *testing.T) {
		t.Parallel()
		fake := newFakeGitHub(t)
		fake.inject(ghPostComment, stored502, stored502)
		f := newForge(t, fake.config(&sleeps{}))
		if err := f.UpsertComment(context.Background(), 7, "<!-- ordo:plan -->", "plan"); err != nil {
			t.Fatal(err)
		}
		if n := len(fake.commentsOn(7)); n != 1 || fake.count(ghPostComment) != 1 {
			t.Errorf("%d comments after %d posts, want 1 after 1", n, fake.count(ghPostComment))
		}
	})
	t.Run("github release", func(t *testing.T) {
		t.Parallel()
		fake := newFakeGitHub(t)
		fake.inject(ghPostRelease, stored502, stored502)
		f := newForge(t, fake.config(&sleeps{}))
		if _, err := f.UpsertRelease(context.Background(), Release{Tag: "api/v1.0.0", Body: "notes"}); err != nil {
			t.Fatal(err)
		}
		if n := len(fake.allReleases()); n != 1 || fake.count(ghPostRelease) != 1 {
			t.Errorf("%d releases after %d posts, want 1 after 1", n, fake.count(ghPostRelease))
		}
	})
	t.Run("github check run", func(t *testing.T) {
		t.Parallel()
		fake := newFakeGitHub(t)
		fake.inject(ghPostRun, stored502, stored502)
		f := newForge(t, fake.config(&sleeps{}))
		if err := f.SetCheckRuns(context.Background(), sha, []CheckRun{{Name: "ordo", State: StateSuccess, Summary: "ok"}}); err != nil {
			t.Fatal(err)
		}
		if n := len(fake.allRuns()); n != 1 || fake.count(ghPostRun) != 1 {
			t.Errorf("%d check runs after %d posts, want 1 after 1", n, fake.count(ghPostRun))
		}
	})
	t.Run("github comment not stored is posted again", func(t *testing.T) {
		t.Parallel()
		fake := newFakeGitHub(t)
		fake.inject(ghPostComment, fault{status: http.StatusBadGateway, body: `{"message":"Bad Gateway"}`})
		f := newForge(t, fake.config(&sleeps{}))
		if err := f.UpsertComment(context.Background(), 7, "<!-- ordo:plan -->", "plan"); err != nil {
			t.Fatal(err)
		}
		if n := len(fake.commentsOn(7)); n != 1 || fake.count(ghPostComment) != 2 {
			t.Errorf("%d comments after %d posts, want 1 after 2", n, fake.count(ghPostComment))
		}
	})
	t.Run("gitlab note", func(t *testing.T) {
		t.Parallel()
		fake := newFakeGitLab(t)
		fake.inject(glPostNote, stored502, stored502)
		f := newForge(t, fake.config(&sleeps{}))
		if err := f.UpsertComment(context.Background(), 4, "<!-- ordo:plan -->", "plan"); err != nil {
			t.Fatal(err)
		}
		if n := len(fake.notesOn(4)); n != 1 || fake.count(glPostNote) != 1 {
			t.Errorf("%d notes after %d posts, want 1 after 1", n, fake.count(glPostNote))
		}
	})
	t.Run("gitlab release", func(t *testing.T) {
		t.Parallel()
		fake := newFakeGitLab(t)
		fake.inject(glPostRelease, stored502, stored502)
		f := newForge(t, fake.config(&sleeps{}))
		if _, err := f.UpsertRelease(context.Background(), Release{Tag: "api/v1.0.0", Body: "notes"}); err != nil {
			t.Fatal(err)
		}
		if n := len(fake.allReleases()); n != 1 || fake.count(glPostRelease) != 1 {
			t.Errorf("%d releases after %d posts, want 1 after 1", n, fake.count(glPostRelease))
		}
	})
}

// TestEveryCallHasADeadline: a server that always has a next page (or any
// call that never ends) is given up on after CallTimeout.
func TestEveryCallHasADeadline(t *testing.T) {
	t.Parallel()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "<http://"+r.Host+r.URL.Path+"?page=2>; rel=\"next\"")
		writeJSON(w, http.StatusOK, map[string]any{"state": "pending", "statuses": []any{}, "total_count": 0})
	}))
	t.Cleanup(api.Close)
	f, err := New(Config{Platform: GitHub, BaseURL: api.URL + "/api/v3", Repository: "acme/mono", Token: "t", CallTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = f.SetStatuses(context.Background(), strings.Repeat("a", 40), []Status{{Context: "ordo", State: StateSuccess}})
	if err == nil || exit.Code(err) != exit.Env || !strings.Contains(err.Error(), "300ms") {
		t.Errorf("error %v (exit %d), want exit 3 naming the deadline", err, exit.Code(err))
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the call took %v", d)
	}
}
