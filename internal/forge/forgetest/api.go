// Package forgetest is ordo's fake GitHub for tests: an httptest server on
// 127.0.0.1, mounted under /api/v3 as GitHub Enterprise Server is, that
// keeps statuses, comments, releases, check runs, branch rules and
// deployments in memory the way GitHub's REST API documents them, and
// validates every request against the committed subset of GitHub's OpenAPI
// description (../testdata/github-openapi-subset.json, cut from
// @octokit/openapi by ../testdata/gensubset). A request for a route it was
// not told to serve, or one the description rejects, fails the test.
//
// The forge package's own tests, the command line's scripts and the e2e
// workflows use it, so all talk to one fake that the API description keeps
// honest. The forge package's fake GitLab is built on its API too (scope,
// strict bodies, pages), so both fakes answer requests one way.
package forgetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"sync"
	"time"
)

// TB is what the fake reports to: a *testing.T, or a recorder in a script.
// The server calls Errorf from its own goroutines.
type TB interface {
	Errorf(format string, args ...any)
}

// API is a fake HTTP API that serves only the routes registered with Handle:
// any other request fails the test. Requests are validated when Validate is
// set, and Faults queued per route are served before the route's handler.
type API struct {
	tb       TB
	srv      *httptest.Server
	mux      *http.ServeMux
	auth     func(r *http.Request, pattern string) bool
	validate func(r *http.Request, body []byte) error
	scope    func(w http.ResponseWriter, r *http.Request) bool

	mu     sync.Mutex
	calls  map[string]int // by route pattern
	bodies map[string][]string
	writes int
	faults map[string][]Fault
}

// Fault is an answer served instead of the route's own.
type Fault struct {
	Status int
	Header map[string]string
	Body   string
	Hang   bool // answer nothing until the client gives up
	Stored bool // the route's handler runs (and stores), then this answer replaces its own
}

// NewAPI starts a fake API that serves nothing until routes are registered
// with Handle (the forge package's fake GitLab is one); Close stops it.
func NewAPI(tb TB) *API { return newAPI(tb) }

func newAPI(tb TB) *API {
	a := &API{tb: tb, mux: http.NewServeMux(), calls: map[string]int{}, bodies: map[string][]string{}, faults: map[string][]Fault{}}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	return a
}

// TB is what the fake reports to.
func (a *API) TB() TB { return a.tb }

// SetAuth sets the check of a request's credentials for the route pattern
// it matched: a request it refuses gets 401.
func (a *API) SetAuth(auth func(r *http.Request, pattern string) bool) { a.auth = auth }

// SetValidate sets the check of every request against the API's
// description; nil checks nothing.
func (a *API) SetValidate(validate func(r *http.Request, body []byte) error) { a.validate = validate }

// SetScope sets the check every route's request passes before its handler
// runs, once the route's path values are set: a fake keeps one repository
// (or project) and answers a request for another as the forge does, with
// scope writing the answer and returning false.
func (a *API) SetScope(scope func(w http.ResponseWriter, r *http.Request) bool) { a.scope = scope }

// Validate checks a request as the fake does before serving it.
func (a *API) Validate(r *http.Request, body []byte) error {
	if a.validate == nil {
		return nil
	}
	return a.validate(r, body)
}

// Mux is the server's router, for a test that answers a path the fake
// does not know (a redirect) with its own handler.
func (a *API) Mux() *http.ServeMux { return a.mux }

// Close stops the server.
func (a *API) Close() { a.srv.Close() }

// ServerURL is the server's root, http://127.0.0.1:port.
func (a *API) ServerURL() string { return a.srv.URL }

func (a *API) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		a.tb.Errorf("%s %s: read body: %v", r.Method, r.URL, err)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	_, pattern := a.mux.Handler(r)
	if pattern == "" {
		a.tb.Errorf("unexpected request %s %s", r.Method, r.URL.RequestURI())
		WriteJSON(w, http.StatusTeapot, map[string]string{"message": "unexpected request"})
		return
	}
	if a.validate != nil {
		if err := a.validate(r, body); err != nil {
			a.tb.Errorf("%s %s does not match the API description: %v\nbody: %s", r.Method, r.URL.RequestURI(), err, body)
			WriteJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": err.Error()})
			return
		}
	}
	a.mu.Lock()
	a.calls[pattern]++
	a.bodies[pattern] = append(a.bodies[pattern], string(body))
	if r.Method != http.MethodGet && r.URL.Path != graphQLPath { // a GraphQL query writes nothing
		a.writes++
	}
	var ft *Fault
	if q := a.faults[pattern]; len(q) > 0 {
		ft, a.faults[pattern] = &q[0], q[1:]
	}
	a.mu.Unlock()

	if ft != nil {
		if ft.Hang {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
				a.tb.Errorf("%s %s: the client waited 10s for a hanging response", r.Method, r.URL)
			}
			return
		}
		if ft.Stored {
			a.mux.ServeHTTP(httptest.NewRecorder(), r)
		}
		for k, v := range ft.Header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(ft.Status)
		io.WriteString(w, ft.Body)
		return
	}
	if a.auth != nil && !a.auth(r, pattern) {
		WriteJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
		return
	}
	a.mux.ServeHTTP(w, r) // sets the path values, which mux.Handler does not
}

