package catalog_test

import (
	"testing"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/plan"
)

// TestWithVariableIsPlans keeps the catalog's check and the child
// pipeline's variables on one rule: what the catalog accepts, plan writes.
func TestWithVariableIsPlans(t *testing.T) {
	t.Parallel()
	for _, key := range []string{"cluster", "my-key", "my_key", "My.Key", "helm.chart", "日本", "a b", "x9", ""} {
		if got, want := catalog.WithVariable(key), plan.VariableName(key); got != want {
			t.Errorf("WithVariable(%q) = %q, plan.VariableName = %q", key, got, want)
		}
	}
}
