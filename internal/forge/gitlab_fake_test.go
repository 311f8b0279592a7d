package forge

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/forge/forgetest"
)

const (
	glToken    = "glpat-fake0TOKEN0never0printed"
	glJobToken = "glcbt-fake0JOB0TOKEN"
	glProject  = "acme/mono" // sent escaped, as acme%2Fmono
	// glPipeline is CI_PIPELINE_ID: every status request must name it.
	glPipeline = 4242
)

// Route patterns of the fake GitLab, also used to count calls.
const (
	glListStatuses = "GET /api/v4/projects/{id}/repository/commits/{sha}/statuses"
	glPostStatus   = "POST /api/v4/projects/{id}/statuses/{sha}"
	glListNotes    = "GET /api/v4/projects/{id}/merge_requests/{iid}/notes"
	glGetUser      = "GET /api/v4/user" // https://docs.gitlab.com/api/users/#get-the-current-user
	glPostNote     = "POST /api/v4/projects/{id}/merge_requests/{iid}/notes"
	glPutNote      = "PUT /api/v4/projects/{id}/merge_requests/{iid}/notes/{note}"
	glDeleteNote   = "DELETE /api/v4/projects/{id}/merge_requests/{iid}/notes/{note}"
	glGetRelease   = "GET /api/v4/projects/{id}/releases/{tag}"
	glPostRelease  = "POST /api/v4/projects/{id}/releases"
	glPutRelease   = "PUT /api/v4/projects/{id}/releases/{tag}"
	glCommitMRs    = "GET /api/v4/projects/{id}/repository/commits/{sha}/merge_requests"
)

type glStatus struct {
	ID          int64  `json:"id"`
	PipelineID  int64  `json:"pipeline_id"`
	SHA         string `json:"sha"`
	Name        string `json:"name"`
	Status      string `json:"status"`
	Description string `json:"description"`
	TargetURL   string `json:"target_url"`
}

type glNote struct {
	ID     int64  `json:"id"`
	MR     int    `json:"-"`
	Body   string `json:"body"`
	System bool   `json:"system"`
	Author glUser `json:"author"`
}

type glUser struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	Bot      bool   `json:"bot"`
}

// glMe is the user the fake's access token belongs to: a project access
// token's bot user.
var glMe = glUser{ID: 77, Username: "project_1_bot_ordo", Bot: true}

// What the fake reads from requests' bodies: fields GitLab does not
// document fail the test (forgetest.HandleJSON).
type (
	glStatusIn struct {
		State       string  `json:"state"`
		Name        *string `json:"name"`
		Description *string `json:"description"`
		TargetURL   *string `json:"target_url"`
		PipelineID  *int64  `json:"pipeline_id"`
	}
	glNoteIn struct {
		Body string `json:"body"`
	}
	glReleaseIn struct {
		TagName     *string `json:"tag_name"`
		Name        *string `json:"name"`
		Description *string `json:"description"`
	}
)

func (in glReleaseIn) apply(rel *glRelease) {
	if in.Name != nil {
		rel.Name = *in.Name
	}
	if in.Description != nil {
		rel.Description = *in.Description
	}
}

