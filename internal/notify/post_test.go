package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/forge"
)

// fakeWebhook answers each request with the next of answers (status,
// Retry-After, body) and keeps what it received. A request beyond the
// answers fails the test.
type fakeWebhook struct {
	t       *testing.T
	path    string
	answers []answer
	mu      sync.Mutex
	got     [][]byte
}

type answer struct {
	status     int
	retryAfter string
	body       string
}

func (f *fakeWebhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != f.path || r.Header.Get("Content-Type") != "application/json" {
		f.t.Errorf("unexpected %s %s (Content-Type %q)", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
	}
	body, _ := io.ReadAll(r.Body)
	f.got = append(f.got, body)
	if len(f.got) > len(f.answers) {
		f.t.Errorf("unexpected request %d", len(f.got))
		w.WriteHeader(http.StatusTeapot)
		return
	}
	a := f.answers[len(f.got)-1]
	if a.retryAfter != "" {
		w.Header().Set("Retry-After", a.retryAfter)
	}
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

func TestPost(t *testing.T) {
	t.Parallel()
	const secret = "/services/T000/B000/XXXXsecretXXXX"
	for _, tc := range []struct {
		name     string
		platform Platform
		answers  []answer
		wantErr  string // "" for success
		waited   []time.Duration
	}{
		{"slack ok", SlackPlatform, []answer{{200, "", "ok"}}, "", nil},
		{"slack 429 then ok", SlackPlatform, []answer{{429, "7", "rate_limited"}, {200, "", "ok"}}, "", []time.Duration{7 * time.Second}},
		{"slack channel_not_found", SlackPlatform, []answer{{404, "", "channel_not_found"}}, "HTTP 404: the webhook's channel no longer exists (channel_not_found): create a new webhook", nil},
		{"slack invalid_payload", SlackPlatform, []answer{{400, "", "invalid_payload"}}, "Slack could not read the message (invalid_payload)", nil},
		{"slack no_text", SlackPlatform, []answer{{400, "", "no_text"}}, "Slack found no text in the message (no_text)", nil},
		{"slack echoes the url", SlackPlatform, []answer{{400, "", "bad hook " + secret}}, "HTTP 400: bad hook /…", nil},
		{"slack 429 too long", SlackPlatform, []answer{{429, "3600", "rate_limited"}}, "HTTP 429: rate_limited", nil},
		{"teams accepted", TeamsPlatform, []answer{{202, "", ""}}, "", nil},
		{"teams 429 then accepted", TeamsPlatform, []answer{{429, "2", ""}, {202, "", ""}}, "", []time.Duration{2 * time.Second}},
		{"teams workflow off", TeamsPlatform, []answer{{400, "", `{"error":{"code":"WorkflowTriggerIsNotEnabled","message":"Could not trigger workflow."}}`}}, "HTTP 400: WorkflowTriggerIsNotEnabled: Could not trigger workflow. (check that the workflow is turned on", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := &fakeWebhook{t: t, path: secret, answers: tc.answers}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			var mu sync.Mutex
			var waited []time.Duration
			client := forge.RetryingClient(forge.Config{MaxWait: time.Minute, Sleep: func(_ context.Context, d time.Duration) error {
				mu.Lock()
				defer mu.Unlock()
				waited = append(waited, d)
				return nil
			}})
			m := decodeFile(t, "testdata/verify.json")
			payload, err := Payload(tc.platform, m)
			if err != nil {
				t.Fatal(err)
			}
			wh := Webhook{Platform: tc.platform, URL: srv.URL + secret, Var: "HOOK", Client: client}
			err = wh.Post(context.Background(), payload)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Post: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Post: %v, want an error saying %q", err, tc.wantErr)
			case tc.wantErr != "" && exit.Code(err) != exit.Env:
				t.Errorf("exit %d, want %d", exit.Code(err), exit.Env)
			}
			if err != nil && (strings.Contains(err.Error(), srv.URL) || strings.Contains(err.Error(), "secret")) {
				t.Errorf("the error shows the webhook URL: %v", err)
			}
			if err != nil && !strings.Contains(err.Error(), "HOOK") {
				t.Errorf("the error does not name the variable: %v", err)
			}
			if len(waited) != len(tc.waited) || (len(waited) > 0 && waited[0] != tc.waited[0]) {
				t.Errorf("waited %v, want %v", waited, tc.waited)
			}
			// What the fake received is what was sent, every time.
			for _, body := range fake.got {
				if string(body) != string(payload) {
					t.Errorf("received %s, sent %s", body, payload)
				}
				if tc.platform == SlackPlatform {
					var msg slack.WebhookMessage
					if err := json.Unmarshal(body, &msg); err != nil {
						t.Errorf("slack-go cannot read the request: %v", err)
					}
				}
			}
		})
	}
}

func TestPostUnreachable(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/hook/secret-token"
	srv.Close()
	wh := Webhook{Platform: SlackPlatform, URL: url, Var: "SLACK_HOOK", Client: forge.RetryingClient(forge.Config{MaxRetries: -1})}
	err := wh.Post(context.Background(), []byte(`{}`))
	if exit.Code(err) != exit.Env {
		t.Fatalf("exit %d (%v), want %d", exit.Code(err), err, exit.Env)
	}
	if strings.Contains(err.Error(), "secret-token") || strings.Contains(err.Error(), srv.URL) {
		t.Errorf("the error shows the URL: %v", err)
	}
	if !strings.Contains(err.Error(), "SLACK_HOOK") {
		t.Errorf("the error does not name the variable: %v", err)
	}
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url, warn string
		code      int
	}{
		{"https://hooks.slack.com/services/T/B/X", "", 0},
		{"http://127.0.0.1:8080/hook", "", 0},
		{"http://localhost/hook", "", 0},
		{"http://[::1]:99/hook", "", 0},
		{"http://hooks.example.com/x", "plain http to hooks.example.com", 0},
		{"", "", exit.BadInput},
		{"ftp://example.com/x", "", exit.BadInput},
		{"hooks.slack.com/services/x", "", exit.BadInput},
		{"https://", "", exit.BadInput},
	} {
		warn, err := CheckURL("HOOK", tc.url)
		if exit.Code(err) != tc.code {
			t.Errorf("%q: exit %d (%v), want %d", tc.url, exit.Code(err), err, tc.code)
		}
		if (tc.warn == "") != (warn == "") || !strings.Contains(warn, tc.warn) {
			t.Errorf("%q: warning %q, want %q", tc.url, warn, tc.warn)
		}
		if err != nil && tc.url != "" && strings.Contains(err.Error(), tc.url) {
			t.Errorf("%q: the error shows the URL: %v", tc.url, err)
		}
	}
}