// Handle registers a route; h gets the request body already read, and only
// requests in the fake's scope (see SetScope).
func (a *API) Handle(pattern string, h func(w http.ResponseWriter, r *http.Request, body []byte)) {
	a.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if a.scope != nil && !a.scope(w, r) {
			return
		}
		h(w, r, body)
	})
}

// HandleJSON registers a route whose body is decoded with DecodeStrict into
// an In before h runs: a body the fake cannot read fails the test.
func HandleJSON[In any](a *API, pattern string, h func(w http.ResponseWriter, r *http.Request, in In)) {
	a.Handle(pattern, func(w http.ResponseWriter, r *http.Request, body []byte) {
		var in In
		if DecodeStrict(a.tb, w, body, &in) {
			h(w, r, in)
		}
	})
}

// Inject queues faults for the route pattern, served one per request.
func (a *API) Inject(pattern string, faults ...Fault) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.faults[pattern] = append(a.faults[pattern], faults...)
}

// Count is how many requests reached the route since the last Reset.
func (a *API) Count(pattern string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls[pattern]
}

// Bodies are the bodies the route received since the last Reset.
func (a *API) Bodies(pattern string) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.bodies[pattern]...)
}

// Total is how many requests reached any route since the last Reset.
func (a *API) Total() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, c := range a.calls {
		n += c
	}
	return n
}

// Writes is how many requests other than GET arrived since the last Reset:
// running a command again must write nothing.
func (a *API) Writes() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.writes
}

// Calls shows the calls since the last Reset, for failure messages.
func (a *API) Calls() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var keys []string
	for k, v := range a.calls {
		keys = append(keys, fmt.Sprintf("%s ×%d", k, v))
	}
	sort.Strings(keys)
	return fmt.Sprint(keys)
}

// Reset forgets the calls counted so far; the fake's state stays.
func (a *API) Reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = map[string]int{}
	a.bodies = map[string][]string{}
	a.writes = 0
}

// WriteJSON answers with status and v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// DecodeStrict decodes a request body, rejecting fields the API does not
// document, so that a misspelt field fails the test instead of being
// ignored; it answers 400 itself and returns false on failure.
func DecodeStrict(tb TB, w http.ResponseWriter, body []byte, v any) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		tb.Errorf("request body %s: %v", body, err)
		WriteJSON(w, http.StatusBadRequest, map[string]string{"message": "bad body: " + err.Error()})
		return false
	}
	return true
}

// Page cuts items to the page the request asks for (page, per_page) and sets
// the Link header go-github follows to the next one.
func Page[T any](w http.ResponseWriter, r *http.Request, items []T) []T {
	out, next := Cut(r, items)
	if next > 0 {
		u := *r.URL
		u.Scheme, u.Host = "http", r.Host
		q := u.Query()
		q.Set("page", strconv.Itoa(next))
		u.RawQuery = q.Encode()
		w.Header().Set("Link", fmt.Sprintf("<%s>; rel=\"next\"", u.String()))
	}
	return out
}

// Cut cuts items to the page the request asks for (page, per_page: 30 by
// default, 100 at most, as both forges do) and says which page comes next
// (0: none); each fake says so in its forge's header. An empty list is [],
// never null.
func Cut[T any](r *http.Request, items []T) (out []T, next int) {
	per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	if per <= 0 {
		per = 30
	}
	per = min(per, 100)
	p, _ := strconv.Atoi(r.URL.Query().Get("page"))
	p = max(p, 1)
	lo := min((p-1)*per, len(items))
	hi := min(lo+per, len(items))
	if hi < len(items) {
		next = p + 1
	}
	if items == nil {
		return []T{}, next
	}
	return items[lo:hi], next
}

// Copies are the objects of a fake that keep is true of (all with nil keep),
// copied, oldest first: what a test reads of the fake's state, taken under
// the fake's lock, shares nothing with the server's goroutines.
func Copies[T any](objects []*T, keep func(*T) bool) []T {
	var out []T
	for _, o := range objects {
		if keep == nil || keep(o) {
			out = append(out, *o)
		}
	}
	return out
}

// Index is the position of the first object match is true of, or -1 after
// answering 404 with message: a PATCH, PUT or DELETE of an object the fake
// does not have.
func Index[T any](w http.ResponseWriter, objects []*T, message string, match func(*T) bool) int {
	for i, o := range objects {
		if match(o) {
			return i
		}
	}
	WriteJSON(w, http.StatusNotFound, map[string]string{"message": message})
	return -1
}
