package verify

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/catalog"
)

// checks parses a checks: section (YAML, indented two spaces under
// checks:) and returns its checks by name, compiled as the catalog compiles
// them.
func checks(tb testing.TB, yaml string) map[string]*catalog.Check {
	tb.Helper()
	src := "version: 1\nservices:\n  api: {paths: [api/**]}\nchecks:\n" + yaml
	cat, diags := catalog.Parse("ordo.yaml", []byte(src))
	if cat == nil {
		tb.Fatalf("catalog:\n%s\n%v", src, diags)
	}
	out := map[string]*catalog.Check{}
	for _, ch := range cat.Checks {
		out[ch.Name] = ch
	}
	return out
}

// run prepares and runs services with o, failing the test on a Prepare error.
func run(tb testing.TB, o Options, services ...Service) *Result {
	tb.Helper()
	r, err := Prepare(services, o)
	if err != nil {
		tb.Fatalf("prepare: %v", err)
	}
	return r.Start(context.Background())
}

// summary is a compact view of a result for comparisons: per service its
// state, per check passed and each measurement's value or error.
func summary(res *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "passed=%v tripped=%v failed=%d\n", res.Passed, res.Tripped, res.Failed)
	for _, s := range res.Services {
		fmt.Fprintf(&b, "%s %s\n", s.Name, s.State)
		for _, c := range s.Checks {
			fmt.Fprintf(&b, "  %s passed=%v reason=%q\n", c.Name, c.Passed, c.Reason)
			for _, m := range c.Measurements {
				fmt.Fprintf(&b, "    %v %q %q\n", m.Passed, m.Value, m.Error)
			}
		}
	}
	return b.String()
}

func svc(name string, chs ...*catalog.Check) Service {
	return Service{Name: name, Vars: Vars{Service: name, Env: "staging"}, Checks: chs}
}
