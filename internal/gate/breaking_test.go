package gate

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/git/gittest"
)

const specPath = "services/users/openapi.yaml"

// usersSpec is the users API at base.
const usersSpec = `openapi: 3.0.3
info: {title: users, version: 1.0.0}
paths:
  /users:
    get:
      responses:
        "200": {description: ok}
  /users/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200": {description: ok}
`

// withoutUser removes GET /users/{id}: a breaking change.
var withoutUser = usersSpec[:strings.Index(usersSpec, "  /users/{id}:")]

// withOrders adds an endpoint: a compatible change.
const withOrders = usersSpec + `  /users/{id}/orders:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200": {description: ok}
`

// specCatalog is a catalog where users-api provides users at version and,
// with spec set, writes it down in specPath.
func specCatalog(version string, spec bool) string {
	s := fmt.Sprintf("services:\n  users-api:\n    provides: {users: %s}\n", version)
	if spec {
		s += "contracts:\n  users: {spec: " + specPath + "}\n"
	}
	return s
}

func TestBreaking(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                 string
		baseVersion, headVer string
		baseSpec, headSpec   string // "" at base: no spec file
		want                 bool   // a contract.breaking violation
		message, fix, note   string // parts of them
	}{
		{
			name: "removed endpoint with a minor bump", baseVersion: "2.4.0", headVer: "2.5.0", baseSpec: usersSpec, headSpec: withoutUser,
			want:    true,
			message: "contract users: spec services/users/openapi.yaml changed incompatibly (1 breaking change) but users-api went from 2.4.0 to 2.5.0 without a major bump: GET /users/{id}: API path removed without deprecation [api-path-removed-without-deprecation]",
			fix:     "bump the major: provide users 3.0.0",
		},
		{name: "removed endpoint with a major bump", baseVersion: "2.4.0", headVer: "3.0.0", baseSpec: usersSpec, headSpec: withoutUser},
		{name: "removed endpoint while serving both versions", baseVersion: "2.4.0", headVer: "[2.4.0, 3.0.0]", baseSpec: usersSpec, headSpec: withoutUser},
		{name: "removed endpoint with a minor bump before 1.0", baseVersion: "0.3.2", headVer: "0.4.0", baseSpec: usersSpec, headSpec: withoutUser},
		{
			name: "removed endpoint with a patch bump before 1.0", baseVersion: "0.3.2", headVer: "0.3.3", baseSpec: usersSpec, headSpec: withoutUser,
			want: true, fix: "bump the minor (below 1.0 the minor carries breaking changes): provide users 0.4.0",
		},
		{name: "compatible addition with a patch bump", baseVersion: "2.4.0", headVer: "2.4.1", baseSpec: usersSpec, headSpec: withOrders},
		{name: "unchanged spec", baseVersion: "2.4.0", headVer: "2.4.0", baseSpec: usersSpec, headSpec: usersSpec},
		{
			name: "spec missing at base", baseVersion: "2.4.0", headVer: "2.4.0", headSpec: withoutUser,
			note: "contract users: spec services/users/openapi.yaml does not exist at base: a new contract, nothing to compare",
		},
		{
			name: "unparseable spec at base", baseVersion: "2.4.0", headVer: "2.4.0", baseSpec: "openapi: [3\n", headSpec: usersSpec,
			note: "contract users: the spec at base cannot be read, so it is not compared (services/users/openapi.yaml:1:",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			repo := gittest.New(t)
			baseFiles := gittest.Files{"ordo.yaml": "version: 1\n" + specCatalog(tt.baseVersion, tt.baseSpec != "")}
			if tt.baseSpec != "" {
				baseFiles[specPath] = tt.baseSpec
			}
			base := repo.Commit("base", baseFiles)
			head := repo.Commit("head", gittest.Files{"ordo.yaml": "version: 1\n" + specCatalog(tt.headVer, true), specPath: tt.headSpec})
			in := Input{
				Base:  parseCatalog(t, specCatalog(tt.baseVersion, tt.baseSpec != "")),
				Head:  parseCatalog(t, specCatalog(tt.headVer, true)),
				Waves: [][]string{{"users-api"}},
				Specs: GitSpecs{Repo: git.Repo{Dir: repo.Dir}, BaseRev: base, HeadRev: head},
			}
			r := check(t, in)
			var got []Violation
			for _, v := range r.Violations {
				if v.Rule == RuleBreaking {
					got = append(got, v)
				}
			}
			if (len(got) > 0) != tt.want {
				t.Fatalf("contract.breaking violations %+v, want %v; notes %q", got, tt.want, r.Notes)
			}
			if tt.want {
				v := got[0]
				if v.Service != "users-api" || v.Contract != "users" || len(v.Changes) == 0 || v.File != "ordo.yaml" || v.Line != 4 {
					t.Errorf("violation %+v: want users-api, users, its changes, at ordo.yaml:4 (the provides)", v)
				}
				if !strings.Contains(v.Message, tt.message) || !strings.Contains(v.Fix, tt.fix) {
					t.Errorf("message %q, fix %q: want them to contain %q and %q", v.Message, v.Fix, tt.message, tt.fix)
				}
			}
			if tt.note != "" && !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, tt.note) }) {
				t.Errorf("notes %q, want one containing %q", r.Notes, tt.note)
			}
		})
	}
}

