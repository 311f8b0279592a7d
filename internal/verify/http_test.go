package verify

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/exit"
)

// healthServer answers like the health endpoints ordo meets: healthy,
// unhealthy, slowly, through redirects, with text where JSON is expected.
func healthServer(tb testing.TB) *httptest.Server {
	tb.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/healthy", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status": "ok", "checks": 3}`)
	})
	mux.HandleFunc("/unhealthy", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"status": "degraded"}`)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
		fmt.Fprint(w, `{"status": "ok"}`)
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/healthy", http.StatusFound)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/text", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html>ok</html>")
	})
	mux.HandleFunc("/auth/", func(w http.ResponseWriter, r *http.Request) {
		// /auth/<service>/<env>/<cluster> with the token in a header
		if r.Header.Get("Authorization") != "Bearer s3cr3t-token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, `{"path": %q, "method": %q}`, r.URL.Path, r.Method)
	})
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv
}

// refusedURL is an address nothing listens on.
func refusedURL(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func TestHTTP(t *testing.T) {
	t.Parallel()
	srv := healthServer(t)
	refused := refusedURL(t)
	tests := []struct {
		name   string
		check  string // the check's body under "c:"
		passed bool
		value  string
		error  string // substring of the measurement's error
	}{
		{"healthy", `{http: {url: "%s/healthy"}}`, true, "200", ""},
		{"healthy by expression", `{http: {url: "%s/healthy"}, success: "response.status == 200 && response.body.status == 'ok' && response.body.checks > 2"}`, true, "200", ""},
		{"unhealthy", `{http: {url: "%s/unhealthy"}}`, false, "503", "status 503, want 2xx"},
		{"unhealthy by expression", `{http: {url: "%s/unhealthy"}, success: "response.body.status == 'ok'"}`, false, "503", `success "response.body.status == 'ok'" is false`},
		{"failure expression", `{http: {url: "%s/healthy"}, failure: "response.body.checks < 5"}`, false, "200", `failure "response.body.checks < 5" is true`},
		{"slow", `{http: {url: "%s/slow", timeout: 100ms}}`, false, "", "no answer within 100ms"},
		{"redirect", `{http: {url: "%s/redirect"}}`, true, "200", ""},
		{"redirect loop", `{http: {url: "%s/loop"}}`, false, "", "stopped after 10 redirects"},
		{"refused", `{http: {url: "` + refused + `/healthz"}}%.0s`, false, "", "connection refused"},
		{"no such host", `{http: {url: "http://ordo-verify-test.invalid/healthz"}}%.0s`, false, "", "ordo-verify-test.invalid"},
		{"not JSON", `{http: {url: "%s/text"}, success: "response.body.status == 'ok'"}`, false, "200",
			`check "c": success expression "response.body.status == 'ok'" failed: `},
		{"text body read as text", `{http: {url: "%s/text"}, success: "response.body contains 'ok'"}`, true, "200", ""},
		{"POST", `{http: {url: "%s/auth/x", method: POST, headers: {Authorization: "Bearer s3cr3t-token"}}, success: "response.body.method == 'POST'"}`, true, "200", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			chs := checks(t, "  c: "+fmt.Sprintf(tt.check, srv.URL)+"\n")
			res := run(t, Options{}, svc("api", chs["c"]))
			m := res.Services[0].Checks[0].Measurements
			if len(m) != 1 {
				t.Fatalf("want one measurement:\n%s", summary(res))
			}
			if m[0].Passed != tt.passed || m[0].Value != tt.value || !strings.Contains(m[0].Error, tt.error) || (tt.error == "") != (m[0].Error == "") {
				t.Errorf("got %+v, want passed=%v value=%q error containing %q", m[0], tt.passed, tt.value, tt.error)
			}
			if res.Services[0].Passed != tt.passed {
				t.Errorf("service passed=%v, want %v", res.Services[0].Passed, tt.passed)
			}
		})
	}
}

// A body that is not JSON, read as JSON, is a failed measurement whose
// reason says so.
func TestHTTPNotJSONSaysSo(t *testing.T) {
	t.Parallel()
	srv := healthServer(t)
	chs := checks(t, fmt.Sprintf("  c: {http: {url: %q}, success: \"response.body.status == 'ok'\"}\n", srv.URL+"/text"))
	res := run(t, Options{}, svc("api", chs["c"]))
	got := res.Services[0].Checks[0].Measurements[0].Error
	if !strings.Contains(got, "the response body is not JSON (Content-Type text/html)") {
		t.Errorf("error %q does not say the body is not JSON", got)
	}
}

// Placeholders take the service's values; $VAR the environment's, which is
// never shown: not in values, errors or reasons.
func TestPlaceholdersAndSecrets(t *testing.T) {
	t.Parallel()
	srv := healthServer(t)
	wave := 2
	chs := checks(t, fmt.Sprintf(`  auth:
    http: {url: "%s/auth/{service}/{env}/{with.cluster}/{wave}/{version}/{sha}", headers: {Authorization: "Bearer $HEALTH_TOKEN"}}
    success: "response.body.path == '/auth/api/staging/eu-1/2/1.2.3/abc'"
  leak:
    http: {url: "%s/$HEALTH_TOKEN/x"}
`, srv.URL, refusedURL(t)))
	env := map[string]string{"HEALTH_TOKEN": "s3cr3t-token"}
	s := Service{Name: "api", Checks: []*catalog.Check{chs["auth"]},
		Vars: Vars{Service: "api", Env: "staging", Wave: &wave, Version: "1.2.3", SHA: "abc", With: map[string]string{"cluster": "eu-1"}}}
	r, err := Prepare([]Service{s, svc("leaky", chs["leak"])}, Options{Getenv: func(k string) string { return env[k] }, MaxFailed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Secrets.Values(); len(got) != 1 || got[0] != "s3cr3t-token" {
		t.Errorf("secrets %q, want the token", got)
	}
	var progress strings.Builder
	r.opts.Progress = func(p Progress) { fmt.Fprintf(&progress, "%+v\n", p) }
	res := r.Start(t.Context())
	out := summary(res) + progress.String()
	if !res.Services[0].Checks[0].Passed {
		t.Errorf("auth check failed:\n%s", out)
	}
	if strings.Contains(out, "s3cr3t") {
		t.Errorf("the secret is printed:\n%s", out)
	}
	if !strings.Contains(out, "/***/x") {
		t.Errorf("the refused URL should show with *** for the secret:\n%s", out)
	}
}

func TestPrepareErrors(t *testing.T) {
	t.Parallel()
	chs := checks(t, `  env: {http: {url: "https://x/$NOT_SET"}}
  with: {http: {url: "https://{with.missing}/"}}
  wave: {command: [echo, "{wave}"]}
  url: {http: {url: "{service}.example.com/healthz"}}
`)
	tests := map[string]string{
		"env":  "$NOT_SET is not set",
		"with": `service api has no with key "missing"`,
		"wave": "{wave} has no value",
		"url":  `"api.example.com/healthz" is not an http(s) URL`,
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Prepare([]Service{svc("api", chs[name])}, Options{})
			var ee *exit.Error
			if !errors.As(err, &ee) || ee.Code != exit.BadInput || !strings.Contains(err.Error(), want) {
				t.Errorf("got %v, want bad input containing %q", err, want)
			}
		})
	}
}
