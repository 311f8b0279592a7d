package verify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/expr-lang/expr"

	"github.com/ordo-ci/ordo/internal/catalog"
)

// A provider takes measurements of one kind (http, prometheus, command).
// Adding one means a file that implements this interface and a line in
// providers.
type provider interface {
	// name is the provider's key in a check (http:, prometheus:, command:).
	name() string
	// uses reports whether ch is one of this provider's checks.
	uses(ch *catalog.Check) bool
	// prepare expands ch's placeholders and $VARs for one service, once,
	// before the first measurement, so that a missing variable is bad input
	// and every secret is known (and masked) before anything is printed.
	prepare(ch *catalog.Check, x *expander, o *Options) (probe, error)
}

// providers lists every provider, in the order the catalog documents them.
var providers = []provider{httpProvider{}, prometheusProvider{}, commandProvider{}}

// probe takes one measurement of one check for one service.
type probe interface {
	// measure returns what the conditions read and the value to show.
	// An error means the measurement could not be taken (refused, timeout,
	// a Prometheus error); it fails, with the error as its reason.
	measure(ctx context.Context) (observation, error)
}

// observation is a measurement taken: the names the check's conditions read
// (response, result, results, exit_code, stdout), the value shown for it,
// and whether it passes when the check has no condition.
type observation struct {
	vars       map[string]any
	value      string
	defaultOK  bool
	defaultWhy string // why it fails without a condition ("status 503, want 2xx")
	hint       string // added to an expression error ("the body is not JSON")
}

func providerFor(ch *catalog.Check) (provider, error) {
	for _, p := range providers {
		if p.uses(ch) {
			return p, nil
		}
	}
	names := make([]string, len(providers))
	for i, p := range providers {
		names[i] = p.name()
	}
	return nil, fmt.Errorf("check %q has no provider: give one of %s", ch.Name, strings.Join(names, ", "))
}

// judge decides whether obs passes ch: failure true or success false fails
// it; with neither, the provider's default decides. A condition that cannot
// be evaluated fails the measurement, naming the check and the expression.
func judge(ch *catalog.Check, obs observation) (bool, string) {
	if ch.Success == nil && ch.Failure == nil {
		if obs.defaultOK {
			return true, ""
		}
		return false, obs.defaultWhy
	}
	env := catalog.ConditionEnv()
	for k, v := range obs.vars {
		env[k] = v
	}
	if _, ok := obs.vars["result"]; !ok {
		delete(env, "result") // unset, so that reading it is an error, not 0
	}
	eval := func(c *catalog.Condition, key string) (bool, string) {
		out, err := expr.Run(c.Program, env)
		if err != nil {
			msg, _, _ := strings.Cut(err.Error(), "\n")
			why := fmt.Sprintf("check %q: %s expression %q failed: %s", ch.Name, key, c.Source, msg)
			if obs.hint != "" {
				why += " (" + obs.hint + ")"
			}
			return false, why
		}
		b, _ := out.(bool) // compiled with expr.AsBool
		return b, ""
	}
	if ch.Failure != nil {
		bad, why := eval(ch.Failure, "failure")
		if why != "" {
			return false, why
		}
		if bad {
			return false, fmt.Sprintf("failure %q is true", ch.Failure.Source)
		}
	}
	if ch.Success != nil {
		good, why := eval(ch.Success, "success")
		if why != "" {
			return false, why
		}
		if !good {
			return false, fmt.Sprintf("success %q is false", ch.Success.Source)
		}
	}
	return true, ""
}

// timeoutOf is the time one measurement of ch may take.
func timeoutOf(ch *catalog.Check) time.Duration {
	if ch.HTTP != nil && ch.HTTP.Timeout > 0 {
		return ch.HTTP.Timeout
	}
	if ch.Timeout > 0 {
		return ch.Timeout
	}
	return 10 * time.Second
}
