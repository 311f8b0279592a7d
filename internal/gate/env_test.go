package gate

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/record"
)

func TestEnvRules(t *testing.T) {
	t.Parallel()
	cat := parseCatalog(t, `services:
  api: {paths: [api/**]}
  web: {paths: [web/**]}
  ops: {paths: [ops/**]}
`)
	now := at(t, "2026-03-04T12:00:00Z")
	verified := func(sha string, ago time.Duration) record.Verification {
		return record.Verification{SHA: sha, First: now.Add(-ago)}
	}
	// "same" is a commit from which head changes nothing for a service,
	// "old" one from which it does.
	unaffected := func(_ context.Context, service, sha string) (bool, error) {
		return sha == "same", nil
	}
	tests := []struct {
		name      string
		env       EnvInput
		waves     [][]string
		overrides []Override
		want      []string
	}{
		{
			name:  "verified long enough",
			env:   EnvInput{From: "staging", Soak: time.Hour, Verified: map[string][]record.Verification{"api": {verified("same", 2*time.Hour)}}},
			waves: [][]string{{"api"}},
		},
		{
			name: "unverified: verified only where head changes it, or not at all",
			env: EnvInput{From: "staging", Verified: map[string][]record.Verification{
				"api": {verified("old", 5*time.Hour)},
			}},
			waves: [][]string{{"api", "web"}},
			want:  []string{"env.unverified api", "env.unverified web"},
		},
		{
			name: "soak counts from the oldest suitable verification",
			env: EnvInput{From: "staging", Soak: 30 * time.Minute, Verified: map[string][]record.Verification{
				"api": {verified("old", 5*time.Hour), verified("same", 10*time.Minute)},
				"web": {verified("same", 40*time.Minute), verified("same", 10*time.Minute)},
			}},
			waves: [][]string{{"api", "web"}},
			want:  []string{"env.soak api"},
		},
		{
			name:  "services not in the environment promoted from are exempt",
			env:   EnvInput{From: "staging", InFrom: func(s string) bool { return s != "ops" }},
			waves: [][]string{{"ops"}},
		},
		{
			name:  "no from: only env.diverged",
			env:   EnvInput{Diverged: map[string]string{"web": "d1"}},
			waves: [][]string{{"api", "web"}},
			want:  []string{"env.diverged web"},
		},
		{
			name:      "overridden like policy rules",
			env:       EnvInput{From: "staging", Diverged: map[string]string{"api": "d1"}},
			waves:     [][]string{{"api"}},
			overrides: []Override{{Rule: RuleEnvUnverified, Reason: "hotfix INC-1", Source: SourceFlag}, {Rule: RuleEnvDiverged, Reason: "hotfix branch", Source: SourceFlag}},
			want:      []string{"env.diverged api (overridden)", "env.unverified api (overridden)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := tt.env
			env.Env, env.Head, env.Unaffected = "production", "ffffffffffffffffffffffffffffffffffffffff", unaffected
			r := check(t, Input{Head: cat, Waves: tt.waves, Now: now, Env: &env, Overrides: tt.overrides})
			if got := rules(r); !slices.Equal(got, tt.want) {
				t.Fatalf("violations = %q, want %q\n%+v", got, tt.want, r.Violations)
			}
			wantPassed := true
			for _, w := range tt.want {
				wantPassed = wantPassed && strings.HasSuffix(w, "(overridden)")
			}
			if r.Passed != wantPassed {
				t.Errorf("passed = %v, want %v", r.Passed, wantPassed)
			}
		})
	}
}

func TestEnvSoakMessage(t *testing.T) {
	t.Parallel()
	cat := parseCatalog(t, "services:\n  api: {paths: [api/**]}\n")
	now := at(t, "2026-03-04T12:00:00Z")
	env := &EnvInput{Env: "production", From: "staging", Soak: 30 * time.Minute, Head: "f",
		Verified:   map[string][]record.Verification{"api": {{SHA: "c", First: now.Add(-10 * time.Minute)}}},
		Unaffected: func(context.Context, string, string) (bool, error) { return true, nil }}
	r := check(t, Input{Head: cat, Waves: [][]string{{"api"}}, Now: now, Env: env})
	if len(r.Violations) != 1 || !strings.Contains(r.Violations[0].Message, "less than the soak of 30m0s ago (20m0s to go)") ||
		!strings.Contains(r.Violations[0].Fix, "wait until 2026-03-04T12:20:00Z") {
		t.Fatalf("violations = %+v", r.Violations)
	}
}
