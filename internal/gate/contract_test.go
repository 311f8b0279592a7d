package gate

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// shop is a catalog where orders consumes the users contract of users-api.
func shop(provides, consumes string) string {
	return fmt.Sprintf("services:\n  users-api:\n    provides: {users: %s}\n  orders:\n    consumes: {users: %q}\n", provides, consumes)
}

func TestUnsatisfied(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, base, head string
		want             []string
		fix              string
	}{
		{name: "satisfied", head: shop("2.4.0", "^2.1")},
		{name: "one of several versions is enough", head: shop("[2.4.0, 3.0.0]", "^3")},
		{
			name: "major bump", base: shop("2.4.0", "^2.1"), head: shop("3.0.0", "^2.1"),
			want: []string{"contract.unsatisfied orders"},
			fix:  "have users-api serve both versions (provides: {users: [2.4.0, 3.0.0]}) until orders moves on",
		},
		{
			name: "no base to suggest from", head: shop("3.0.0", "~2.4"),
			want: []string{"contract.unsatisfied orders"},
			fix:  `make orders accept a version users-api serves (e.g. consumes: {users: ^3.0}), or have users-api keep serving a version "~2.4" accepts`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := check(t, Input{Base: parseCatalog(t, tt.base), Head: parseCatalog(t, tt.head)})
			var got []string
			for _, v := range r.Violations {
				if v.Rule != RuleUnsatisfied {
					continue
				}
				got = append(got, v.Rule+" "+v.Service)
				if !strings.Contains(v.Fix, tt.fix) {
					t.Errorf("fix:\n got %s\nwant it to contain %s", v.Fix, tt.fix)
				}
				if v.Provider != "users-api" || v.Contract != "users" || v.File != "ordo.yaml" || v.Line != 6 || v.Col == 0 {
					t.Errorf("violation %+v: want provider users-api, contract users, at ordo.yaml:6", v)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("violations %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRollout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, base, head string
		waves            [][]string
		want             []string // contract.rollout violations: consumer, moment
		fix              string   // a part of the first violation's fix
		note             string   // a part of a note
	}{
		{
			name: "expand passes", base: shop("2.4.0", "^2.1"), head: shop("[2.4.0, 3.0.0]", "^2.1"),
			waves: [][]string{{"users-api"}, {"orders"}},
		},
		{
			name: "a major bump strands the consumer", base: shop("2.4.0", "^2.1"), head: shop("3.0.0", "^2.1"),
			waves: [][]string{{"users-api"}, {"orders"}},
			want:  []string{"orders after wave 0"},
			fix:   "expand, then contract: have users-api serve both versions in this release (provides: {users: [2.4.0, 3.0.0]}), move orders to a constraint that accepts 3.0.0, and drop 2.4.0 in a later release",
		},
		{
			name: "a major bump strands a consumer the plan does not deploy", base: shop("2.4.0", "^2.1"), head: shop("3.0.0", "^2.1"),
			waves: [][]string{{"users-api"}},
			want:  []string{"orders after wave 0"},
			fix:   "provides: {users: [2.4.0, 3.0.0]}",
		},
		{
			name: "consumer moves while the provider is not deployed", base: shop("2.4.0", "^2.1"), head: shop("3.0.0", "^3.0"),
			waves: [][]string{{"orders"}},
			want:  []string{"orders after wave 0"},
			fix:   `deploy users-api before orders (consumes implies order: check the plan), or have orders accept both versions until users-api is deployed (consumes: {users: "^2.1 || ^3.0"})`,
		},
		{
			name: "consumer deployed before its provider", base: shop("2.4.0", "^2.1"), head: shop("3.0.0", "^3.0"),
			waves: [][]string{{"orders"}, {"users-api"}},
			want:  []string{"orders after wave 0"},
			fix:   "deploy users-api before orders",
		},
		{
			name: "provider then consumer moves on", base: shop("2.4.0", "^2.1"), head: shop("3.0.0", "^3.0"),
			waves: [][]string{{"users-api"}, {"orders"}},
			want:  []string{"orders after wave 0"},
			fix:   "provides: {users: [2.4.0, 3.0.0]}",
		},
		{
			name:  "one wave, either order may run first",
			base:  shop("2.4.0", "^2.1"),
			head:  "services:\n  users-api:\n    provides: {users: 3.0.0}\n  orders: {}\n",
			waves: [][]string{{"orders", "users-api"}},
			want:  []string{"orders during wave 0, if users-api deploys before orders"},
			fix:   "provides: {users: [2.4.0, 3.0.0]}",
		},
		{
			name:  "a new consumer runs only once deployed",
			base:  "services:\n  users-api:\n    provides: {users: 2.4.0}\n",
			head:  "services:\n  users-api:\n    provides: {users: 3.0.0}\n  reports:\n    consumes: {users: ^3.0}\n",
			waves: [][]string{{"users-api"}, {"reports"}},
		},
		{
			name:  "a new consumer deployed before its provider",
			base:  "services:\n  users-api:\n    provides: {users: 2.4.0}\n",
			head:  "services:\n  users-api:\n    provides: {users: 3.0.0}\n  reports:\n    consumes: {users: ^3.0}\n",
			waves: [][]string{{"reports"}, {"users-api"}},
			want:  []string{"reports after wave 0"},
		},
		{
			name:  "a contract moves to a new service",
			base:  "services:\n  users-api:\n    provides: {users: 2.4.0}\n  orders:\n    consumes: {users: ^2.1}\n",
			head:  "services:\n  users-api: {}\n  users-v2:\n    provides: {users: 2.5.0}\n  orders:\n    consumes: {users: ^2.1}\n",
			waves: [][]string{{"users-api", "users-v2"}, {"orders"}},
			want:  []string{"orders during wave 0, if users-api deploys before users-v2"},
			fix:   "keep serving users until every consumer has moved off it",
		},
		{
			name: "already broken before the rollout", base: shop("2.4.0", "^3.0"), head: shop("3.0.0", "^3.0"),
			waves: [][]string{{"users-api"}, {"orders"}},
			note:  "before the rollout, orders (base version, consumes users ^3.0) is not satisfied: users-api (base version) serves 2.4.0: this release does not cause it",
		},
		{
			name: "no base", head: shop("3.0.0", "^3.0"),
			waves: [][]string{{"users-api"}, {"orders"}},
			note:  "no base catalog: contract.rollout and contract.breaking were not checked",
		},
		{name: "nothing deployed", base: shop("2.4.0", "^2.1"), head: shop("3.0.0", "^2.1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := check(t, Input{Base: parseCatalog(t, tt.base), Head: parseCatalog(t, tt.head), Waves: tt.waves})
			var got []string
			var fixes []string
			for _, v := range r.Violations {
				if v.Rule != RuleRollout {
					continue
				}
				got = append(got, v.Service+" "+v.Moment)
				fixes = append(fixes, v.Fix)
				if !strings.HasPrefix(v.Message, v.Moment+", ") {
					t.Errorf("message %q does not start with the moment %q", v.Message, v.Moment)
				}
				if v.File != "ordo.yaml" || v.Line == 0 {
					t.Errorf("violation at %s:%d, want a line of ordo.yaml", v.File, v.Line)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("violations %q, want %q", got, tt.want)
			}
			if tt.fix != "" && (len(fixes) == 0 || !strings.Contains(fixes[0], tt.fix)) {
				t.Errorf("fixes %q, want one containing %q", fixes, tt.fix)
			}
			if tt.note != "" && !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, tt.note) }) {
				t.Errorf("notes %q, want one containing %q", r.Notes, tt.note)
			}
			if len(r.Violations) > 0 == r.Passed {
				t.Errorf("passed = %v with violations %q", r.Passed, rules(r))
			}
		})
	}
}

// TestExpandContract takes a major version through three releases, each
// starting from the last: the provider serves both versions, the consumer
// moves, the provider drops the old version. No moment of any rollout
// strands the consumer.
func TestExpandContract(t *testing.T) {
	t.Parallel()
	releases := []struct {
		catalog string
		waves   [][]string
	}{
		{shop("2.4.0", "^2.1"), nil},
		{shop("[2.4.0, 3.0.0]", "^2.1"), [][]string{{"users-api"}, {"orders"}}}, // expand
		{shop("[2.4.0, 3.0.0]", "^3.0"), [][]string{{"orders"}}},                // move the consumer
		{shop("3.0.0", "^3.0"), [][]string{{"users-api"}, {"orders"}}},          // contract
	}
	for i := 1; i < len(releases); i++ {
		r := check(t, Input{Base: parseCatalog(t, releases[i-1].catalog), Head: parseCatalog(t, releases[i].catalog), Waves: releases[i].waves})
		if !r.Passed || len(r.Violations) > 0 {
			t.Errorf("release %d: violations %q", i, rules(r))
		}
	}
	// Skipping the middle release strands the consumer.
	r := check(t, Input{Base: parseCatalog(t, releases[1].catalog), Head: parseCatalog(t, releases[3].catalog), Waves: releases[3].waves})
	if want := []string{"contract.rollout orders"}; !slices.Equal(rules(r), want) {
		t.Errorf("contract before the consumer moved: violations %q, want %q", rules(r), want)
	}
}

func TestWavesMustNameServices(t *testing.T) {
	t.Parallel()
	head := parseCatalog(t, shop("2.4.0", "^2.1"))
	_, err := Check(t.Context(), Input{Head: head, Waves: [][]string{{"users"}}})
	wantBadInput(t, err, `wave 0 deploys "users"`)
	_, err = Check(t.Context(), Input{Head: head, Waves: [][]string{{"orders"}, {"orders"}}})
	wantBadInput(t, err, `"orders" is deployed twice, in waves 0 and 1`)
}
