package forge

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// scripted serves answers in order, one per request, and records the
// bodies it was sent; past the script it answers 200.
type scripted struct {
	mu      sync.Mutex
	answers []fault
	bodies  []string
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.bodies = append(s.bodies, string(b))
	a := fault{Status: http.StatusOK, Body: `{"ok":true}`}
	if len(s.answers) > 0 {
		a, s.answers = s.answers[0], s.answers[1:]
	}
	s.mu.Unlock()
	if a.Hang {
		<-r.Context().Done()
		return
	}
	for k, v := range a.Header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(a.Status)
	io.WriteString(w, a.Body)
}

func (s *scripted) attempts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...)
}

func unix(d time.Duration) string { return strconv.FormatInt(time.Now().Add(d).Unix(), 10) }

func between(lo, hi time.Duration) func(time.Duration) bool {
	return func(d time.Duration) bool { return d >= lo && d <= hi }
}

func TestRetryTransport(t *testing.T) {
	t.Parallel()
	secondary := `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`
	tests := []struct {
		name       string
		answers    []fault
		maxRetries int
		wantStatus int
		wantSleeps []func(time.Duration) bool
	}{
		{"502 then success", []fault{{Status: 502}}, 0, 200,
			[]func(time.Duration) bool{between(500*time.Millisecond, time.Second)}},
		{"5xx backs off exponentially", []fault{{Status: 503}, {Status: 500}, {Status: 504}}, 0, 200,
			[]func(time.Duration) bool{between(500*time.Millisecond, time.Second), between(time.Second, 2*time.Second), between(2*time.Second, 4*time.Second)}},
		{"503 with Retry-After", []fault{{Status: 503, Header: map[string]string{"Retry-After": "3"}}}, 0, 200,
			[]func(time.Duration) bool{between(3*time.Second, 3*time.Second)}},
		{"429 with Retry-After seconds", []fault{{Status: 429, Header: map[string]string{"Retry-After": "7"}}}, 0, 200,
			[]func(time.Duration) bool{between(7*time.Second, 7*time.Second)}},
		{"429 with Retry-After date", []fault{{Status: 429, Header: map[string]string{"Retry-After": time.Now().Add(100 * time.Second).UTC().Format(http.TimeFormat)}}}, 0, 200,
			[]func(time.Duration) bool{between(50*time.Second, 100*time.Second)}},
		{"429 without headers backs off", []fault{{Status: 429}}, 0, 200,
			[]func(time.Duration) bool{between(500*time.Millisecond, time.Second)}},
		{"GitLab 429 waits for RateLimit-Reset", []fault{{Status: 429, Header: map[string]string{"RateLimit-Remaining": "0", "RateLimit-Reset": unix(100 * time.Second)}}}, 0, 200,
			[]func(time.Duration) bool{between(50*time.Second, 102*time.Second)}},
		{"GitHub primary rate limit waits for x-ratelimit-reset", []fault{{Status: 403, Body: `{"message":"API rate limit exceeded for installation ID 1."}`,
			Header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": unix(100 * time.Second)}}}, 0, 200,
			[]func(time.Duration) bool{between(50*time.Second, 102*time.Second)}},
		{"GitHub secondary rate limit with Retry-After", []fault{{Status: 403, Body: secondary, Header: map[string]string{"Retry-After": "30"}}}, 0, 200,
			[]func(time.Duration) bool{between(30*time.Second, 30*time.Second)}},
		{"GitHub secondary rate limit without headers waits a minute", []fault{{Status: 403, Body: secondary}}, 0, 200,
			[]func(time.Duration) bool{between(time.Minute, time.Minute+time.Second)}},
		{"403 permission error is not retried", []fault{{Status: 403, Body: `{"message":"Resource not accessible by integration"}`}}, 0, 403, nil},
		{"401 is not retried", []fault{{Status: 401, Body: `{"message":"Bad credentials"}`}}, 0, 401, nil},
		{"404 is not retried", []fault{{Status: 404}}, 0, 404, nil},
		{"422 is not retried", []fault{{Status: 422}}, 0, 422, nil},
		{"501 is not retried", []fault{{Status: 501}}, 0, 501, nil},
		{"retries are bounded", []fault{{Status: 500}, {Status: 500}, {Status: 500}, {Status: 500}}, 2, 500,
			[]func(time.Duration) bool{between(0, 2*time.Second), between(0, 2*time.Second)}},
		{"no retries", []fault{{Status: 502}}, -1, 502, nil},
		{"Retry-After beyond MaxWait is not waited for", []fault{{Status: 429, Header: map[string]string{"Retry-After": "3600"}}}, 0, 429, nil},
		{"rate limit reset beyond MaxWait is not waited for", []fault{{Status: 403,
			Header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": unix(time.Hour)}}}, 0, 403, nil},
		// 9223372037 s overflows time.Duration: it once made a negative wait,
		// that is an immediate retry, every time.
		{"a Retry-After past time.Duration is not an immediate retry", []fault{{Status: 503, Header: map[string]string{"Retry-After": "9223372037"}}, {Status: 503, Header: map[string]string{"Retry-After": "9223372037"}}}, 0, 503, nil},
		{"a Retry-After past int64 neither", []fault{{Status: 429, Header: map[string]string{"Retry-After": "99999999999999999999999"}}}, 0, 429, nil},
		{"a rate limit reset far away neither", []fault{{Status: 429, Header: map[string]string{"RateLimit-Remaining": "0", "RateLimit-Reset": "9223372036854775807"}}}, 0, 429, nil},
		{"a POST answered 5xx is not sent again", []fault{{Status: 502}}, 0, 502, nil},
		{"a POST answered 429 is: it was not taken", []fault{{Status: 429, Header: map[string]string{"Retry-After": "2"}}}, 0, 200,
			[]func(time.Duration) bool{between(2*time.Second, 2*time.Second)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := &scripted{answers: append([]fault(nil), tt.answers...)}
			ts := httptest.NewServer(srv)
			t.Cleanup(ts.Close)
			s := &sleeps{}
			hc := httpClient(Config{BaseURL: ts.URL, MaxRetries: tt.maxRetries, Sleep: s.sleep})
			const payload = `{"state":"success","context":"ordo/api"}`
			// Status posts are marked safe to send twice; "a POST" rows are not.
			ctx := retrySafe(context.Background())
			if strings.HasPrefix(tt.name, "a POST") {
				ctx = context.Background()
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+"/x", strings.NewReader(payload))
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			got := s.all()
			if len(got) != len(tt.wantSleeps) {
				t.Fatalf("slept %v, want %d waits", got, len(tt.wantSleeps))
			}
			for i, ok := range tt.wantSleeps {
				if !ok(got[i]) {
					t.Errorf("wait %d was %v", i, got[i])
				}
			}
			attempts := srv.attempts()
			if len(attempts) != len(got)+1 {
				t.Errorf("%d attempts after %d waits", len(attempts), len(got))
			}
			for i, b := range attempts {
				if b != payload {
					t.Errorf("attempt %d sent body %q, want %q", i, b, payload)
				}
			}
		})
	}
}

// MaxWait bounds the command, not each request: once spent, later
// requests get the server's answer instead of another wait.
func TestRetryTransportSharesItsWaitingBudget(t *testing.T) {
	t.Parallel()
	limited := fault{Status: 429, Header: map[string]string{"Retry-After": "70"}}
	srv := &scripted{answers: []fault{limited, {Status: 200}, limited}}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	s := &sleeps{}
	hc := httpClient(Config{BaseURL: ts.URL, MaxWait: 2 * time.Minute, Sleep: s.sleep})
	var codes []int
	for range 2 {
		resp, err := hc.Get(ts.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	if !reflect.DeepEqual(codes, []int{200, 429}) || len(s.all()) != 1 {
		t.Errorf("answers %v after waits %v", codes, s.all())
	}
}

func TestRetryTransportTimeouts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		method       string
		safe         bool
		answers      []fault
		wantAttempts int
		wantErr      string
	}{
		{"GET hanging is retried", http.MethodGet, false, []fault{{Hang: true}}, 2, ""},
		{"PUT hanging is retried", http.MethodPut, false, []fault{{Hang: true}, {Hang: true}}, 3, ""},
		{"POST marked safe is retried", http.MethodPost, true, []fault{{Hang: true}}, 2, ""},
		{"POST hanging is not sent twice", http.MethodPost, false, []fault{{Hang: true}}, 1, "no complete response within 100ms"},
		{"retries of a hanging server are bounded", http.MethodGet, false,
			[]fault{{Hang: true}, {Hang: true}, {Hang: true}, {Hang: true}, {Hang: true}}, 5, "no complete response within 100ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := &scripted{answers: tt.answers}
			ts := httptest.NewServer(srv)
			t.Cleanup(ts.Close)
			s := &sleeps{}
			hc := httpClient(Config{BaseURL: ts.URL, RequestTimeout: 100 * time.Millisecond, Sleep: s.sleep})
			ctx := context.Background()
			if tt.safe {
				ctx = retrySafe(ctx)
			}
			req, _ := http.NewRequestWithContext(ctx, tt.method, ts.URL+"/x", strings.NewReader("{}"))
			start := time.Now()
			resp, err := hc.Do(req)
			if elapsed := time.Since(start); elapsed > 3*time.Second {
				t.Errorf("took %v", elapsed)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("error %v, want one with %q", err, tt.wantErr)
			}
			if n := len(srv.attempts()); n != tt.wantAttempts {
				t.Errorf("%d attempts, want %d", n, tt.wantAttempts)
			}
		})
	}
}

// A response whose headers come at once but whose body never ends is bounded too.
func TestRetryTransportStalledBody(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	n := 0
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		first := n == 1
		mu.Unlock()
		if first {
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, `{"sta`)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			return
		}
		io.WriteString(w, `{"state":"success"}`)
	}))
	t.Cleanup(ts.Close)
	s := &sleeps{}
	hc := httpClient(Config{BaseURL: ts.URL, RequestTimeout: 100 * time.Millisecond, Sleep: s.sleep})
	resp, err := hc.Get(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if string(b) != `{"state":"success"}` || n != 2 {
		t.Errorf("body %q after %d attempts", b, n)
	}
}

func TestRetryTransportStopsWithContext(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
	t.Cleanup(ts.Close)
	ctx, cancel := context.WithCancel(context.Background())
	hc := httpClient(Config{BaseURL: ts.URL, Sleep: func(context.Context, time.Duration) error { cancel(); return context.Canceled }})
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL, nil)
	if _, err := hc.Do(req); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	// The real sleep gives up as soon as the context is done.
	start := time.Now()
	if err := sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) || time.Since(start) > time.Second {
		t.Errorf("sleep returned %v after %v", err, time.Since(start))
	}
}

// go-github refuses to send requests while a spent quota it saw has not
// reset, without asking the transport; the transport hides the reset of a
// successful response so that it stays the one deciding.
func TestRetryTransportHidesSpentQuotaFromGoGitHub(t *testing.T) {
	t.Parallel()
	reset := unix(time.Minute)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", reset)
		io.WriteString(w, "{}")
	}))
	t.Cleanup(ts.Close)
	resp, err := httpClient(Config{BaseURL: ts.URL}).Get(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if v := resp.Header.Get("X-RateLimit-Reset"); v != "" {
		t.Errorf("X-RateLimit-Reset %q reached the client", v)
	}
}
