package verify

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/testtool"
)

// The Prometheus query API's answers, from a fake, for the cases a real
// Prometheus is hard to make give.
func TestPrometheusAnswers(t *testing.T) {
	t.Parallel()
	answers := map[string]string{
		"scalar": `{"status":"success","data":{"resultType":"scalar","result":[1700000000.1,"0.5"]}}`,
		"one":    `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000.1,"0.01"]}]}}`,
		"two":    `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1"},"value":[1,"1"]},{"metric":{"a":"2"},"value":[1,"3"]}]}}`,
		"empty":  `{"status":"success","data":{"resultType":"vector","result":[]}}`,
		"error":  `{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: unexpected end of input"}`,
		"matrix": `{"status":"success","data":{"resultType":"matrix","result":[]}}`,
		"html":   `<html>proxy error</html>`,
	}
	var methods atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/prom/api/v1/query" {
			http.NotFound(w, r)
			return
		}
		methods.Store(r.Method)
		q := r.FormValue("query")
		a, ok := answers[q]
		if !ok {
			t.Errorf("unexpected query %q", q)
		}
		if strings.Contains(a, `"error"`) {
			w.WriteHeader(http.StatusBadRequest)
		}
		fmt.Fprint(w, a)
	}))
	t.Cleanup(srv.Close)
	tests := []struct {
		name, query, cond string
		method            string
		passed            bool
		value, error      string
	}{
		{"scalar", "scalar", `failure: "result > 0.2"`, "GET", false, "0.5", `failure "result > 0.2" is true`},
		{"one sample", "one", `failure: "result > 0.02"`, "GET", true, "0.01", ""},
		{"post", "one", `failure: "result > 0.02", method: POST`, "POST", true, "0.01", ""},
		{"results", "two", `success: "all(results, # < 5)"`, "GET", true, "[1, 3]", ""},
		{"result of two", "two", `failure: "result > 2"`, "GET", false, "[1, 3]", "result is unset: the query returned 2 samples"},
		{"empty vector", "empty", `failure: "result > 0.02"`, "GET", false, "", "the query returned an empty vector"},
		{"prometheus error", "error", `failure: "result > 0.02"`, "GET", false, "", `prometheus: bad_data: invalid parameter "query"`},
		{"matrix", "matrix", `failure: "result > 0.02"`, "GET", false, "", "the query returned a matrix"},
		{"not prometheus", "html", `failure: "result > 0.02"`, "GET", false, "", `not its API's JSON: "<html>proxy error</html>"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// not parallel: methods is shared
			method := ""
			if strings.Contains(tt.cond, "method: POST") {
				method, tt.cond = ", method: POST", strings.TrimSuffix(tt.cond, ", method: POST")
			}
			chs := checks(t, fmt.Sprintf("  c: {prometheus: {url: %q, query: %q%s}, %s}\n", srv.URL+"/prom/", tt.query, method, tt.cond))
			res := run(t, Options{}, svc("api", chs["c"]))
			m := res.Services[0].Checks[0].Measurements[0]
			if m.Passed != tt.passed || m.Value != tt.value || !strings.Contains(m.Error, tt.error) {
				t.Errorf("got %+v, want passed=%v value=%q error containing %q", m, tt.passed, tt.value, tt.error)
			}
			if got := methods.Load(); got != tt.method {
				t.Errorf("method %v, want %s", got, tt.method)
			}
		})
	}
}

// exporter serves one counter, http_errors_total{service="api"}, whose
// value the test moves.
type exporter struct {
	errors atomic.Int64
	srv    *httptest.Server
}

func newExporter(tb testing.TB) *exporter {
	e := &exporter{}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprintf(w, "# TYPE http_errors_total counter\nhttp_errors_total{service=\"api\"} %d\n", e.errors.Load())
	}))
	tb.Cleanup(e.srv.Close)
	return e
}

// startPrometheus runs a real Prometheus on 127.0.0.1 scraping target every
// 100ms and returns its URL once query has a value.
func startPrometheus(tb testing.TB, target, query string) string {
	tb.Helper()
	bin := testtool.Find(tb, "ORDO_PROMETHEUS", "prometheus")
	dir := tb.TempDir()
	config := fmt.Sprintf("global: {scrape_interval: 100ms}\nscrape_configs:\n  - job_name: test\n    static_configs: [{targets: [%q]}]\n", target)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o644); err != nil {
		tb.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr)
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		cancel()
		tb.Fatalf("start prometheus: %v", err)
	}
	tb.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	url := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url + "/api/v1/query?query=" + neturl.QueryEscape(query))
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), `"value"`) {
				return url
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	tb.Fatalf("prometheus had no sample of %s after 60s; its log:\n%s", query, log.String())
	return ""
}

// A real Prometheus: verify passes while the error counter stays, and trips
// the breaker once it moves.
func TestRealPrometheus(t *testing.T) {
	t.Parallel()
	exp := newExporter(t)
	// Polled until the check's own query has a value: increase needs two
	// samples in its window, not only the first.
	const query = `sum(increase(http_errors_total{service="api"}[5s]))`
	url := startPrometheus(t, strings.TrimPrefix(exp.srv.URL, "http://"), query)
	env := map[string]string{"PROMETHEUS_URL": url}
	chs := checks(t, `  errors:
    prometheus: {url: "$PROMETHEUS_URL", query: 'sum(increase(http_errors_total{service="{service}"}[5s]))'}
    failure: "result > 0"
    count: 3
    interval: 300ms
`)
	o := Options{Getenv: func(k string) string { return env[k] }}
	res := run(t, o, svc("api", chs["errors"]))
	if !res.Passed || res.Services[0].State != StatePassed {
		t.Fatalf("with no new errors verify should pass:\n%s", summary(res))
	}
	exp.errors.Add(50)
	time.Sleep(500 * time.Millisecond) // a few scrapes
	res = run(t, o, svc("api", chs["errors"]))
	if res.Passed || !res.Tripped || res.Services[0].State != StateFailed {
		t.Fatalf("with errors moving the breaker should trip:\n%s", summary(res))
	}
	reason := res.Services[0].Checks[0].Reason
	if !strings.Contains(reason, `failure "result > 0" is true`) {
		t.Errorf("reason %q", reason)
	}
	if strings.Contains(summary(res), url) {
		t.Errorf("$PROMETHEUS_URL's value is printed:\n%s", summary(res))
	}
}

// A Prometheus error is printed on one line: it cannot start a workflow
// command of its own in a CI log.
func TestPrometheusErrorOneLine(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"status":"error","errorType":"bad_data","error":"x\n::set-output name=passed::true"}`)
	}))
	t.Cleanup(srv.Close)
	chs := checks(t, fmt.Sprintf("  c: {prometheus: {url: %q, query: up}}\n", srv.URL))
	res := run(t, Options{}, svc("api", chs["c"]))
	got := res.Services[0].Checks[0].Measurements[0].Error
	if strings.Contains(got, "\n") || !strings.Contains(got, `x\n::set-output`) {
		t.Errorf("error %q", got)
	}
}
