package forge

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

const (
	ghToken = "ghs_fake0TOKEN0never0printed"
	ghOwner = "acme"
	ghRepo  = "mono"
	ghBase  = "/api/v3" // GitHub Enterprise Server's API root
)

// Route patterns of the fake GitHub, also used to count calls.
const (
	ghGetStatus     = "GET /api/v3/repos/{owner}/{repo}/commits/{ref}/status"
	ghPostStatus    = "POST /api/v3/repos/{owner}/{repo}/statuses/{sha}"
	ghListComments  = "GET /api/v3/repos/{owner}/{repo}/issues/{number}/comments"
	ghPostComment   = "POST /api/v3/repos/{owner}/{repo}/issues/{number}/comments"
	ghPatchComment  = "PATCH /api/v3/repos/{owner}/{repo}/issues/comments/{id}"
	ghDeleteComment = "DELETE /api/v3/repos/{owner}/{repo}/issues/comments/{id}"
	ghGetRelease    = "GET /api/v3/repos/{owner}/{repo}/releases/tags/{tag}"
	ghPostRelease   = "POST /api/v3/repos/{owner}/{repo}/releases"
	ghPatchRelease  = "PATCH /api/v3/repos/{owner}/{repo}/releases/{id}"
	ghListRuns      = "GET /api/v3/repos/{owner}/{repo}/commits/{ref}/check-runs"
	ghPostRun       = "POST /api/v3/repos/{owner}/{repo}/check-runs"
	ghPatchRun      = "PATCH /api/v3/repos/{owner}/{repo}/check-runs/{id}"
	ghGetUser       = "GET /api/v3/user"
	ghGraphQL       = "POST /api/graphql"
)

// The fake's token belongs to ghLogin, a user, unless the fake plays an
// installation token (installation: true), which GET /user refuses and
// whose comments are ghBot's.
const (
	ghLogin = "ordo-ci-user"
	ghBot   = "github-actions[bot]"
)

type ghUser struct {
	Login string `json:"login"`
	ID    int64  `json:"id"`
	Type  string `json:"type"`
}

type ghStatus struct {
	ID          int64  `json:"id"`
	Context     string `json:"context"`
	State       string `json:"state"`
	Description string `json:"description,omitempty"`
	TargetURL   string `json:"target_url,omitempty"`
}

type ghComment struct {
	ID    int64  `json:"id"`
	Issue int    `json:"-"`
	Body  string `json:"body"`
	User  ghUser `json:"user"`
}

type ghRelease struct {
	ID         int64  `json:"id"`
	TagName    string `json:"tag_name"`
	Name       string `json:"name"`
	Body       string `json:"body"`
	Prerelease bool   `json:"prerelease"`
	HTMLURL    string `json:"html_url"`
}

type ghAnnotation struct {
	Path            string `json:"path"`
	StartLine       int    `json:"start_line"`
	EndLine         int    `json:"end_line"`
	AnnotationLevel string `json:"annotation_level"`
	Message         string `json:"message"`
	Title           string `json:"title,omitempty"`
}

type ghOutput struct {
	Title       string         `json:"title"`
	Summary     string         `json:"summary"`
	Annotations []ghAnnotation `json:"annotations,omitempty"`
}

type ghRun struct {
	ID          int64          `json:"id"`
	Name        string         `json:"name"`
	HeadSHA     string         `json:"head_sha"`
	Status      string         `json:"status"`
	Conclusion  string         `json:"conclusion,omitempty"`
	DetailsURL  string         `json:"details_url,omitempty"`
	ExternalID  string         `json:"external_id,omitempty"`
	Output      ghOutput       `json:"-"`
	Annotations []ghAnnotation `json:"-"`
}

// fakeGitHub keeps statuses, comments, releases and check runs of one
// repository, acme/mono, the way GitHub's REST API documents them, and
// validates every request against GitHub's OpenAPI description.
type fakeGitHub struct {
	*fakeAPI
	mu       sync.Mutex
	nextID   int64
	statuses map[string][]ghStatus // by commit, in the order posted
	comments []*ghComment
	releases []*ghRelease
	runs     []*ghRun
	rules    fakeRules
	// installation makes the token an installation token (the workflow's
	// GITHUB_TOKEN): GET /user answers 403 and GraphQL names the bot.
	installation bool
}

