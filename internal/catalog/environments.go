package catalog

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Environment is one entry under environments: (SPEC §12): a place a
// release goes through, and where it must have been verified before.
type Environment struct {
	Name string
	Pos  Pos
	From string        // "" when none; names another environment; chains never loop
	Soak time.Duration // 0 when unset
	Tier string        // one of Tiers; unset in the file: inferred from the name
	URL  string

	fromPos Pos
}

// Tiers are the deployment tiers GitLab knows, in its order.
// https://docs.gitlab.com/ci/environments/#deployment-tier-of-environments
var Tiers = []string{"production", "staging", "testing", "development", "other"}

// InferTier guesses an environment's tier from its name, as GitLab does
// when a job does not set deployment_tier.
func InferTier(name string) string {
	n := strings.ToLower(name)
	switch {
	case n == "production" || strings.HasPrefix(n, "prod"):
		return "production"
	case n == "staging" || strings.HasPrefix(n, "stage"):
		return "staging"
	case strings.HasPrefix(n, "test") || strings.HasPrefix(n, "qa"):
		return "testing"
	case strings.HasPrefix(n, "dev") || strings.HasPrefix(n, "review"):
		return "development"
	}
	return "other"
}

// RecordConfig is record: — where the record lives in git.
type RecordConfig struct {
	RefPrefix string // default DefaultRefPrefix; starts "refs/", ends "/"
}

// DefaultRefPrefix is where the record's refs live unless record.ref_prefix says otherwise.
const DefaultRefPrefix = "refs/ordo/record/"

// Environment returns the environment called name, or nil.
func (c *Catalog) Environment(name string) *Environment {
	i, ok := slices.BinarySearchFunc(c.Environments, name, func(e *Environment, n string) int { return strings.Compare(e.Name, n) })
	if !ok {
		return nil
	}
	return c.Environments[i]
}

// InEnvironment reports whether s is deployed to env: services that list no
// environments go everywhere.
func (s *Service) InEnvironment(env string) bool {
	return len(s.Environments) == 0 || slices.Contains(s.Environments, env)
}

func (d *decoder) environments(c *Catalog, p pair) {
	pairs, _ := d.mapping(p.value, p.valPos, "environments")
	for _, ep := range pairs {
		e := &Environment{Name: ep.key, Pos: ep.keyPos}
		if !validName(ep.key) {
			d.errorf(ep.keyPos, "name", "invalid environment name %q: use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit", ep.key)
		}
		what := fmt.Sprintf("environment %q", ep.key)
		fields, _ := d.mapping(ep.value, ep.valPos, what)
		d.fields(fields, what, map[string]func(pair){
			"from": func(p pair) {
				e.From, _ = d.str(p, what+" from")
				e.fromPos = p.valPos
			},
			"soak": func(p pair) { e.Soak, _ = d.duration(p, what+" soak") },
			"tier": func(p pair) { e.Tier, _ = d.enum(p, "tier", Tiers...) },
			"url": func(p pair) {
				var ok bool
				if e.URL, ok = d.str(p, what+" url"); ok {
					if u, err := url.Parse(e.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
						d.errorf(p.valPos, "url", "%s url %q must be an absolute http or https URL, e.g. https://shop.example.com", what, e.URL)
					}
				}
			},
		})
		if e.Soak > 0 && e.From == "" {
			d.errorf(e.Pos, "environment", "%s has soak but no from: soak is how long ago a service must have been verified in the from environment; add from, or remove soak", what)
		}
		if e.Tier == "" {
			e.Tier = InferTier(e.Name)
		}
		c.Environments = append(c.Environments, e)
	}
	slices.SortFunc(c.Environments, func(a, b *Environment) int { return strings.Compare(a.Name, b.Name) })
}

func (d *decoder) record(c *Catalog, p pair) {
	pairs, _ := d.mapping(p.value, p.valPos, "record")
	d.fields(pairs, "record", map[string]func(pair){
		"ref_prefix": func(p pair) {
			v, ok := d.str(p, "record ref_prefix")
			if !ok {
				return
			}
			if !strings.HasPrefix(v, "refs/") || !strings.HasSuffix(v, "/") || v == "refs/" {
				d.errorf(p.valPos, "record", "record ref_prefix %q must start with \"refs/\" and end with \"/\", e.g. refs/heads/ordo-record/", v)
				return
			}
			if err := checkRefName(v + "env/service"); err != nil {
				d.errorf(p.valPos, "record", "record ref_prefix %q does not make valid git ref names: %v", v, err)
				return
			}
			c.Record.RefPrefix = v
		},
	})
}

// checkEnvironments checks every name that refers to an environment, and
// that from chains end.
func (d *decoder) checkEnvironments(c *Catalog) {
	envNames := func() []string {
		names := make([]string, len(c.Environments))
		for i, e := range c.Environments {
			names[i] = e.Name
		}
		return names
	}
	unknown := func(p Pos, owner, name string) {
		if len(c.Environments) == 0 {
			d.errorf(p, "environment", "%s names environment %q, but the catalog has no environments: section: add one", owner, name)
			return
		}
		d.errorf(p, "environment", "%s names unknown environment %q%s", owner, name, suggestAmong(name, envNames(), "environments:"))
	}
	for _, e := range c.Environments {
		switch {
		case e.From == "":
		case e.From == e.Name:
			d.errorf(e.fromPos, "environment", "environment %q comes from itself: name the environment it is promoted from, or remove from", e.Name)
		case c.Environment(e.From) == nil:
			unknown(e.fromPos, fmt.Sprintf("environment %q from", e.Name), e.From)
		}
	}
	for _, s := range c.Services {
		for i, name := range s.Environments {
			if c.Environment(name) == nil {
				unknown(s.envPos[i], fmt.Sprintf("service %q", s.Name), name)
			}
		}
	}
	// from chains: each environment has at most one from, so a loop is
	// found by walking from each environment; report each loop once, at the
	// from that closes it seen from the loop's smallest name.
	reported := map[string]bool{}
	for _, start := range c.Environments {
		seen := map[string]int{}
		var path []string
		for e := start; e != nil && e.From != "" && e.From != e.Name; e = c.Environment(e.From) {
			if i, ok := seen[e.Name]; ok {
				loop := path[i:]
				if !reported[slices.Min(loop)] {
					reported[slices.Min(loop)] = true
					first := slices.Index(loop, slices.Min(loop))
					loop = append(loop[first:len(loop):len(loop)], loop[:first]...)
					last := c.Environment(loop[len(loop)-1])
					d.errorf(last.fromPos, "environment", "from chain loops: %s -> %s (each environment comes from the next): remove one from", strings.Join(loop, " -> "), loop[0])
				}
				break
			}
			seen[e.Name] = len(path)
			path = append(path, e.Name)
		}
	}
}

// suggestAmong returns a "did you mean" hint for a misspelt name, or says
// where names are declared.
func suggestAmong(name string, names []string, section string) string {
	best, bestDist := "", 3
	for _, n := range names {
		if dist := levenshtein(name, n); dist < bestDist {
			best, bestDist = n, dist
		}
	}
	if best == "" {
		return fmt.Sprintf(": add it under %s or fix the name (known: %s)", section, strings.Join(names, ", "))
	}
	return fmt.Sprintf(": did you mean %q?", best)
}
