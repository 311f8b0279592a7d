package forge

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/forge/forgetest"
)

const (
	ghListDeployments  = "GET /api/v3/repos/{owner}/{repo}/deployments"
	ghPostDeployment   = "POST /api/v3/repos/{owner}/{repo}/deployments"
	ghPostDeployStatus = "POST /api/v3/repos/{owner}/{repo}/deployments/{id}/statuses"
)

type ghDeployment struct {
	ID          int64           `json:"id"`
	SHA         string          `json:"sha"`
	Ref         string          `json:"ref"`
	Task        string          `json:"task"`
	Environment string          `json:"environment"`
	Payload     json.RawMessage `json:"payload"`
	statuses    []string
}

// deploymentsFake adds GitHub's deployments to the fake: what the mirror
// creates, as the REST API documents it, requests validated against the
// OpenAPI subset.
type deploymentsFake struct {
	*fakeGitHub
	dmu  sync.Mutex
	deps []*ghDeployment // oldest first
}

func newDeploymentsFake(t *testing.T) *deploymentsFake {
	f := &deploymentsFake{fakeGitHub: newFakeGitHub(t)}
	f.Handle(ghListDeployments, f.list)
	f.Handle(ghPostDeployment, f.create)
	f.Handle(ghPostDeployStatus, f.status)
	return f
}

// https://docs.github.com/en/rest/deployments/deployments#list-deployments
func (f *deploymentsFake) list(w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	f.dmu.Lock()
	var out []ghDeployment
	for i := len(f.deps) - 1; i >= 0; i-- { // newest first
		d := f.deps[i]
		if (q.Get("sha") == "" || d.SHA == q.Get("sha")) && (q.Get("task") == "" || d.Task == q.Get("task")) &&
			(q.Get("environment") == "" || d.Environment == q.Get("environment")) {
			out = append(out, *d)
		}
	}
	f.dmu.Unlock()
	forgetest.WriteJSON(w, http.StatusOK, out)
}

// https://docs.github.com/en/rest/deployments/deployments#create-a-deployment
func (f *deploymentsFake) create(w http.ResponseWriter, r *http.Request, body []byte) {
	var in struct {
		Ref                   string          `json:"ref"`
		Task                  string          `json:"task"`
		AutoMerge             *bool           `json:"auto_merge"`
		RequiredContexts      *[]string       `json:"required_contexts"`
		Payload               json.RawMessage `json:"payload"`
		Environment           string          `json:"environment"`
		Description           string          `json:"description"`
		ProductionEnvironment bool            `json:"production_environment"`
	}
	if !forgetest.DecodeStrict(f.TB(), w, body, &in) {
		return
	}
	// Without auto_merge: false GitHub merges the default branch into ref;
	// without required_contexts: [] it waits for every status check.
	if in.AutoMerge == nil || *in.AutoMerge || in.RequiredContexts == nil || len(*in.RequiredContexts) != 0 {
		f.TB().Errorf("deployment without auto_merge: false and required_contexts: []: %s", body)
	}
	d := &ghDeployment{ID: f.NextID(), SHA: in.Ref, Ref: in.Ref, Task: in.Task, Environment: in.Environment, Payload: in.Payload}
	f.dmu.Lock()
	f.deps = append(f.deps, d)
	f.dmu.Unlock()
	forgetest.WriteJSON(w, http.StatusCreated, d)
}

// https://docs.github.com/en/rest/deployments/statuses#create-a-deployment-status
func (f *deploymentsFake) status(w http.ResponseWriter, r *http.Request, body []byte) {
	var in struct {
		State          string `json:"state"`
		LogURL         string `json:"log_url"`
		Description    string `json:"description"`
		Environment    string `json:"environment"`
		EnvironmentURL string `json:"environment_url"`
		AutoInactive   *bool  `json:"auto_inactive"`
	}
	if !forgetest.DecodeStrict(f.TB(), w, body, &in) {
		return
	}
	if in.AutoInactive == nil || *in.AutoInactive {
		f.TB().Errorf("deployment status without auto_inactive: false: %s", body)
	}
	f.dmu.Lock()
	defer f.dmu.Unlock()
	for _, d := range f.deps {
		if r.PathValue("id") == jsonNumber(d.ID) {
			d.statuses = append(d.statuses, in.State)
			forgetest.WriteJSON(w, http.StatusCreated, map[string]any{"id": len(d.statuses), "state": in.State})
			return
		}
	}
	forgetest.WriteJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
}

