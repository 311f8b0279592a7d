package release

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/ordo-ci/ordo/internal/golden"
)

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
