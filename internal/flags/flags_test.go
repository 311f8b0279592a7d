package flags

import (
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/record"
)

// shopYAML is the shop example's flag with the two services it needs.
const shopYAML = `version: 1
environments:
  staging: {}
  production: {from: staging}
services:
  payments: {paths: [payments/**]}
  checkout-web: {paths: [web/**]}
  search: {paths: [search/**], environments: [staging]}
flags:
  new-checkout:
    requires: {payments: ">=4.0.0", checkout-web: ">=2.1.0"}
    rollout: [{percent: 5, hold: 30m}, {percent: 50, hold: 2h}, {percent: 100}]
  search-v2:
    requires: {search: ">=1.0.0"}
  web-only:
    requires: {checkout-web: "^2.0"}
`

func loadCatalog(tb testing.TB, src string) *catalog.Catalog {
	tb.Helper()
	cat, diags := catalog.Parse("ordo.yaml", []byte(src))
	if len(diags) > 0 {
		tb.Fatalf("catalog: %v", diags)
	}
	return cat
}

// t0 is when every test record starts.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// rec builds a service's entries from a compact description, one entry per
// word: phase/state@version#sha~minutes, e.g. "deploy/success@4.0.0#a~10".
// The phase defaults to deploy, the sha to "a", the minutes to the index.
func rec(tb testing.TB, service, desc string) []record.Entry {
	tb.Helper()
	var out []record.Entry
	for i, w := range strings.Fields(desc) {
		e := record.Entry{Env: "production", Service: service, Phase: record.PhaseDeploy, Time: t0.Add(time.Duration(i) * time.Minute)}
		w, m, ok := strings.Cut(w, "~")
		if ok {
			d, err := time.ParseDuration(m + "m")
			if err != nil {
				tb.Fatal(err)
			}
			e.Time = t0.Add(d)
		}
		sha := "a"
		if x, s, ok := strings.Cut(w, "#"); ok {
			w, sha = x, s
		}
		e.SHA = strings.Repeat(sha, 40)[:40]
		if x, v, ok := strings.Cut(w, "@"); ok {
			w, e.Version = x, v
		}
		if p, s, ok := strings.Cut(w, "/"); ok {
			e.Phase, e.State = p, s
		} else {
			e.State = w
		}
		if err := e.Validate(); err != nil {
			tb.Fatalf("%q: %v", w, err)
		}
		out = append(out, e)
	}
	return out
}

