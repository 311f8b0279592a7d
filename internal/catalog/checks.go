package catalog

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

// Check is one entry under checks: (SPEC §13): one way to measure whether a
// deployed service is healthy. Exactly one of HTTP, Prometheus and Command
// is set.
type Check struct {
	Name         string
	Pos          Pos
	HTTP         *HTTPCheck
	Prometheus   *PrometheusCheck
	Command      []string   // argv, placeholders unexpanded
	Success      *Condition // nil when unset
	Failure      *Condition // nil when unset
	Interval     time.Duration
	InitialDelay time.Duration
	Timeout      time.Duration
	Count        int // measurements
	FailureLimit int // failed measurements tolerated
}

// HTTPCheck requests a URL.
type HTTPCheck struct {
	URL     string
	Method  string // default GET
	Headers map[string]string
	Body    string
	Timeout time.Duration // 0: Check.Timeout
}

// PrometheusCheck runs an instant query.
type PrometheusCheck struct {
	URL    string
	Query  string
	Method string // GET (default) or POST
}

// Condition is an expr-lang/expr expression, compiled at load against
// ConditionEnv so that a typo is a catalog error, not a failed release.
type Condition struct {
	Source  string
	Program *vm.Program // run with expr.Run and a map with ConditionEnv's names
	Pos     Pos
}

// ConditionEnv is the environment conditions are compiled against: the
// names and types a measurement provides at run time. `response` holds
// status (int), headers (map[string]string) and body (the parsed JSON
// value, else the text).
func ConditionEnv() map[string]any {
	return map[string]any{
		"response":  map[string]any{"status": 0, "headers": map[string]string{}, "body": nil},
		"result":    0.0,
		"results":   []float64{},
		"exit_code": 0,
		"stdout":    "",
	}
}

// Verify is verify: — the checks of services without their own, how long
// to keep measuring, and the breaker.
type Verify struct {
	Checks    []string      // for services without their own
	Bake      time.Duration // default 0
	MaxFailed int           // breaker: {max_failed: N}; default 1

	checkPos []Pos
}

// Check returns the check called name, or nil.
func (c *Catalog) Check(name string) *Check {
	i, ok := slices.BinarySearchFunc(c.Checks, name, func(ch *Check, n string) int { return strings.Compare(ch.Name, n) })
	if !ok {
		return nil
	}
	return c.Checks[i]
}

// ChecksFor returns the checks that verify s: its own, else verify.checks.
func (c *Catalog) ChecksFor(s *Service) []*Check {
	names := s.Checks
	if names == nil {
		names = c.Verify.Checks
	}
	out := make([]*Check, 0, len(names))
	for _, n := range names {
		if ch := c.Check(n); ch != nil {
			out = append(out, ch)
		}
	}
	return out
}

// placeholderRE finds {name} placeholders; ${VAR} is the environment's.
var placeholderRE = regexp.MustCompile(`\$?\{([A-Za-z_][A-Za-z0-9_.-]*)\}`)

// checkPlaceholders reports placeholders ordo would not replace, in the
// fields where it replaces them.
func (d *decoder) checkPlaceholders(s string, p Pos, what string) {
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		if strings.HasPrefix(m[0], "$") {
			continue
		}
		switch name := m[1]; {
		case name == "service" || name == "env" || name == "wave" || name == "version" || name == "sha":
		case strings.HasPrefix(name, "with.") && len(name) > len("with."):
		default:
			d.errorf(p, "placeholder", "%s: unknown placeholder {%s}: use {service}, {env}, {wave}, {version}, {sha} or {with.KEY}", what, name)
		}
	}
}

var httpMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

func (d *decoder) checks(c *Catalog, p pair) {
	pairs, _ := d.mapping(p.value, p.valPos, "checks")
	for _, cp := range pairs {
		ch := &Check{Name: cp.key, Pos: cp.keyPos, Interval: 10 * time.Second, Timeout: 10 * time.Second, Count: 1}
		if !validName(cp.key) {
			d.errorf(cp.keyPos, "name", "invalid check name %q: use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit", cp.key)
		}
		d.check(ch, cp)
		c.Checks = append(c.Checks, ch)
	}
	slices.SortFunc(c.Checks, func(a, b *Check) int { return strings.Compare(a.Name, b.Name) })
}

