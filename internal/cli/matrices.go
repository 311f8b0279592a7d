package cli

import "github.com/ordo-ci/ordo/internal/plan"

// serviceMatrix is a GitHub matrix of services, {"include": [{"service": ...}]}.
type serviceMatrix struct {
	Include []struct {
		Service string `json:"service"`
	} `json:"include"`
}

// affectedMatrices splits names into matrices of at most plan.DefaultMaxWave
// jobs: GitHub refuses a matrix of more than 256, so a test job per chunk
// (matrix: fromJSON(needs.x.outputs.matrices)[i]) covers any number of
// affected services. No names give no matrices.
// https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/running-variations-of-jobs-in-a-workflow#using-a-matrix-strategy
func affectedMatrices(names []string) []serviceMatrix {
	out := []serviceMatrix{}
	for start := 0; start < len(names); start += plan.DefaultMaxWave {
		chunk := names[start:min(start+plan.DefaultMaxWave, len(names))]
		var m serviceMatrix
		m.Include = make([]struct {
			Service string `json:"service"`
		}, len(chunk))
		for i, n := range chunk {
			m.Include[i].Service = n
		}
		out = append(out, m)
	}
	return out
}
