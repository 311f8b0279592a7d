package gate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/ordo-ci/ordo/internal/catalog"
)

// unsatisfied checks the head catalog on its own: a consumer whose
// constraint accepts no version its provider offers can never work, whatever
// the order.
func (c *checker) unsatisfied() {
	head := c.in.Head
	for _, s := range head.Services {
		for _, co := range s.Consumes {
			p := head.Provider(co.Contract)
			if p == nil {
				continue // the catalog loader rejects this
			}
			versions := provided(p, co.Contract)
			if satisfiedBy(co.Constraint, versions) {
				continue
			}
			fix := fmt.Sprintf("make %s accept a version %s serves (e.g. consumes: {%s: ^%d.%d}), or have %s keep serving a version %q accepts",
				s.Name, p.Name, co.Contract, versions[len(versions)-1].Major(), versions[len(versions)-1].Minor(), p.Name, co.Raw)
			if old := c.accepted(co, p.Name); old != nil {
				fix = fmt.Sprintf("make %s accept a version %s serves (e.g. consumes: {%s: ^%d.%d}), or have %s serve both versions (provides: {%s: %s}) until %s moves on",
					s.Name, p.Name, co.Contract, versions[len(versions)-1].Major(), versions[len(versions)-1].Minor(),
					p.Name, co.Contract, versionList(append([]*semver.Version{old}, versions...)), s.Name)
			}
			c.add(c.at(Violation{
				Rule:       RuleUnsatisfied,
				Service:    s.Name,
				Contract:   co.Contract,
				Provider:   p.Name,
				Constraint: co.Raw,
				Versions:   versionStrings(versions),
				Message: fmt.Sprintf("%s consumes %s %s, but %s provides only %s at head",
					s.Name, co.Contract, co.Raw, p.Name, strings.Join(versionStrings(versions), ", ")),
				Fix: fix,
			}, co.Pos))
		}
	}
}

// accepted returns the highest version the base provider of co's contract
// served that co accepts, or nil: the version worth keeping while consumers
// move on.
func (c *checker) accepted(co catalog.Consume, provider string) *semver.Version {
	if c.base() == nil {
		return nil
	}
	p := c.base().Service(provider)
	if p == nil {
		return nil
	}
	vs := provided(p, co.Contract)
	for i := len(vs) - 1; i >= 0; i-- {
		if co.Constraint.Check(vs[i]) {
			return vs[i]
		}
	}
	return nil
}

// rollout simulates the plan. Every service runs its base definition until
// its wave deploys and its head definition from then on; a service that does
// not exist at base runs only once deployed, and one the plan does not deploy
// keeps running base (even if its provides changed at head). At each moment
// every running consumer's constraint must accept some version that a running
// provider of the contract serves (when a contract moves between services,
// the versions both serve count).
//
// The moments are the state before the rollout, then every state a wave can
// pass through: services in one wave deploy in parallel, so for each consumer
// and the providers of its contract that share a wave, every order among them
// is tried (a consume edge depends on no other service, so trying the
// services involved is trying all orders). A wave whose end state is broken
// is reported as "after wave N"; one that is broken only for some orders, as
// "during wave N, if A deploys before B". A valid plan never puts a consumer
// in its provider's wave, so the partial states matter only when a consumer
// stops consuming in the wave its old provider changes.
//
// Each consumer and contract is reported once, at its first broken moment.
// A consumer already unsatisfied before the rollout is not this release's
// doing: it gets a note, not a violation (and if head is still broken,
// contract.unsatisfied reports it), so that a broken production never blocks
// the release that repairs it.
func (c *checker) rollout() {
	if c.base() == nil {
		c.notef("no base catalog: %s and %s were not checked, since nothing is known to run yet", RuleRollout, RuleBreaking)
		return
	}
	sim := newSimulation(c.base(), c.in.Head, c.deployed)
	for _, e := range sim.edges {
		if r, broken := sim.check(e, 0, nil); broken {
			c.notef("before the rollout, %s: this release does not cause it, so %s ignores it", r.describe(), RuleRollout)
			continue
		}
		for k := range c.in.Waves {
			if r, broken := sim.checkWave(e, k); broken {
				c.add(sim.violation(r))
				break
			}
		}
	}
}

// edge is a consumer and a contract it consumes at base or at head.
type edge struct {
	consumer, contract string
}

type simulation struct {
	base      *baseView
	head      *catalog.Catalog
	deployed  map[string]int
	edges     []edge
	providers map[string][]string // contract -> services providing it at base or head
}

