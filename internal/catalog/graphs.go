package catalog

import (
	"slices"

	"github.com/ordo-ci/ordo/internal/graph"
)

// edgePos returns where service from declares that it deploys after
// service to: its depends_on entry, else the consumes entry of a contract
// that to provides. Only a cycle needs it, so it is looked up, not indexed.
func edgePos(c *Catalog, from, to int) Pos {
	s, name := c.Services[from], c.Services[to].Name
	for _, dep := range s.DependsOn {
		if dep.Service == name {
			return dep.Pos
		}
	}
	for _, co := range s.Consumes {
		if p, ok := c.provider[co.Contract]; ok && p == to {
			return co.Pos
		}
	}
	return s.Pos
}

// OrderGraph returns the graph whose edge a -> b says a deploys after b: a
// depends on b (propagating or not) or consumes a contract b provides. Node
// ids are indexes into c.Services and edges are sorted by target.
func OrderGraph(c *Catalog) *graph.Graph {
	g := graph.New(len(c.Services))
	for i, s := range c.Services {
		var to []int
		for _, dep := range s.DependsOn {
			if j, ok := c.index[dep.Service]; ok {
				to = append(to, j)
			}
		}
		for _, co := range s.Consumes {
			if j, ok := c.provider[co.Contract]; ok && j != i {
				to = append(to, j)
			}
		}
		slices.Sort(to)
		g.Out[i] = slices.Compact(to)
	}
	return g
}

// PropagationGraph returns the graph whose edge b -> a says a change in b
// affects a: a depends on b through a propagating edge. Edges are sorted by
// target.
func PropagationGraph(c *Catalog) *graph.Graph {
	g := graph.New(len(c.Services))
	for i, s := range c.Services {
		for _, dep := range s.DependsOn {
			if j, ok := c.index[dep.Service]; ok && dep.Propagate {
				g.Add(j, i)
			}
		}
	}
	for i := range g.Out {
		slices.Sort(g.Out[i])
		g.Out[i] = slices.Compact(g.Out[i])
	}
	return g
}

// Provider returns the service that provides contract, or nil. This is the
// one contract -> provider lookup: Parse builds its index once, before the
// catalog is shared.
func (c *Catalog) Provider(contract string) *Service {
	if i, ok := c.provider[contract]; ok {
		return c.Services[i]
	}
	return nil
}
