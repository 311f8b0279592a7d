package forge

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/forge/forgetest"
)

// elsewhere is a second server, another host than the API's, that records
// every request it gets and the credentials that came with it.
type elsewhere struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newElsewhere(t *testing.T) *elsewhere {
	t.Helper()
	e := &elsewhere{}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.seen = append(e.seen, r.Method+" "+r.URL.Path+" Authorization="+r.Header.Get("Authorization")+
			" PRIVATE-TOKEN="+r.Header.Get("PRIVATE-TOKEN")+" JOB-TOKEN="+r.Header.Get("JOB-TOKEN"))
		e.mu.Unlock()
		forgetest.WriteJSON(w, http.StatusOK, map[string]any{})
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *elsewhere) requests() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.seen...)
}

// TestTokenNeverFollowsARedirectToAnotherHost: an API that answers 307 (or
// 301, 302, 308) to another host, gets an error back, and the other host gets no request, so no token.
// (Pagination cannot leave the host: both clients take only the page
// number from a Link header.)
// 127.0.0.1 and localhost are different hosts to the client, as two domains are.
func TestTokenNeverFollowsARedirectToAnotherHost(t *testing.T) {
	t.Parallel()
	for _, platform := range []string{GitHub, GitLab} {
		for _, jobToken := range []bool{false, true} {
			if platform == GitHub && jobToken {
				continue
			}
			for _, code := range []int{http.StatusTemporaryRedirect, http.StatusMovedPermanently, http.StatusFound, http.StatusPermanentRedirect} {
				name := platform + "/" + http.StatusText(code)
				if jobToken {
					name += "/job-token"
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					other := newElsewhere(t)
					otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
					api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						http.Redirect(w, r, otherURL+r.URL.RequestURI(), code)
					}))
					t.Cleanup(api.Close)
					cfg := Config{Platform: platform, BaseURL: api.URL + "/api/v3", Repository: "acme/mono", Token: "secret-token", JobToken: jobToken, RequestTimeout: 5 * time.Second, Sleep: (&sleeps{}).sleep}
					if platform == GitLab {
						cfg.BaseURL = api.URL + "/api/v4"
					}
					f, err := New(cfg)
					if err != nil {
						t.Fatal(err)
					}
					var callErr error
					switch {
					case jobToken:
						_, callErr = f.UpsertRelease(context.Background(), Release{Tag: "v1.0.0"})
					case platform == GitLab:
						callErr = f.UpsertComment(context.Background(), 4, "<!-- ordo:plan -->", "plan")
					default:
						callErr = f.SetStatuses(context.Background(), strings.Repeat("a", 40), []Status{{Context: "ordo", State: StateSuccess}})
					}
					if callErr == nil || !strings.Contains(callErr.Error(), "redirect") {
						t.Errorf("error %v, want one about the redirect", callErr)
					}
					if callErr != nil && strings.Contains(callErr.Error(), "secret-token") {
						t.Errorf("the error shows the token: %v", callErr)
					}
					if got := other.requests(); len(got) > 0 {
						t.Errorf("the other host got %q", got)
					}
				})
			}
		}
	}
}

// TestRedirectOnTheAPIHostIsFollowed: a repository that moved answers 301
// to its new path on the same host, which is followed.
func TestRedirectOnTheAPIHostIsFollowed(t *testing.T) {
	t.Parallel()
	gh := newFakeGitHub(t)
	gh.Mux().HandleFunc("GET /api/v3/repos/old/mono/commits/{ref}/status", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(r.URL.RequestURI(), "/repos/old/", "/repos/acme/", 1), http.StatusMovedPermanently)
	})
	gh.SetValidate(nil)
	cfg := ghConfig(gh, &sleeps{})
	cfg.Repository = "old/mono"
	f, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = f.SetStatuses(context.Background(), strings.Repeat("a", 40), []Status{{Context: "ordo", State: StateSuccess}})
	// The POST goes to old/mono, which the fake does not know: 404 after the
	// GET was redirected and answered.
	if gh.Count(ghGetStatus) != 1 {
		t.Errorf("the redirected GET did not reach the repository's new path: %v (%v)", gh.Calls(), err)
	}
}
