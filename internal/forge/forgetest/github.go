package forgetest

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Routes of the fake GitHub, also used to count calls and inject faults.
const (
	GetStatus     = "GET /api/v3/repos/{owner}/{repo}/commits/{ref}/status"
	PostStatus    = "POST /api/v3/repos/{owner}/{repo}/statuses/{sha}"
	ListComments  = "GET /api/v3/repos/{owner}/{repo}/issues/{number}/comments"
	PostComment   = "POST /api/v3/repos/{owner}/{repo}/issues/{number}/comments"
	PatchComment  = "PATCH /api/v3/repos/{owner}/{repo}/issues/comments/{id}"
	DeleteComment = "DELETE /api/v3/repos/{owner}/{repo}/issues/comments/{id}"
	GetRelease    = "GET /api/v3/repos/{owner}/{repo}/releases/tags/{tag}"
	PostRelease   = "POST /api/v3/repos/{owner}/{repo}/releases"
	PatchRelease  = "PATCH /api/v3/repos/{owner}/{repo}/releases/{id}"
	ListRuns      = "GET /api/v3/repos/{owner}/{repo}/commits/{ref}/check-runs"
	PostRun       = "POST /api/v3/repos/{owner}/{repo}/check-runs"
	PatchRun      = "PATCH /api/v3/repos/{owner}/{repo}/check-runs/{id}"
	ListLabels    = "GET /api/v3/repos/{owner}/{repo}/issues/{number}/labels"
	CommitPulls   = "GET /api/v3/repos/{owner}/{repo}/commits/{sha}/pulls"
	BranchRules   = "GET /api/v3/repos/{owner}/{repo}/rules/branches/{branch}"
	GetBranch     = "GET /api/v3/repos/{owner}/{repo}/branches/{branch}"
	GetUser       = "GET /api/v3/user"
	GraphQL       = "POST " + graphQLPath
)

// graphQLPath is GitHub Enterprise Server's GraphQL endpoint.
const graphQLPath = "/api/graphql"

// The fake's token belongs to Login, a user, unless the fake plays an
// installation token (Installation), which GET /user refuses and whose
// comments are Bot's.
const (
	Login = "ordo-ci-user"
	Bot   = "github-actions[bot]"
)

// User is a GitHub account.
type User struct {
	Login string `json:"login"`
	ID    int64  `json:"id"`
	Type  string `json:"type"`
}

// Status is a commit status as GitHub keeps it.
type Status struct {
	ID          int64  `json:"id"`
	Context     string `json:"context"`
	State       string `json:"state"`
	Description string `json:"description,omitempty"`
	TargetURL   string `json:"target_url,omitempty"`
}

// Comment is a pull request (issue) comment.
type Comment struct {
	ID    int64  `json:"id"`
	Issue int    `json:"-"`
	Body  string `json:"body"`
	User  User   `json:"user"`
}

// Release is a release as GitHub keeps it.
type Release struct {
	ID         int64  `json:"id"`
	TagName    string `json:"tag_name"`
	Name       string `json:"name"`
	Body       string `json:"body"`
	Prerelease bool   `json:"prerelease"`
	HTMLURL    string `json:"html_url"`
}

// GitHub is the fake GitHub of one repository (Owner/Repo), answering only
// requests with Token; URL is its API root.
type GitHub struct {
	*API
	Owner, Repo, Token string

	mu       sync.Mutex
	nextID   atomic.Int64
	statuses map[string][]Status // by commit, in the order posted
	comments []*Comment
	releases []*Release
	runs     []*Run
	// deployments are the deployments created, oldest first.
	deployments []*Deployment
	rules       rules
	// installation makes the token an installation token (the workflow's
	// GITHUB_TOKEN): GET /user answers 403 and GraphQL names the bot.
	installation bool
}

// SetInstallation makes the token an installation token (on) or a user's.
func (f *GitHub) SetInstallation(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.installation = on
}

// Me is the account the fake's token writes as.
func (f *GitHub) Me() User {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.me()
}

func (f *GitHub) me() User { return Account(f.installation) }

// Account is the account the fake's token writes as: Bot for an
// installation token, else the user Login.
func Account(installation bool) User {
	if installation {
		return User{Login: Bot, ID: 41898282, Type: "Bot"}
	}
	return User{Login: Login, ID: 4242, Type: "User"}
}