// me is the account the fake's token writes as.
func (f *fakeGitHub) me() ghUser {
	if f.installation {
		return ghUser{Login: ghBot, ID: 41898282, Type: "Bot"}
	}
	return ghUser{Login: ghLogin, ID: 4242, Type: "User"}
}

func newFakeGitHub(t testing.TB) *fakeGitHub {
	t.Helper()
	f := &fakeGitHub{fakeAPI: newFakeAPI(t), statuses: map[string][]ghStatus{}}
	router := githubRouter(t)
	f.validate = func(r *http.Request, body []byte) error {
		if r.URL.Path == "/api/graphql" { // not REST: no OpenAPI description
			if string(body) != `{"query":"query{viewer{login}}"}`+"\n" {
				return fmt.Errorf("unexpected GraphQL query %s", body)
			}
			return nil
		}
		return validateGitHub(router, r, body)
	}
	f.auth = func(r *http.Request, _ string) bool { return r.Header.Get("Authorization") == "Bearer "+ghToken }

	f.handle(ghGetStatus, f.getStatus)
	f.handle(ghPostStatus, f.postStatus)
	f.handle(ghListComments, f.listComments)
	f.handle(ghPostComment, f.postComment)
	f.handle(ghPatchComment, f.patchComment)
	f.handle(ghDeleteComment, f.deleteComment)
	f.handle(ghGetRelease, f.getRelease)
	f.handle(ghPostRelease, f.postRelease)
	f.handle(ghPatchRelease, f.patchRelease)
	f.handle(ghListRuns, f.listRuns)
	f.handle(ghPostRun, f.postRun)
	f.handle(ghPatchRun, f.patchRun)
	f.handleRules()
	f.handle(ghGetUser, f.getUser)
	f.handle(ghGraphQL, f.graphQL)
	return f
}

// config is a Config for the fake that never really waits.
func (f *fakeGitHub) config(s *sleeps) Config {
	return Config{
		Platform:       GitHub,
		BaseURL:        f.srv.URL + ghBase,
		Repository:     ghOwner + "/" + ghRepo,
		Token:          ghToken,
		TokenEnv:       "GITHUB_TOKEN",
		RequestTimeout: 5 * time.Second,
		Sleep:          s.sleep,
	}
}

// repoOK answers 404 as GitHub does for a repository it does not know.
func (f *fakeGitHub) repoOK(w http.ResponseWriter, r *http.Request) bool {
	if r.PathValue("owner") != ghOwner || r.PathValue("repo") != ghRepo {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
		return false
	}
	return true
}

func (f *fakeGitHub) id() int64 { f.nextID++; return f.nextID }

// next sets the Link header go-github follows to the next page.
func next(w http.ResponseWriter, r *http.Request, page int) {
	if page == 0 {
		return
	}
	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	q := u.Query()
	q.Set("page", strconv.Itoa(page))
	u.RawQuery = q.Encode()
	w.Header().Set("Link", fmt.Sprintf("<%s>; rel=\"next\"", u.String()))
}

// latest is what the combined status shows: the last status of each context.
func (f *fakeGitHub) latest(sha string) []ghStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	last := map[string]ghStatus{}
	for _, s := range f.statuses[sha] {
		last[strings.ToLower(s.Context)] = s
	}
	out := make([]ghStatus, 0, len(last))
	for _, s := range last {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Context < out[j].Context })
	return out
}

// https://docs.github.com/en/rest/commits/statuses#get-the-combined-status-for-a-specific-reference
func (f *fakeGitHub) getStatus(w http.ResponseWriter, r *http.Request, _ []byte) {
	if !f.repoOK(w, r) {
		return
	}
	all := f.latest(r.PathValue("ref"))
	items, n := page(r, all)
	next(w, r, n)
	writeJSON(w, http.StatusOK, map[string]any{"state": "pending", "sha": r.PathValue("ref"), "total_count": len(all), "statuses": items})
}

