// Package verify measures whether the services of a wave are healthy after
// they deployed, before the next wave starts (SPEC section 13). Each service
// has checks (an HTTP request, a Prometheus query, a command); each check
// takes count measurements at its interval after an initial delay, and keeps
// measuring through the bake time. A check fails when more measurements fail
// than its failure_limit tolerates (or any fails while baking); a service
// fails when one of its checks does; the breaker trips when max_failed
// services of the wave failed, which stops every measurement at once.
//
// Services and checks are measured concurrently, each check on its own
// clock, so a wave takes its slowest check's time, not the sum. The package
// returns a Result; printing it and writing the record are the command
// line's business.
package verify

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/english"
)

// Schema is the version of the JSON document.
const Schema = "ordo.verify/v1"

// Service is one service to verify: its checks and its placeholders' values.
type Service struct {
	Name   string
	Vars   Vars
	Checks []*catalog.Check
}

// Options are how a verification runs.
type Options struct {
	// Dir is the repository root, where commands run.
	Dir string
	// Getenv gives $VAR its value.
	Getenv func(string) string
	// Bake is how long to keep measuring after a check's last planned
	// measurement (verify: bake:).
	Bake time.Duration
	// MaxFailed is how many failed services trip the breaker; 0 means 1.
	MaxFailed int
	// Progress, when set, is called with each measurement as it is taken,
	// from any goroutine, one call at a time. Its text is already redacted.
	Progress func(Progress)
	// Client makes the HTTP requests; nil means a client made for many
	// concurrent requests to few hosts.
	Client *http.Client
}

func (o *Options) client() *http.Client {
	if o.Client == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 100 // one wave's services often share a host (Prometheus)
		o.Client = &http.Client{Transport: t}
	}
	return o.Client
}

// Progress is one measurement as it is taken.
type Progress struct {
	Service, Check string
	N, Of          int  // the measurement's number from 1, and how many are planned (without bake)
	Baking         bool // taken during bake
	Measurement    Measurement
}

// Result is a verification's outcome, as ordo.verify/v1 (the command line
// sets Env, Wave and Release).
type Result struct {
	Schema  string `json:"schema"`
	Env     string `json:"env"`
	Wave    *int   `json:"wave"`
	Release string `json:"release"`
	// Passed is false when the breaker tripped (or the run was interrupted).
	Passed bool `json:"passed"`
	// Failed counts the failed services; MaxFailed is the breaker's limit.
	Failed    int  `json:"failed"`
	MaxFailed int  `json:"max_failed"`
	Tripped   bool `json:"tripped"`
	// Interrupted is true when SIGINT or SIGTERM stopped the measurements;
	// Services then holds what had been measured.
	Interrupted bool            `json:"interrupted"`
	Services    []ServiceResult `json:"services"`
}

// Service states.
const (
	StatePassed   = "passed"
	StateFailed   = "failed"
	StateNoChecks = "no-checks" // passes: nothing to measure
	StateStopped  = "stopped"   // the breaker or an interrupt stopped it first
)

// ServiceResult is one service's outcome.
type ServiceResult struct {
	Name   string        `json:"name"`
	Passed bool          `json:"passed"`
	State  string        `json:"state"`
	Checks []CheckResult `json:"checks"`
}

// CheckResult is one check's outcome for one service.
type CheckResult struct {
	Name         string        `json:"name"`
	Passed       bool          `json:"passed"`
	Reason       string        `json:"reason,omitempty"` // why it failed
	Measurements []Measurement `json:"measurements"`
}

// Measurement is one measurement. Value is what was measured (an HTTP
// status, a query's value, "exit 0"); Error why it failed, if it did.
type Measurement struct {
	At     time.Time `json:"at"`
	Value  string    `json:"value"`
	Passed bool      `json:"passed"`
	Error  string    `json:"error,omitempty"`
	Baking bool      `json:"baking,omitempty"`
}

// Run is a verification ready to start: every placeholder and $VAR is
// expanded, so Secrets holds every value to hide.
type Run struct {
	Secrets  *Secrets
	opts     Options
	services []preparedService
}

type preparedService struct {
	name   string
	checks []preparedCheck
}

type preparedCheck struct {
	check *catalog.Check
	probe probe
}

// Prepare expands every check of every service. A variable that is not set,
// a placeholder without a value or a URL that is not http(s) is bad input.
func Prepare(services []Service, o Options) (*Run, error) {
	r := &Run{Secrets: &Secrets{}, opts: o}
	if r.opts.MaxFailed <= 0 {
		r.opts.MaxFailed = 1
	}
	if r.opts.Getenv == nil {
		r.opts.Getenv = func(string) string { return "" }
	}
	for _, s := range services {
		x := &expander{vars: s.Vars, getenv: r.opts.Getenv, secrets: r.Secrets}
		ps := preparedService{name: s.Name}
		for _, ch := range s.Checks {
			p, err := providerFor(ch)
			if err != nil {
				return nil, err
			}
			pr, err := p.prepare(ch, x, &r.opts)
			if err != nil {
				return nil, err
			}
			ps.checks = append(ps.checks, preparedCheck{check: ch, probe: pr})
		}
		r.services = append(r.services, ps)
	}
	return r, nil
}