func (d *decoder) check(ch *Check, cp pair) {
	what := fmt.Sprintf("check %q", ch.Name)
	fields, _ := d.mapping(cp.value, cp.valPos, what)
	var providers []string
	var limitPos Pos
	d.fields(fields, what, map[string]func(pair){
		"http": func(p pair) {
			providers = append(providers, "http")
			ch.HTTP = d.httpCheck(p, what+" http")
		},
		"prometheus": func(p pair) {
			providers = append(providers, "prometheus")
			ch.Prometheus = d.prometheusCheck(p, what+" prometheus")
		},
		"command": func(p pair) {
			providers = append(providers, "command")
			before := len(d.diags)
			ch.Command, _ = d.strings(p, what+" command")
			if len(ch.Command) == 0 && len(d.diags) == before {
				d.errorf(p.valPos, "check", "%s command is empty: give the program and its arguments, e.g. [./scripts/smoke.sh, \"{service}\"]", what)
				ch.Command = nil
			}
		},
		"success":       func(p pair) { ch.Success = d.condition(p, what+" success") },
		"failure":       func(p pair) { ch.Failure = d.condition(p, what+" failure") },
		"interval":      func(p pair) { ch.Interval = d.positiveDuration(p, what+" interval", ch.Interval) },
		"timeout":       func(p pair) { ch.Timeout = d.positiveDuration(p, what+" timeout", ch.Timeout) },
		"initial_delay": func(p pair) { ch.InitialDelay, _ = d.duration(p, what+" initial_delay") },
		"count": func(p pair) {
			if v, ok := d.integer(p, what+" count"); ok {
				if v < 1 {
					d.errorf(p.valPos, "check", "%s count must be at least 1, not %d", what, v)
				} else {
					ch.Count = v
				}
			}
		},
		"failure_limit": func(p pair) {
			limitPos = p.valPos
			if v, ok := d.integer(p, what+" failure_limit"); ok {
				if v < 0 {
					d.errorf(p.valPos, "check", "%s failure_limit must not be negative, not %d", what, v)
				} else {
					ch.FailureLimit = v
				}
			}
		},
	})
	switch len(providers) {
	case 0:
		d.errorf(ch.Pos, "check", "%s has no provider: give exactly one of http, prometheus or command", what)
	case 1:
	default:
		d.errorf(ch.Pos, "check", "%s has %s: a check has exactly one provider; split it into one check per provider", what, strings.Join(providers, " and "))
	}
	if ch.FailureLimit >= ch.Count && limitPos.Line > 0 {
		d.errorf(limitPos, "check", "%s failure_limit %d tolerates every one of its %d measurements, so it can never fail: raise count or lower failure_limit", what, ch.FailureLimit, ch.Count)
	}
}

// positiveDuration reads a duration that must be above zero, keeping def
// when it is not.
func (d *decoder) positiveDuration(p pair, what string, def time.Duration) time.Duration {
	v, ok := d.duration(p, what)
	if !ok {
		return def
	}
	if v == 0 {
		d.errorf(p.valPos, "duration", "%s must be above zero: write e.g. 10s", what)
		return def
	}
	return v
}

func (d *decoder) httpCheck(p pair, what string) *HTTPCheck {
	h := &HTTPCheck{Method: http.MethodGet}
	fields, _ := d.mapping(p.value, p.valPos, what)
	var urlSeen bool
	d.fields(fields, what, map[string]func(pair){
		"url": func(p pair) {
			urlSeen = true
			h.URL, _ = d.str(p, what+" url")
			d.checkPlaceholders(h.URL, p.valPos, what+" url")
		},
		"method": func(p pair) {
			if v, ok := d.enum(p, "method", httpMethods...); ok {
				h.Method = v
			}
		},
		"headers": func(p pair) {
			hs, _ := d.mapping(p.value, p.valPos, what+" headers")
			h.Headers = make(map[string]string, len(hs))
			for _, hp := range hs {
				if v, ok := d.text(hp, fmt.Sprintf("header %q", hp.key)); ok {
					h.Headers[hp.key] = v
					d.checkPlaceholders(v, hp.valPos, fmt.Sprintf("header %q", hp.key))
				}
			}
		},
		"body":    func(p pair) { h.Body, _ = d.str(p, what+" body") },
		"timeout": func(p pair) { h.Timeout = d.positiveDuration(p, what+" timeout", 0) },
	})
	if !urlSeen || h.URL == "" {
		d.errorf(p.valPos, "check", "%s needs a url, e.g. {url: \"https://{service}.{env}.example.com/healthz\"}", what)
	}
	return h
}

