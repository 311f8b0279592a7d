package render

import (
	"fmt"
	"strconv"
	"unicode/utf16"

	"github.com/ordo-ci/ordo/internal/plan"
)

// MaxOutputBytes is GitHub's limit on all the outputs of one job together
// (1 MB, counted in UTF-16: two bytes a character below U+10000).
// https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/passing-information-between-jobs
const MaxOutputBytes = 1_000_000

// Output is one output of the plan action.
type Output struct {
	Name  string
	Value string
}

// PlanOutputs returns the plan action's outputs (SPEC section 11) as compact
// JSON, in a fixed order: affected and deploy (arrays of names), has-deploy
// (true/false), matrix, waves (item i is wave i's matrix), wave-services
// (item i is the names of wave i, for workflows whose plan is too large for
// the matrices), wave-count, and rollback (the wave matrices in rollback
// order). plan-file is the caller's. An empty plan still yields every
// output: [], false, {"include":[]}, 0.
//
// GitHub's 1 MB holds for the outputs a job maps, together: a warning says
// when one output, or all of them, pass it, and what to map instead.
func PlanOutputs(p *plan.Plan) (outs []Output, warnings []string) {
	names := make([][]string, len(p.Waves))
	for i, w := range p.Waves {
		names[i] = w.Services
	}
	outs = []Output{
		{"affected", CompactJSON(p.Affected)},
		{"deploy", CompactJSON(p.Deploy)},
		{"has-deploy", strconv.FormatBool(len(p.Deploy) > 0)},
		{"matrix", CompactJSON(p.Matrix())},
		{"waves", CompactJSON(p.WaveMatrices())},
		{"wave-services", CompactJSON(names)},
		{"wave-count", strconv.Itoa(len(p.Waves))},
		{"rollback", CompactJSON(p.RollbackMatrices())},
	}
	if p.Env != "" {
		// The deploy jobs record their entries under this release.
		outs = append(outs, Output{"release", p.Release})
	}
	total := 0
	for _, o := range outs {
		size := utf16Bytes(o.Value)
		total += size
		if size > MaxOutputBytes {
			warnings = append(warnings, fmt.Sprintf(
				"output %s is %d KB, more than the %d KB GitHub accepts in one job's outputs (counted in UTF-16): map wave-services (names only) and wave-count instead, and pass the plan file to later jobs as an artifact",
				o.Name, size/1000, MaxOutputBytes/1000))
		}
	}
	if total > MaxOutputBytes && len(warnings) == 0 {
		warnings = append(warnings, fmt.Sprintf(
			"the plan's outputs are %d KB together, more than the %d KB GitHub accepts in one job's outputs (counted in UTF-16): map only the outputs the workflow uses (wave-services and wave-count are small), and pass the plan file to later jobs as an artifact",
			total/1000, MaxOutputBytes/1000))
	}
	return outs, warnings
}

// utf16Bytes is the size GitHub counts for an output.
func utf16Bytes(s string) int {
	n := 0
	for _, r := range s {
		n += 2 * utf16.RuneLen(r)
	}
	return n
}
