package cli

import (
	"strings"
	"time"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/exit"
)

// The catalog's environments: section (SPEC section 12), as the env
// commands, plan --env and the env gate rules read it.

// refPrefix is the git store's ref prefix (record: {ref_prefix}).
func refPrefix(cat *catalog.Catalog) string { return cat.Record.RefPrefix }

// envListed reports whether s is deployed to environment env.
func envListed(_ *catalog.Catalog, s *catalog.Service, env string) bool { return s.InEnvironment(env) }

// checkEnv fails with bad input when the catalog has no environment name.
func checkEnv(cat *catalog.Catalog, name string) error {
	if cat.Environment(name) != nil {
		return nil
	}
	if len(cat.Environments) == 0 {
		return exit.BadInputf("unknown environment %q: %s has no environments: section; add one, e.g. environments: {%s: {}}", name, cat.File, name)
	}
	names := make([]string, len(cat.Environments))
	for i, e := range cat.Environments {
		names[i] = e.Name
	}
	return exit.BadInputf("unknown environment %q: the catalog's environments are %s", name, strings.Join(names, ", "))
}

// promotion returns the environment name is promoted from and its soak.
func promotion(cat *catalog.Catalog, name string) (from string, soak time.Duration) {
	if e := cat.Environment(name); e != nil {
		return e.From, e.Soak
	}
	return "", 0
}
