package gate

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ordo-ci/ordo/internal/exit"
)

// Where an override came from.
const (
	SourceFlag  = "flag"  // the command line: ParseOverride
	SourceLabel = "label" // a pull request label ordo:override:RULE
)

// LabelPrefix starts a pull request label that overrides a rule:
// ordo:override:policy.freeze.
const LabelPrefix = "ordo:override:"

// Override waives the violations of one policy rule for this run. It is
// listed in the report with its reason, so that the waiver is on record
// where the release is reviewed.
type Override struct {
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
	Source string `json:"source"` // SourceFlag or SourceLabel
}

// AppliedOverride is an override as the report lists it.
type AppliedOverride struct {
	Override
	// Violations is how many violations it covered; 0 means it was not needed.
	Violations int `json:"violations"`
}

// ErrNoReason: an override names a rule but gives no reason; the command
// line says how to give one.
var ErrNoReason = errors.New("has no reason")

// ParseOverride reads an override given on the command line: RULE=REASON,
// e.g. `policy.freeze=hotfix INC-42` (the shell has removed the quotes;
// quotes that reach ordo anyway, as through an action input, are removed
// too). It is an error, exiting 2, when the rule is unknown, is a contract
// rule, or the reason is missing (ErrNoReason).
func ParseOverride(value string) (Override, error) {
	rule, reason, ok := strings.Cut(value, "=")
	rule, reason = strings.TrimSpace(rule), unquote(strings.TrimSpace(reason))
	if !ok || reason == "" {
		return Override{}, exit.BadInputf("override %q %w", value, ErrNoReason)
	}
	o := Override{Rule: rule, Reason: reason, Source: SourceFlag}
	return o, o.validate()
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// LabelOverrides returns an override for each label that starts with
// LabelPrefix (in any case), in the order given and without duplicates. A
// label carries no reason of its own, so the reason names the label and the
// pull request (pr 0: unknown). The rules are checked by Check, so that a
// label naming an unknown or contract rule fails the gate like a flag.
func LabelOverrides(labels []string, pr int) []Override {
	var out []Override
	for _, l := range labels {
		if len(l) < len(LabelPrefix) || !strings.EqualFold(l[:len(LabelPrefix)], LabelPrefix) {
			continue
		}
		rule := strings.ToLower(strings.TrimSpace(l[len(LabelPrefix):]))
		reason := "label " + LabelPrefix + rule
		if pr > 0 {
			reason += fmt.Sprintf(" on #%d", pr)
		}
		o := Override{Rule: rule, Reason: reason, Source: SourceLabel}
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// validate rejects overrides of unknown and contract rules.
func (o Override) validate() error {
	origin := "override " + o.Rule
	if o.Source == SourceLabel {
		origin = fmt.Sprintf("label %q", LabelPrefix+o.Rule)
	}
	switch {
	case Overridable(o.Rule):
		return nil
	case slices.Contains(Rules(), o.Rule):
		return exit.BadInputf("%s: %s is a contract rule and cannot be overridden: no reason makes a consumer's requests succeed; fix the contract instead (serve both versions, then drop the old one in a later release)", origin, o.Rule)
	default:
		var policy []string
		for _, r := range Rules() {
			if Overridable(r) {
				policy = append(policy, r)
			}
		}
		return exit.BadInputf("%s: unknown rule %q: the rules that can be overridden are %s (the contract rules %s cannot be)",
			origin, o.Rule, strings.Join(policy, ", "), strings.Join(slices.DeleteFunc(Rules(), Overridable), ", "))
	}
}

// applyOverrides marks the violations the overrides cover and lists each
// override with how many it covered, sorted by rule, source and reason.
func applyOverrides(overrides []Override, violations []Violation) []AppliedOverride {
	out := make([]AppliedOverride, 0, len(overrides))
	for _, o := range overrides {
		a := AppliedOverride{Override: o}
		for i := range violations {
			if violations[i].Rule == o.Rule {
				violations[i].Overridden = true
				a.Violations++
			}
		}
		out = append(out, a)
	}
	slices.SortStableFunc(out, func(a, b AppliedOverride) int {
		return cmp.Or(cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Source, b.Source), cmp.Compare(a.Reason, b.Reason))
	})
	return out
}
