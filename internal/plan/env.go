package plan

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/git"
)

// Reasons plan --env adds to affected's (SPEC section 12).
const (
	// ReasonNeverDeployed: nothing runs the service in the environment. It
	// does not propagate to dependents.
	ReasonNeverDeployed = "never-deployed"
	// ReasonDiverged: the commit running the service is not an ancestor of head.
	ReasonDiverged = "diverged"
	// ReasonBaseMissing: the commit running the service cannot be had (a
	// force push removed it): the service is affected, the plan goes on.
	ReasonBaseMissing = "base-missing"
)

// Base is what runs a service in an environment: the sha and version of
// its running record entry.
type Base struct {
	SHA     string `json:"sha"`
	Version string `json:"version"`
}

// OptBase is a job's base: left out of the JSON of a plan without --env,
// null in an --env plan for a service nothing runs.
type OptBase struct {
	Env bool  // the plan is an --env plan
	Ref *Base // nil: never deployed
}

// IsZero makes omitzero leave the field out of plans without --env.
func (o OptBase) IsZero() bool { return !o.Env }

func (o OptBase) MarshalJSON() ([]byte, error) { return json.Marshal(o.Ref) }

func (o *OptBase) UnmarshalJSON(data []byte) error {
	o.Env = true
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		o.Ref = nil
		return nil
	}
	o.Ref = new(Base)
	return json.Unmarshal(data, o.Ref)
}

// Relation is how the commit running a service relates to head.
type Relation int

const (
	// Behind: the base is an ancestor of head; deploying head moves forward.
	Behind Relation = iota
	// Same: the base is head.
	Same
	// Ahead: head is an ancestor of the base; the environment runs newer code.
	Ahead
	// Diverged: neither contains the other.
	Diverged
	// Missing: the base commit cannot be had.
	Missing
)

// EnvGit is what EnvAffected asks git. Implementations fetch a base the
// clone lacks (a shallow clone) before answering.
type EnvGit interface {
	// Relate says how base relates to head.
	Relate(ctx context.Context, base, head string) (Relation, error)
	// Diff returns the files that differ between base and head: two dots,
	// what deploying head changes, whatever the history between them.
	Diff(ctx context.Context, base, head string) ([]string, error)
	// ChangedContracts names the contracts whose provided versions differ
	// between the catalog at base and the catalog at head.
	ChangedContracts(ctx context.Context, base string) []string
}

// EnvInput is what plan --env knows besides the catalog.
type EnvInput struct {
	Env  string
	Head string
	// Bases holds what runs each service in Env; a service without one was
	// never deployed there.
	Bases map[string]Base
	// Listed reports whether a service belongs to Env (the catalog's
	// per-service environments:); nil means every service does.
	Listed func(s *catalog.Service) bool
	Git    EnvGit
}

// EnvAffected computes what deploying head to an environment affects: each
// service against its own base, the commit running it there. Services
// deployed at the same base share one git diff and one affected computation.
// Warnings name services the environment runs ahead of head.
func EnvAffected(ctx context.Context, cat *catalog.Catalog, m *affected.Matcher, in EnvInput) (*affected.Result, []string, error) {
	type perBase struct {
		rel Relation
		res *affected.Result
	}
	bases := map[string]*perBase{}
	resolve := func(sha string) (*perBase, error) {
		if pb, ok := bases[sha]; ok {
			return pb, nil
		}
		pb := &perBase{}
		bases[sha] = pb
		var err error
		if pb.rel, err = in.Git.Relate(ctx, sha, in.Head); err != nil {
			return nil, err
		}
		if pb.rel != Behind && pb.rel != Diverged {
			return pb, nil
		}
		files, err := in.Git.Diff(ctx, sha, in.Head)
		if err != nil {
			return nil, err
		}
		pb.res, err = m.Compute(affected.Input{Files: files, ChangedContracts: in.Git.ChangedContracts(ctx, sha)})
		if err != nil {
			return nil, err
		}
		return pb, nil
	}

	out := &affected.Result{Set: make([]bool, len(cat.Services))}
	reasons := make([][]affected.Reason, len(cat.Services))
	var warnings []string
	var used []*affected.Result
	files := map[string]bool{}
	for i, s := range cat.Services {
		if !s.Deployed() || (in.Listed != nil && !in.Listed(s)) {
			continue
		}
		base, ok := in.Bases[s.Name]
		if !ok {
			reasons[i] = []affected.Reason{{Type: ReasonNeverDeployed}}
			continue
		}
		pb, err := resolve(base.SHA)
		if err != nil {
			return nil, nil, err
		}
		switch pb.rel {
		case Same:
			continue
		case Ahead:
			warnings = append(warnings, fmt.Sprintf("%s is ahead of head for %s: it runs %s, which already contains %s; not planned", in.Env, s.Name, git.Short(base.SHA), git.Short(in.Head)))
			continue
		case Missing:
			reasons[i] = []affected.Reason{{Type: ReasonBaseMissing}}
			continue
		}
		if !slices.Contains(used, pb.res) {
			used = append(used, pb.res)
			for _, f := range pb.res.ChangedFiles {
				files[f] = true
			}
		}
		if !pb.res.Set[i] {
			continue
		}
		for _, as := range pb.res.Services {
			if as.Name == s.Name {
				reasons[i] = slices.Clone(as.Reasons)
			}
		}
		if pb.rel == Diverged {
			reasons[i] = append(reasons[i], affected.Reason{Type: ReasonDiverged})
		}
	}
	// Libraries have no record: one is listed when the diff of a service's
	// base affects it, with that diff's reasons.
	for i, s := range cat.Services {
		if s.Deployed() {
			continue
		}
		for _, res := range used {
			if res.Set[i] {
				for _, as := range res.Services {
					if as.Name == s.Name {
						reasons[i] = as.Reasons
					}
				}
				break
			}
		}
	}
	for i, s := range cat.Services {
		if reasons[i] != nil {
			out.Set[i] = true
			out.Services = append(out.Services, affected.Service{Name: s.Name, Kind: s.Kind, Reasons: reasons[i]})
		}
	}
	for f := range files {
		out.ChangedFiles = append(out.ChangedFiles, f)
	}
	slices.Sort(out.ChangedFiles)
	return out, warnings, nil
}

// SetEnv marks p as the plan of release for env at head: every job deploys
// head at its version (versions, by service) over its base.
func (p *Plan) SetEnv(env, release, head string, bases map[string]Base, versions map[string]string) {
	p.Env, p.Release, p.Head = env, release, head
	for i := range p.Jobs {
		j := &p.Jobs[i]
		j.SHA, j.Version = head, versions[j.Service]
		j.Base = OptBase{Env: true}
		if b, ok := bases[j.Service]; ok {
			j.Base.Ref = &b
		}
	}
}
