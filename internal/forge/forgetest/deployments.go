package forgetest

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// Routes of the fake's deployments, which the record's mirror writes.
const (
	ListDeployments  = "GET /api/v3/repos/{owner}/{repo}/deployments"
	PostDeployment   = "POST /api/v3/repos/{owner}/{repo}/deployments"
	PostDeployStatus = "POST /api/v3/repos/{owner}/{repo}/deployments/{id}/statuses"
)

// Deployment is a deployment as GitHub keeps it, with the states of its
// statuses in the order posted.
type Deployment struct {
	ID          int64           `json:"id"`
	SHA         string          `json:"sha"`
	Ref         string          `json:"ref"`
	Task        string          `json:"task"`
	Environment string          `json:"environment"`
	Payload     json.RawMessage `json:"payload"`
	Statuses    []string        `json:"-"`
}

// Deployments are the deployments created, oldest first.
func (f *GitHub) Deployments() []Deployment {
	f.mu.Lock()
	defer f.mu.Unlock()
	return Copies(f.deployments, nil)
}

func (f *GitHub) handleDeployments() {
	f.Handle(ListDeployments, f.listDeployments)
	HandleJSON(f.API, PostDeployment, f.postDeployment)
	HandleJSON(f.API, PostDeployStatus, f.postDeployStatus)
}

// https://docs.github.com/en/rest/deployments/deployments#list-deployments
func (f *GitHub) listDeployments(w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	f.mu.Lock()
	out := []Deployment{}
	for i := len(f.deployments) - 1; i >= 0; i-- { // newest first
		d := f.deployments[i]
		if (q.Get("sha") == "" || d.SHA == q.Get("sha")) && (q.Get("task") == "" || d.Task == q.Get("task")) &&
			(q.Get("environment") == "" || d.Environment == q.Get("environment")) {
			out = append(out, *d)
		}
	}
	f.mu.Unlock()
	WriteJSON(w, http.StatusOK, Page(w, r, out))
}

type deploymentIn struct {
	Ref                   string          `json:"ref"`
	Task                  string          `json:"task"`
	AutoMerge             *bool           `json:"auto_merge"`
	RequiredContexts      *[]string       `json:"required_contexts"`
	Payload               json.RawMessage `json:"payload"`
	Environment           string          `json:"environment"`
	Description           string          `json:"description"`
	ProductionEnvironment bool            `json:"production_environment"`
}

// https://docs.github.com/en/rest/deployments/deployments#create-a-deployment
func (f *GitHub) postDeployment(w http.ResponseWriter, r *http.Request, in deploymentIn) {
	// Without auto_merge: false GitHub merges the default branch into ref;
	// without required_contexts: [] it waits for every status check.
	if in.AutoMerge == nil || *in.AutoMerge || in.RequiredContexts == nil || len(*in.RequiredContexts) != 0 {
		f.tb.Errorf("deployment of %s to %s without auto_merge: false and required_contexts: []", in.Task, in.Environment)
	}
	f.mu.Lock()
	d := &Deployment{ID: f.NextID(), SHA: in.Ref, Ref: in.Ref, Task: in.Task, Environment: in.Environment, Payload: in.Payload}
	f.deployments = append(f.deployments, d)
	f.mu.Unlock()
	WriteJSON(w, http.StatusCreated, d)
}

type deployStatusIn struct {
	State          string `json:"state"`
	LogURL         string `json:"log_url"`
	Description    string `json:"description"`
	Environment    string `json:"environment"`
	EnvironmentURL string `json:"environment_url"`
	AutoInactive   *bool  `json:"auto_inactive"`
}

// https://docs.github.com/en/rest/deployments/statuses#create-a-deployment-status
func (f *GitHub) postDeployStatus(w http.ResponseWriter, r *http.Request, in deployStatusIn) {
	if in.AutoInactive == nil || *in.AutoInactive {
		f.tb.Errorf("deployment status %s without auto_inactive: false", in.State)
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	f.mu.Lock()
	defer f.mu.Unlock()
	if i := Index(w, f.deployments, "Not Found", func(d *Deployment) bool { return d.ID == id }); i >= 0 {
		d := f.deployments[i]
		d.Statuses = append(d.Statuses, in.State)
		WriteJSON(w, http.StatusCreated, map[string]any{"id": f.NextID(), "state": in.State})
	}
}
