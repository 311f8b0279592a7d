package cli

import (
	"fmt"
	"testing"
)

// TestAffectedMatricesSplitAt256 holds GitHub's rule: a matrix generates at
// most 256 jobs per workflow run, so the affected services come in chunks.
// https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/running-variations-of-jobs-in-a-workflow#using-a-matrix-strategy
func TestAffectedMatricesSplitAt256(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n     int
		sizes []int
	}{
		{0, nil},
		{1, []int{1}},
		{256, []int{256}},
		{257, []int{256, 1}},
		{600, []int{256, 256, 88}},
	} {
		names := make([]string, tc.n)
		for i := range names {
			names[i] = fmt.Sprintf("svc-%04d", i)
		}
		got := affectedMatrices(names)
		if len(got) != len(tc.sizes) {
			t.Fatalf("%d names: %d matrices, want %d", tc.n, len(got), len(tc.sizes))
		}
		next := 0
		for i, m := range got {
			if len(m.Include) != tc.sizes[i] {
				t.Errorf("%d names: matrix %d has %d jobs, want %d", tc.n, i, len(m.Include), tc.sizes[i])
			}
			for _, j := range m.Include {
				if j.Service != names[next] {
					t.Fatalf("%d names: matrix %d holds %s, want %s (order kept)", tc.n, i, j.Service, names[next])
				}
				next++
			}
		}
	}
}
