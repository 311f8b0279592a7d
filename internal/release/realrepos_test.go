package release

import (
	"strings"
	"testing"
)

// Versions on repositories ordo did not write (issue 13): versions from
// manifests, packages that are never released, commits that are not
// conventional, and the notes of an existing tag.

func TestManifestVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		manifest string
		tags     []string
		want     want
		warn     string
	}{
		{"no tag: the manifest's version is current", "1.4.0", nil,
			want{"ui", "1.4.0", "1.5.0", "minor", "ui/v1.5.0"}, "no tag holds its current version 1.4.0 (from its manifest), so every commit in its history counts; tag the commit that released it (ui/v1.4.0)"},
		{"a tag wins over the manifest", "1.4.0", []string{"ui/v1.4.0"},
			want{"ui", "1.4.0", "1.5.0", "minor", "ui/v1.5.0"}, ""},
		{"never below the manifest", "3.0.0", []string{"ui/v1.4.0"},
			want{"ui", "1.4.0", "3.0.0", "minor", "ui/v3.0.0"}, "below the manifest's version 3.0.0"},
		{"a manifest prerelease is not a release", "2.0.0-rc.1", nil,
			want{"ui", "", "0.1.0", "minor", "ui/v0.1.0"}, ""},
		{"no manifest version: initial_version", "", nil,
			want{"ui", "", "0.1.0", "minor", "ui/v0.1.0"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newTestRepo(t)
			r.commit("chore: init", "packages/ui/a")
			for _, tag := range tt.tags {
				r.tag(tag)
			}
			r.commit("feat: a feature", "packages/ui/a")
			res := compute(t, r, Config{}, []Service{{Name: "ui", Paths: []string{"packages/ui/**"}, ManifestVersion: tt.manifest}}, Options{})
			checkReleases(t, res, []want{tt.want})
			if got := strings.Join(res.Warnings, "\n"); !strings.Contains(got, tt.warn) || (tt.warn == "" && got != "") {
				t.Errorf("warnings %q, want %q", got, tt.warn)
			}
		})
	}
}

// TestNoRelease: a service with release: false is never released, and its
// commits never bump its dependents, directly or further down.
func TestNoRelease(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	services := []Service{
		{Name: "e2e", Paths: []string{"e2e/**"}, NoRelease: true, DependsOn: []string{"lib"}},
		{Name: "internal", Paths: []string{"internal/**"}, NoRelease: true},
		{Name: "lib", Paths: []string{"lib/**"}, DependsOn: []string{"internal"}},
		{Name: "app", Paths: []string{"app/**"}, DependsOn: []string{"lib"}},
	}
	r.commit("chore: init", "e2e/a", "internal/a", "lib/a", "app/a")
	for _, s := range services {
		r.tag(s.Name + "/v1.0.0")
	}
	r.commit("feat: internal change", "internal/a")
	r.commit("fix: e2e change", "e2e/a")
	if res := compute(t, r, Config{}, services, Options{}); len(res.Releases) != 0 {
		t.Fatalf("releases %+v, want none: release: false services release nothing and bump no dependent", res.Releases)
	}
	r.commit("fix: lib change", "lib/a")
	res := compute(t, r, Config{}, services, Options{})
	checkReleases(t, res, []want{
		{"app", "1.0.0", "1.0.1", "patch", "app/v1.0.1"},
		{"lib", "1.0.0", "1.0.1", "patch", "lib/v1.0.1"},
	})
}

func TestUnconventionalCommits(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	r.commit("chore: init", "svc/a", "other/a")
	r.tag("svc/v1.0.0")
	for _, msg := range []string{"Update README", "feat: real", "WIP", "Merge stuff", "fixed the thing", "more", "and more"} {
		r.commit(msg, "svc/a")
	}
	r.commit("oops", "other/a")
	res := compute(t, r, Config{}, []Service{{Name: "svc", Paths: []string{"svc/**"}}, {Name: "other", Paths: []string{"other/**"}}}, Options{})
	if len(res.Unconventional) != 2 {
		t.Fatalf("unconventional %+v, want svc and other", res.Unconventional)
	}
	o, s := res.Unconventional[0], res.Unconventional[1]
	if o.Service != "other" || o.Count != 1 || s.Service != "svc" || s.Count != 6 || len(s.First) != unconventionalShown || s.First[0].Subject != "and more" {
		t.Errorf("unconventional = %+v", res.Unconventional)
	}
}

// TestNotesOfATag: describing an existing tag reports the bump it made and
// names dependency versions whose tags exist at that commit.
func TestNotesOfATag(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	services := []Service{
		{Name: "auth", Paths: []string{"auth/**"}},
		{Name: "api", Paths: []string{"api/**"}, DependsOn: []string{"auth"}},
		{Name: "web", Paths: []string{"web/**"}, DependsOn: []string{"auth"}},
	}
	r.commit("chore: init", "auth/a", "api/a", "web/a")
	r.tag("auth/v1.0.0")
	r.tag("api/v2.4.0")
	r.tag("web/v1.0.0")
	r.commit("fix: auth", "auth/a")
	r.commit("fix: api", "api/a")
	// The tag says 3.0.0: a major release chosen by hand, after 2.4.0.
	r.tag("api/v3.0.0")
	r.tag("auth/v1.0.1")
	res := compute(t, r, Config{}, services, Options{Services: []string{"api"}, Released: []string{"api/v3.0.0", "auth/v1.0.1"}})
	checkReleases(t, res, []want{{"api", "2.4.0", "3.0.0", "major", "api/v3.0.0"}})
	if d := res.Releases[0].Dependencies; len(d) != 1 || d[0] != (DepBump{"auth", "1.0.1"}) {
		t.Errorf("dependencies %+v, want auth 1.0.1 (its tag at that commit)", d)
	}

	// Without auth's tag at the commit, no invented auth version is named.
	res = compute(t, r, Config{}, services, Options{Services: []string{"api"}, Released: []string{"api/v3.0.0"}})
	checkReleases(t, res, []want{{"api", "2.4.0", "3.0.0", "major", "api/v3.0.0"}})
	if d := res.Releases[0].Dependencies; len(d) != 0 {
		t.Errorf("dependencies %+v, want none: auth's computed version has no tag", d)
	}
}