func jsonNumber(n int64) string { b, _ := json.Marshal(n); return string(b) }

func (f *deploymentsFake) summary() []string {
	f.dmu.Lock()
	defer f.dmu.Unlock()
	var out []string
	for _, d := range f.deps {
		out = append(out, d.Environment+" "+d.Task+" "+d.SHA[:4]+" "+payloadRelease(d.Payload)+": "+strings.Join(d.statuses, ","))
	}
	return out
}

func TestMirror(t *testing.T) {
	t.Parallel()
	fake := newDeploymentsFake(t)
	var s sleeps
	if m, err := NewMirror(ghConfig(fake.fakeGitHub, &s), 0); err != nil || m.gap != DefaultDeploymentGap {
		t.Fatalf("NewMirror(cfg, 0): gap %v, %v; want the default %v", m.gap, err, DefaultDeploymentGap)
	}
	// An hour between writes: the sleeps are fake but the clock is real, so
	// a short gap could pass by itself on a loaded machine and skip a pause.
	const gap = time.Hour
	m, err := NewMirror(ghConfig(fake.fakeGitHub, &s), gap)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sha := "abcd000000000000000000000000000000000000"
	dep := func(service, release, state string) Deployment {
		return Deployment{Environment: "production", Service: service, Ref: sha, Release: release, State: state,
			Description: service + " " + state, LogURL: "https://ci.example/run/1", EnvURL: "https://shop.example.com", Production: true,
			Entry: map[string]any{"service": service, "release": release, "state": state}}
	}
	for _, d := range []Deployment{
		dep("api", "r1", "in_progress"),
		dep("web", "r1", "in_progress"),
		dep("api", "r1", "success"),
		dep("web", "r1", "failure"),
		dep("api", "r2", "success"), // no in_progress mirrored: a deployment of its own
	} {
		if err := m.Mirror(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"production deploy:api abcd r1: in_progress,success",
		"production deploy:web abcd r1: in_progress,failure",
		"production deploy:api abcd r2: success",
	}
	if got := fake.summary(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("deployments:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	body := fake.Bodies(ghPostDeployment)[0]
	for _, part := range []string{`"payload":{"ordo":{"release":"r1","service":"api","state":"in_progress"}}`, `"environment":"production"`, `"task":"deploy:api"`, `"production_environment":true`} {
		if !strings.Contains(body, part) {
			t.Errorf("deployment request %s lacks %s", body, part)
		}
	}
	// Writes are paced: 8 writes, a pause before each but the first.
	if n := len(s.all()); n != 7 {
		t.Errorf("%d pauses between 8 writes (%v), want 7", n, s.all())
	}
	for _, d := range s.all() {
		if d <= 0 || d > gap {
			t.Errorf("pause of %v, want up to %v", d, gap)
		}
	}
}

func TestMirrorForbidden(t *testing.T) {
	t.Parallel()
	fake := newDeploymentsFake(t)
	var s sleeps
	m, err := NewMirror(ghConfig(fake.fakeGitHub, &s), -1)
	if err != nil {
		t.Fatal(err)
	}
	fake.Inject(ghPostDeployment, fault{Status: 403, Body: `{"message":"Resource not accessible by integration"}`})
	err = m.Mirror(context.Background(), Deployment{Environment: "staging", Service: "api", Ref: strings.Repeat("a", 40), State: "in_progress", Entry: map[string]string{}})
	if err == nil || !strings.Contains(err.Error(), `"deployments: write"`) || exit.Code(err) != exit.Env {
		t.Fatalf("Mirror = %v (exit %d), want exit 3 naming deployments: write", err, exit.Code(err))
	}
	if strings.Contains(err.Error(), ghToken) {
		t.Fatal("the token leaked into the error")
	}
}

func TestMirrorGitLab(t *testing.T) {
	t.Parallel()
	m, err := NewMirror(Config{Platform: GitLab, Token: "x", Repository: "g/p"}, time.Second)
	if m != nil || err != nil {
		t.Fatalf("NewMirror for GitLab = %v, %v; want nil: the deploy job's environment is the mirror", m, err)
	}
}
