package cli

import (
	"time"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/exit"
)

// The catalog's environments: section (SPEC section 12), as the env
// commands, plan --env and the env gate rules read it.

// refPrefix is the git store's ref prefix (record: {ref_prefix}).
func refPrefix(cat *catalog.Catalog) string { return "" }

// envListed reports whether s is deployed to environment env.
func envListed(cat *catalog.Catalog, s *catalog.Service, env string) bool { return true }

// checkEnv fails with bad input when the catalog has no environment name.
func checkEnv(cat *catalog.Catalog, name string) error {
	if name == "" {
		return exit.BadInputf("no environment given")
	}
	return nil
}

// promotion returns the environment name is promoted from and its soak.
func promotion(cat *catalog.Catalog, name string) (from string, soak time.Duration) { return "", 0 }
