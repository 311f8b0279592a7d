package plan

import (
	"fmt"
	"maps"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/catalog"
)

// Random catalogs of a given shape, for the property tests and benchmarks.

// shape describes a generated catalog.
type shape struct {
	n                          int
	library, migration         float64 // fraction of each kind
	critical, locked           float64 // fraction critical / holding a lock
	locks                      int     // distinct lock names
	maxDeps                    int     // depends_on entries per service, at most
	noPropagate                float64 // fraction of depends_on edges with propagate: false
	provide, consume           float64 // fraction providing a contract / consuming one
	with                       float64 // fraction with a with: map
	longNames, shuffleDeclared bool
}

var words = []string{"users", "orders", "billing", "search", "catalog", "payments", "ledger", "notify", "auth", "media", "reports", "gateway"}

// genCatalog writes a random DAG as ordo.yaml and parses it. Services are
// created in an order unrelated to their names, and edges point only to
// services created earlier, mostly recent ones, which makes deep chains.
func genCatalog(tb testing.TB, r *rand.Rand, s shape) *catalog.Catalog {
	tb.Helper()
	names := make([]string, s.n)
	for i, p := range r.Perm(s.n) {
		if s.longNames {
			names[i] = fmt.Sprintf("%s-%s-%04d", words[p%len(words)], []string{"api", "worker", "db", "web"}[p%4], p)
		} else {
			names[i] = fmt.Sprintf("s%03d", p)
		}
	}
	var provided []string
	blocks := make([]string, s.n)
	for i := range s.n {
		var b strings.Builder
		fmt.Fprintf(&b, "  %s:\n", names[i])
		switch x := r.Float64(); {
		case x < s.library:
			b.WriteString("    kind: library\n")
		case x < s.library+s.migration:
			b.WriteString("    kind: migration\n")
		}
		if i > 0 && s.maxDeps > 0 {
			deps := map[int]bool{}
			for range r.Intn(s.maxDeps + 1) {
				j := r.Intn(i)
				if r.Intn(2) == 0 {
					j = max(0, i-1-r.Intn(min(i, 8)))
				}
				deps[j] = true
			}
			if len(deps) > 0 {
				b.WriteString("    depends_on:\n")
				for _, j := range slices.Sorted(maps.Keys(deps)) {
					if r.Float64() < s.noPropagate {
						fmt.Fprintf(&b, "      - {service: %s, propagate: false}\n", names[j])
					} else {
						fmt.Fprintf(&b, "      - %s\n", names[j])
					}
				}
			}
		}
		if len(provided) > 0 && r.Float64() < s.consume {
			fmt.Fprintf(&b, "    consumes: {%s: ^1.0}\n", provided[r.Intn(len(provided))])
		}
		if r.Float64() < s.provide {
			c := "c-" + names[i]
			provided = append(provided, c)
			fmt.Fprintf(&b, "    provides: {%s: 1.2.0}\n", c)
		}
		if r.Float64() < s.critical {
			b.WriteString("    critical: true\n")
		}
		if s.locks > 0 && r.Float64() < s.locked {
			fmt.Fprintf(&b, "    lock: lock-%d\n", r.Intn(s.locks))
		}
		if r.Float64() < s.with {
			fmt.Fprintf(&b, "    with: {cluster: eu-%d, helm.chart: charts/%s}\n", r.Intn(3), names[i])
		}
		blocks[i] = b.String()
	}
	if s.shuffleDeclared {
		r.Shuffle(len(blocks), func(i, j int) { blocks[i], blocks[j] = blocks[j], blocks[i] })
	}
	src := "version: 1\nservices:\n" + strings.Join(blocks, "")
	if s.n == 0 {
		src = "version: 1\nservices: {}\n"
	}
	return parseCatalog(tb, "generated.yaml", []byte(src))
}