// https://docs.github.com/en/rest/commits/statuses#create-a-commit-status
func (f *fakeGitHub) postStatus(w http.ResponseWriter, r *http.Request, body []byte) {
	if !f.repoOK(w, r) {
		return
	}
	var in struct {
		State       string  `json:"state"`
		TargetURL   *string `json:"target_url"`
		Description *string `json:"description"`
		Context     *string `json:"context"`
	}
	if !decodeStrict(f.t, w, body, &in) {
		return
	}
	s := ghStatus{State: in.State, Context: "default"}
	if in.Context != nil {
		s.Context = *in.Context
	}
	if in.Description != nil {
		s.Description = *in.Description
	}
	if in.TargetURL != nil {
		s.TargetURL = *in.TargetURL
	}
	if len([]rune(s.Description)) > 140 {
		f.t.Errorf("status %q: description longer than 140 characters", s.Context)
	}
	sha := r.PathValue("sha")
	f.mu.Lock()
	n := 0
	for _, old := range f.statuses[sha] {
		if strings.EqualFold(old.Context, s.Context) {
			n++
		}
	}
	if n >= 1000 {
		f.mu.Unlock()
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed", "errors": []map[string]string{
			{"resource": "Status", "code": "custom", "message": "This SHA and context has reached the maximum number of statuses."}}})
		return
	}
	s.ID = f.id()
	f.statuses[sha] = append(f.statuses[sha], s)
	f.mu.Unlock()
	writeJSON(w, http.StatusCreated, s)
}

// https://docs.github.com/en/rest/users/users#get-the-authenticated-user
func (f *fakeGitHub) getUser(w http.ResponseWriter, r *http.Request, _ []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.installation {
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "Resource not accessible by integration", "documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user"})
		return
	}
	writeJSON(w, http.StatusOK, f.me())
}

// https://docs.github.com/en/graphql/reference/queries#viewer: a bot's
// login comes without "[bot]" in GraphQL.
func (f *fakeGitHub) graphQL(w http.ResponseWriter, r *http.Request, _ []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"viewer": map[string]string{"login": strings.TrimSuffix(f.me().Login, "[bot]")}}})
}

// https://docs.github.com/en/rest/issues/comments#list-issue-comments
func (f *fakeGitHub) listComments(w http.ResponseWriter, r *http.Request, _ []byte) {
	if !f.repoOK(w, r) {
		return
	}
	issue, _ := strconv.Atoi(r.PathValue("number"))
	f.mu.Lock()
	var list []ghComment
	for _, c := range f.comments {
		if c.Issue == issue {
			list = append(list, *c)
		}
	}
	f.mu.Unlock()
	items, n := page(r, list)
	next(w, r, n)
	writeJSON(w, http.StatusOK, items)
}

// https://docs.github.com/en/rest/issues/comments#create-an-issue-comment
func (f *fakeGitHub) postComment(w http.ResponseWriter, r *http.Request, body []byte) {
	if !f.repoOK(w, r) {
		return
	}
	var in struct {
		Body string `json:"body"`
	}
	if !decodeStrict(f.t, w, body, &in) {
		return
	}
	issue, _ := strconv.Atoi(r.PathValue("number"))
	f.mu.Lock()
	c := &ghComment{ID: f.id(), Issue: issue, Body: in.Body, User: f.me()}
	f.comments = append(f.comments, c)
	f.mu.Unlock()
	writeJSON(w, http.StatusCreated, c)
}

func (f *fakeGitHub) findComment(w http.ResponseWriter, r *http.Request) (int, bool) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	for i, c := range f.comments {
		if c.ID == id {
			return i, true
		}
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
	return 0, false
}

// https://docs.github.com/en/rest/issues/comments#update-an-issue-comment
func (f *fakeGitHub) patchComment(w http.ResponseWriter, r *http.Request, body []byte) {
	if !f.repoOK(w, r) {
		return
	}
	var in struct {
		Body string `json:"body"`
	}
	if !decodeStrict(f.t, w, body, &in) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if i, ok := f.findComment(w, r); ok {
		f.comments[i].Body = in.Body
		writeJSON(w, http.StatusOK, f.comments[i])
	}
}

