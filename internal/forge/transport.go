package forge

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// retryTransport retries what GitHub and GitLab ask clients to retry, and
// bounds every attempt so that a hanging server cannot hang ordo.
//
// It sits under go-github and client-go, so it sees the raw responses before
// either library turns them into errors of its own; client-go's own retries
// are switched off (gitlab.WithoutRetries) so that nothing is retried twice.
//
// What is retried, and how long to wait:
//   - 5xx except 501, after Retry-After if given, else exponential backoff with jitter;
//   - 429, and 403 when it is a rate limit: after Retry-After, else until the
//     x-ratelimit-reset (GitHub) or RateLimit-Reset (GitLab) time when the
//     remaining count is 0, else backoff; GitHub's secondary rate limit
//     without either header waits at least a minute.
//     https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit
//     https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#handle-rate-limit-errors-appropriately
//     https://docs.gitlab.com/security/rate_limits/
//   - a timeout or broken connection, only for requests that are safe to send
//     twice (GET, PUT, DELETE, or a context marked with retrySafe).
type retryTransport struct {
	// scheme and host, when set (pinHost), are the API's: a request for
	// anywhere else is refused, since it would carry the token.
	scheme, host string
	base         http.RoundTripper
	maxRetries   int
	maxWait      time.Duration // waiting between attempts, summed over all requests
	timeout      time.Duration // one attempt, body included
	sleep        func(context.Context, time.Duration) error

	mu     sync.Mutex
	waited time.Duration
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.host != "" && (req.URL.Scheme != t.scheme || req.URL.Host != t.host) {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("refusing to send a request to %s://%s, which is not the API's %s://%s: it would carry the token", req.URL.Scheme, req.URL.Host, t.scheme, t.host)
	}
	// Read the body once so that every attempt sends the same bytes.
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
		body = b
	}
	for attempt := 0; ; attempt++ {
		resp, respBody, err := t.try(req, body)
		wait, retry := retryAfter(req, resp, respBody, err, attempt)
		if !retry || attempt >= t.maxRetries || pastDeadline(req.Context(), wait) || !t.spend(wait) {
			// The last answer says more than "gave up" would: the caller's
			// library turns it into an error with the server's message.
			if resp != nil && resp.StatusCode < 400 && resp.Header.Get("X-Ratelimit-Remaining") == "0" {
				// go-github remembers a spent quota and then refuses to send
				// further requests before the reset, without asking us. Drop
				// the reset so that the next request reaches GitHub, whose 403
				// this transport then waits out if the reset fits in maxWait.
				resp.Header.Del("X-Ratelimit-Reset")
			}
			return resp, err
		}
		if err := t.sleep(req.Context(), wait); err != nil {
			return nil, err
		}
	}
}

// spend takes d from the waiting budget shared by all requests, so that the
// whole command, not each of its requests, waits at most maxWait.
func (t *retryTransport) spend(d time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.waited+d > t.maxWait {
		return false
	}
	t.waited += d
	return true
}

// try sends one attempt and reads the whole response within the attempt's
// timeout, so that a body that never ends is caught too.
func (t *retryTransport) try(req *http.Request, body []byte) (*http.Response, []byte, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	defer cancel()
	r := req.Clone(ctx)
	if body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		r.ContentLength = int64(len(body))
	}
	resp, err := t.base.RoundTrip(r)
	var b []byte
	if err == nil {
		b, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(b))
	}
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded && req.Context().Err() == nil {
			err = fmt.Errorf("no complete response within %s: %w", t.timeout, ctx.Err())
		}
		return nil, nil, err
	}
	return resp, b, nil
}

// retryAfter says whether an attempt's outcome is worth another attempt and
// how long to wait before it.
func retryAfter(req *http.Request, resp *http.Response, body []byte, err error, attempt int) (time.Duration, bool) {
	if req.Context().Err() != nil {
		return 0, false
	}
	if err != nil {
		return backoff(attempt), replayable(req)
	}
	h := resp.Header
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests || code == http.StatusForbidden:
		if d, ok := retryAfterHeader(h); ok {
			return d, true
		}
		if d, ok := rateLimitReset(h); ok {
			return d, true
		}
		if code == http.StatusTooManyRequests {
			return backoff(attempt), true
		}
		if b := strings.ToLower(string(body)); strings.Contains(b, "secondary rate limit") || strings.Contains(b, "abuse detection") {
			return time.Minute + backoff(attempt), true
		}
		return 0, false // a permission error: asking again will not help
	case code >= 500 && code != http.StatusNotImplemented:
		if !replayable(req) {
			// The server may have stored what it failed to confirm (a
			// comment, a check run, a release): sending it again could make
			// two. The caller reads what is there, then decides.
			return 0, false
		}
		if d, ok := retryAfterHeader(h); ok {
			return d, true
		}
		return backoff(attempt), true
	}
	return 0, false
}

// maxRetryAfter caps a wait a server asks for. More than this is never
// waited (the waiting budget is smaller), and capping first keeps a huge
// value (9223372037 seconds) from overflowing time.Duration into a negative
// wait, which would be an immediate retry, again and again.
const maxRetryAfter = 24 * time.Hour

// retryAfterHeader reads Retry-After in seconds or as an HTTP date.
func retryAfterHeader(h http.Header) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Duration(min(max(s, 0), int64(maxRetryAfter/time.Second))) * time.Second, true
	}
	if strings.Trim(v, "0123456789") == "" {
		return maxRetryAfter, true // more digits than an int64 holds
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(time.Until(at), 0), true
	}
	return 0, false
}

// rateLimitReset reads a spent quota's reset time: x-ratelimit-* on GitHub,
// RateLimit-* on GitLab, both in Unix seconds. A second is added for clock skew.
func rateLimitReset(h http.Header) (time.Duration, bool) {
	for _, prefix := range []string{"X-Ratelimit-", "Ratelimit-"} {
		if h.Get(prefix+"Remaining") != "0" {
			continue
		}
		reset, err := strconv.ParseInt(h.Get(prefix+"Reset"), 10, 64)
		if err != nil {
			continue
		}
		d := time.Until(time.Unix(min(reset, 1<<40), 0))
		if d >= maxRetryAfter {
			return maxRetryAfter, true // and adding to it could overflow
		}
		return max(d+time.Second, 0), true
	}
	return 0, false
}

// backoff is 1s, 2s, 4s… up to 30s, with half of it random so that parallel
// jobs hitting the same limit do not come back in step.
func backoff(attempt int) time.Duration {
	d := min(time.Second<<min(attempt, 5), 30*time.Second)
	return d/2 + rand.N(d/2)
}

// pastDeadline says whether waiting d would outlast ctx anyway.
func pastDeadline(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return ok && time.Until(dl) < d
}

type retrySafeKey struct{}

// retrySafe marks the requests made with ctx as safe to send twice, so that
// a timeout or broken connection is retried even for POST and PATCH.
func retrySafe(ctx context.Context) context.Context {
	return context.WithValue(ctx, retrySafeKey{}, true)
}

func replayable(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return req.Context().Value(retrySafeKey{}) != nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
