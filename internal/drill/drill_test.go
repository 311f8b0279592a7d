package drill

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/gate"
	"github.com/ordo-ci/ordo/internal/golden"
	"github.com/ordo-ci/ordo/internal/plan"
)

// The shop at base: users-api serves users 2.4.0, orders consumes ^2.1.
// At head users-api serves 3.0.0 only and orders moved to ^3.0; web,
// which still consumes ^2.0, is not changed; search is new.
const baseShop = `version: 1
services:
  users-db: {kind: migration, paths: [db/**], reversible: false}
  users-api: {paths: [users/**], depends_on: [users-db], provides: {users: 2.4.0}}
  orders: {paths: [orders/**], depends_on: [users-api], consumes: {users: ^2.1}}
  web: {paths: [web/**], consumes: {users: ^2.0}}
`

const headShop = `version: 1
services:
  users-db: {kind: migration, paths: [db/**], reversible: false}
  users-api: {paths: [users/**], depends_on: [users-db], provides: {users: 3.0.0}}
  orders: {paths: [orders/**], depends_on: [users-api], consumes: {users: ^3.0}}
  search: {paths: [search/**], depends_on: [users-api]}
  web: {paths: [web/**], consumes: {users: ^2.0}}
`

func parse(tb testing.TB, src string) *catalog.Catalog {
	tb.Helper()
	c, diags := catalog.Parse("ordo.yaml", []byte(src))
	if c == nil {
		tb.Fatal(diags)
	}
	return c
}

// bases is what runs the shop now: the base catalog for what the plan
// deploys over a base, nothing for search (new), head for the rest.
func bases(tb testing.TB, head *catalog.Catalog) gate.BaseFor {
	base := parse(tb, baseShop)
	return func(s string) (*catalog.Catalog, string) {
		switch s {
		case "search":
			return nil, ""
		case "web":
			return head, sha("b")
		}
		return base, sha("a")
	}
}

func sha(c string) string { return strings.Repeat(c, 40) }

// shopPlan deploys users-db (0), users-api (1), orders and search (2) to
// prod; search was never deployed there.
func shopPlan(tb testing.TB, head *catalog.Catalog) *plan.Plan {
	tb.Helper()
	res := &affected.Result{Set: make([]bool, len(head.Services))}
	for i, s := range head.Services {
		if s.Name == "web" {
			continue
		}
		res.Set[i] = true
		res.Services = append(res.Services, affected.Service{Name: s.Name, Kind: s.Kind, Reasons: []affected.Reason{{Type: "changed"}}})
	}
	p := plan.New(head, res, plan.Options{})
	bases := map[string]plan.Base{}
	for _, s := range []string{"users-db", "users-api", "orders"} {
		bases[s] = plan.Base{SHA: sha("a"), Version: "1.0.0"}
	}
	p.SetEnv("prod", "prod-R", sha("b"), bases, map[string]string{"users-db": "2.0.0", "users-api": "2.0.0", "orders": "2.0.0", "search": "0.1.0"})
	return p
}

func TestDrill(t *testing.T) {
	t.Parallel()
	head := parse(t, headShop)
	tests := []struct {
		name    string
		wave    int
		service string
		base    gate.BaseFor
		err     string
	}{
		{"every-wave", -1, "", bases(t, head), ""},
		{"users-api", -1, "users-api", bases(t, head), ""},
		{"one-of-wave-2", 2, "search", bases(t, head), ""},
		{"no-base", 1, "", nil, ""},
		{"wave-mismatch", 0, "search", nil, "search deploys in wave 2, not wave 0"},
		{"unknown-service", -1, "web", nil, `the plan does not deploy "web"`},
		{"no-such-wave", 9, "", nil, "the plan has 3 waves, so no wave 9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := New(Input{Env: "prod", Plan: shopPlan(t, head), Head: head, BaseFor: tt.base, FailWave: tt.wave, FailService: tt.service, BaseNote: "test"})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want an error containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.MarshalIndent(d, "", "  ")
			golden.Check(t, filepath.Join("testdata", tt.name+".json"), append(got, '\n'))
		})
	}
}
