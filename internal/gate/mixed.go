package gate

import (
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/ordo-ci/ordo/internal/catalog"
)

// BrokenContract is a consumer whose contract constraint no running
// provider satisfies.
type BrokenContract struct {
	Consumer   string `json:"consumer"`
	Provider   string `json:"provider"`
	Contract   string `json:"contract"`
	Constraint string `json:"constraint"`
	// Version is what the running providers serve, comma-separated; empty
	// when none runs.
	Version string `json:"version"`
}

// Mixed returns the consumers broken in one moment of a rollout: the
// services in onHead run their head definition, every other what base says
// runs it (its definition at its own base; a nil catalog: nothing runs it).
// It is contract.rollout's simulation frozen at that moment, for drills. A
// consumer already broken before anything ran head is left out, as
// contract.rollout leaves it: that is not the rollout's doing. Sorted by
// consumer, then contract.
func Mixed(base BaseFor, head *catalog.Catalog, onHead []string) []BrokenContract {
	deployed := make(map[string]int, len(onHead))
	for _, n := range onHead {
		deployed[n] = 0
	}
	c := &checker{in: Input{Head: head, BaseFor: base}}
	sim := newSimulation(c.base(), head, deployed)
	out := []BrokenContract{}
	for _, e := range sim.edges {
		if _, before := sim.check(e, 0, nil); before {
			continue
		}
		r, broken := sim.check(e, 1, nil) // after "wave 0": every onHead service switched
		if !broken {
			continue
		}
		b := BrokenContract{Consumer: r.consumer, Contract: r.contract, Constraint: r.consume.Raw}
		var served []*semver.Version
		for _, sb := range r.served {
			served = append(served, sb.versions...)
			if b.Provider == "" {
				b.Provider = sb.provider
			}
		}
		if b.Provider == "" && len(sim.providers[r.contract]) > 0 {
			b.Provider = sim.providers[r.contract][0]
		}
		slices.SortFunc(served, func(a, b *semver.Version) int { return a.Compare(b) })
		b.Version = strings.Join(versionStrings(served), ", ")
		out = append(out, b)
	}
	return out
}
