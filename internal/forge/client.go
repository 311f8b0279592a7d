package forge

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/ordo-ci/ordo/internal/exit"
)

// RetryingClient returns an HTTP client whose transport retries and bounds
// requests exactly as the forge clients' does (cfg's HTTPClient, MaxRetries,
// MaxWait, RequestTimeout and Sleep; the other fields are ignored). Other
// HTTP sinks of ordo (the CloudEvents sink in internal/events) use it so
// that "retried and bounded like forge calls" means the same code.
func RetryingClient(cfg Config) *http.Client { return httpClient(cfg) }

// RetrySafe marks the requests made with ctx as safe to send twice, so that
// a timeout or broken connection is retried even for POST: for requests the
// receiver deduplicates, such as CloudEvents with their ids.
func RetrySafe(ctx context.Context) context.Context { return retrySafe(ctx) }

// apiOrigin is the scheme and host of the API that cfg names: the only
// place its token may go.
func apiOrigin(cfg Config) (scheme, host string) {
	base := cfg.BaseURL
	if base == "" {
		base = defaultGitHubAPI
		if cfg.Platform == GitLab {
			base = defaultGitLabAPI
		}
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", ""
	}
	return u.Scheme, u.Host
}

// httpClient returns a copy of cfg.HTTPClient whose transport retries and,
// for a forge (cfg.Platform set), sends requests to the configured API's
// scheme and host only (pinHost).
func httpClient(cfg Config) *http.Client {
	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		c := *cfg.HTTPClient
		hc = &c
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	t := &retryTransport{
		base:       base,
		maxRetries: cfg.MaxRetries,
		maxWait:    cfg.MaxWait,
		timeout:    cfg.RequestTimeout,
		sleep:      cfg.Sleep,
	}
	if cfg.Platform != "" {
		pinHost(hc, t, cfg)
	}
	if t.maxRetries == 0 {
		t.maxRetries = defaultMaxRetries
	} else if t.maxRetries < 0 {
		t.maxRetries = 0
	}
	if t.maxWait <= 0 {
		t.maxWait = defaultMaxWait
	}
	if t.timeout <= 0 {
		t.timeout = defaultRequestTimeout
	}
	if t.sleep == nil {
		t.sleep = sleep
	}
	hc.Transport = t
	return hc
}

// pinHost makes hc send requests to cfg's API scheme and host only: the
// forge clients set the token on every request below net/http's redirect
// logic, which therefore cannot drop it, so a redirect to another host, or
// any request for one, is refused. Webhooks and event sinks
// (RetryingClient, no platform) carry no token and are not pinned.
func pinHost(hc *http.Client, t *retryTransport, cfg Config) {
	scheme, host := apiOrigin(cfg)
	t.scheme, t.host = scheme, host
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != scheme || req.URL.Host != host {
			return &exit.Error{Code: exit.Env, Err: fmt.Errorf("the API at %s://%s redirected %s to %s://%s: ordo does not follow redirects to another host or scheme, which would receive the token; point %s at the API itself",
				scheme, host, via[0].URL.Path, req.URL.Scheme, req.URL.Host, apiURLVar(cfg.Platform))}
		}
		if len(via) >= 10 {
			return fmt.Errorf("stopped after 10 redirects")
		}
		return nil
	}
}

func apiURLVar(platform string) string {
	if platform == GitLab {
		return "CI_API_V4_URL"
	}
	return "GITHUB_API_URL"
}
