package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// deploymentsAPI stands in for GitHub's deployments API on 127.0.0.1, under
// /api/v3 as GitHub Enterprise serves it, for the record's mirror. Every
// request is checked against the subset of GitHub's OpenAPI description
// that internal/forge's tests use; any other request fails the test.
// https://docs.github.com/en/rest/deployments/deployments
// https://docs.github.com/en/rest/deployments/statuses
type deploymentsAPI struct {
	*httptest.Server
	token string
	mu    sync.Mutex
	deps  []ghDeployment
}

type ghDeployment struct {
	ID          int64          `json:"id"`
	SHA         string         `json:"sha"`
	Ref         string         `json:"ref"`
	Task        string         `json:"task"`
	Environment string         `json:"environment"`
	Payload     map[string]any `json:"payload"`
	Statuses    []string       `json:"-"` // states, in order
}

var statusesPath = regexp.MustCompile(`^/api/v3/repos/([^/]+/[^/]+)/deployments/(\d+)/statuses$`)

func newDeploymentsAPI(t *testing.T, repo, token string) *deploymentsAPI {
	t.Helper()
	router := openAPIRouter(t)
	a := &deploymentsAPI{token: token}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reply := func(code int, v any) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			_ = json.NewEncoder(w).Encode(v)
		}
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("Authorization") != "Bearer "+token {
			reply(http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
			return
		}
		if err := validateRequest(router, r, body); err != nil {
			t.Errorf("%s %s does not match GitHub's API description: %v\n%s", r.Method, r.URL, err, body)
			reply(http.StatusUnprocessableEntity, map[string]string{"message": err.Error()})
			return
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		deployments := "/api/v3/repos/" + repo + "/deployments"
		switch m := statusesPath.FindStringSubmatch(r.URL.Path); {
		case r.Method == http.MethodGet && r.URL.Path == deployments:
			q := r.URL.Query()
			out := []ghDeployment{}
			for i := len(a.deps) - 1; i >= 0; i-- { // newest first
				d := a.deps[i]
				if (q.Get("sha") == "" || q.Get("sha") == d.SHA) && (q.Get("task") == "" || q.Get("task") == d.Task) &&
					(q.Get("environment") == "" || q.Get("environment") == d.Environment) {
					out = append(out, d)
				}
			}
			reply(http.StatusOK, out)
		case r.Method == http.MethodPost && r.URL.Path == deployments:
			var in struct {
				Ref, Task, Environment string
				Payload                map[string]any
				AutoMerge              *bool     `json:"auto_merge"`
				RequiredContexts       *[]string `json:"required_contexts"`
			}
			if err := json.Unmarshal(body, &in); err != nil || in.AutoMerge == nil || *in.AutoMerge || in.RequiredContexts == nil || len(*in.RequiredContexts) > 0 {
				t.Errorf("create deployment %s: want auto_merge false and required_contexts [] (err %v)", body, err)
			}
			d := ghDeployment{ID: int64(len(a.deps) + 1), SHA: in.Ref, Ref: in.Ref, Task: in.Task, Environment: in.Environment, Payload: in.Payload}
			a.deps = append(a.deps, d)
			reply(http.StatusCreated, d)
		case r.Method == http.MethodPost && m != nil && m[1] == repo:
			id, _ := strconv.Atoi(m[2])
			var in struct {
				State        string
				AutoInactive *bool `json:"auto_inactive"`
			}
			if err := json.Unmarshal(body, &in); err != nil || in.AutoInactive == nil || *in.AutoInactive {
				t.Errorf("deployment status %s: want auto_inactive false (err %v)", body, err)
			}
			if id < 1 || id > len(a.deps) {
				reply(http.StatusNotFound, map[string]string{"message": "Not Found"})
				return
			}
			a.deps[id-1].Statuses = append(a.deps[id-1].Statuses, in.State)
			reply(http.StatusCreated, map[string]any{"id": 1000 + len(a.deps[id-1].Statuses), "state": in.State})
		default:
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			reply(http.StatusNotFound, map[string]string{"message": "Not Found"})
		}
	}))
	t.Cleanup(a.Close)
	return a
}

// deployments returns what was created, by task, with their statuses.
func (a *deploymentsAPI) deployments() map[string][]ghDeployment {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := map[string][]ghDeployment{}
	for _, d := range a.deps {
		out[d.Task] = append(out[d.Task], d)
	}
	return out
}

var openAPIRouter = func() func(testing.TB) routers.Router {
	var (
		once   sync.Once
		router routers.Router
		err    error
	)
	return func(tb testing.TB) routers.Router {
		tb.Helper()
		once.Do(func() {
			var doc *openapi3.T
			doc, err = openapi3.NewLoader().LoadFromFile(filepath.Join(root, "internal", "forge", "testdata", "github-openapi-subset.json"))
			if err != nil {
				return
			}
			doc.Servers = nil // any host; doc.Validate is skipped: GitHub's own examples fail it
			router, err = gorillamux.NewRouter(doc)
		})
		if err != nil {
			tb.Fatalf("load GitHub's OpenAPI subset: %v", err)
		}
		return router
	}
}()

func validateRequest(router routers.Router, r *http.Request, body []byte) error {
	rr := r.Clone(context.Background())
	rr.URL.Path = strings.TrimPrefix(r.URL.Path, "/api/v3")
	rr.URL.RawPath = ""
	rr.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := router.FindRoute(rr)
	if err != nil {
		return fmt.Errorf("no such operation: %w", err)
	}
	return openapi3filter.ValidateRequest(rr.Context(), &openapi3filter.RequestValidationInput{
		Request: rr, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	})
}
