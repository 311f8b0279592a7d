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
