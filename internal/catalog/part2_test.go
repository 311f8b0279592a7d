package catalog

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/expr-lang/expr"
)

func mustParse(t testing.TB, src string) *Catalog {
	t.Helper()
	c, d := Parse("ordo.yaml", []byte(src))
	if c == nil {
		t.Fatal(d.Error())
	}
	return c
}

func TestPart2Values(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("testdata/valid/part2.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c := mustParse(t, strings.Replace(string(src), "services:\n", "services:\n  web: {checks: []}\n  review-app: {environments: [staging]}\n", 1))

	prod := c.Environment("production")
	if prod == nil || prod.From != "staging" || prod.Soak != 30*time.Minute || prod.Tier != "production" || prod.URL != "https://shop.example.com" {
		t.Fatalf("production = %+v", prod)
	}
	if st := c.Environment("staging"); st == nil || st.Tier != "staging" || st.From != "" {
		t.Errorf("staging = %+v: the tier is inferred from the name", st)
	}
	if c.Environment("nowhere") != nil || len(c.Environments) != 2 || c.Environments[0].Name != "production" {
		t.Errorf("environments = %v, want sorted [production staging]", c.Environments)
	}
	if c.Record.RefPrefix != "refs/heads/ordo-record/" {
		t.Errorf("record = %+v", c.Record)
	}

	hz := c.Check("healthz")
	if hz == nil || hz.HTTP == nil || hz.HTTP.Method != "GET" || hz.HTTP.Headers["Authorization"] != "Bearer $HEALTH_TOKEN" ||
		hz.Count != 6 || hz.FailureLimit != 1 || hz.Interval != 10*time.Second || hz.Timeout != 10*time.Second || hz.Success == nil || hz.Failure != nil {
		t.Fatalf("healthz = %+v", hz)
	}
	er := c.Check("error-rate")
	if er == nil || er.Prometheus == nil || er.Prometheus.Method != "GET" || !strings.Contains(er.Prometheus.Query, `{service="{service}"}`) ||
		er.InitialDelay != time.Minute || er.Count != 1 || er.Failure == nil {
		t.Fatalf("error-rate = %+v", er)
	}
	if sm := c.Check("smoke"); sm == nil || strings.Join(sm.Command, " ") != "./scripts/smoke.sh {service} {env}" {
		t.Fatalf("smoke = %+v", sm)
	}
	if c.Verify.Bake != 2*time.Minute || c.Verify.MaxFailed != 1 || strings.Join(c.Verify.Checks, ",") != "healthz" {
		t.Errorf("verify = %+v", c.Verify)
	}

	names := func(checks []*Check) string {
		var out []string
		for _, ch := range checks {
			out = append(out, ch.Name)
		}
		return strings.Join(out, ",")
	}
	for _, tt := range []struct{ service, want string }{
		{"payments", "healthz,error-rate"}, // its own, in its order
		{"checkout-web", "healthz"},        // verify.checks
		{"web", ""},                        // checks: [] is none
	} {
		if got := names(c.ChecksFor(c.Service(tt.service))); got != tt.want {
			t.Errorf("ChecksFor(%s) = %q, want %q", tt.service, got, tt.want)
		}
	}

	pay, db, app := c.Service("payments"), c.Service("payments-db"), c.Service("review-app")
	if !pay.Reversible || !pay.Release || db.Reversible || db.Release {
		t.Errorf("reversible/release: payments %v/%v, payments-db %v/%v", pay.Reversible, pay.Release, db.Reversible, db.Release)
	}
	if !pay.InEnvironment("production") || !db.InEnvironment("production") || app.InEnvironment("production") || !app.InEnvironment("staging") {
		t.Errorf("InEnvironment is wrong")
	}

	f := c.Flags[0]
	if f.Name != "new-checkout" || c.Flag("new-checkout") != f || c.Flag("x") != nil {
		t.Fatalf("flags = %v", c.Flags)
	}
	if len(f.Requires) != 2 || f.Requires[0].Service != "checkout-web" || f.Requires[1].Raw != ">=4.0.0" {
		t.Errorf("requires = %+v, want sorted by service", f.Requires)
	}
	want := []RolloutStep{{5, 30 * time.Minute}, {50, 2 * time.Hour}, {100, 0}}
	if len(f.Rollout) != 3 || f.Rollout[0] != want[0] || f.Rollout[1] != want[1] || f.Rollout[2] != want[2] {
		t.Errorf("rollout = %+v, want %+v", f.Rollout, want)
	}
}

func TestPart2Defaults(t *testing.T) {
	t.Parallel()
	c := mustParse(t, "version: 1\nchecks:\n  up: {command: [/bin/true]}\nservices:\n  a: {}\n")
	if c.Record.RefPrefix != DefaultRefPrefix || c.Verify.MaxFailed != 1 || c.Verify.Bake != 0 || c.Verify.Checks != nil {
		t.Errorf("defaults: record %+v, verify %+v", c.Record, c.Verify)
	}
	up := c.Check("up")
	if up.Count != 1 || up.FailureLimit != 0 || up.Interval != 10*time.Second || up.Timeout != 10*time.Second || up.InitialDelay != 0 {
		t.Errorf("check defaults = %+v", up)
	}
	a := c.Service("a")
	if a.Environments != nil || a.Checks != nil || !a.Reversible || !a.Release || len(c.ChecksFor(a)) != 0 {
		t.Errorf("service defaults = %+v", a)
	}
}

// TestConditions runs compiled conditions with the names verify passes at
// run time, so the compile environment and the run environment agree.
func TestConditions(t *testing.T) {
	t.Parallel()
	c := mustParse(t, `version: 1
checks:
  json: {http: {url: "http://x"}, success: "response.status == 200 && response.body.status == 'ok'"}
  rate: {prometheus: {url: "http://p", query: up}, failure: "result > 0.02 || len(results) > 3"}
  cmd: {command: [x], success: "exit_code == 0 && stdout contains 'ready'"}
`)
	tests := []struct {
		check string
		cond  *Condition
		env   map[string]any
		want  bool
	}{
		{"json", c.Check("json").Success, map[string]any{"response": map[string]any{"status": 200, "headers": map[string]string{}, "body": map[string]any{"status": "ok"}}}, true},
		{"json", c.Check("json").Success, map[string]any{"response": map[string]any{"status": 503, "body": map[string]any{"status": "ok"}}}, false},
		{"rate", c.Check("rate").Failure, map[string]any{"result": 0.5, "results": []float64{0.5}}, true},
		{"rate", c.Check("rate").Failure, map[string]any{"result": 0.01, "results": []float64{0.01}}, false},
		{"cmd", c.Check("cmd").Success, map[string]any{"exit_code": 0, "stdout": "ready\n"}, true},
		{"cmd", c.Check("cmd").Success, map[string]any{"exit_code": 1, "stdout": "ready\n"}, false},
	}
	// A body that is not JSON has no fields: a run-time error, which fails
	// the measurement with its reason.
	env := ConditionEnv()
	env["response"] = map[string]any{"status": 200, "body": "plain text"}
	if _, err := expr.Run(c.Check("json").Success.Program, env); err == nil {
		t.Errorf("response.body.status on a text body ran without an error")
	}
	for _, tt := range tests {
		env := ConditionEnv()
		for k, v := range tt.env {
			env[k] = v
		}
		got, err := expr.Run(tt.cond.Program, env)
		if err != nil {
			t.Errorf("%s: %q: %v", tt.check, tt.cond.Source, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s: %q with %v = %v, want %v", tt.check, tt.cond.Source, tt.env, got, tt.want)
		}
	}
}

func TestInferTier(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"production": "production", "prod-eu": "production", "staging": "staging", "stage-2": "staging",
		"test": "testing", "qa": "testing", "dev": "development", "review-42": "development",
		"canary": "other", "Production": "production",
	} {
		if got := InferTier(name); got != want {
			t.Errorf("InferTier(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestCheckRefName(t *testing.T) {
	t.Parallel()
	for name, ok := range map[string]bool{
		"refs/ordo/record/staging/api": true,
		"api/v1.2.3":                   true,
		"-api/v1.0.0":                  false,
		"api/../x":                     false,
		"api v1":                       false,
		"api/v1.lock":                  false,
		"api/.hidden":                  false,
		"api//v1":                      false,
		"api/":                         false,
		"api@{1}":                      false,
		"@":                            false,
		"a~1":                          false,
		"a^":                           false,
		"a:b":                          false,
		"a?":                           false,
		"a*":                           false,
		"a[":                           false,
		`a\b`:                          false,
		"a.":                           false,
		"a\x01":                        false,
		"a\x7f":                        false,
	} {
		if err := checkRefName(name); (err == nil) != ok {
			t.Errorf("checkRefName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}
