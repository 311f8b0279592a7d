package gate

import (
	"errors"
	"slices"
	"testing"
)

func TestParseOverride(t *testing.T) {
	t.Parallel()
	tests := []struct {
		flag string
		want Override
		err  []string // parts of a bad-input error
		// noReason: the error is ErrNoReason
		noReason bool
	}{
		{flag: "policy.freeze=hotfix INC-42", want: Override{RuleFreeze, "hotfix INC-42", SourceFlag}},
		{flag: `policy.max_deploy="big bang, approved by ops"`, want: Override{RuleMaxDeploy, "big bang, approved by ops", SourceFlag}},
		{flag: " policy.migration_window = 'maintenance INC-7' ", want: Override{RuleMigrationWindow, "maintenance INC-7", SourceFlag}},
		{flag: "policy.freeze", err: []string{`override "policy.freeze" has no reason`}, noReason: true},
		{flag: `policy.freeze=""`, err: []string{"has no reason"}, noReason: true},
		{flag: "contract.rollout=trust me", err: []string{"override contract.rollout: contract.rollout is a contract rule and cannot be overridden", "fix the contract instead"}},
		{flag: "contract.breaking=x", err: []string{"contract.breaking is a contract rule and cannot be overridden"}},
		{flag: "policy.frezee=x", err: []string{
			`override policy.frezee: unknown rule "policy.frezee"`,
			"the rules that can be overridden are env.diverged, env.soak, env.unverified, policy.freeze, policy.max_deploy, policy.migration_window",
			"the contract rules contract.breaking, contract.rollout, contract.unsatisfied cannot be",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.flag, func(t *testing.T) {
			t.Parallel()
			got, err := ParseOverride(tt.flag)
			if tt.err != nil {
				wantBadInput(t, err, tt.err...)
				// The command line says how to give a reason.
				if errors.Is(err, ErrNoReason) != tt.noReason {
					t.Errorf("ParseOverride(%q) = %v: errors.Is(ErrNoReason) = %v", tt.flag, err, !tt.noReason)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseOverride(%q) = %+v, %v; want %+v", tt.flag, got, err, tt.want)
			}
		})
	}
}

func TestLabelOverrides(t *testing.T) {
	t.Parallel()
	got := LabelOverrides([]string{"bug", "ordo:override:policy.freeze", "ORDO:Override:policy.max_deploy", "ordo:override:policy.freeze", "ordo:overrides"}, 42)
	want := []Override{
		{RuleFreeze, "label ordo:override:policy.freeze on #42", SourceLabel},
		{RuleMaxDeploy, "label ordo:override:policy.max_deploy on #42", SourceLabel},
	}
	if !slices.Equal(got, want) {
		t.Errorf("LabelOverrides = %+v, want %+v", got, want)
	}
	if got := LabelOverrides([]string{"ordo:override:policy.freeze"}, 0); got[0].Reason != "label ordo:override:policy.freeze" {
		t.Errorf("without a pull request: reason %q", got[0].Reason)
	}
}

// frozen is a catalog and plan that break the freeze and max_deploy.
func frozen(tb testing.TB) Input {
	tb.Helper()
	head := parseCatalog(tb, policyServices+`policy:
  freeze: [{name: year-end, from: 2026-12-20T00:00:00Z, to: 2027-01-04T00:00:00Z}]
  max_deploy: 1
`)
	return Input{Head: head, Base: head, Waves: [][]string{{"orders", "payments-api"}}, Now: at(tb, "2026-12-24T10:00:00Z")}
}

func TestOverrides(t *testing.T) {
	t.Parallel()
	flag := func(s string) Override {
		o, err := ParseOverride(s)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	tests := []struct {
		name      string
		overrides []Override
		passed    bool
		want      []string
		applied   []AppliedOverride
	}{
		{
			name: "none", want: []string{"policy.freeze orders", "policy.max_deploy orders"},
		},
		{
			name:      "one rule by flag",
			overrides: []Override{flag("policy.freeze=hotfix INC-42")},
			want:      []string{"policy.freeze orders (overridden)", "policy.max_deploy orders"},
			applied:   []AppliedOverride{{Override{RuleFreeze, "hotfix INC-42", SourceFlag}, 1}},
		},
		{
			name:      "by flag and by label",
			overrides: append([]Override{flag("policy.freeze=hotfix INC-42")}, LabelOverrides([]string{"ordo:override:policy.max_deploy"}, 7)...),
			passed:    true,
			want:      []string{"policy.freeze orders (overridden)", "policy.max_deploy orders (overridden)"},
			applied: []AppliedOverride{
				{Override{RuleFreeze, "hotfix INC-42", SourceFlag}, 1},
				{Override{RuleMaxDeploy, "label ordo:override:policy.max_deploy on #7", SourceLabel}, 1},
			},
		},
		{
			name:      "by label, and one that covers nothing",
			overrides: LabelOverrides([]string{"ordo:override:policy.max_deploy", "ordo:override:policy.freeze", "ordo:override:policy.migration_window"}, 7),
			passed:    true,
			want:      []string{"policy.freeze orders (overridden)", "policy.max_deploy orders (overridden)"},
			applied: []AppliedOverride{
				{Override{RuleFreeze, "label ordo:override:policy.freeze on #7", SourceLabel}, 1},
				{Override{RuleMaxDeploy, "label ordo:override:policy.max_deploy on #7", SourceLabel}, 1},
				{Override{RuleMigrationWindow, "label ordo:override:policy.migration_window on #7", SourceLabel}, 0},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := frozen(t)
			in.Overrides = tt.overrides
			r := check(t, in)
			if got := rules(r); !slices.Equal(got, tt.want) {
				t.Errorf("violations %q, want %q", got, tt.want)
			}
			if r.Passed != tt.passed {
				t.Errorf("passed = %v, want %v", r.Passed, tt.passed)
			}
			if tt.applied == nil {
				tt.applied = []AppliedOverride{}
			}
			if !slices.Equal(r.Overrides, tt.applied) {
				t.Errorf("overrides %+v, want %+v", r.Overrides, tt.applied)
			}
		})
	}
}

// TestOverrideRejected: a label naming a contract rule or an unknown rule
// fails the gate as bad input, as a flag does.
func TestOverrideRejected(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		label string
		want  []string
	}{
		{"contract rule", "ordo:override:contract.rollout", []string{`label "ordo:override:contract.rollout": contract.rollout is a contract rule and cannot be overridden`}},
		{"unknown rule", "ordo:override:freeze", []string{`unknown rule "freeze"`, "policy.freeze, policy.max_deploy, policy.migration_window"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := frozen(t)
			in.Overrides = LabelOverrides([]string{tt.label}, 7)
			_, err := Check(t.Context(), in)
			wantBadInput(t, err, tt.want...)
		})
	}
	in := frozen(t)
	in.Overrides = []Override{{Rule: RuleUnsatisfied, Reason: "x", Source: SourceFlag}}
	_, err := Check(t.Context(), in)
	wantBadInput(t, err, "override contract.unsatisfied: contract.unsatisfied is a contract rule and cannot be overridden")
}
