package ci

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

var dotenvKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Dotenv renders variables as a GitLab dotenv report. GitLab's dotenv
// format takes one KEY=VALUE per line with no multi-line values, so values
// must be single-line (JSON is). Keys are written sorted.
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
			return "", fmt.Errorf("dotenv variable name %q is not valid: use letters, digits and _", k)
		}
		if strings.ContainsAny(v, "\r\n") {
			return "", fmt.Errorf("dotenv variable %s has a line break, which GitLab's dotenv format cannot carry", k)
		}
		fmt.Fprintf(&b, "%s=%s\n", k, v)
	}
	return b.String(), nil
}
