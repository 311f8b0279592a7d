// Package graph holds the algorithms ordo runs on the service graph: cycles
// with their path and a deterministic topological order. It
// works on dense integer node ids so that it stays fast on thousands of
// services; callers map names to ids.
package graph

// Graph is a directed graph over nodes 0..len(Out)-1.
type Graph struct {
	Out [][]int
}

// New returns a graph with n nodes and no edges.
func New(n int) *Graph { return &Graph{Out: make([][]int, n)} }

// Len is the number of nodes.
func (g *Graph) Len() int { return len(g.Out) }

// Add adds the edge from -> to.
func (g *Graph) Add(from, to int) { g.Out[from] = append(g.Out[from], to) }

// Cycle returns one cycle as a node path whose last element repeats the
// first (a -> b -> a), or nil if the graph is acyclic. Nodes are visited in
// id order, so the answer is deterministic.
func (g *Graph) Cycle() []int {
	const (
		white = iota
		grey
		black
	)
	color := make([]uint8, g.Len())
	parent := make([]int, g.Len())
	// An explicit stack: a 200-deep chain must not depend on goroutine stack growth,
	// and 10,000-deep ones should not either.
	type frame struct{ node, next int }
	for start := range g.Out {
		if color[start] != white {
			continue
		}
		stack := []frame{{start, 0}}
		color[start] = grey
		parent[start] = -1
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.next == len(g.Out[top.node]) {
				color[top.node] = black
				stack = stack[:len(stack)-1]
				continue
			}
			to := g.Out[top.node][top.next]
			top.next++
			switch color[to] {
			case white:
				color[to] = grey
				parent[to] = top.node
				stack = append(stack, frame{to, 0})
			case grey:
				path := []int{to}
				for n := top.node; n != to; n = parent[n] {
					path = append(path, n)
				}
				path = append(path, to)
				// The walk went backwards along parents; turn it around.
				for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
					path[i], path[j] = path[j], path[i]
				}
				return path
			}
		}
	}
	return nil
}

// Topo returns the nodes in an order where every edge goes forwards, or nil
// if the graph has a cycle. Among nodes that are free at the same time the
// lowest id comes first, so the order is deterministic.
func (g *Graph) Topo() []int {
	indeg := make([]int, g.Len())
	for _, tos := range g.Out {
		for _, to := range tos {
			indeg[to]++
		}
	}
	var ready []int
	for n, d := range indeg {
		if d == 0 {
			ready = append(ready, n)
		}
	}
	order := make([]int, 0, g.Len())
	for len(ready) > 0 {
		n := ready[0]
		ready = ready[1:]
		order = append(order, n)
		for _, to := range g.Out[n] {
			indeg[to]--
			if indeg[to] == 0 {
				ready = append(ready, to)
			}
		}
	}
	if len(order) != g.Len() {
		return nil
	}
	return order
}

// Reaches reports whether to can be reached from from through one or more
// edges.
func (g *Graph) Reaches(from, to int) bool {
	seen := make([]bool, len(g.Out))
	queue := []int{from}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, m := range g.Out[n] {
			if m == to {
				return true
			}
			if !seen[m] {
				seen[m] = true
				queue = append(queue, m)
			}
		}
	}
	return false
}
