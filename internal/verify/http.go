package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/exit"
)

// maxBody is the most of a response or of a command's output a condition
// reads; a health endpoint that sends more is cut, not buffered whole.
const maxBody = 1 << 20

type httpProvider struct{}

func (httpProvider) name() string                { return "http" }
func (httpProvider) uses(ch *catalog.Check) bool { return ch.HTTP != nil }

func (httpProvider) prepare(ch *catalog.Check, x *expander, o *Options) (probe, error) {
	what := fmt.Sprintf("check %q http", ch.Name)
	u, err := expandURL(x, ch.HTTP.URL, what+" url")
	if err != nil {
		return nil, err
	}
	body, err := x.expand(ch.HTTP.Body, what+" body")
	if err != nil {
		return nil, err
	}
	headers := make(map[string]string, len(ch.HTTP.Headers))
	for k, v := range ch.HTTP.Headers {
		if headers[k], err = x.expand(v, fmt.Sprintf("%s header %q", what, k)); err != nil {
			return nil, err
		}
	}
	return &httpProbe{client: o.client(), method: ch.HTTP.Method, url: u, headers: headers, body: body}, nil
}

// expandURL expands a check's URL and refuses one that is not absolute
// http(s) at prepare time: a typo in the catalog is bad input, not a failed
// service.
func expandURL(x *expander, raw, what string) (string, error) {
	s, err := x.expand(raw, what)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", exit.BadInputf("%s %q is not an http(s) URL: write it like https://{service}.{env}.example.com/healthz", what, x.secrets.Redact(s))
	}
	return s, nil
}

// send makes the one request of a measurement, as ordo-verify, and reads at
// most maxBody of the answer; the response's body is closed and data holds
// what was read. Both http and prometheus checks measure through it, so a
// timeout, a refused connection or an endless body is handled one way.
func send(ctx context.Context, client *http.Client, method, url string, body io.Reader, headers map[string]string) (resp *http.Response, data []byte, err error) {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("User-Agent", "ordo-verify")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err = client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err = io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, nil, fmt.Errorf("read the response body: %w", err)
	}
	return resp, data, nil
}

type httpProbe struct {
	client  *http.Client
	method  string
	url     string
	headers map[string]string
	body    string
}

func (p *httpProbe) measure(ctx context.Context) (observation, error) {
	var body io.Reader
	if p.body != "" {
		body = strings.NewReader(p.body)
	}
	resp, data, err := send(ctx, p.client, p.method, p.url, body, p.headers)
	if err != nil {
		return observation{}, err
	}
	headers := make(map[string]string, len(resp.Header))
	for k, v := range resp.Header {
		headers[k] = strings.Join(v, ", ")
	}
	obs := observation{
		value:     strconv.Itoa(resp.StatusCode),
		defaultOK: resp.StatusCode >= 200 && resp.StatusCode < 300,
	}
	if !obs.defaultOK {
		obs.defaultWhy = fmt.Sprintf("status %d, want 2xx", resp.StatusCode)
	}
	var parsed any
	if err := json.Unmarshal(data, &parsed); err != nil {
		parsed = string(data)
		obs.hint = "the response body is not JSON"
		if ct := resp.Header.Get("Content-Type"); ct != "" {
			obs.hint += " (Content-Type " + ct + ")"
		}
	}
	obs.vars = map[string]any{"response": map[string]any{"status": resp.StatusCode, "headers": headers, "body": parsed}}
	return obs, nil
}
