package gate

import (
	"context"
	"fmt"
	"time"

	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/record"
)

// Rules of promotion between environments (SPEC section 12), checked by
// gate --env. Like the policy rules they can be overridden.
const (
	// RuleEnvUnverified: a deployed service is not verified in the
	// environment promoted from at a commit from which head changes nothing
	// for it.
	RuleEnvUnverified = "env.unverified"
	// RuleEnvSoak: it is, but for less than the environment's soak.
	RuleEnvSoak = "env.soak"
	// RuleEnvDiverged: the commit running a deployed service is not an
	// ancestor of head.
	RuleEnvDiverged = "env.diverged"
)

// EnvInput is what the env rules judge.
type EnvInput struct {
	// Env is the environment deployed to; From the one it is promoted from
	// ("" when none: env.unverified and env.soak are off), Soak how long a
	// service must have been verified there.
	Env, From string
	Soak      time.Duration
	// Head is the commit being deployed.
	Head string
	// Diverged maps each deployed service whose running commit in Env is
	// not an ancestor of head to that commit.
	Diverged map[string]string
	// InFrom reports whether a service is deployed to From at all; a
	// service that is not is exempt.
	InFrom func(service string) bool
	// Verified lists, per service, the commits it is verified at in From.
	Verified map[string][]record.Verification
	// Unaffected reports whether deploying head over commit sha would
	// leave service unaffected: plan --env's computation with sha as base.
	Unaffected func(ctx context.Context, service, sha string) (bool, error)
}

// env runs the env rules over the deployed services.
func (c *checker) env(ctx context.Context) error {
	in := c.in.Env
	if in == nil {
		return nil
	}
	for _, name := range c.deployedNames() {
		if sha, ok := in.Diverged[name]; ok {
			c.add(Violation{Rule: RuleEnvDiverged, Service: name,
				Message: fmt.Sprintf("%s runs %s in %s, which is not an ancestor of head %s: deploying head replaces commits head does not have", name, git.Short(sha), in.Env, git.Short(in.Head)),
				Fix:     fmt.Sprintf("merge %s into the branch being deployed", git.Short(sha))})
		}
	}
	if in.From == "" {
		return nil
	}
	for _, name := range c.deployedNames() {
		if in.InFrom != nil && !in.InFrom(name) {
			continue
		}
		var first time.Time
		found := false
		for _, v := range in.Verified[name] {
			ok, err := in.Unaffected(ctx, name, v.SHA)
			if err != nil {
				return err
			}
			if ok && (!found || v.First.Before(first)) {
				first, found = v.First, true
			}
		}
		switch {
		case !found:
			c.add(Violation{Rule: RuleEnvUnverified, Service: name,
				Message: fmt.Sprintf("%s is not verified in %s at a commit with its code at head %s", name, in.From, git.Short(in.Head)),
				Fix:     fmt.Sprintf("deploy and verify head in %s first", in.From)})
		case c.in.Now.Sub(first) < in.Soak:
			left := in.Soak - c.in.Now.Sub(first)
			c.add(Violation{Rule: RuleEnvSoak, Service: name,
				Message: fmt.Sprintf("%s was verified in %s at %s, less than the soak of %s ago (%s to go)", name, in.From, first.UTC().Format(time.RFC3339), in.Soak, left.Round(time.Second)),
				Fix:     fmt.Sprintf("wait until %s", first.Add(in.Soak).UTC().Format(time.RFC3339))})
		}
	}
	return nil
}