// NewGitHub starts a fake GitHub for repo ("owner/name") that accepts
// token; Close stops it. Problems go to tb.Errorf.
func NewGitHub(tb TB, repo, token string) *GitHub {
	owner, name, _ := strings.Cut(repo, "/")
	f := &GitHub{API: newAPI(tb), Owner: owner, Repo: name, Token: token, statuses: map[string][]Status{}}
	f.validate = func(r *http.Request, body []byte) error {
		if r.URL.Path == graphQLPath { // not REST: no OpenAPI description
			if string(body) != `{"query":"query{viewer{login}}"}`+"\n" {
				return fmt.Errorf("unexpected GraphQL query %s", body)
			}
			return nil
		}
		return validateGitHub(r, body)
	}
	f.auth = func(r *http.Request, _ string) bool { return r.Header.Get("Authorization") == "Bearer "+token }
	f.scope = func(w http.ResponseWriter, r *http.Request) bool {
		return r.PathValue("owner") == "" || f.RepoOK(w, r) // GET /user, GraphQL: no repository
	}
	f.Handle(GetStatus, f.getStatus)
	HandleJSON(f.API, PostStatus, f.postStatus)
	f.Handle(ListComments, f.listComments)
	HandleJSON(f.API, PostComment, f.postComment)
	HandleJSON(f.API, PatchComment, f.patchComment)
	f.Handle(DeleteComment, f.deleteComment)
	f.Handle(GetRelease, f.getRelease)
	HandleJSON(f.API, PostRelease, f.postRelease)
	HandleJSON(f.API, PatchRelease, f.patchRelease)
	f.Handle(GetUser, f.getUser)
	f.Handle(GraphQL, f.graphQL)
	f.handleRuns()
	f.handleDeployments()
	f.handleRules()
	return f
}

// Start is NewGitHub for a test: the server stops when the test ends.
func Start(t testing.TB, repo, token string) *GitHub {
	t.Helper()
	f := NewGitHub(t, repo, token)
	t.Cleanup(f.Close)
	return f
}

// URL is the API root to give ordo (GITHUB_API_URL).
func (f *GitHub) URL() string { return f.ServerURL() + Base }

// RepoOK answers 404 as GitHub does for a repository it does not know.
func (f *GitHub) RepoOK(w http.ResponseWriter, r *http.Request) bool {
	if r.PathValue("owner") != f.Owner || r.PathValue("repo") != f.Repo {
		WriteJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
		return false
	}
	return true
}

// NextID is a new object id, unique across everything the fake (and routes
// added to it) creates.
func (f *GitHub) NextID() int64 { return f.nextID.Add(1) }

// SetNextID makes the next object id n+1.
func (f *GitHub) SetNextID(n int64) { f.nextID.Store(n) }

// Posted are all the statuses posted on sha, in order.
func (f *GitHub) Posted(sha string) []Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Status(nil), f.statuses[sha]...)
}

// AddComments adds comments as if posted earlier (by anyone: User says who).
func (f *GitHub) AddComments(cs ...Comment) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range cs {
		f.comments = append(f.comments, &c)
	}
}

// AddReleases adds releases as if published earlier.
func (f *GitHub) AddReleases(rs ...Release) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range rs {
		f.releases = append(f.releases, &r)
	}
}

// Statuses is what the combined status of sha shows: the last status of
// each context, by context.
func (f *GitHub) Statuses(sha string) []Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	last := map[string]Status{}
	for _, s := range f.statuses[sha] {
		last[strings.ToLower(s.Context)] = s
	}
	out := make([]Status, 0, len(last))
	for _, s := range last {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Context < out[j].Context })
	return out
}

// Commits are the commits with statuses, sorted.
func (f *GitHub) Commits() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.statuses))
	for sha := range f.statuses {
		out = append(out, sha)
	}
	sort.Strings(out)
	return out
}

// https://docs.github.com/en/rest/commits/statuses#get-the-combined-status-for-a-specific-reference
func (f *GitHub) getStatus(w http.ResponseWriter, r *http.Request, _ []byte) {
	all := f.Statuses(r.PathValue("ref"))
	items := Page(w, r, all)
	WriteJSON(w, http.StatusOK, map[string]any{"state": "pending", "sha": r.PathValue("ref"), "total_count": len(all), "statuses": items})
}

