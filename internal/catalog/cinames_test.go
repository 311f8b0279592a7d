package catalog_test

import (
	"testing"

	"github.com/ordo-ci/ordo/internal/catalog"
)

// TestWithVariable is the one rule for with: keys as CI variables, which
// the catalog checks and the child pipeline and rollback dotenv write.
func TestWithVariable(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]string{
		"cluster":    "ORDO_CLUSTER",
		"helm.chart": "ORDO_HELM_CHART",
		"Max-Surge":  "ORDO_MAX_SURGE",
		"9lives":     "ORDO_9LIVES",
		"zoné":       "ORDO_ZON_",
		"a b":        "ORDO_A_B",
		"my-key":     "ORDO_MY_KEY",
		"日本":         "ORDO___",
		"":           "ORDO_",
	} {
		if got := catalog.WithVariable(key); got != want {
			t.Errorf("WithVariable(%q) = %q, want %q", key, got, want)
		}
	}
}