func (d *decoder) prometheusCheck(p pair, what string) *PrometheusCheck {
	pc := &PrometheusCheck{Method: http.MethodGet}
	fields, _ := d.mapping(p.value, p.valPos, what)
	d.fields(fields, what, map[string]func(pair){
		"url": func(p pair) {
			pc.URL, _ = d.str(p, what+" url")
			d.checkPlaceholders(pc.URL, p.valPos, what+" url")
		},
		"query": func(p pair) {
			pc.Query, _ = d.str(p, what+" query")
			d.checkPlaceholders(pc.Query, p.valPos, what+" query")
		},
		"method": func(p pair) {
			if v, ok := d.enum(p, "method", http.MethodGet, http.MethodPost); ok {
				pc.Method = v
			}
		},
	})
	if pc.URL == "" || pc.Query == "" {
		d.errorf(p.valPos, "check", "%s needs url and query, e.g. {url: \"$PROMETHEUS_URL\", query: 'sum(rate(http_errors_total{service=\"{service}\"}[5m]))'}", what)
	}
	return pc
}

// condition compiles an expression that must give a boolean.
func (d *decoder) condition(p pair, what string) *Condition {
	src, ok := d.str(p, what)
	if !ok {
		return nil
	}
	if strings.TrimSpace(src) == "" {
		d.errorf(p.valPos, "expression", "%s is empty: write an expression such as \"response.status == 200\"", what)
		return nil
	}
	prog, err := expr.Compile(src, expr.Env(ConditionEnv()), expr.AsBool())
	if err != nil {
		// expr's message spans lines (the source and a caret): keep its first.
		msg, _, _ := strings.Cut(err.Error(), "\n")
		d.errorf(p.valPos, "expression", "%s %q does not compile: %s (names: response.status, response.headers, response.body, result, results, exit_code, stdout)", what, src, msg)
		return nil
	}
	return &Condition{Source: src, Program: prog, Pos: p.valPos}
}

func (d *decoder) verify(c *Catalog, p pair) {
	pairs, _ := d.mapping(p.value, p.valPos, "verify")
	d.fields(pairs, "verify", map[string]func(pair){
		"checks": func(p pair) { c.Verify.Checks, c.Verify.checkPos = d.names(p, "verify checks") },
		"bake":   func(p pair) { c.Verify.Bake, _ = d.duration(p, "verify bake") },
		"breaker": func(p pair) {
			fields, _ := d.mapping(p.value, p.valPos, "verify breaker")
			d.fields(fields, "verify breaker", map[string]func(pair){
				"max_failed": func(p pair) {
					if v, ok := d.integer(p, "max_failed"); ok {
						if v < 1 {
							d.errorf(p.valPos, "verify", "breaker max_failed must be at least 1, not %d: it is how many failed services in one wave stop the release", v)
						} else {
							c.Verify.MaxFailed = v
						}
					}
				},
			})
		},
	})
}

// checkCheckNames checks every name that refers to a check.
func (d *decoder) checkCheckNames(c *Catalog) {
	names := make([]string, len(c.Checks))
	for i, ch := range c.Checks {
		names[i] = ch.Name
	}
	unknown := func(p Pos, owner, name string) {
		if len(c.Checks) == 0 {
			d.errorf(p, "check", "%s names check %q, but the catalog has no checks: section: define it there", owner, name)
			return
		}
		d.errorf(p, "check", "%s names unknown check %q%s", owner, name, suggestAmong(name, names, "checks:"))
	}
	for i, n := range c.Verify.Checks {
		if c.Check(n) == nil {
			unknown(c.Verify.checkPos[i], "verify", n)
		}
	}
	for _, s := range c.Services {
		for i, n := range s.Checks {
			if c.Check(n) == nil {
				unknown(s.checkPos[i], fmt.Sprintf("service %q", s.Name), n)
			}
		}
	}
}
