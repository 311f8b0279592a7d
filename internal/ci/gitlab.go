package ci

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/ordo-ci/ordo/internal/exit"
)

// GitLab's limits on a dotenv report: a larger file, or more variables, fails
// the job that uploads it ("dotenv report is too large"). GitLab.com and
// self-managed instances share these defaults.
// https://docs.gitlab.com/ci/yaml/artifacts_reports/#artifactsreportsdotenv
// https://docs.gitlab.com/administration/instance_limits/#limit-dotenv-variables
const (
	MaxDotenvBytes     = 5120
	MaxDotenvVariables = 20
)

var dotenvKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Dotenv renders variables as a GitLab dotenv report. GitLab's dotenv
// format takes one KEY=VALUE per line with no multi-line values, so values
// must be single-line. Keys are written sorted. A report over GitLab's limits
// is an error rather than a job that fails at upload: callers put only small
// values here (counts, booleans, file names) and leave lists in artifacts.
// https://docs.gitlab.com/ee/ci/yaml/artifacts_reports.html#artifactsreportsdotenv
func Dotenv(vars map[string]string) (string, error) {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		v := vars[k]
		if !dotenvKey.MatchString(k) {
			return "", exit.BadInputf("dotenv variable name %q is not valid: use letters, digits and _", k)
		}
		if strings.ContainsAny(v, "\r\n") {
			return "", exit.BadInputf("dotenv variable %s has a line break, which GitLab's dotenv format cannot carry", k)
		}
		fmt.Fprintf(&b, "%s=%s\n", k, v)
	}
	if len(keys) > MaxDotenvVariables {
		return "", exit.BadInputf("dotenv report has %d variables, more than the %d GitLab accepts", len(keys), MaxDotenvVariables)
	}
	if b.Len() > MaxDotenvBytes {
		return "", exit.BadInputf("dotenv report is %d bytes, more than the %d GitLab accepts", b.Len(), MaxDotenvBytes)
	}
	return b.String(), nil
}
