package plan

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/catalog"
)

// scriptedGit answers EnvAffected's questions from a table and counts the
// diffs, to show that services at one base share one. The git behind these
// answers is exercised end to end in the CLI's env scripts.
type scriptedGit struct {
	rel   map[string]Relation // base -> relation to head
	diff  map[string][]string // base -> files
	diffs []string
}

func (g *scriptedGit) Relate(_ context.Context, base, _ string) (Relation, error) {
	return g.rel[base], nil
}

func (g *scriptedGit) Diff(_ context.Context, base, _ string) ([]string, error) {
	g.diffs = append(g.diffs, base)
	return g.diff[base], nil
}

func (g *scriptedGit) ChangedContracts(context.Context, string) []string { return nil }

const envCatalog = `version: 1
global: [go.work]
services:
  lib:    {kind: library, paths: [libs/**]}
  db:     {kind: migration, paths: [db/**]}
  api:    {paths: [api/**], depends_on: [db, lib]}
  web:    {paths: [web/**], depends_on: [api]}
  worker: {paths: [worker/**], depends_on: [lib]}
  admin:  {paths: [admin/**]}
`

func TestEnvAffected(t *testing.T) {
	t.Parallel()
	const head = "ffffffffffffffffffffffffffffffffffffffff"
	tests := []struct {
		name   string
		bases  map[string]string   // service -> base sha
		rel    map[string]Relation // base -> relation
		diff   map[string][]string // base -> files
		listed []string            // nil: every service
		want   string              // "svc:reason,reason svc:..." sorted by name
		warn   string
		diffs  int
	}{
		{
			name:  "never deployed does not propagate",
			bases: map[string]string{"api": "a", "web": "a", "worker": "a", "admin": "a"},
			rel:   map[string]Relation{"a": Same},
			want:  "db:never-deployed",
		},
		{
			name:  "each service against its own base, one diff per base",
			bases: map[string]string{"db": "a", "api": "a", "web": "b", "worker": "b", "admin": "c"},
			rel:   map[string]Relation{"a": Behind, "b": Behind, "c": Behind},
			diff: map[string][]string{
				"a": {"web/x"},          // only web changed since a: api and db are not affected
				"b": {"db/1.sql"},       // web is behind b: db changed, so through api web is too
				"c": {"docs/readme.md"}, // admin: nothing of its own
			},
			want:  "web:dependency", // db changed, but not since the base of db and api
			diffs: 3,
		},
		{
			name:  "a library reached through a service's base is listed",
			bases: map[string]string{"db": "a", "api": "a", "web": "a", "worker": "a", "admin": "a"},
			rel:   map[string]Relation{"a": Behind},
			diff:  map[string][]string{"a": {"libs/x.go"}},
			want:  "api:dependency lib:changed web:dependency worker:dependency",
			diffs: 1,
		},
		{
			name:  "diverged, base-missing and ahead",
			bases: map[string]string{"db": "a", "api": "d", "web": "gone", "worker": "new", "admin": "d"},
			rel:   map[string]Relation{"a": Same, "d": Diverged, "gone": Missing, "new": Ahead},
			diff:  map[string][]string{"d": {"api/x.go"}},
			want:  "api:changed,diverged web:base-missing",
			warn:  "prod is ahead of head for worker: it runs new",
			diffs: 1,
		},
		{
			name:   "only services listed for the environment",
			bases:  map[string]string{},
			listed: []string{"api", "admin"},
			want:   "admin:never-deployed api:never-deployed",
		},
		{
			name:  "global files",
			bases: map[string]string{"db": "a", "api": "a", "web": "a", "worker": "a", "admin": "a"},
			rel:   map[string]Relation{"a": Behind},
			diff:  map[string][]string{"a": {"go.work"}},
			want:  "admin:global api:global db:global lib:global web:global worker:global",
			diffs: 1,
		},
	}
	cat := parseCatalog(t, "ordo.yaml", []byte(envCatalog))
	m := affected.NewMatcher(cat)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := &scriptedGit{rel: tt.rel, diff: tt.diff}
			bases := map[string]Base{}
			for s, sha := range tt.bases {
				bases[s] = Base{SHA: sha}
			}
			in := EnvInput{Env: "prod", Head: head, Bases: bases, Git: g}
			if tt.listed != nil {
				in.Listed = func(s *catalog.Service) bool { return slices.Contains(tt.listed, s.Name) }
			}
			res, warnings, err := EnvAffected(context.Background(), cat, m, in)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range res.Services {
				var types []string
				for _, r := range s.Reasons {
					if !slices.Contains(types, r.Type) {
						types = append(types, r.Type)
					}
				}
				slices.Sort(types)
				got = append(got, s.Name+":"+strings.Join(types, ","))
				if i := cat.Index(s.Name); !res.Set[i] {
					t.Errorf("%s is listed but not in Set", s.Name)
				}
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("affected = %q, want %q", g, tt.want)
			}
			if w := strings.Join(warnings, "\n"); !strings.Contains(w, tt.warn) || (tt.warn == "" && w != "") {
				t.Errorf("warnings = %q, want %q", w, tt.warn)
			}
			if len(g.diffs) != tt.diffs {
				t.Errorf("%d git diffs (%v), want %d", len(g.diffs), g.diffs, tt.diffs)
			}
		})
	}
}

func TestSetEnvJSON(t *testing.T) {
	t.Parallel()
	cat := parseCatalog(t, "ordo.yaml", []byte(envCatalog))
	p := New(cat, affectAll(cat), Options{})
	plain, _ := json.Marshal(p)
	if strings.Contains(string(plain), `"base"`) || strings.Contains(string(plain), `"env"`) {
		t.Fatalf("a plan without --env has env fields: %s", plain)
	}
	p.SetEnv("prod", "prod-1", "ffff", map[string]Base{"api": {SHA: "aaaa", Version: "1.0.0"}}, map[string]string{"api": "1.1.0"})
	data, _ := json.Marshal(p)
	var back Plan
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	for _, j := range back.Jobs {
		if !j.Base.Env || j.SHA != "ffff" {
			t.Errorf("%s: base %+v sha %q after a JSON round trip", j.Service, j.Base, j.SHA)
		}
		switch j.Service {
		case "api":
			if j.Base.Ref == nil || j.Base.Ref.SHA != "aaaa" || j.Version != "1.1.0" {
				t.Errorf("api: %+v", j)
			}
		default:
			if j.Base.Ref != nil {
				t.Errorf("%s: base %+v, want null", j.Service, j.Base.Ref)
			}
		}
	}
	if !strings.Contains(string(data), `"base":null`) || back.Env != "prod" || back.Release != "prod-1" || back.Head != "ffff" {
		t.Errorf("env plan JSON: %s", data)
	}
}
