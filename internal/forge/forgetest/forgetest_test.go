package forgetest

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// recorder keeps what the fake reports instead of failing the test.
type recorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

func (r *recorder) all() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.msgs, "\n")
}

// TestFakeGitHubValidates: the fake keeps what a valid request writes, and
// reports a request GitHub's description rejects, a field GitHub does not
// document, a route it does not serve and a wrong token.
func TestFakeGitHubValidates(t *testing.T) {
	t.Parallel()
	sha := strings.Repeat("a", 40)
	tests := []struct {
		name, method, path, body string
		status                   int
		report                   string // what the fake must report, "" for nothing
	}{
		{"valid status", "POST", "/repos/acme/shop/statuses/" + sha, `{"state":"success","context":"ordo"}`, 201, ""},
		{"state GitHub does not know", "POST", "/repos/acme/shop/statuses/" + sha, `{"state":"done","context":"ordo"}`, 422, "does not match the API description"},
		{"undocumented field", "POST", "/repos/acme/shop/issues/7/comments", `{"body":"x","bdy":"y"}`, 400, "unknown field"},
		{"route not served", "GET", "/repos/acme/shop/pulls", "", 418, "unexpected request"},
		{"other repository", "GET", "/repos/acme/other/commits/" + sha + "/status", "", 404, ""},
		{"other repository's comment", "POST", "/repos/acme/other/issues/7/comments", `{"body":"x"}`, 404, ""},
		{"no repository in the path", "GET", "/user", "", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			f := NewGitHub(rec, "acme/shop", "tok")
			defer f.Close()
			req, err := http.NewRequest(tt.method, f.URL()+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer tok")
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			got := rec.all()
			if (tt.report == "") != (got == "") || !strings.Contains(got, tt.report) {
				t.Errorf("reported %q, want %q", got, tt.report)
			}
			if tt.status == 201 && len(f.Statuses(sha)) != 1 {
				t.Errorf("statuses %v, want the one posted", f.Statuses(sha))
			}
			if tt.status == 404 && len(f.Issues()) != 0 {
				t.Errorf("a request for another repository stored comments on %v", f.Issues())
			}
		})
	}
	t.Run("wrong token", func(t *testing.T) {
		t.Parallel()
		f := Start(t, "acme/shop", "tok")
		resp, err := http.Get(f.URL() + "/repos/acme/shop/commits/" + sha + "/status")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("no token: status %d, want 401", resp.StatusCode)
		}
	})
}

// Both fakes page alike: 30 by default, 100 at most, the next page named
// while items remain, [] (not null) for none.
func TestCut(t *testing.T) {
	t.Parallel()
	items := make([]int, 250)
	for i := range items {
		items[i] = i
	}
	tests := []struct {
		query    string
		items    []int
		first, n int
		next     int
	}{
		{"", items, 0, 30, 2},
		{"per_page=100&page=3", items, 200, 50, 0},
		{"per_page=500&page=2", items, 100, 100, 3},
		{"per_page=100&page=9", items, 0, 0, 0},
		{"", nil, 0, 0, 0},
	}
	for _, tt := range tests {
		r, _ := http.NewRequest("GET", "http://x/list?"+tt.query, nil)
		got, next := Cut(r, tt.items)
		if got == nil || len(got) != tt.n || next != tt.next || (tt.n > 0 && got[0] != tt.first) {
			t.Errorf("Cut(%q, %d items) = %d items from %v, next %d; want %d from %d, next %d",
				tt.query, len(tt.items), len(got), got, next, tt.n, tt.first, tt.next)
		}
	}
}
