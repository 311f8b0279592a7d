package verify

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkWave verifies a 100-service wave with 3 checks each (two HTTP,
// one Prometheus-shaped) at 1-second intervals: it must take the checks'
// own time, count × interval + bake, not the sum over services.
func BenchmarkWave(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/prom/api/v1/query" {
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"0"]}]}}`)
			return
		}
		fmt.Fprint(w, `{"status":"ok"}`)
	}))
	b.Cleanup(srv.Close)
	const count, interval, bake = 2, time.Second, time.Second
	chs := checks(b, fmt.Sprintf(`  live: {http: {url: "%[1]s/{service}/live"}, count: %[2]d, interval: 1s}
  ready: {http: {url: "%[1]s/{service}/ready"}, success: "response.body.status == 'ok'", count: %[2]d, interval: 1s}
  errors: {prometheus: {url: "%[1]s/prom", query: 'sum(rate(http_errors_total{service="{service}"}[1m]))'}, failure: "result > 0.02", count: %[2]d, interval: 1s}
`, srv.URL, count))
	var services []Service
	for i := range 100 {
		services = append(services, svc(fmt.Sprintf("svc%03d", i), chs["live"], chs["ready"], chs["errors"]))
	}
	limit := count*interval + bake
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		res := run(b, Options{Bake: bake}, services...)
		took := time.Since(start)
		if !res.Passed {
			b.Fatalf("the wave failed:\n%s", summary(res))
		}
		if took > limit {
			b.Fatalf("verify took %v, more than count × interval + bake = %v: checks ran in series", took, limit)
		}
		b.ReportMetric(took.Seconds(), "s/wave")
	}
}
