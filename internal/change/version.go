package change

import (
	"strings"

	"github.com/Masterminds/semver/v3"
)

// tagVersion finds the version in a tag name such as "users-api/v1.2.0",
// "api-1.2.0-rc.1" or "v2.0.0": the leftmost suffix that is a strict semantic
// version, starting after a separator or a "v". It does not need the tag
// template, which belongs to the catalog, and it is only used to order tags
// that the caller already matched to one service.
func tagVersion(tag string) (*semver.Version, bool) {
	for i := 0; i < len(tag); i++ {
		if tag[i] < '0' || tag[i] > '9' {
			continue
		}
		if i > 0 && !strings.ContainsRune("/-_@v", rune(tag[i-1])) {
			continue
		}
		if v, err := semver.StrictNewVersion(tag[i:]); err == nil {
			return v, true
		}
	}
	return nil, false
}