func newSimulation(base *baseView, head *catalog.Catalog, deployed map[string]int) *simulation {
	s := &simulation{base: base, head: head, deployed: deployed, providers: map[string][]string{}}
	seen := map[edge]bool{}
	for _, list := range [][]*catalog.Service{base.services, head.Services} {
		for _, svc := range list {
			for _, co := range svc.Consumes {
				if e := (edge{svc.Name, co.Contract}); !seen[e] {
					seen[e] = true
					s.edges = append(s.edges, e)
				}
			}
			for _, p := range svc.Provides {
				if !slices.Contains(s.providers[p.Contract], svc.Name) {
					s.providers[p.Contract] = append(s.providers[p.Contract], svc.Name)
				}
			}
		}
	}
	slices.SortFunc(s.edges, func(a, b edge) int {
		return strings.Compare(a.consumer+"\x00"+a.contract, b.consumer+"\x00"+b.contract)
	})
	for _, ps := range s.providers {
		slices.Sort(ps)
	}
	return s
}

// switched reports whether name runs its head definition when wave k is
// deploying and the services in now have finished.
func (s *simulation) switched(name string, k int, now []string) bool {
	w, ok := s.deployed[name]
	return ok && (w < k || w == k && slices.Contains(now, name))
}

// running returns the definition name runs, or nil when it does not run.
func (s *simulation) running(name string, k int, now []string) (*catalog.Service, bool) {
	if s.switched(name, k, now) {
		return s.head.Service(name), true
	}
	return s.base.Service(name), false
}

// result is one evaluation of an edge.
type result struct {
	edge
	wave         int
	now          []string // services of the wave that have deployed, for partial states
	pending      []string // services of the wave that have not
	after        bool     // the state after the whole wave
	consume      catalog.Consume
	consumerHead bool // the consumer runs head
	served       []servedBy
}

type servedBy struct {
	provider string
	head     bool
	versions []*semver.Version
}

// check evaluates e in the state where waves before k have deployed and,
// of wave k, the services in now.
func (s *simulation) check(e edge, k int, now []string) (result, bool) {
	r := result{edge: e, wave: k, now: now}
	def, head := s.running(e.consumer, k, now)
	if def == nil {
		return r, false
	}
	i := slices.IndexFunc(def.Consumes, func(co catalog.Consume) bool { return co.Contract == e.contract })
	if i < 0 {
		return r, false
	}
	r.consume, r.consumerHead = def.Consumes[i], head
	for _, p := range s.providers[e.contract] {
		pd, head := s.running(p, k, now)
		if pd == nil {
			continue
		}
		if vs := provided(pd, e.contract); len(vs) > 0 {
			r.served = append(r.served, servedBy{p, head, vs})
			if satisfiedBy(r.consume.Constraint, vs) {
				return r, false
			}
		}
	}
	return r, true
}

// checkWave evaluates e in every state wave k passes through: first the
// state after it, then the partial ones.
func (s *simulation) checkWave(e edge, k int) (result, bool) {
	var involved []string
	for _, n := range append([]string{e.consumer}, s.providers[e.contract]...) {
		if w, ok := s.deployed[n]; ok && w == k && !slices.Contains(involved, n) {
			involved = append(involved, n)
		}
	}
	if len(involved) == 0 {
		return result{}, false // nothing involved changes in this wave
	}
	if r, broken := s.check(e, k, involved); broken {
		r.after = true
		return r, true
	}
	for mask := 1; mask < 1<<len(involved)-1; mask++ {
		var now, pending []string
		for i, n := range involved {
			if mask&(1<<i) != 0 {
				now = append(now, n)
			} else {
				pending = append(pending, n)
			}
		}
		if r, broken := s.check(e, k, now); broken {
			r.pending = pending
			return r, true
		}
	}
	return result{}, false
}

// moment says when r happens.
func (r result) moment() string {
	switch {
	case r.after:
		return fmt.Sprintf("after wave %d", r.wave)
	case r.now != nil:
		return fmt.Sprintf("during wave %d, if %s deploys before %s", r.wave, strings.Join(r.now, " and "), strings.Join(r.pending, " and "))
	default:
		return "before the rollout"
	}
}

func side(head bool) string {
	if head {
		return "head version"
	}
	return "base version"
}

// describe says what is broken: the consumer, its constraint, and what runs.
func (r result) describe() string {
	what := fmt.Sprintf("%s (%s, consumes %s %s) is not satisfied", r.consumer, side(r.consumerHead), r.contract, r.consume.Raw)
	if len(r.served) == 0 {
		return what + fmt.Sprintf(": no running service provides %s", r.contract)
	}
	parts := make([]string, len(r.served))
	for i, sb := range r.served {
		parts[i] = fmt.Sprintf("%s (%s) serves %s", sb.provider, side(sb.head), strings.Join(versionStrings(sb.versions), ", "))
	}
	return what + ": " + strings.Join(parts, "; ")
}

