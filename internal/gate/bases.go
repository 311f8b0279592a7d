package gate

import (
	"slices"

	"github.com/ordo-ci/ordo/internal/catalog"
)

// BaseFor says, for gate --env, what runs a service before the rollout: the
// catalog at the commit running it in the environment and that commit; a nil
// catalog when nothing runs it (never deployed, or a catalog that does not
// load there).
type BaseFor func(service string) (cat *catalog.Catalog, rev string)

// baseView is what runs before the rollout, as the contract rules read it:
// one base catalog (Input.Base), or each service's definition at its own
// base (Input.BaseFor).
type baseView struct {
	file     string
	byName   map[string]*catalog.Service
	services []*catalog.Service // by name
}

// base returns the view of what runs, or nil when nothing is known.
func (c *checker) base() *baseView {
	if c.baseV != nil || (c.in.Base == nil && c.in.BaseFor == nil) {
		return c.baseV
	}
	v := &baseView{byName: map[string]*catalog.Service{}}
	if c.in.BaseFor == nil {
		v.file, v.services = c.in.Base.File, c.in.Base.Services
		for _, s := range v.services {
			v.byName[s.Name] = s
		}
		c.baseV = v
		return v
	}
	v.file = c.in.Head.File
	for _, hs := range c.in.Head.Services {
		cat, _ := c.in.BaseFor(hs.Name)
		if cat == nil {
			continue
		}
		if s := cat.Service(hs.Name); s != nil {
			v.byName[s.Name] = s
			v.services = append(v.services, s)
		}
	}
	slices.SortFunc(v.services, func(a, b *catalog.Service) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	c.baseV = v
	return v
}

// Service returns what runs name before the rollout, or nil.
func (v *baseView) Service(name string) *catalog.Service { return v.byName[name] }