// Start runs the measurements and returns when every check is done, the
// breaker tripped or ctx was cancelled (Result.Interrupted).
func (r *Run) Start(ctx context.Context) *Result {
	res := &Result{Schema: Schema, MaxFailed: r.opts.MaxFailed, Services: make([]ServiceResult, len(r.services))}
	stop, tripBreaker := context.WithCancel(ctx)
	defer tripBreaker()
	var mu sync.Mutex // guards res and serialises Progress
	var wg sync.WaitGroup
	for i, s := range r.services {
		sr := &res.Services[i]
		sr.Name, sr.Checks = s.name, make([]CheckResult, len(s.checks))
		if len(s.checks) == 0 {
			sr.Passed, sr.State = true, StateNoChecks
			continue
		}
		svcCtx, failService := context.WithCancel(stop)
		var left sync.WaitGroup
		for k, c := range s.checks {
			cr := &sr.Checks[k]
			cr.Name, cr.Measurements = c.check.Name, []Measurement{}
			wg.Add(1)
			left.Add(1)
			go func() {
				defer wg.Done()
				defer left.Done()
				failed := r.measure(svcCtx, s.name, c, cr, &mu)
				if failed {
					failService() // its other checks cannot make it pass
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			left.Wait()
			failService()
			mu.Lock()
			defer mu.Unlock()
			sr.State, sr.Passed = StatePassed, true
			for _, cr := range sr.Checks {
				switch {
				case cr.Reason != "":
					sr.State, sr.Passed = StateFailed, false
				case !cr.Passed && sr.State != StateFailed:
					sr.State, sr.Passed = StateStopped, false
				}
			}
			if sr.State == StateFailed {
				res.Failed++
				if res.Failed >= r.opts.MaxFailed {
					res.Tripped = true
					tripBreaker()
				}
			}
		}()
	}
	wg.Wait()
	res.Interrupted = ctx.Err() != nil && !res.Tripped
	res.Passed = !res.Tripped && !res.Interrupted
	return res
}

// measure takes c's measurements for service into cr and reports whether
// the check failed. It returns early when ctx is cancelled: by the breaker,
// by another check of the service failing, or by an interrupt.
func (r *Run) measure(ctx context.Context, service string, c preparedCheck, cr *CheckResult, mu *sync.Mutex) (failed bool) {
	ch := c.check
	start := time.Now()
	planned := max(ch.Count, 1)
	bakes := 0
	if r.opts.Bake > 0 && ch.Interval > 0 {
		bakes = int(r.opts.Bake / ch.Interval)
	}
	failures := 0
	for i := 0; i < planned+bakes; i++ {
		at := start.Add(ch.InitialDelay + time.Duration(i)*ch.Interval)
		if !sleepUntil(ctx, at) {
			return false
		}
		m, ok := r.take(ctx, c)
		if !ok {
			return false // cancelled while measuring: not a measurement
		}
		baking := i >= planned
		m.Baking = baking
		mu.Lock()
		cr.Measurements = append(cr.Measurements, m)
		if !m.Passed {
			failures++
			switch {
			case baking:
				cr.Reason = "failed while baking: " + m.Error
			case failures > ch.FailureLimit:
				cr.Reason = failureReason(failures, ch.FailureLimit, m.Error)
			}
		}
		if r.opts.Progress != nil {
			r.opts.Progress(Progress{Service: service, Check: ch.Name, N: i + 1, Of: planned, Baking: baking, Measurement: m})
		}
		done := cr.Reason != ""
		mu.Unlock()
		if done {
			return true
		}
	}
	mu.Lock()
	cr.Passed = true
	mu.Unlock()
	return false
}

func failureReason(failures, limit int, last string) string {
	if limit == 0 {
		return last
	}
	return english.Count(failures, "failed measurement") + ", more than failure_limit " + strconv.Itoa(limit) + " tolerates; last: " + last
}

// take runs one measurement; ok is false when ctx was cancelled meanwhile.
func (r *Run) take(ctx context.Context, c preparedCheck) (m Measurement, ok bool) {
	m.At = time.Now().UTC()
	mctx, cancel := context.WithTimeout(ctx, timeoutOf(c.check))
	defer cancel()
	obs, err := c.probe.measure(mctx)
	if ctx.Err() != nil {
		return m, false
	}
	if err != nil {
		if mctx.Err() == context.DeadlineExceeded {
			m.Error = "no answer within " + timeoutOf(c.check).String() + ": " + err.Error()
		} else {
			m.Error = err.Error()
		}
		m.Error = oneLine(r.Secrets.Redact(m.Error))
		return m, true
	}
	m.Value = oneLine(r.Secrets.Redact(obs.value))
	m.Passed, m.Error = judge(c.check, obs)
	m.Error = oneLine(r.Secrets.Redact(m.Error))
	return m, true
}

// oneLine keeps text from a server or a program on one line, without
// control characters: it is printed in CI logs, where a line of its own
// could be read as a workflow command.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// sleepUntil waits until t; false when ctx is cancelled first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}
