package release

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/ordo-ci/ordo/internal/golden"
)

// notesRelease is a release with every kind of content the notes show.
func notesRelease() Release {
	parse := func(sha, msg string) Commit {
		c := ParseMessage(msg)
		c.SHA = sha
		return c
	}
	return Release{
		Service: "users-api", Current: "1.3.2", Next: "2.0.0", Bump: "major",
		Tag: "users-api/v2.0.0", PreviousTag: "users-api/v1.3.2",
		Commits: []Commit{
			parse("1111111111111111111111111111111111111111", "feat(api)!: drop the v1 routes (#120)\n\nBREAKING CHANGE: /v1/users is gone;\nuse /v2/users.\nContract: users@3.0.0"),
			parse("2222222222222222222222222222222222222222", "feat: list users by <team> (#118)"),
			parse("3333333333333333333333333333333333333333", "fix(db): close rows\n\nMigration: 0042-add-index\nSigned-off-by: A <a@example.com>"),
			parse("4444444444444444444444444444444444444444", "perf: cache lookups"),
			parse("5555555555555555555555555555555555555555", "docs: readme"),
			parse("6666666666666666666666666666666666666666", "Merge pull request #117 from org/topic"),
		},
		Dependencies: []DepBump{{Service: "auth", Version: "1.4.0"}},
	}
}

func TestMarkdown(t *testing.T) {
	t.Parallel()
	dependencyOnly := Release{
		Service: "orders", Current: "0.4.0", Next: "0.4.1", Bump: "patch",
		Tag: "orders/v0.4.1", PreviousTag: "orders/v0.4.0", Commits: []Commit{},
		Dependencies: []DepBump{{Service: "users-api", Version: "2.0.0"}},
	}
	cases := []struct {
		name    string
		release Release
		links   Links
	}{
		{"github", notesRelease(), LinksFor("https://github.com/ordo-ci/demo")},
		{"gitlab", notesRelease(), LinksFor("https://gitlab.com/ordo-ci/group/demo/")},
		{"self-managed-gitlab", notesRelease(), Links{URL: "https://code.example.com/demo", GitLab: true}},
		{"no-links", notesRelease(), Links{}},
		{"dependency-only", dependencyOnly, LinksFor("https://github.com/ordo-ci/demo")},
		{"first-release", Release{Service: "new", Next: "0.1.0", Bump: "minor", Tag: "new/v0.1.0",
			Commits: []Commit{{SHA: "abcdef0123", Conventional: true, Type: "feat", Subject: "hello"}}}, LinksFor("https://github.com/ordo-ci/demo")},
		{"release-as-only", Release{Service: "svc", Current: "1.0.0", Next: "2.0.0", Bump: "major", Tag: "svc/v2.0.0", ReleaseAs: true,
			Commits: []Commit{ParseMessage("chore: release 2.0.0\n\nRelease-As: 2.0.0")}}, Links{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := Markdown(&buf, tc.release, tc.links); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "markdown", tc.name+".md"), buf.Bytes())
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

// TestDocuments renders both JSON documents from a real history, so the
// SHAs in them come from git (fixed dates make them stable).
func TestDocuments(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	services := []Service{
		{Name: "auth", Paths: []string{"libs/auth/**"}},
		{Name: "users-api", Paths: []string{"services/users/**"}, DependsOn: []string{"auth"}},
		{Name: "web", Paths: []string{"web/**"}},
	}
	r.commit("chore: init", "libs/auth/a", "services/users/a", "web/a")
	r.tag("auth/v1.3.2")
	r.tag("users-api/v2.0.0")
	r.commit("feat(auth): rotate keys (#12)\n\nMigration: 0042-add-index", "libs/auth/a")
	r.commit("docs: users", "services/users/README.md")
	r.commit("fix!: new layout\n\nBREAKING CHANGE: the old URLs are gone", "web/a")
	res := compute(t, r, Config{}, services, Options{})

	for name, doc := range map[string]any{"versions.json": res.Versions(), "notes.json": res.Notes()} {
		got, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join("testdata", "json", name), append(got, '\n'))
	}

	empty := (&Result{}).Versions()
	got, _ := json.Marshal(empty)
	if want := `{"schema":"ordo.versions/v1","head":"","releases":[],"warnings":[]}`; string(got) != want {
		t.Errorf("empty versions document = %s, want %s", got, want)
	}
}

// TestSubmodulePathIsOwned: a commit that changes the path services/users
// itself (a submodule bump) belongs to the service whose paths are
// services/users/**, as it does for ordo affected: one ownership rule.
func TestSubmodulePathIsOwned(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	services := []Service{{Name: "users", Paths: []string{"services/users/**"}}}
	r.commit("chore: init", "README.md")
	sha := r.commit("chore: placeholder", "other/a")
	r.git("update-index", "--add", "--cacheinfo", "160000,"+sha+",services/users")
	r.git("commit", "-q", "-m", "fix(users): bump the submodule")
	res := compute(t, r, Config{}, services, Options{})
	if len(res.Releases) != 1 || res.Releases[0].Service != "users" || res.Releases[0].Bump != "patch" {
		t.Fatalf("releases = %+v, want a patch release of users from the submodule bump", res.Releases)
	}
}
