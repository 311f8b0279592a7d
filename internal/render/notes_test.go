package render

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/ordo-ci/ordo/internal/golden"
	"github.com/ordo-ci/ordo/internal/release"
)

// notesRelease is a release with every kind of content the notes show.
func notesRelease() release.Release {
	parse := func(sha, msg string) release.Commit {
		c := release.ParseMessage(msg)
		c.SHA = sha
		return c
	}
	return release.Release{
		Service: "users-api", Current: "1.3.2", Next: "2.0.0", Bump: "major",
		Tag: "users-api/v2.0.0", PreviousTag: "users-api/v1.3.2",
		Commits: []release.Commit{
			parse("1111111111111111111111111111111111111111", "feat(api)!: drop the v1 routes (#120)\n\nBREAKING CHANGE: /v1/users is gone;\nuse /v2/users.\nContract: users@3.0.0"),
			parse("2222222222222222222222222222222222222222", "feat: list users by <team> (#118)"),
			parse("3333333333333333333333333333333333333333", "fix(db): close rows\n\nMigration: 0042-add-index\nSigned-off-by: A <a@example.com>"),
			parse("4444444444444444444444444444444444444444", "perf: cache lookups"),
			parse("5555555555555555555555555555555555555555", "docs: readme"),
			parse("6666666666666666666666666666666666666666", "Merge pull request #117 from org/topic"),
		},
		Dependencies: []release.DepBump{{Service: "auth", Version: "1.4.0"}},
	}
}

func TestReleaseMarkdown(t *testing.T) {
	t.Parallel()
	dependencyOnly := release.Release{
		Service: "orders", Current: "0.4.0", Next: "0.4.1", Bump: "patch",
		Tag: "orders/v0.4.1", PreviousTag: "orders/v0.4.0", Commits: []release.Commit{},
		Dependencies: []release.DepBump{{Service: "users-api", Version: "2.0.0"}},
	}
	cases := []struct {
		name    string
		release release.Release
		links   Links
	}{
		{"github", notesRelease(), LinksFor("https://github.com/ordo-ci/demo")},
		{"gitlab", notesRelease(), LinksFor("https://gitlab.com/ordo-ci/group/demo/")},
		{"self-managed-gitlab", notesRelease(), Links{URL: "https://code.example.com/demo", GitLab: true}},
		{"no-links", notesRelease(), Links{}},
		{"dependency-only", dependencyOnly, LinksFor("https://github.com/ordo-ci/demo")},
		{"first-release", release.Release{Service: "new", Next: "0.1.0", Bump: "minor", Tag: "new/v0.1.0",
			Commits: []release.Commit{{SHA: "abcdef0123", Conventional: true, Type: "feat", Subject: "hello"}}}, LinksFor("https://github.com/ordo-ci/demo")},
		{"release-as-only", release.Release{Service: "svc", Current: "1.0.0", Next: "2.0.0", Bump: "major", Tag: "svc/v2.0.0", ReleaseAs: true,
			Commits: []release.Commit{release.ParseMessage("chore: release 2.0.0\n\nRelease-As: 2.0.0")}}, Links{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := ReleaseMarkdown(&buf, tc.release, tc.links); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "notes", tc.name+".md"), buf.Bytes())
		})
	}
}

func TestLinksFor(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Links{
		"https://github.com/o/r":             {URL: "https://github.com/o/r"},
		"https://github.com/o/r.git":         {URL: "https://github.com/o/r"},
		"https://gitlab.com/g/sub/p/":        {URL: "https://gitlab.com/g/sub/p", GitLab: true},
		"https://gitlab.example.com/g/p":     {URL: "https://gitlab.example.com/g/p", GitLab: true},
		"https://github.example.com/o/r":     {URL: "https://github.example.com/o/r"},
		"":                                   {},
		"https://GitLab.Example.COM/g/p.git": {URL: "https://GitLab.Example.COM/g/p", GitLab: true},
	} {
		if got := LinksFor(in); got != want {
			t.Errorf("LinksFor(%q) = %+v, want %+v", in, got, want)
		}
	}
}
