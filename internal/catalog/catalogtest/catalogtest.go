// Package catalogtest makes catalogs for tests and benchmarks: large ones
// shaped like a real monorepo's, so that speed is measured on what users
// have, not on a catalog that is easy to parse.
package catalogtest

import (
	"fmt"
	"math/rand"
	"strings"
)

// Name is the name of service i in a Realistic catalog; it owns
// services/<name>/**.
func Name(i int) string { return fmt.Sprintf("svc%04d", i) }

// Realistic returns a catalog of n services named Name(i). One in ten is a
// library and one in twenty a migration; each after the first few depends
// on 2 to 8 earlier ones (one entry in five order-only), one in four
// provides a contract that up to two later ones consume, and each has a
// with: map. Dependencies point to earlier services only, so there is no
// cycle. The same n gives the same catalog.
func Realistic(n int) []byte {
	rng := rand.New(rand.NewSource(int64(n)))
	var b strings.Builder
	b.Grow(n * 260)
	b.WriteString("version: 1\nignore: [\"**/*.md\"]\nglobal: [go.work]\nservices:\n")
	var contracts []int // services that provide one
	for i := range n {
		name := Name(i)
		fmt.Fprintf(&b, "  %s:\n    paths: [services/%s/**, \"!services/%s/**/*_test.go\"]\n", name, name, name)
		switch {
		case i%10 == 0:
			b.WriteString("    kind: library\n")
		case i%20 == 5:
			b.WriteString("    kind: migration\n")
		}
		if i >= 3 {
			seen := map[int]bool{}
			var deps []string
			for range 2 + rng.Intn(7) {
				j := rng.Intn(i)
				if seen[j] {
					continue
				}
				seen[j] = true
				if rng.Intn(5) == 0 {
					deps = append(deps, fmt.Sprintf("{service: %s, propagate: false}", Name(j)))
				} else {
					deps = append(deps, Name(j))
				}
			}
			fmt.Fprintf(&b, "    depends_on: [%s]\n", strings.Join(deps, ", "))
		}
		if i%4 == 1 {
			fmt.Fprintf(&b, "    provides: {api-%s: %d.%d.0}\n", name, 1+rng.Intn(3), rng.Intn(10))
			contracts = append(contracts, i)
		} else if len(contracts) > 0 && i%4 == 2 {
			var cons []string
			for k := range min(2, len(contracts)) {
				p := contracts[len(contracts)-1-k]
				cons = append(cons, fmt.Sprintf("api-%s: \">=1.0.0\"", Name(p)))
			}
			fmt.Fprintf(&b, "    consumes: {%s}\n", strings.Join(cons, ", "))
		}
		fmt.Fprintf(&b, "    with: {cluster: eu-%d, team: team-%d}\n", i%3, i%40)
	}
	return []byte(b.String())
}
