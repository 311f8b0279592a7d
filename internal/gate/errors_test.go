package gate

import (
	"context"
	"testing"

	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/git/gittest"
	"github.com/ordo-ci/ordo/internal/record"
)

// TestCheckErrorKinds: every error Check returns carries its kind from
// where it is made (the exit code follows from it); a caller's mistake is
// the environment's failure (exit 3), the user's specs, waves and
// overrides are bad input (exit 2). Kinds, not wording: the messages are
// checked where the rules are.
func TestCheckErrorKinds(t *testing.T) {
	t.Parallel()
	withSpec := func(tb testing.TB, headSpec string) Input {
		tb.Helper()
		repo := gittest.New(tb)
		base := repo.Commit("base", gittest.Files{specPath: usersSpec})
		head := repo.Commit("head", gittest.Files{specPath: headSpec})
		cat := parseCatalog(tb, specCatalog("2.4.0", true))
		return Input{Base: cat, Head: cat, Specs: GitSpecs{Repo: git.Repo{Dir: repo.Dir}, BaseRev: base, HeadRev: head}}
	}
	for _, tt := range []struct {
		name string
		in   func(testing.TB) Input
		code int
	}{
		{"no head catalog", func(testing.TB) Input { return Input{} }, exit.Env},
		{"specs but no way to read them", func(tb testing.TB) Input {
			cat := parseCatalog(tb, specCatalog("2.4.0", true))
			return Input{Base: cat, Head: cat}
		}, exit.Env},
		{"a wave of an unknown service", func(tb testing.TB) Input {
			return Input{Head: parseCatalog(tb, shop("2.4.0", "^2.1")), Waves: [][]string{{"nope"}}}
		}, exit.BadInput},
		{"an override of a contract rule", func(tb testing.TB) Input {
			in := frozen(tb)
			in.Overrides = []Override{{Rule: RuleRollout, Reason: "x", Source: SourceFlag}}
			return in
		}, exit.BadInput},
		{"an override of an unknown rule, by label", func(tb testing.TB) Input {
			in := frozen(tb)
			in.Overrides = LabelOverrides([]string{"ordo:override:nope"}, 1)
			return in
		}, exit.BadInput},
		{"a spec that is not YAML", func(tb testing.TB) Input { return withSpec(tb, "openapi: [3.0.3\n") }, exit.BadInput},
		{"a spec that is not OpenAPI", func(tb testing.TB) Input { return withSpec(tb, "openapi: 3.0.3\npaths:\n  /users: 3\n") }, exit.BadInput},
		{"a Swagger 2 spec", func(tb testing.TB) Input {
			return withSpec(tb, "swagger: \"2.0\"\ninfo: {title: users, version: 1.0.0}\npaths: {}\n")
		}, exit.BadInput},
		{"a spec at a revision that does not exist", func(tb testing.TB) Input {
			in := withSpec(tb, usersSpec)
			in.Specs = GitSpecs{Repo: in.Specs.(GitSpecs).Repo, BaseRev: "no-such-ref"}
			return in
		}, exit.BadInput},
		{"a failing env rule's question", func(tb testing.TB) Input {
			in := Input{Head: parseCatalog(tb, shop("2.4.0", "^2.1")), Waves: [][]string{{"orders"}}}
			in.Env = &EnvInput{From: "staging", Verified: map[string][]record.Verification{"orders": {{SHA: "abc"}}},
				Unaffected: func(context.Context, string, string) (bool, error) { return false, exit.Envf("git failed") }}
			return in
		}, exit.Env},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Check(t.Context(), tt.in(t))
			if err == nil {
				t.Fatal("no error")
			}
			if !exit.Classified(err) || exit.Code(err) != tt.code {
				t.Errorf("error %q: classified %v, exit %d; want exit %d", err, exit.Classified(err), exit.Code(err), tt.code)
			}
		})
	}
}