// violation turns a broken moment into a contract.rollout violation with a
// fix: when the provider moved ahead of its consumer, expand then contract;
// when the consumer moved ahead of its provider, order them or widen the
// constraint.
func (s *simulation) violation(r result) Violation {
	v := Violation{
		Rule:       RuleRollout,
		Service:    r.consumer,
		Contract:   r.contract,
		Constraint: r.consume.Raw,
		Moment:     r.moment(),
	}
	var served []*semver.Version
	for _, sb := range r.served {
		served = append(served, sb.versions...)
		if v.Provider == "" {
			v.Provider = sb.provider
		}
	}
	slices.SortFunc(served, func(a, b *semver.Version) int { return a.Compare(b) })
	v.Versions = versionStrings(served)
	if v.Provider == "" && len(s.providers[r.contract]) > 0 {
		v.Provider = s.providers[r.contract][0]
	}
	deploy := "is not deployed by this plan"
	if w, ok := s.deployed[r.consumer]; ok {
		deploy = fmt.Sprintf("deploys in wave %d", w)
	}
	v.Message = fmt.Sprintf("%s, %s; %s %s", r.moment(), r.describe(), r.consumer, deploy)

	// Which versions would keep this consumer working: those the provider
	// serves on the other side of its deploy.
	var keep *semver.Version
	for _, p := range s.providers[r.contract] {
		for _, svc := range []*catalog.Service{s.base.Service(p), s.head.Service(p)} {
			if svc != nil {
				for _, ver := range provided(svc, r.contract) {
					if r.consume.Constraint.Check(ver) && (keep == nil || ver.GreaterThan(keep)) {
						keep = ver
					}
				}
			}
		}
	}
	switch {
	case r.consumerHead && len(r.served) > 0 && !slices.ContainsFunc(r.served, func(sb servedBy) bool { return sb.head }):
		// The consumer runs head against a provider still on base.
		v.Fix = fmt.Sprintf("deploy %s before %s (consumes implies order: check the plan), or have %s accept both versions until %s is deployed",
			v.Provider, r.consumer, r.consumer, v.Provider)
		if old := s.base.Service(r.consumer); old != nil {
			if i := slices.IndexFunc(old.Consumes, func(co catalog.Consume) bool { return co.Contract == r.contract }); i >= 0 {
				v.Fix += fmt.Sprintf(" (consumes: {%s: %q})", r.contract, old.Consumes[i].Raw+" || "+r.consume.Raw)
			}
		}
	case keep != nil && len(served) > 0:
		both := versionList(append([]*semver.Version{keep}, served...))
		v.Fix = fmt.Sprintf("expand, then contract: have %s serve both versions in this release (provides: {%s: %s}), move %s to a constraint that accepts %s, and drop %s in a later release",
			v.Provider, r.contract, both, r.consumer, served[len(served)-1], keep)
	case len(served) == 0:
		v.Fix = fmt.Sprintf("keep serving %s until every consumer has moved off it, and remove it in a later release (expand, then contract)", r.contract)
	default:
		v.Fix = fmt.Sprintf("make %s accept a version %s serves, and deploy it before %s stops serving the old one (expand, then contract)", r.consumer, v.Provider, v.Provider)
	}
	file, pos := s.position(r)
	v.File, v.Line, v.Col = file, pos.Line, pos.Col
	return v
}

// position locates r's consumes entry in the head catalog, where the fix is
// written and annotations belong; a consumer that no longer consumes the
// contract at head is located by its service, and one that is gone by its
// base entry.
func (s *simulation) position(r result) (string, catalog.Pos) {
	svc := s.head.Service(r.consumer)
	if svc == nil {
		return s.base.file, r.consume.Pos
	}
	if i := slices.IndexFunc(svc.Consumes, func(co catalog.Consume) bool { return co.Contract == r.contract }); i >= 0 {
		return s.head.File, svc.Consumes[i].Pos
	}
	return s.head.File, svc.Pos
}

// provided returns the versions svc serves of contract, ascending, or nil.
func provided(svc *catalog.Service, contract string) []*semver.Version {
	for _, p := range svc.Provides {
		if p.Contract == contract {
			return p.Versions
		}
	}
	return nil
}

func satisfiedBy(con *semver.Constraints, vs []*semver.Version) bool {
	return slices.ContainsFunc(vs, con.Check)
}

// versionList writes versions as a YAML flow list, sorted and without
// duplicates: [2.4.0, 3.0.0].
func versionList(vs []*semver.Version) string {
	vs = slices.Clone(vs)
	slices.SortFunc(vs, func(a, b *semver.Version) int { return a.Compare(b) })
	vs = slices.CompactFunc(vs, func(a, b *semver.Version) bool { return a.Equal(b) })
	return "[" + strings.Join(versionStrings(vs), ", ") + "]"
}