// https://docs.github.com/en/rest/issues/comments#delete-an-issue-comment
func (f *fakeGitHub) deleteComment(w http.ResponseWriter, r *http.Request, body []byte) {
	if !f.repoOK(w, r) {
		return
	}
	if len(body) != 0 {
		f.t.Errorf("DELETE comment with a body: %s", body)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if i, ok := f.findComment(w, r); ok {
		f.comments = append(f.comments[:i], f.comments[i+1:]...)
		w.WriteHeader(http.StatusNoContent)
	}
}

func (f *fakeGitHub) commentsOn(issue int) []ghComment {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []ghComment
	for _, c := range f.comments {
		if c.Issue == issue {
			out = append(out, *c)
		}
	}
	return out
}

// https://docs.github.com/en/rest/releases/releases#get-a-release-by-tag-name
func (f *fakeGitHub) getRelease(w http.ResponseWriter, r *http.Request, _ []byte) {
	if !f.repoOK(w, r) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, rel := range f.releases {
		if rel.TagName == r.PathValue("tag") {
			writeJSON(w, http.StatusOK, rel)
			return
		}
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
}

type ghReleaseIn struct {
	TagName    *string `json:"tag_name"`
	Name       *string `json:"name"`
	Body       *string `json:"body"`
	Prerelease *bool   `json:"prerelease"`
}

// https://docs.github.com/en/rest/releases/releases#create-a-release
func (f *fakeGitHub) postRelease(w http.ResponseWriter, r *http.Request, body []byte) {
	if !f.repoOK(w, r) {
		return
	}
	var in ghReleaseIn
	if !decodeStrict(f.t, w, body, &in) {
		return
	}
	if in.TagName == nil || *in.TagName == "" {
		f.t.Errorf("create release without tag_name: %s", body)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, rel := range f.releases {
		if rel.TagName == *in.TagName {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed",
				"errors": []map[string]string{{"resource": "Release", "code": "already_exists", "field": "tag_name"}}})
			return
		}
	}
	rel := &ghRelease{ID: f.id(), TagName: *in.TagName}
	rel.HTMLURL = "https://github.example/acme/mono/releases/tag/" + rel.TagName
	in.apply(rel)
	f.releases = append(f.releases, rel)
	writeJSON(w, http.StatusCreated, rel)
}

func (in ghReleaseIn) apply(rel *ghRelease) {
	if in.Name != nil {
		rel.Name = *in.Name
	}
	if in.Body != nil {
		rel.Body = *in.Body
	}
	if in.Prerelease != nil {
		rel.Prerelease = *in.Prerelease
	}
}

// https://docs.github.com/en/rest/releases/releases#update-a-release
func (f *fakeGitHub) patchRelease(w http.ResponseWriter, r *http.Request, body []byte) {
	if !f.repoOK(w, r) {
		return
	}
	var in ghReleaseIn
	if !decodeStrict(f.t, w, body, &in) {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, rel := range f.releases {
		if rel.ID == id {
			if in.TagName != nil && *in.TagName != rel.TagName {
				f.t.Errorf("update release %d moves its tag to %q", id, *in.TagName)
			}
			in.apply(rel)
			writeJSON(w, http.StatusOK, rel)
			return
		}
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
}

func (f *fakeGitHub) allReleases() []ghRelease {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []ghRelease
	for _, r := range f.releases {
		out = append(out, *r)
	}
	return out
}

func (run *ghRun) json() map[string]any {
	return map[string]any{
		"id": run.ID, "name": run.Name, "head_sha": run.HeadSHA, "status": run.Status,
		"conclusion": run.Conclusion, "details_url": run.DetailsURL, "external_id": run.ExternalID,
		"output": map[string]any{"title": run.Output.Title, "summary": run.Output.Summary, "annotations_count": len(run.Annotations)},
	}
}

// https://docs.github.com/en/rest/checks/runs#list-check-runs-for-a-git-reference
func (f *fakeGitHub) listRuns(w http.ResponseWriter, r *http.Request, _ []byte) {
	if !f.repoOK(w, r) {
		return
	}
	if r.URL.Query().Get("filter") != "latest" {
		f.t.Errorf("list check runs without filter=latest: %s", r.URL.RawQuery)
	}
	f.mu.Lock()
	latest := map[string]*ghRun{}
	for _, run := range f.runs {
		if run.HeadSHA == r.PathValue("ref") {
			latest[run.Name] = run // later runs have higher IDs
		}
	}
	var list []map[string]any
	for _, run := range latest {
		list = append(list, run.json())
	}
	f.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i]["id"].(int64) < list[j]["id"].(int64) })
	items, n := page(r, list)
	next(w, r, n)
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(list), "check_runs": items})
}

