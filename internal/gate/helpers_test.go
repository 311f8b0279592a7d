package gate

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git/gittest"
)

func TestMain(m *testing.M) { gittest.Main(m) }

// parseCatalog parses an ordo.yaml body; "version: 1" is added in front.
func parseCatalog(tb testing.TB, src string) *catalog.Catalog {
	tb.Helper()
	if src == "" {
		return nil
	}
	c, diags := catalog.Parse("ordo.yaml", []byte("version: 1\n"+src))
	if errs := diags.Errors(); len(errs) > 0 {
		tb.Fatalf("catalog: %v\n%s", errs, src)
	}
	return c
}

// at parses an RFC 3339 time.
func at(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// check runs the gate and fails the test on an error.
func check(tb testing.TB, in Input) *Report {
	tb.Helper()
	if in.Now.IsZero() {
		in.Now = at(tb, "2026-03-04T12:00:00Z") // a Wednesday, outside every window below
	}
	r, err := Check(context.Background(), in)
	if err != nil {
		tb.Fatalf("Check: %v", err)
	}
	return r
}

// rules returns "rule service" for each violation, with " (overridden)"
// where it applies, in report order.
func rules(r *Report) []string {
	var out []string
	for _, v := range r.Violations {
		s := v.Rule + " " + v.Service
		if v.Overridden {
			s += " (overridden)"
		}
		out = append(out, s)
	}
	return out
}

// wantBadInput checks that err exits 2 and mentions every part.
func wantBadInput(tb testing.TB, err error, parts ...string) {
	tb.Helper()
	if err == nil {
		tb.Fatal("no error, want bad input")
	}
	var e *exit.Error
	if !errors.As(err, &e) || e.Code != exit.BadInput {
		tb.Fatalf("error %q exits %d, want %d", err, exit.Code(err), exit.BadInput)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			tb.Errorf("error %q does not mention %q", err, p)
		}
	}
}
