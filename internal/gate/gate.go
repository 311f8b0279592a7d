// Package gate answers the last question before a rollout: is this release
// safe to deploy in the order the plan gives? It checks contracts between
// services (a consumer's constraint against the versions its provider serves,
// at head and at every moment of the rollout, and OpenAPI specs against the
// version bump) and the release policy (freeze windows, migration windows, the
// size of a plan).
//
// The gate takes the plan as plain data (waves of service names) rather than
// importing the planner, so that it judges whatever order is about to run, and
// it reports every violation with its rule, the services and versions involved,
// a fix and the catalog position, so that a person can act on it and CI can
// annotate the line. Policy rules may be overridden with a reason; contract
// rules may not, because an override cannot make a consumer's requests succeed.
package gate

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/exit"
)

// Schema is the version of the JSON report.
const Schema = "ordo.gate/v1"

// Rule names, as they appear in reports and in overrides.
const (
	// RuleUnsatisfied: at head, a consumer's constraint accepts no version its provider offers.
	RuleUnsatisfied = "contract.unsatisfied"
	// RuleRollout: at some moment of the rollout a running consumer is not satisfied.
	RuleRollout = "contract.rollout"
	// RuleBreaking: a contract's spec changed incompatibly without a major bump.
	RuleBreaking = "contract.breaking"
	// RuleFreeze: now is inside a freeze window that covers a deployed service.
	RuleFreeze = "policy.freeze"
	// RuleMigrationWindow: a migration deploys outside every migration window.
	RuleMigrationWindow = "policy.migration_window"
	// RuleMaxDeploy: the plan deploys more services than max_deploy.
	RuleMaxDeploy = "policy.max_deploy"
)

// Rules returns every rule name, sorted.
func Rules() []string {
	return []string{RuleBreaking, RuleRollout, RuleUnsatisfied, RuleEnvDiverged, RuleEnvSoak, RuleEnvUnverified, RuleFreeze, RuleMaxDeploy, RuleMigrationWindow}
}

// Overridable reports whether an override may waive rule: the policy and
// env rules can, the contract rules cannot.
func Overridable(rule string) bool {
	return (strings.HasPrefix(rule, "policy.") || strings.HasPrefix(rule, "env.")) && slices.Contains(Rules(), rule)
}

// Input is everything the gate judges.
type Input struct {
	// Head is the catalog of the release.
	Head *catalog.Catalog
	// Base is the catalog at the base commit, which says what runs now. nil
	// means there is no base (a new catalog, or a change without one): the
	// rollout and breaking-change rules are then skipped with a note.
	Base *catalog.Catalog
	// Waves is the plan's order: the names of the services deployed in each
	// wave, first wave first. The deployed services are their union.
	Waves [][]string
	// Now is the moment the policy windows are checked against; zero means
	// time.Now().
	Now time.Time
	// Overrides waive policy violations; see ParseOverride and LabelOverrides.
	Overrides []Override
	// Specs reads contract specs at base and head. It may be nil only when no
	// contract in Head has a spec.
	Specs Specs
	// Env, when not nil, is a promotion to an environment (gate --env): the
	// env.* rules run.
	Env *EnvInput
	// BaseFor, when not nil (gate --env), replaces Base: each service runs
	// its definition at its own base, and each contract's spec is compared
	// with the spec at its provider's base.
	BaseFor BaseFor
}

// Report is the gate's answer.
type Report struct {
	Schema string `json:"schema"`
	// Passed is true when every violation is overridden (or there is none).
	Passed     bool              `json:"passed"`
	Violations []Violation       `json:"violations"`
	Overrides  []AppliedOverride `json:"overrides"`
	// Notes are things the gate could not check, and why: a new contract
	// with nothing to compare, a missing base.
	Notes []string `json:"notes"`
}