type glRelease struct {
	TagName     string            `json:"tag_name"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Links       map[string]string `json:"_links"`
}

// fakeGitLab keeps commit statuses, merge request notes and releases of one
// project, acme/mono, as GitLab's REST documentation describes them.
type fakeGitLab struct {
	*forgetest.API
	mu       sync.Mutex
	nextID   int64
	statuses []*glStatus
	notes    []*glNote
	releases []*glRelease
	// mrs are the merge requests GET .../commits/:sha/merge_requests lists,
	// by commit.
	mrs map[string][]map[string]any
}

func newFakeGitLab(t testing.TB) *fakeGitLab {
	t.Helper()
	f := &fakeGitLab{API: forgetest.NewAPI(t)}
	t.Cleanup(f.Close)
	// The Releases API and a commit's merge requests take CI_JOB_TOKEN.
	// https://docs.gitlab.com/ci/jobs/ci_job_token/
	f.SetAuth(func(r *http.Request, pattern string) bool {
		if (strings.Contains(pattern, "/releases") || pattern == glCommitMRs) && r.Header.Get("JOB-TOKEN") == glJobToken {
			return true
		}
		return r.Header.Get("PRIVATE-TOKEN") == glToken
	})
	f.SetScope(f.projectOK)
	f.SetValidate(func(r *http.Request, body []byte) error {
		if r.Method != http.MethodGet && r.Method != http.MethodDelete && r.Header.Get("Content-Type") != "application/json" {
			f.TB().Errorf("%s %s: Content-Type %q", r.Method, r.URL, r.Header.Get("Content-Type"))
		}
		return nil
	})
	f.Handle(glListStatuses, f.listStatuses)
	forgetest.HandleJSON(f.API, glPostStatus, f.postStatus)
	f.Handle(glListNotes, f.listNotes)
	f.Handle(glGetUser, func(w http.ResponseWriter, r *http.Request, _ []byte) { forgetest.WriteJSON(w, http.StatusOK, glMe) })
	forgetest.HandleJSON(f.API, glPostNote, f.postNote)
	forgetest.HandleJSON(f.API, glPutNote, f.putNote)
	f.Handle(glDeleteNote, f.deleteNote)
	f.Handle(glGetRelease, f.getRelease)
	forgetest.HandleJSON(f.API, glPostRelease, f.postRelease)
	forgetest.HandleJSON(f.API, glPutRelease, f.putRelease)
	f.Handle(glCommitMRs, f.commitMRs)
	return f
}

func (f *fakeGitLab) config(s *sleeps) Config {
	return Config{
		Platform:       GitLab,
		BaseURL:        f.ServerURL() + "/api/v4",
		Repository:     glProject,
		Token:          glToken,
		TokenEnv:       "GITLAB_TOKEN",
		PipelineID:     glPipeline,
		RequestTimeout: 5 * time.Second,
		Sleep:          s.sleep,
	}
}

// projectOK answers 404 as GitLab does for a project it does not know
// (GET /user names none).
func (f *fakeGitLab) projectOK(w http.ResponseWriter, r *http.Request) bool {
	if id := r.PathValue("id"); id != "" && id != glProject && id != "42" {
		forgetest.WriteJSON(w, http.StatusNotFound, map[string]string{"message": "404 Project Not Found"})
		return false
	}
	return true
}

func (f *fakeGitLab) id() int64 { f.nextID++; return f.nextID }

// pages sets GitLab's offset pagination headers.
// https://docs.gitlab.com/api/rest/#pagination
func pages(w http.ResponseWriter, next int) {
	if next > 0 {
		w.Header().Set("X-Next-Page", strconv.Itoa(next))
	} else {
		w.Header().Set("X-Next-Page", "")
	}
}

// https://docs.gitlab.com/api/commits/#list-the-statuses-of-a-commit
// Without all=true only the latest status of each name is listed.
func (f *fakeGitLab) listStatuses(w http.ResponseWriter, r *http.Request, _ []byte) {
	if r.URL.Query().Has("all") {
		f.TB().Errorf("statuses listed with all=: %s", r.URL.RawQuery)
	}
	if got := r.URL.Query().Get("pipeline_id"); got != strconv.Itoa(glPipeline) {
		f.TB().Errorf("statuses listed with pipeline_id=%q, want %d (CI_PIPELINE_ID): the pipeline's own statuses", got, glPipeline)
	}
	latest := map[string]glStatus{}
	f.mu.Lock()
	for _, s := range f.statuses {
		if s.SHA == r.PathValue("sha") && s.PipelineID == glPipeline {
			latest[s.Name] = *s
		}
	}
	f.mu.Unlock()
	var list []glStatus
	for _, s := range latest {
		list = append(list, s)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	items, n := forgetest.Cut(r, list)
	pages(w, n)
	forgetest.WriteJSON(w, http.StatusOK, items)
}

// https://docs.gitlab.com/api/commits/#set-the-pipeline-status-of-a-commit
//
// Like GitLab, a post to a pending or running status of the same name moves
// it; one that would not change it is refused with 400; a post after a
// finished status adds a new one.
func (f *fakeGitLab) postStatus(w http.ResponseWriter, r *http.Request, in glStatusIn) {
	if in.PipelineID == nil || *in.PipelineID != glPipeline {
		// GitLab would attach the status to the commit's newest pipeline.
		f.TB().Errorf("status posted with pipeline_id %v, want %d (CI_PIPELINE_ID)", in.PipelineID, glPipeline)
	}
	switch in.State {
	case "pending", "running", "success", "failed", "canceled", "skipped":
	default:
		forgetest.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "state does not have a valid value"})
		return
	}
	name := "default"
	if in.Name != nil {
		name = *in.Name
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var s *glStatus
	for _, old := range f.statuses {
		if old.SHA == r.PathValue("sha") && old.Name == name && (old.Status == "pending" || old.Status == "running") {
			s = old
		}
	}
	if s != nil && s.Status == in.State {
		forgetest.WriteJSON(w, http.StatusBadRequest, map[string]string{"message": "Cannot transition status via :enqueue from :pending (Reason(s): Status cannot transition via \"enqueue\")"})
		return
	}
	if s == nil {
		s = &glStatus{ID: f.id(), SHA: r.PathValue("sha"), Name: name, PipelineID: glPipeline}
		f.statuses = append(f.statuses, s)
	}
	s.Status = in.State
	if in.Description != nil {
		s.Description = *in.Description
	}
	if in.TargetURL != nil {
		s.TargetURL = *in.TargetURL
	}
	forgetest.WriteJSON(w, http.StatusCreated, s)
}

func (f *fakeGitLab) latestStatuses(sha string) map[string]glStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]glStatus{}
	for _, s := range f.statuses {
		if s.SHA == sha {
			out[s.Name] = *s
		}
	}
	return out
}

// https://docs.gitlab.com/api/commits/#list-merge-requests-associated-with-a-commit
func (f *fakeGitLab) commitMRs(w http.ResponseWriter, r *http.Request, _ []byte) {
	f.mu.Lock()
	list := f.mrs[r.PathValue("sha")]
	f.mu.Unlock()
	if list == nil {
		list = []map[string]any{}
	}
	forgetest.WriteJSON(w, http.StatusOK, list)
}

// https://docs.gitlab.com/api/notes/#list-all-merge-request-notes
func (f *fakeGitLab) listNotes(w http.ResponseWriter, r *http.Request, _ []byte) {
	if q := r.URL.Query(); q.Get("order_by") != "created_at" || q.Get("sort") != "asc" {
		f.TB().Errorf("notes listed in an unstable order: %s", r.URL.RawQuery)
	}
	mr, _ := strconv.Atoi(r.PathValue("iid"))
	list := f.notesOn(mr)
	items, n := forgetest.Cut(r, list)
	pages(w, n)
	forgetest.WriteJSON(w, http.StatusOK, items)
}

// https://docs.gitlab.com/api/notes/#create-new-merge-request-note
func (f *fakeGitLab) postNote(w http.ResponseWriter, r *http.Request, in glNoteIn) {
	mr, _ := strconv.Atoi(r.PathValue("iid"))
	f.mu.Lock()
	n := &glNote{ID: f.id(), MR: mr, Body: in.Body, Author: glMe}
	f.notes = append(f.notes, n)
	f.mu.Unlock()
	forgetest.WriteJSON(w, http.StatusCreated, n)
}

func (f *fakeGitLab) findNote(w http.ResponseWriter, r *http.Request) int {
	id, _ := strconv.ParseInt(r.PathValue("note"), 10, 64)
	mr, _ := strconv.Atoi(r.PathValue("iid"))
	return forgetest.Index(w, f.notes, "404 Not found", func(n *glNote) bool { return n.ID == id && n.MR == mr })
}

// https://docs.gitlab.com/api/notes/#modify-existing-merge-request-note
func (f *fakeGitLab) putNote(w http.ResponseWriter, r *http.Request, in glNoteIn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i := f.findNote(w, r); i >= 0 {
		if f.notes[i].System {
			f.TB().Errorf("system note %d edited", f.notes[i].ID)
		}
		f.notes[i].Body = in.Body
		forgetest.WriteJSON(w, http.StatusOK, f.notes[i])
	}
}

// https://docs.gitlab.com/api/notes/#delete-a-merge-request-note
func (f *fakeGitLab) deleteNote(w http.ResponseWriter, r *http.Request, _ []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i := f.findNote(w, r); i >= 0 {
		f.notes = append(f.notes[:i], f.notes[i+1:]...)
		w.WriteHeader(http.StatusNoContent)
	}
}

func (f *fakeGitLab) notesOn(mr int) []glNote {
	f.mu.Lock()
	defer f.mu.Unlock()
	return forgetest.Copies(f.notes, func(n *glNote) bool { return n.MR == mr })
}

// https://docs.gitlab.com/api/releases/#get-a-release-by-a-tag-name
func (f *fakeGitLab) getRelease(w http.ResponseWriter, r *http.Request, _ []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i := f.findRelease(w, r.PathValue("tag")); i >= 0 {
		forgetest.WriteJSON(w, http.StatusOK, f.releases[i])
	}
}

func (f *fakeGitLab) findRelease(w http.ResponseWriter, tag string) int {
	return forgetest.Index(w, f.releases, "404 Not Found", func(rel *glRelease) bool { return rel.TagName == tag })
}

// https://docs.gitlab.com/api/releases/#create-a-release
func (f *fakeGitLab) postRelease(w http.ResponseWriter, r *http.Request, in glReleaseIn) {
	if in.TagName == nil || *in.TagName == "" {
		f.TB().Errorf("create release without tag_name")
		forgetest.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "tag_name is missing"})
		return
	}
	tag := *in.TagName
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, rel := range f.releases {
		if rel.TagName == tag {
			forgetest.WriteJSON(w, http.StatusConflict, map[string]string{"message": "Release already exists"})
			return
		}
	}
	rel := &glRelease{TagName: tag, Name: tag, Links: map[string]string{"self": "https://gitlab.example/acme/mono/-/releases/" + tag}}
	in.apply(rel)
	f.releases = append(f.releases, rel)
	forgetest.WriteJSON(w, http.StatusCreated, rel)
}

// https://docs.gitlab.com/api/releases/#update-a-release
func (f *fakeGitLab) putRelease(w http.ResponseWriter, r *http.Request, in glReleaseIn) {
	if in.TagName != nil {
		f.TB().Errorf("update release %s moves its tag to %q", r.PathValue("tag"), *in.TagName)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if i := f.findRelease(w, r.PathValue("tag")); i >= 0 {
		in.apply(f.releases[i])
		forgetest.WriteJSON(w, http.StatusOK, f.releases[i])
	}
}

func (f *fakeGitLab) allReleases() []glRelease {
	f.mu.Lock()
	defer f.mu.Unlock()
	return forgetest.Copies(f.releases, nil)
}
