package forge

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"
)

// fakeAPI is an httptest server (on 127.0.0.1) that serves only the routes a
// test registers: any other request fails the test. Every request can be
// checked against a description of the API, and faults can be queued per
// route to be served before the route's handler.
type fakeAPI struct {
	t        testing.TB
	srv      *httptest.Server
	mux      *http.ServeMux
	auth     func(r *http.Request, pattern string) bool
	validate func(r *http.Request, body []byte) error

	mu     sync.Mutex
	calls  map[string]int // by route pattern
	bodies map[string][]string
	faults map[string][]fault
}

// fault is an answer served instead of the route's own.
type fault struct {
	status int
	header map[string]string
	body   string
	hang   bool // answer nothing until the client gives up
	stored bool // the route's handler runs (and stores), then this answer replaces its own
}

func newFakeAPI(t testing.TB) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, mux: http.NewServeMux(), calls: map[string]int{}, bodies: map[string][]string{}, faults: map[string][]fault{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		f.t.Errorf("%s %s: read body: %v", r.Method, r.URL, err)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	_, pattern := f.mux.Handler(r)
	if pattern == "" {
		f.t.Errorf("unexpected request %s %s", r.Method, r.URL.RequestURI())
		writeJSON(w, http.StatusTeapot, map[string]string{"message": "unexpected request"})
		return
	}
	if f.validate != nil {
		if err := f.validate(r, body); err != nil {
			f.t.Errorf("%s %s does not match the API description: %v\nbody: %s", r.Method, r.URL.RequestURI(), err, body)
			writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": err.Error()})
			return
		}
	}
	f.mu.Lock()
	f.calls[pattern]++
	f.bodies[pattern] = append(f.bodies[pattern], string(body))
	var ft *fault
	if q := f.faults[pattern]; len(q) > 0 {
		ft, f.faults[pattern] = &q[0], q[1:]
	}
	f.mu.Unlock()

	if ft != nil {
		if ft.hang {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
				f.t.Errorf("%s %s: the client waited 10s for a hanging response", r.Method, r.URL)
			}
			return
		}
		if ft.stored {
			f.mux.ServeHTTP(httptest.NewRecorder(), r)
		}
		for k, v := range ft.header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(ft.status)
		io.WriteString(w, ft.body)
		return
	}
	if f.auth != nil && !f.auth(r, pattern) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
		return
	}
	f.mux.ServeHTTP(w, r) // sets the path values, which mux.Handler does not
}

// handle registers a route; h gets the request body already read.
func (f *fakeAPI) handle(pattern string, h func(w http.ResponseWriter, r *http.Request, body []byte)) {
	f.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h(w, r, body)
	})
}

// inject queues faults for the route pattern, served one per request.
func (f *fakeAPI) inject(pattern string, faults ...fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[pattern] = append(f.faults[pattern], faults...)
}

// count is how many requests reached the route since the last reset.
func (f *fakeAPI) count(pattern string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[pattern]
}

// requestBodies are the bodies the route received since the last reset.
func (f *fakeAPI) requestBodies(pattern string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.bodies[pattern]...)
}

// total is how many requests reached any route since the last reset.
func (f *fakeAPI) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += c
	}
	return n
}

// callList shows the calls since the last reset, for failure messages.
func (f *fakeAPI) callList() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var keys []string
	for k, v := range f.calls {
		keys = append(keys, fmt.Sprintf("%s ×%d", k, v))
	}
	sort.Strings(keys)
	return fmt.Sprint(keys)
}

func (f *fakeAPI) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = map[string]int{}
	f.bodies = map[string][]string{}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// decodeStrict decodes a request body, rejecting fields the API does not
// document, so that a misspelt field fails the test instead of being ignored.
func decodeStrict(t testing.TB, w http.ResponseWriter, body []byte, v any) bool {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Errorf("request body %s: %v", body, err)
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "bad body: " + err.Error()})
		return false
	}
	return true
}

// page cuts items to the page the request asks for (page, per_page).
func page[T any](r *http.Request, items []T) (out []T, next int) {
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
	return items[lo:hi], next
}

// sleeps records the waits of the transport instead of waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}
