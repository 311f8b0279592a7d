package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// refsAPI stands in for GitHub's git references API on 127.0.0.1, for the
// deploy workflows' last job, which moves the tag deployed/main.
// https://docs.github.com/en/rest/git/refs#update-a-reference
// https://docs.github.com/en/rest/git/refs#create-a-reference
type refsAPI struct {
	*httptest.Server
	token string
	mu    sync.Mutex
	tags  map[string]string // tag -> sha
}

var sha40 = regexp.MustCompile(`^[0-9a-f]{40}$`)

func newRefsAPI(t *testing.T, repo, token string) *refsAPI {
	t.Helper()
	a := &refsAPI{token: token, tags: map[string]string{}}
	prefix := "/api/v3/repos/" + repo + "/git/refs"
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reply := func(code int, v any) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			_ = json.NewEncoder(w).Encode(v)
		}
		if r.Header.Get("Authorization") != "Bearer "+token {
			reply(http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
			return
		}
		var body struct {
			Ref   string `json:"ref"`
			SHA   string `json:"sha"`
			Force bool   `json:"force"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || !sha40.MatchString(body.SHA) {
			reply(http.StatusUnprocessableEntity, map[string]string{"message": "Invalid request"})
			return
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		switch {
		case r.Method == http.MethodPatch && strings.HasPrefix(r.URL.Path, prefix+"/tags/"):
			tag := strings.TrimPrefix(r.URL.Path, prefix+"/tags/")
			if _, ok := a.tags[tag]; !ok {
				reply(http.StatusUnprocessableEntity, map[string]string{"message": "Reference does not exist"})
				return
			}
			a.tags[tag] = body.SHA
			reply(http.StatusOK, map[string]any{"ref": "refs/tags/" + tag, "object": map[string]string{"sha": body.SHA}})
		case r.Method == http.MethodPost && r.URL.Path == prefix && strings.HasPrefix(body.Ref, "refs/tags/"):
			tag := strings.TrimPrefix(body.Ref, "refs/tags/")
			if _, ok := a.tags[tag]; ok {
				reply(http.StatusUnprocessableEntity, map[string]string{"message": "Reference already exists"})
				return
			}
			a.tags[tag] = body.SHA
			reply(http.StatusCreated, map[string]any{"ref": body.Ref, "object": map[string]string{"sha": body.SHA}})
		default:
			t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
			reply(http.StatusNotFound, map[string]string{"message": "Not Found"})
		}
	}))
	t.Cleanup(a.Close)
	return a
}

func (a *refsAPI) reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tags = map[string]string{}
}

func (a *refsAPI) tag(name string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tags[name]
}