type statusIn struct {
	State       string  `json:"state"`
	TargetURL   *string `json:"target_url"`
	Description *string `json:"description"`
	Context     *string `json:"context"`
}

// https://docs.github.com/en/rest/commits/statuses#create-a-commit-status
func (f *GitHub) postStatus(w http.ResponseWriter, r *http.Request, in statusIn) {
	s := Status{State: in.State, Context: "default"}
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
		f.tb.Errorf("status %q: description longer than 140 characters", s.Context)
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
		WriteJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed", "errors": []map[string]string{
			{"resource": "Status", "code": "custom", "message": "This SHA and context has reached the maximum number of statuses."}}})
		return
	}
	s.ID = f.NextID()
	f.statuses[sha] = append(f.statuses[sha], s)
	f.mu.Unlock()
	WriteJSON(w, http.StatusCreated, s)
}

// Comments are the comments on a pull request, oldest first.
func (f *GitHub) Comments(issue int) []Comment {
	f.mu.Lock()
	defer f.mu.Unlock()
	return Copies(f.comments, func(c *Comment) bool { return c.Issue == issue })
}

// Issues are the pull requests with comments, sorted.
func (f *GitHub) Issues() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	seen := map[int]bool{}
	var out []int
	for _, c := range f.comments {
		if !seen[c.Issue] {
			seen[c.Issue] = true
			out = append(out, c.Issue)
		}
	}
	sort.Ints(out)
	return out
}

// https://docs.github.com/en/rest/users/users#get-the-authenticated-user
func (f *GitHub) getUser(w http.ResponseWriter, r *http.Request, _ []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.installation {
		WriteJSON(w, http.StatusForbidden, map[string]string{"message": "Resource not accessible by integration", "documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user"})
		return
	}
	WriteJSON(w, http.StatusOK, f.me())
}

// https://docs.github.com/en/graphql/reference/queries#viewer: a bot's
// login comes without "[bot]" in GraphQL.
func (f *GitHub) graphQL(w http.ResponseWriter, r *http.Request, _ []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	WriteJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"viewer": map[string]string{"login": strings.TrimSuffix(f.me().Login, "[bot]")}}})
}

// https://docs.github.com/en/rest/issues/comments#list-issue-comments
func (f *GitHub) listComments(w http.ResponseWriter, r *http.Request, _ []byte) {
	issue, _ := strconv.Atoi(r.PathValue("number"))
	WriteJSON(w, http.StatusOK, Page(w, r, f.Comments(issue)))
}

type commentIn struct {
	Body string `json:"body"`
}

// https://docs.github.com/en/rest/issues/comments#create-an-issue-comment
func (f *GitHub) postComment(w http.ResponseWriter, r *http.Request, in commentIn) {
	issue, _ := strconv.Atoi(r.PathValue("number"))
	f.mu.Lock()
	c := &Comment{ID: f.NextID(), Issue: issue, Body: in.Body, User: f.me()}
	f.comments = append(f.comments, c)
	f.mu.Unlock()
	WriteJSON(w, http.StatusCreated, c)
}

func (f *GitHub) findComment(w http.ResponseWriter, r *http.Request) int {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return Index(w, f.comments, "Not Found", func(c *Comment) bool { return c.ID == id })
}

// https://docs.github.com/en/rest/issues/comments#update-an-issue-comment
func (f *GitHub) patchComment(w http.ResponseWriter, r *http.Request, in commentIn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i := f.findComment(w, r); i >= 0 {
		f.comments[i].Body = in.Body
		WriteJSON(w, http.StatusOK, f.comments[i])
	}
}

// https://docs.github.com/en/rest/issues/comments#delete-an-issue-comment
func (f *GitHub) deleteComment(w http.ResponseWriter, r *http.Request, body []byte) {
	if len(body) != 0 {
		f.tb.Errorf("DELETE comment with a body: %s", body)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if i := f.findComment(w, r); i >= 0 {
		f.comments = append(f.comments[:i], f.comments[i+1:]...)
		w.WriteHeader(http.StatusNoContent)
	}
}
