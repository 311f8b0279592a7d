package release

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/exit"
)

// subjects lists the subjects of a release's commits, newest first.
func subjects(r Release) []string {
	var s []string
	for _, c := range r.Commits {
		s = append(s, c.Subject)
	}
	return s
}

func release(t *testing.T, res *Result, service string) Release {
	t.Helper()
	for _, r := range res.Releases {
		if r.Service == service {
			return r
		}
	}
	t.Fatalf("no release of %q in %+v", service, res.Releases)
	return Release{}
}

func compute(t *testing.T, r *testRepo, cfg Config, services []Service, opts Options) *Result {
	t.Helper()
	res, err := Compute(context.Background(), r.repo(), cfg, services, opts)
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	return res
}

func TestComputeCommitsByPath(t *testing.T) {
	t.Parallel()
	services := []Service{
		{Name: "users", Paths: []string{"services/users/**", "!services/users/**/*_test.go"}},
		{Name: "orders", Paths: []string{"services/orders/**", "libs/shared/*.go"}},
		{Name: "web", Paths: []string{"web/{app,public}/**"}},
	}
	cases := []struct {
		name  string
		build func(r *testRepo)
		want  map[string][]string // service -> subjects, newest first
	}{
		{
			name: "excludes apply",
			build: func(r *testRepo) {
				r.commit("fix: tests only", "services/users/api/x_test.go")
				r.commit("fix: code", "services/users/api/x.go")
			},
			want: map[string][]string{"users": {"code"}},
		},
		{
			name: "a commit touching two services belongs to both",
			build: func(r *testRepo) {
				r.commit("feat: both", "services/users/a", "services/orders/a")
				r.commit("fix: shared lib", "libs/shared/x.go", "libs/shared/deep/y.go")
			},
			want: map[string][]string{"users": {"both"}, "orders": {"shared lib", "both"}},
		},
		{
			name: "brace globs",
			build: func(r *testRepo) {
				r.commit("feat: public", "web/public/index.html")
				r.commit("feat: other", "web/other/x")
			},
			want: map[string][]string{"web": {"public"}},
		},
		{
			name: "deletions count",
			build: func(r *testRepo) {
				r.commit("feat: add", "services/users/a")
				r.tag("users/v1.0.0")
				r.commit("fix: remove", "-services/users/a")
			},
			want: map[string][]string{"users": {"remove"}},
		},
		{
			name: "a rename counts at both paths",
			build: func(r *testRepo) {
				r.commit("chore: add", "services/users/a")
				r.tag("users/v1.0.0")
				r.commit("chore: orders")
				r.tag("orders/v1.0.0")
				r.commit("fix: move", "services/users/a=>services/orders/a")
			},
			want: map[string][]string{"users": {"move"}, "orders": {"move"}},
		},
		{
			name: "odd file names and messages",
			build: func(r *testRepo) {
				r.commit("fix: spaces", "services/users/a file with spaces.txt")
				r.commit("fix: newline in the name", "services/users/line\nbreak")
				r.commit("fix: unicode ✓", "services/users/ünï/cødé.go")
				r.commit("fix: a message with \x1e and a sha-like line\n\n"+strings.Repeat("a", 40)+"\n", "services/orders/"+strings.Repeat("b", 40))
			},
			want: map[string][]string{
				"users":  {"unicode ✓", "newline in the name", "spaces"},
				"orders": {"a message with \x1e and a sha-like line"},
			},
		},
		{
			name: "merges: the branch's commits count, the merge commit does not",
			build: func(r *testRepo) {
				r.commit("chore: init", "services/users/a", "services/orders/a")
				r.tag("users/v1.0.0")
				r.tag("orders/v1.0.0")
				r.checkout("-b", "topic")
				r.commit("feat: on the branch", "services/users/b")
				r.checkout("main")
				r.commit("fix: on main", "services/orders/b")
				r.merge("topic", "Merge branch 'topic'")
			},
			want: map[string][]string{"users": {"on the branch"}, "orders": {"on main"}},
		},
		{
			name: "merges: a branch merged before the tag is not counted again",
			build: func(r *testRepo) {
				r.commit("chore: init", "services/users/a")
				r.checkout("-b", "topic")
				r.commit("feat: old branch work", "services/users/b")
				r.checkout("main")
				r.merge("topic", "Merge branch 'topic'")
				r.tag("users/v1.0.0")
				r.commit("fix: after the tag", "services/users/c")
			},
			want: map[string][]string{"users": {"after the tag"}},
		},
		{
			name: "services tagged at different commits each get their own range",
			build: func(r *testRepo) {
				r.commit("feat: users before its tag", "services/users/a", "services/orders/a")
				r.tag("users/v1.0.0")
				r.commit("feat: orders before its tag", "services/orders/b", "services/users/b")
				r.tag("orders/v1.0.0")
				r.commit("fix: both after", "services/orders/c", "services/users/c")
			},
			want: map[string][]string{"users": {"both after", "orders before its tag"}, "orders": {"both after"}},
		},
		{
			name: "services tagged on diverging branches",
			build: func(r *testRepo) {
				r.commit("chore: init", "services/users/a", "services/orders/a")
				r.checkout("-b", "topic")
				r.commit("feat: users on topic", "services/users/b", "services/orders/b")
				r.tag("users/v1.0.0")
				r.checkout("main")
				r.commit("feat: orders on main", "services/orders/c", "services/users/c")
				r.tag("orders/v1.0.0")
				r.merge("topic", "Merge branch 'topic'")
				r.commit("fix: after the merge", "services/users/d")
			},
			want: map[string][]string{
				"users":  {"after the merge", "orders on main"},
				"orders": {"users on topic"},
			},
		},
		{
			name: "merges: a tag on a merged branch bounds that service's range",
			build: func(r *testRepo) {
				r.commit("chore: init", "services/users/a")
				r.checkout("-b", "release")
				r.commit("feat: released on the branch", "services/users/b")
				r.tag("users/v1.1.0")
				r.checkout("main")
				r.commit("fix: on main meanwhile", "services/users/c")
				r.merge("release", "Merge branch 'release'")
			},
			want: map[string][]string{"users": {"on main meanwhile"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newTestRepo(t)
			tc.build(r)
			res := compute(t, r, Config{}, services, Options{})
			got := map[string][]string{}
			for _, rel := range res.Releases {
				got[rel.Service] = subjects(rel)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("released %v, want %v", got, tc.want)
			}
			for s, w := range tc.want {
				if !slices.Equal(got[s], w) {
					t.Errorf("%s commits = %q, want %q", s, got[s], w)
				}
			}
		})
	}
}

func TestComputeBumpDependents(t *testing.T) {
	t.Parallel()
	services := []Service{
		{Name: "auth", Paths: []string{"libs/auth/**"}},
		{Name: "users-api", Paths: []string{"services/users/**"}, DependsOn: []string{"auth"}},
		{Name: "orders", Paths: []string{"services/orders/**"}, DependsOn: []string{"users-api"}},
		{Name: "billing", Paths: []string{"services/billing/**"}, DependsOn: []string{"auth"}},
		{Name: "docs", Paths: []string{"docs/**"}},
	}
	build := func(t *testing.T) *testRepo {
		r := newTestRepo(t)
		r.commit("chore: init", "libs/auth/a", "services/users/a", "services/orders/a", "services/billing/a", "docs/a")
		for _, tag := range []string{"auth/v1.3.2", "users-api/v2.0.0", "orders/v0.4.0", "billing/v1.0.0", "docs/v1.0.0"} {
			r.tag(tag)
		}
		r.commit("feat(auth): tokens", "libs/auth/b")
		r.commit("feat(billing): invoices", "services/billing/b")
		r.commit("docs: users readme", "services/users/README.md")
		return r
	}
	t.Run("patch", func(t *testing.T) {
		t.Parallel()
		res := compute(t, build(t), Config{BumpDependents: "patch"}, services, Options{})
		checkReleases(t, res, []want{
			{"auth", "1.3.2", "1.4.0", "minor", "auth/v1.4.0"},
			{"billing", "1.0.0", "1.1.0", "minor", "billing/v1.1.0"},
			{"orders", "0.4.0", "0.4.1", "patch", "orders/v0.4.1"},
			{"users-api", "2.0.0", "2.0.1", "patch", "users-api/v2.0.1"},
		})
		deps := map[string][]DepBump{}
		for _, r := range res.Releases {
			deps[r.Service] = r.Dependencies
		}
		wantDeps := map[string][]DepBump{
			"auth":      nil,
			"billing":   {{"auth", "1.4.0"}}, // recorded, though billing releases anyway
			"orders":    {{"users-api", "2.0.1"}},
			"users-api": {{"auth", "1.4.0"}},
		}
		for s, w := range wantDeps {
			if !slices.Equal(deps[s], w) {
				t.Errorf("%s dependencies = %v, want %v", s, deps[s], w)
			}
		}
		if got := subjects(release(t, res, "users-api")); !slices.Equal(got, []string{"users readme"}) {
			t.Errorf("users-api commits = %q; its own commits are still listed", got)
		}
	})
	t.Run("none", func(t *testing.T) {
		t.Parallel()
		res := compute(t, build(t), Config{BumpDependents: "none"}, services, Options{})
		checkReleases(t, res, []want{
			{"auth", "1.3.2", "1.4.0", "minor", "auth/v1.4.0"},
			{"billing", "1.0.0", "1.1.0", "minor", "billing/v1.1.0"},
		})
	})
	t.Run("service filter computes dependencies without listing them", func(t *testing.T) {
		t.Parallel()
		res := compute(t, build(t), Config{}, services, Options{Services: []string{"orders"}})
		checkReleases(t, res, []want{{"orders", "0.4.0", "0.4.1", "patch", "orders/v0.4.1"}})
	})
	t.Run("service filter", func(t *testing.T) {
		t.Parallel()
		res := compute(t, build(t), Config{}, services, Options{Services: []string{"billing", "docs"}})
		checkReleases(t, res, []want{{"billing", "1.0.0", "1.1.0", "minor", "billing/v1.1.0"}})
	})
}

func TestComputeBadInput(t *testing.T) {
	t.Parallel()
	svc := []Service{{Name: "svc", Paths: []string{"svc/**"}}}
	cases := []struct {
		name     string
		cfg      Config
		services []Service
		opts     Options
		build    func(r *testRepo) string // returns a SHA the message must name
		want     []string                 // substrings of the error
	}{
		{
			name: "Release-As that is not semver names the commit",
			build: func(r *testRepo) string {
				r.commit("feat: first", "svc/a")
				return r.commit("chore: release\n\nRelease-As: next", "svc/a")[:12]
			},
			want: []string{`Release-As "next" is not a semantic version`},
		},
		{
			name:  "unknown service",
			opts:  Options{Services: []string{"nope"}},
			build: func(r *testRepo) string { r.commit("feat: x", "svc/a"); return "" },
			want:  []string{`unknown service "nope"; valid services: svc`},
		},
		{
			name:  "unknown head",
			opts:  Options{Head: "no-such-branch"},
			build: func(r *testRepo) string { r.commit("feat: x", "svc/a"); return "" },
			want:  []string{`unknown revision "no-such-branch"`},
		},
		{
			name:  "empty repository",
			build: func(r *testRepo) string { return "" },
			want:  []string{`unknown revision "HEAD"`},
		},
		{
			name:     "a template without {service} shared by two services",
			cfg:      Config{Tag: "v{version}"},
			services: []Service{{Name: "a", Paths: []string{"a/**"}}, {Name: "b", Paths: []string{"b/**"}}},
			build:    func(r *testRepo) string { r.commit("feat: x", "a/a"); return "" },
			want:     []string{`services "a" and "b" have the same tags (v...)`},
		},
		{
			name: "every configuration problem at once",
			cfg:  Config{Tag: "{service}/latest", InitialVersion: "one", BumpDependents: "minor"},
			services: []Service{
				{Name: "a", Paths: []string{"a/[**"}, DependsOn: []string{"ghost"}},
				{Name: "b", Paths: []string{"b/**"}, Tag: "b/{version}-{flavour}"},
			},
			build: func(r *testRepo) string { r.commit("feat: x", "a/a"); return "" },
			want: []string{
				`bump_dependents "minor" is not valid`,
				`initial_version "one" is not a semantic version`,
				`service "a": tag template "{service}/latest" must contain {version} exactly once`,
				`service "b": tag template "b/{version}-{flavour}": unknown placeholder`,
				`service "a" depends on unknown service "ghost"`,
				`invalid path glob "a/[**"`,
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newTestRepo(t)
			sha := tc.build(r)
			services := tc.services
			if services == nil {
				services = svc
			}
			_, err := Compute(context.Background(), r.repo(), tc.cfg, services, tc.opts)
			if code := exit.Code(err); code != exit.BadInput {
				t.Fatalf("exit code %d (%v), want %d", code, err, exit.BadInput)
			}
			for _, w := range append(tc.want, sha) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}
