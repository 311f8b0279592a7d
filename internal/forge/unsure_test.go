package forge

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/forge/forgetest"
)

// A create that the server stores but answers 5xx (a proxy timing out, a
// crash after the write) must not make a second comment, check run or
// release: the transport does not repeat it, and ordo reads again before
// creating again.
func TestStoredThen5xxMakesNoDuplicate(t *testing.T) {
	t.Parallel()
	stored502 := fault{Status: http.StatusBadGateway, Body: `{"message":"Bad Gateway"}`, Stored: true}
	sha := strings.Repeat("c", 40)
	t.Run("github comment", func(t *testing.T) {
		t.Parallel()
		fake := newFakeGitHub(t)
		fake.Inject(ghPostComment, stored502, stored502)
		f := newForge(t, ghConfig(fake, &sleeps{}))
		if err := f.UpsertComment(context.Background(), 7, "<!-- ordo:plan -->", "plan"); err != nil {
			t.Fatal(err)
		}
		if n := len(fake.Comments(7)); n != 1 || fake.Count(ghPostComment) != 1 {
			t.Errorf("%d comments after %d posts, want 1 after 1", n, fake.Count(ghPostComment))
		}
	})
	t.Run("github release", func(t *testing.T) {
		t.Parallel()
		fake := newFakeGitHub(t)
		fake.Inject(ghPostRelease, stored502, stored502)
		f := newForge(t, ghConfig(fake, &sleeps{}))
		if _, err := f.UpsertRelease(context.Background(), Release{Tag: "api/v1.0.0", Body: "notes"}); err != nil {
			t.Fatal(err)
		}
		if n := len(fake.Releases()); n != 1 || fake.Count(ghPostRelease) != 1 {
			t.Errorf("%d releases after %d posts, want 1 after 1", n, fake.Count(ghPostRelease))
		}
	})
	t.Run("github check run", func(t *testing.T) {
		t.Parallel()
		fake := newFakeGitHub(t)
		fake.Inject(ghPostRun, stored502, stored502)
		f := newForge(t, ghConfig(fake, &sleeps{}))
		if err := f.SetCheckRuns(context.Background(), sha, []CheckRun{{Name: "ordo", State: StateSuccess, Summary: "ok"}}); err != nil {
			t.Fatal(err)
		}
		if n := len(fake.Runs()); n != 1 || fake.Count(ghPostRun) != 1 {
			t.Errorf("%d check runs after %d posts, want 1 after 1", n, fake.Count(ghPostRun))
		}
	})
	t.Run("github comment not stored is posted again", func(t *testing.T) {
		t.Parallel()
		fake := newFakeGitHub(t)
		fake.Inject(ghPostComment, fault{Status: http.StatusBadGateway, Body: `{"message":"Bad Gateway"}`})
		f := newForge(t, ghConfig(fake, &sleeps{}))
		if err := f.UpsertComment(context.Background(), 7, "<!-- ordo:plan -->", "plan"); err != nil {
			t.Fatal(err)
		}
		if n := len(fake.Comments(7)); n != 1 || fake.Count(ghPostComment) != 2 {
			t.Errorf("%d comments after %d posts, want 1 after 2", n, fake.Count(ghPostComment))
		}
	})
	t.Run("gitlab note", func(t *testing.T) {
		t.Parallel()
		fake := newFakeGitLab(t)
		fake.Inject(glPostNote, stored502, stored502)
		f := newForge(t, fake.config(&sleeps{}))
		if err := f.UpsertComment(context.Background(), 4, "<!-- ordo:plan -->", "plan"); err != nil {
			t.Fatal(err)
		}
		if n := len(fake.notesOn(4)); n != 1 || fake.Count(glPostNote) != 1 {
			t.Errorf("%d notes after %d posts, want 1 after 1", n, fake.Count(glPostNote))
		}
	})
	t.Run("gitlab release", func(t *testing.T) {
		t.Parallel()
		fake := newFakeGitLab(t)
		fake.Inject(glPostRelease, stored502, stored502)
		f := newForge(t, fake.config(&sleeps{}))
		if _, err := f.UpsertRelease(context.Background(), Release{Tag: "api/v1.0.0", Body: "notes"}); err != nil {
			t.Fatal(err)
		}
		if n := len(fake.allReleases()); n != 1 || fake.Count(glPostRelease) != 1 {
			t.Errorf("%d releases after %d posts, want 1 after 1", n, fake.Count(glPostRelease))
		}
	})
}

// TestEveryCallHasADeadline: a server that always has a next page (or any
// call that never ends) is given up on after CallTimeout.
func TestEveryCallHasADeadline(t *testing.T) {
	t.Parallel()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "<http://"+r.Host+r.URL.Path+"?page=2>; rel=\"next\"")
		forgetest.WriteJSON(w, http.StatusOK, map[string]any{"state": "pending", "statuses": []any{}, "total_count": 0})
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
