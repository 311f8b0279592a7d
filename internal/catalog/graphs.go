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
	edges := 0
	for _, s := range c.Services {
		edges += len(s.DependsOn) + len(s.Consumes)
	}
	all := make([]int, 0, edges) // one array for every node's edges
	for i, s := range c.Services {
		start := len(all)
		for _, dep := range s.DependsOn {
			if j, ok := c.index[dep.Service]; ok {
				all = append(all, j)
			}
		}
		for _, co := range s.Consumes {
			if j, ok := c.provider[co.Contract]; ok && j != i {
				all = append(all, j)
			}
		}
		to := all[start:len(all):len(all)]
		slices.Sort(to)
		to = slices.Compact(to)
		all = all[:start+len(to)]
		g.Out[i] = to[:len(to):len(to)] // an Add must not write into the next node's
	}
	return g
}

// PropagationGraph returns the graph whose edge b -> a says a change in b
// affects a: a depends on b through a propagating edge. Edges are sorted by
// target.
func PropagationGraph(c *Catalog) *graph.Graph {
	g := graph.New(len(c.Services))
	in := make([]int, len(c.Services)) // edges into each node's list
	for _, s := range c.Services {
		for _, dep := range s.DependsOn {
			if j, ok := c.index[dep.Service]; ok && dep.Propagate {
				in[j]++
			}
		}
	}
	all := make([]int, 0, sum(in))
	for j, n := range in {
		g.Out[j] = all[len(all) : len(all) : len(all)+n]
		all = all[:len(all)+n]
	}
	for i, s := range c.Services {
		for _, dep := range s.DependsOn {
			if j, ok := c.index[dep.Service]; ok && dep.Propagate {
				g.Out[j] = append(g.Out[j], i) // in place: within its capacity
			}
		}
	}
	for i := range g.Out {
		g.Out[i] = slices.Compact(g.Out[i]) // i ascends, so each list is sorted
	}
	return g
}

func sum(ns []int) int {
	t := 0
	for _, n := range ns {
		t += n
	}
	return t
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