// Violation is one broken rule. Fields that do not apply to its rule are
// empty.
type Violation struct {
	Rule string `json:"rule"`
	// Service is the service the violation is about: the consumer for
	// contract.unsatisfied and contract.rollout, the provider for
	// contract.breaking, the migration for policy.migration_window, and the
	// first of Services for the other policy rules.
	Service string `json:"service"`
	// Services lists every deployed service a policy violation covers.
	Services   []string `json:"services,omitempty"`
	Contract   string   `json:"contract,omitempty"`
	Provider   string   `json:"provider,omitempty"`
	Constraint string   `json:"constraint,omitempty"` // the consumer's constraint
	// Versions are the versions the provider serves when the constraint
	// fails; for contract.breaking, its highest version at base and at head.
	Versions []string `json:"versions,omitempty"`
	// Moment says when during the rollout a contract.rollout violation happens.
	Moment string `json:"moment,omitempty"`
	// Window names the policy window involved.
	Window string `json:"window,omitempty"`
	// Changes are the incompatible spec changes of a contract.breaking violation.
	Changes []SpecChange `json:"changes,omitempty"`
	Message string       `json:"message"`
	// Fix says how to fix it. That a rule can also be overridden
	// (Overridable), and how, is for the caller to add: the command line
	// names its flag.
	Fix string `json:"fix,omitempty"`
	// File, Line and Col locate the catalog entry at fault (the consumes,
	// provides, service or window), for annotations.
	File       string `json:"file,omitempty"`
	Line       int    `json:"line,omitempty"`
	Col        int    `json:"col,omitempty"`
	Overridden bool   `json:"overridden"`
}

// SpecChange is one incompatible change between two versions of a spec, as
// oasdiff's breaking-change checker names it.
type SpecChange struct {
	ID        string `json:"id"`
	Text      string `json:"text"`
	Operation string `json:"operation,omitempty"`
	Path      string `json:"path,omitempty"`
}

// Check runs every rule against in. Violations come back in the report; an
// error means the gate could not judge: bad input (an override naming an
// unknown or contract rule, an unparseable spec, waves naming unknown
// services) exits 2, a failing git exits 3.
func Check(ctx context.Context, in Input) (*Report, error) {
	if in.Head == nil {
		return nil, exit.Envf("gate: no head catalog (Input.Head): a bug in the caller")
	}
	for _, o := range in.Overrides {
		if err := o.validate(); err != nil {
			return nil, err
		}
	}
	deployed, err := deployedSet(in.Head, in.Waves)
	if err != nil {
		return nil, err
	}
	if in.Now.IsZero() {
		in.Now = time.Now()
	}
	c := &checker{in: in, deployed: deployed}
	c.unsatisfied()
	c.rollout()
	if err := c.breaking(ctx); err != nil {
		return nil, err
	}
	c.freeze()
	c.migrationWindow()
	c.maxDeploy()
	if err := c.env(ctx); err != nil {
		return nil, err
	}

	r := &Report{Schema: Schema, Violations: c.violations, Notes: c.notes}
	slices.SortStableFunc(r.Violations, func(a, b Violation) int {
		return cmp.Or(
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Service, b.Service),
			cmp.Compare(a.Contract, b.Contract),
			cmp.Compare(a.Message, b.Message),
		)
	})
	r.Overrides = applyOverrides(in.Overrides, r.Violations)
	r.Passed = !slices.ContainsFunc(r.Violations, func(v Violation) bool { return !v.Overridden })
	if r.Violations == nil {
		r.Violations = []Violation{}
	}
	if r.Notes == nil {
		r.Notes = []string{}
	}
	return r, nil
}

// deployedSet checks that the waves name head services at most once each
// and returns the wave of each deployed service.
func deployedSet(head *catalog.Catalog, waves [][]string) (map[string]int, error) {
	deployed := map[string]int{}
	for i, wave := range waves {
		for _, name := range wave {
			if head.Service(name) == nil {
				return nil, exit.BadInputf("gate: wave %d deploys %q, which is not a service in %s: plan and gate must read the same catalog", i, name, head.File)
			}
			if j, dup := deployed[name]; dup {
				return nil, exit.BadInputf("gate: %q is deployed twice, in waves %d and %d", name, j, i)
			}
			deployed[name] = i
		}
	}
	return deployed, nil
}

// checker collects violations and notes while the rules run.
type checker struct {
	in         Input
	deployed   map[string]int // service -> wave
	violations []Violation
	notes      []string
	baseV      *baseView
}

func (c *checker) add(v Violation) { c.violations = append(c.violations, v) }

func (c *checker) notef(format string, args ...any) {
	c.notes = append(c.notes, fmt.Sprintf(format, args...))
}

// at sets v's position to p in the head catalog.
func (c *checker) at(v Violation, p catalog.Pos) Violation {
	v.File, v.Line, v.Col = c.in.Head.File, p.Line, p.Col
	return v
}

// deployedNames returns the deployed services, sorted.
func (c *checker) deployedNames() []string {
	names := make([]string, 0, len(c.deployed))
	for n := range c.deployed {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func versionStrings[V fmt.Stringer](vs []V) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.String()
	}
	return out
}