func TestCheck(t *testing.T) {
	t.Parallel()
	cat := loadCatalog(t, shopYAML)
	req := cat.Flag("new-checkout").Requires[1] // payments >=4.0.0
	if req.Service != "payments" {
		t.Fatalf("requirement %q", req.Service)
	}
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	tests := []struct {
		name     string
		desc     string
		verified bool
		met      bool
		since    time.Time
		reason   string
	}{
		{name: "nothing recorded", desc: "", reason: "nothing runs payments"},
		{name: "only in progress", desc: "in_progress@4.0.0", reason: "nothing runs payments"},
		{name: "satisfying success", desc: "in_progress@4.0.0 success@4.0.0", met: true, since: at(1)},
		{name: "below the constraint", desc: "success@3.9.0", reason: "payments runs 3.9.0, outside >=4.0.0"},
		{name: "no version never satisfies", desc: "success", reason: "payments runs aaaaaaaaaaaa, which has no version"},
		{name: "not a semantic version", desc: "success@banana", reason: `payments runs "banana", which is not a semantic version`},
		{name: "a prerelease is outside a release constraint", desc: "success@4.1.0-rc.1", reason: "payments runs 4.1.0-rc.1, outside >=4.0.0"},
		{name: "build metadata is ignored", desc: "success@4.1.0+0123456789ab", met: true, since: at(0)},
		{name: "upgrade from below starts the run at the success", desc: "success@3.0.0 in_progress@4.0.0 success@4.0.0#b", met: true, since: at(2)},
		{name: "a redeploy of a satisfying version keeps the run", desc: "success@4.0.0 in_progress@4.1.0#b success@4.1.0#b", met: true, since: at(0)},
		{name: "in_progress does not break the run", desc: "success@4.0.0 in_progress@4.1.0#b", met: true, since: at(0)},
		{name: "in_progress of an older version does not either: what runs decides", desc: "success@4.0.0 in_progress@3.0.0#b", met: true, since: at(0)},
		{name: "a failed deploy keeps what runs and its run", desc: "success@4.0.0 in_progress@4.1.0#b failure@4.1.0#b", met: true, since: at(0)},
		{name: "a non-satisfying running version breaks the run", desc: "success@4.0.0 success@3.0.0#b success@4.0.0#c", met: true, since: at(2)},
		{name: "a downgrade is unmet", desc: "success@4.0.0 success@3.0.0#b", reason: "payments runs 3.0.0, outside >=4.0.0"},
		{name: "rolled_back breaks the run; the rollback's success to a satisfying target starts another",
			desc: "success@4.0.0 success@4.1.0#b rollback/rolled_back@4.1.0#b rollback/success@4.0.0", met: true, since: at(3)},
		{name: "rolled back below the constraint", desc: "success@3.0.0 success@4.0.0#b rollback/rolled_back@4.0.0#b rollback/success@3.0.0",
			reason: "payments runs 3.0.0, outside >=4.0.0"},
		{name: "between rolled_back and its success", desc: "success@4.0.0 rollback/rolled_back@4.0.0", reason: "payments is being rolled back"},
		{name: "a fixed redeploy after a rollback starts the ramp again",
			desc: "success@3.0.0 success@4.0.0#b rollback/rolled_back@4.0.0#b rollback/success@3.0.0 success@4.0.1#c", met: true, since: at(4)},
		{name: "time is for display: order decides", desc: "success@4.0.0~50 success@3.0.0#b~10 success@4.0.0#c~20", met: true, since: at(20)},
		{name: "a verify failure does not break without --require-verified", desc: "success@4.0.0 verify/failure@4.0.0", met: true, since: at(0)},

		{name: "verified: deployed is not enough", desc: "success@4.0.0", verified: true, reason: "payments runs 4.0.0, not verified at aaaaaaaaaaaa"},
		{name: "verified: the run starts at the verification", desc: "success@4.0.0 verify/verified@4.0.0", verified: true, met: true, since: at(1)},
		{name: "verified: a verification of another sha does not count", desc: "success@4.0.0 verify/verified@4.1.0#b", verified: true,
			reason: "payments runs 4.0.0, not verified at aaaaaaaaaaaa"},
		{name: "verified: a failed verification of the running sha breaks the run",
			desc: "success@4.0.0 verify/verified@4.0.0 verify/failure@4.0.0", verified: true, reason: "payments runs 4.0.0, not verified at aaaaaaaaaaaa"},
		{name: "verified: a failure elsewhere does not",
			desc: "success@4.0.0 verify/verified@4.0.0 in_progress@4.1.0#b failure@4.1.0#b verify/failure@4.1.0#b", verified: true, met: true, since: at(1)},
		{name: "verified: a new satisfying version waits for its own verification",
			desc: "success@4.0.0 verify/verified@4.0.0 success@4.1.0#b verify/verified@4.1.0#b", verified: true, met: true, since: at(3)},
		{name: "verified: re-verified after a failure starts again",
			desc: "success@4.0.0 verify/verified@4.0.0 verify/failure@4.0.0 verify/verified@4.0.0", verified: true, met: true, since: at(3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Check(rec(t, "payments", tt.desc), req, tt.verified)
			if got.Met != tt.met || !got.Since.Equal(tt.since) || got.Reason != tt.reason {
				t.Errorf("Check(%q) = met %v since %v reason %q; want met %v since %v reason %q",
					tt.desc, got.Met, got.Since.Sub(t0), got.Reason, tt.met, tt.since.Sub(t0), tt.reason)
			}
			if got.Constraint != ">=4.0.0" || got.Service != "payments" {
				t.Errorf("requirement %s %s", got.Service, got.Constraint)
			}
		})
	}
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	cat := loadCatalog(t, shopYAML)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	entries := map[string][]record.Entry{
		"payments":     rec(t, "payments", "success@4.0.0~10"),
		"checkout-web": rec(t, "checkout-web", "success@2.1.0~20"),
	}
	tests := []struct {
		now     time.Time
		step    int
		percent int
		next    int
	}{
		{now: at(0), step: 1, percent: 5, next: 2}, // a clock behind met_since is on the first step
		{now: at(20), step: 1, percent: 5, next: 2},
		{now: at(49), step: 1, percent: 5, next: 2},
		{now: at(50), step: 2, percent: 50, next: 1},
		{now: at(169), step: 2, percent: 50, next: 1},
		{now: at(170), step: 3, percent: 100, next: 0},
		{now: at(10000), step: 3, percent: 100, next: 0},
	}
	for _, tt := range tests {
		states := Evaluate(cat, "production", entries, Options{Now: tt.now})
		s := states[0]
		if s.Name != "new-checkout" || !s.Met || !s.MetSince.Equal(at(20)) {
			t.Fatalf("%v: %+v", tt.now, s)
		}
		if s.Step != tt.step || s.Percent != tt.percent || len(s.Next) != tt.next || s.Steps != 3 {
			t.Errorf("at +%v: step %d/%d at %d%%, %d next; want step %d at %d%%, %d next", tt.now.Sub(t0), s.Step, s.Steps, s.Percent, len(s.Next), tt.step, tt.percent, tt.next)
		}
		if tt.next == 2 && (!s.Next[0].At.Equal(at(50)) || !s.Next[1].At.Equal(at(170)) || s.Next[1].Percent != 100) {
			t.Errorf("schedule %+v", s.Next)
		}
	}
	states := Evaluate(cat, "production", entries, Options{Now: at(30)})
	if s := states[1]; s.Name != "search-v2" || s.Met || s.Requirements[0].Reason != "search does not deploy to production" {
		t.Errorf("search-v2: %+v", s)
	}
	if s := states[2]; s.Name != "web-only" || !s.Met || s.Step != 0 || s.Percent != 100 || !s.MetSince.Equal(at(20)) {
		t.Errorf("web-only: %+v", s)
	}
	// One requirement unmet: the flag is off, whatever the others say.
	entries["payments"] = rec(t, "payments", "success@4.0.0~10 success@3.1.0#b~30")
	s := Evaluate(cat, "production", entries, Options{Now: at(300)})[0]
	if s.Met || s.Percent != 0 || s.Step != 0 || !s.MetSince.IsZero() || len(s.Next) != 0 {
		t.Errorf("after a downgrade: %+v", s)
	}
	if !s.Requirements[0].Met || s.Requirements[1].Reason != "payments runs 3.1.0, outside >=4.0.0" {
		t.Errorf("requirements %+v", s.Requirements)
	}
}

func TestUnixCeil(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		t    time.Time
		want int64
	}{
		{time.Unix(100, 0), 100},
		{time.Unix(100, 1), 101},
		{time.Unix(100, 999999999), 101},
	} {
		if got := unixCeil(tt.t); got != tt.want {
			t.Errorf("unixCeil(%v) = %d, want %d", tt.t, got, tt.want)
		}
	}
}
