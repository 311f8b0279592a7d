package catalog

import (
	"fmt"
	"slices"
	"strings"
)

// Names the catalog makes for CI systems. They are checked when the
// catalog is read, so that a plan never fails (exit 3, "the environment
// failed") on something the catalog alone decides.

// WithVariable is the CI variable that carries a with: key into a job:
// ORDO_ and the key upper-cased, every character other than an ASCII letter
// or digit turned into _. GitLab variable names allow only letters, digits
// and _ (https://docs.gitlab.com/ci/variables/#for-a-project), and GitHub
// matrices carry the same names.
func WithVariable(key string) string {
	var b strings.Builder
	b.Grow(len("ORDO_") + len(key))
	b.WriteString("ORDO_")
	for _, r := range key {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// ReservedVariables are set by ordo itself in every job (SPEC §11-13): a
// with: key must not become one of them.
var ReservedVariables = []string{"ORDO_ENV", "ORDO_ROLLBACK", "ORDO_SERVICE", "ORDO_SHA", "ORDO_VERSION", "ORDO_WAVE"}

// GitLab limits job names and environment names to 255 characters
// (https://docs.gitlab.com/ci/jobs/#job-name-limitations,
// https://docs.gitlab.com/ci/environments/). Child pipelines name jobs
// "deploy:<service>" and "rollback:<service>" and environments
// "<env>/<service>".
const (
	MaxGitLabName    = 255
	longestJobPrefix = "rollback:"
)

// withKeys checks a service's with: keys as the CI variables they become.
func (d *decoder) withKeys(service string, keys []string, pos []Pos) {
	seen := make(map[string]string, len(keys))
	for i, key := range keys {
		name := WithVariable(key)
		switch {
		case key == "":
			d.errorf(pos[i], "with", "service %q: a with key is empty: name it", service)
			continue
		case slices.Contains(ReservedVariables, name):
			d.errorf(pos[i], "with", "service %q: with key %q becomes %s, which ordo sets itself: rename the key", service, key, name)
			continue
		}
		if other, ok := seen[name]; ok {
			d.errorf(pos[i], "with", "service %q: with keys %q and %q both become the CI variable %s: rename one of them", service, other, key, name)
			continue
		}
		seen[name] = key
	}
}

// checkGitLabNames checks the job and environment names that services make.
func (d *decoder) checkGitLabNames(c *Catalog) {
	for _, s := range c.Services {
		if n := len(longestJobPrefix) + len(s.Name); n > MaxGitLabName {
			d.errorf(s.Pos, "name", "service name %q is %d characters: GitLab job names such as %q may have at most %d, so give it at most %d",
				truncate(s.Name), len(s.Name), longestJobPrefix+"<service>", MaxGitLabName, MaxGitLabName-len(longestJobPrefix))
			continue
		}
		for _, e := range c.Environments {
			if s.InEnvironment(e.Name) && len(e.Name)+1+len(s.Name) > MaxGitLabName {
				d.errorf(s.Pos, "name", "service %q in environment %q: the GitLab environment %q would be longer than %d characters: shorten one of the names",
					truncate(s.Name), e.Name, truncate(e.Name+"/"+s.Name), MaxGitLabName)
			}
		}
	}
}

// truncate keeps messages about very long names readable.
func truncate(s string) string {
	if len(s) <= 40 {
		return s
	}
	return fmt.Sprintf("%s…", s[:40])
}
