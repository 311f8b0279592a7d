package graph

import (
	"math/rand"
	"slices"
	"testing"
)

func build(n int, edges [][2]int) *Graph {
	g := New(n)
	for _, e := range edges {
		g.Add(e[0], e[1])
	}
	return g
}

func TestCycle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		n     int
		edges [][2]int
		want  []int
	}{
		{"acyclic", 4, [][2]int{{0, 1}, {1, 2}, {0, 2}, {3, 2}}, nil},
		{"self loop", 2, [][2]int{{1, 1}}, []int{1, 1}},
		{"three", 4, [][2]int{{3, 0}, {0, 1}, {1, 2}, {2, 0}}, []int{0, 1, 2, 0}},
		{"two cycles, first by id", 5, [][2]int{{3, 4}, {4, 3}, {1, 2}, {2, 1}}, []int{1, 2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := build(tt.n, tt.edges).Cycle(); !slices.Equal(got, tt.want) {
				t.Errorf("Cycle() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCycleDeepChain(t *testing.T) {
	t.Parallel()
	const n = 100000
	g := New(n)
	for i := 0; i+1 < n; i++ {
		g.Add(i, i+1)
	}
	if c := g.Cycle(); c != nil {
		t.Fatalf("chain has no cycle, got %d nodes", len(c))
	}
	g.Add(n-1, 0)
	if c := g.Cycle(); len(c) != n+1 {
		t.Fatalf("cycle of %d nodes, want %d", len(c), n+1)
	}
}

func TestTopoRespectsEdges(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(7))
	for iter := 0; iter < 200; iter++ {
		n := 1 + rng.Intn(60)
		g := New(n)
		for i := 0; i < n*2; i++ {
			a, b := rng.Intn(n), rng.Intn(n)
			if a < b {
				g.Add(a, b)
			}
		}
		order := g.Topo()
		pos := make([]int, n)
		for i, v := range order {
			pos[v] = i
		}
		for from, tos := range g.Out {
			for _, to := range tos {
				if pos[from] >= pos[to] {
					t.Fatalf("edge %d->%d goes backwards in %v", from, to, order)
				}
			}
		}
	}
	if build(2, [][2]int{{0, 1}, {1, 0}}).Topo() != nil {
		t.Error("Topo of a cycle must be nil")
	}
}

func TestReaches(t *testing.T) {
	t.Parallel()
	g := New(5)
	g.Add(0, 1)
	g.Add(1, 2)
	g.Add(3, 3)
	tests := []struct {
		from, to int
		want     bool
	}{
		{0, 2, true}, {0, 1, true}, {2, 0, false}, {0, 0, false}, {3, 3, true}, {4, 0, false},
	}
	for _, tt := range tests {
		if got := g.Reaches(tt.from, tt.to); got != tt.want {
			t.Errorf("Reaches(%d, %d) = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}
