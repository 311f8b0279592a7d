package catalog

import (
	"fmt"
	"strings"
)

// checkReferences checks every name that refers to something declared
// elsewhere in the catalog, builds the contract -> provider index that
// Provider answers from, and looks for dependency cycles.
func (d *decoder) checkReferences(c *Catalog) {
	d.checkEnvironments(c)
	d.checkCheckNames(c)
	d.checkFlags(c)
	d.checkTags(c)
	d.checkGitLabNames(c)
	c.provider = make(map[string]int)
	for i, s := range c.Services {
		for _, dep := range s.DependsOn {
			switch {
			case dep.Service == s.Name:
				d.errorf(dep.Pos, "depends_on", "service %q depends on itself: remove it from its depends_on", s.Name)
			case c.Service(dep.Service) == nil:
				d.errorf(dep.Pos, "depends_on", "service %q depends on unknown service %q%s", s.Name, dep.Service, suggest(dep.Service, c))
			}
		}
		for _, pr := range s.Provides {
			if other, ok := c.provider[pr.Contract]; ok {
				d.errorf(pr.Pos, "contract", "contract %q is provided by both %q and %q: one service owns a contract", pr.Contract, c.Services[other].Name, s.Name)
				continue
			}
			c.provider[pr.Contract] = i
		}
	}
	for _, s := range c.Services {
		for _, co := range s.Consumes {
			if _, ok := c.provider[co.Contract]; !ok {
				d.errorf(co.Pos, "contract", "service %q consumes contract %q that no service provides: add it to the provider's provides", s.Name, co.Contract)
			}
		}
	}
	for name, ct := range c.Contracts {
		if _, ok := c.provider[name]; !ok {
			d.errorf(ct.Pos, "contract", "contract %q is provided by no service: add it to a service's provides, or remove it", name)
		}
	}
	if len(d.diags.Errors()) > 0 {
		return // a cycle among half-read services would only confuse
	}
	if cyc := OrderGraph(c).Cycle(); cyc != nil {
		names := make([]string, len(cyc))
		for i, n := range cyc {
			names[i] = c.Services[n].Name
		}
		// Point at the edge that closes the cycle, in the service that declares it.
		from, to := cyc[len(cyc)-2], cyc[len(cyc)-1]
		d.errorf(edgePos(c, from, to), "cycle", "dependency cycle: %s: remove one of these edges", strings.Join(names, " -> "))
	}
}

// suggest returns a "did you mean" hint for a misspelt service name.
func suggest(name string, c *Catalog) string {
	best, bestDist := "", 3
	for _, s := range c.Services {
		if dist := levenshtein(name, s.Name); dist < bestDist {
			best, bestDist = s.Name, dist
		}
	}
	if best == "" {
		return ": add it under services:, or fix the name"
	}
	return fmt.Sprintf(": did you mean %q?", best)
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
