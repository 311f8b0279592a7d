package catalog

import (
	"slices"

	"github.com/ordo-ci/ordo/internal/graph"
)

// orderGraph returns the deploy-order edges (dependent -> dependency, and
// consumer -> provider) with the position that declares each edge.
func orderGraph(c *Catalog) (*graph.Graph, map[[2]int]Pos) {
	g := OrderGraph(c)
	pos := map[[2]int]Pos{}
	for i, s := range c.Services {
		for _, dep := range s.DependsOn {
			pos[[2]int{i, c.index[dep.Service]}] = dep.Pos
		}
		for _, co := range s.Consumes {
			if p, ok := c.provider[co.Contract]; ok {
				if _, seen := pos[[2]int{i, p}]; !seen {
					pos[[2]int{i, p}] = co.Pos
				}
			}
		}
	}
	return g, pos
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
