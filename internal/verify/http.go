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
	u, err := x.expand(ch.HTTP.URL, what+" url")
	if err != nil {
		return nil, err
	}
	if err := checkURL(u, what+" url", x.secrets); err != nil {
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

// checkURL refuses a URL that is not absolute http(s) at prepare time: a
// typo in the catalog is bad input, not a failed service.
func checkURL(raw, what string, secrets *Secrets) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return exit.BadInputf("%s %q is not an http(s) URL: write it like https://{service}.{env}.example.com/healthz", what, secrets.Redact(raw))
	}
	return nil
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
	req, err := http.NewRequestWithContext(ctx, p.method, p.url, body)
	if err != nil {
		return observation{}, err
	}
	req.Header.Set("User-Agent", "ordo-verify")
	for k, v := range p.headers {
		req.Header.Set(k, v)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return observation{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return observation{}, fmt.Errorf("read the response body: %w", err)
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