// TestBreakingWorkingTree reads head from the working tree, as the CLI does
// without --head: an uncommitted change counts.
func TestBreakingWorkingTree(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	base := repo.Commit("base", gittest.Files{"ordo.yaml": "version: 1\n" + specCatalog("2.4.0", true), specPath: usersSpec})
	if err := os.WriteFile(filepath.Join(repo.Dir, filepath.FromSlash(specPath)), []byte(withoutUser), 0o644); err != nil {
		t.Fatal(err)
	}
	r := check(t, Input{
		Base:  parseCatalog(t, specCatalog("2.4.0", true)),
		Head:  parseCatalog(t, specCatalog("2.4.1", true)),
		Specs: GitSpecs{Repo: git.Repo{Dir: repo.Dir}, BaseRev: base},
	})
	if want := []string{"contract.breaking users-api"}; !slices.Equal(rules(r), want) {
		t.Errorf("violations %q, want %q", rules(r), want)
	}
}

// TestBreakingBadInput: a spec that is missing or unparseable at head exits 2
// and says where.
func TestBreakingBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, headSpec string // "" removes the spec at head
		want           []string
	}{
		{"unparseable YAML", "openapi: 3.0.3\ninfo: {title: users\npaths: {}\n", []string{`services/users/openapi.yaml:3:1: spec of contract "users" is not valid YAML or JSON`}},
		{"not an OpenAPI document", "openapi: 3.0.3\npaths:\n  /users: 3\n", []string{`services/users/openapi.yaml:3: spec of contract "users" is not an OpenAPI 3 document`}},
		{"Swagger 2", "swagger: \"2.0\"\ninfo: {title: users, version: 1.0.0}\npaths: {}\n", []string{`(openapi: "")`, "ordo compares OpenAPI 3 specs"}},
		{"missing", "", []string{"ordo.yaml:6:3", `contract "users": spec services/users/openapi.yaml does not exist`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			repo := gittest.New(t)
			base := repo.Commit("base", gittest.Files{specPath: usersSpec})
			var head string
			if tt.headSpec == "" {
				head = repo.Commit("head", gittest.Remove{specPath})
			} else {
				head = repo.Commit("head", gittest.Files{specPath: tt.headSpec})
			}
			_, err := Check(t.Context(), Input{
				Base:  parseCatalog(t, specCatalog("2.4.0", true)),
				Head:  parseCatalog(t, specCatalog("2.4.0", true)),
				Specs: GitSpecs{Repo: git.Repo{Dir: repo.Dir}, BaseRev: base, HeadRev: head},
			})
			wantBadInput(t, err, tt.want...)
		})
	}
}

func TestGitSpecsUnknownRev(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	repo.Commit("base", gittest.Files{specPath: usersSpec})
	_, _, err := GitSpecs{Repo: git.Repo{Dir: repo.Dir}, BaseRev: "no-such-ref"}.Base(t.Context(), specPath)
	wantBadInput(t, err, "read spec services/users/openapi.yaml at no-such-ref", "unknown revision")
}