type ghRunIn struct {
	Name       *string   `json:"name"`
	HeadSHA    *string   `json:"head_sha"`
	DetailsURL *string   `json:"details_url"`
	ExternalID *string   `json:"external_id"`
	Status     *string   `json:"status"`
	Conclusion *string   `json:"conclusion"`
	Output     *ghOutput `json:"output"`
}

func (f *fakeGitHub) applyRun(run *ghRun, in ghRunIn) {
	if in.Name != nil {
		run.Name = *in.Name
	}
	if in.DetailsURL != nil {
		run.DetailsURL = *in.DetailsURL
	}
	if in.ExternalID != nil {
		run.ExternalID = *in.ExternalID
	}
	if in.Status != nil {
		run.Status = *in.Status
	}
	if in.Conclusion != nil {
		run.Conclusion, run.Status = *in.Conclusion, "completed"
	}
	if in.Output != nil {
		if len(in.Output.Annotations) > 50 {
			f.t.Errorf("check run %q: %d annotations in one request, GitHub takes 50", run.Name, len(in.Output.Annotations))
		}
		run.Output.Title, run.Output.Summary = in.Output.Title, in.Output.Summary
		// GitHub appends annotations on every update.
		run.Annotations = append(run.Annotations, in.Output.Annotations...)
	}
}

// https://docs.github.com/en/rest/checks/runs#create-a-check-run
func (f *fakeGitHub) postRun(w http.ResponseWriter, r *http.Request, body []byte) {
	if !f.repoOK(w, r) {
		return
	}
	var in ghRunIn
	if !decodeStrict(f.t, w, body, &in) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	run := &ghRun{ID: f.id(), HeadSHA: *in.HeadSHA, Status: "queued"}
	f.applyRun(run, in)
	f.runs = append(f.runs, run)
	writeJSON(w, http.StatusCreated, run.json())
}

// https://docs.github.com/en/rest/checks/runs#update-a-check-run
func (f *fakeGitHub) patchRun(w http.ResponseWriter, r *http.Request, body []byte) {
	if !f.repoOK(w, r) {
		return
	}
	var in ghRunIn
	if !decodeStrict(f.t, w, body, &in) {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, run := range f.runs {
		if run.ID == id {
			f.applyRun(run, in)
			writeJSON(w, http.StatusOK, run.json())
			return
		}
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
}

func (f *fakeGitHub) allRuns() []ghRun {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []ghRun
	for _, r := range f.runs {
		out = append(out, *r)
	}
	return out
}

// githubRouter loads the subset of GitHub's OpenAPI description that
// testdata/gensubset cut from @octokit/openapi, once per test binary.
var githubRouter = func() func(testing.TB) routers.Router {
	var (
		once   sync.Once
		router routers.Router
		err    error
	)
	return func(t testing.TB) routers.Router {
		t.Helper()
		once.Do(func() {
			var doc *openapi3.T
			doc, err = openapi3.NewLoader().LoadFromFile(filepath.Join("testdata", "github-openapi-subset.json"))
			if err != nil {
				return
			}
			// doc.Validate is skipped on purpose: GitHub's own examples fail it.
			doc.Servers = nil // match any host
			router, err = gorillamux.NewRouter(doc)
		})
		if err != nil {
			t.Fatalf("load GitHub's OpenAPI subset: %v", err)
		}
		return router
	}
}()

// validateGitHub checks a request against GitHub's OpenAPI description,
// with the Enterprise /api/v3 prefix taken off the path.
func validateGitHub(router routers.Router, r *http.Request, body []byte) error {
	rr := r.Clone(context.Background())
	rr.URL.Path = strings.TrimPrefix(r.URL.Path, ghBase)
	rr.URL.RawPath = strings.TrimPrefix(r.URL.RawPath, ghBase)
	rr.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := router.FindRoute(rr)
	if err != nil {
		return fmt.Errorf("no such operation in GitHub's API (or not in testdata/github-openapi-subset.json): %w", err)
	}
	return openapi3filter.ValidateRequest(rr.Context(), &openapi3filter.RequestValidationInput{
		Request: rr, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	})
}
