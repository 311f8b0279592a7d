package change

import (
	"cmp"
	"strconv"
	"strings"
)

// version is a semantic version (https://semver.org), just enough of one to
// order release tags. Build metadata is dropped: it does not order.
type version struct {
	major, minor, patch uint64
	pre                 []string
}

// tagVersion finds the version in a tag name such as "users-api/v1.2.0",
// "api-1.2.0-rc.1" or "v2.0.0": the leftmost suffix that is a semantic version,
// starting after a separator or a "v". It does not need the tag template,
// which belongs to the catalog, and it is only used to order tags that the
// caller already matched to one service.
func tagVersion(tag string) (version, bool) {
	for i := 0; i < len(tag); i++ {
		if tag[i] < '0' || tag[i] > '9' {
			continue
		}
		if i > 0 && !strings.ContainsRune("/-_@v", rune(tag[i-1])) {
			continue
		}
		if v, ok := parseVersion(tag[i:]); ok {
			return v, true
		}
	}
	return version{}, false
}

func parseVersion(s string) (version, bool) {
	s, _, _ = strings.Cut(s, "+")
	core, pre, hasPre := strings.Cut(s, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return version{}, false
	}
	var nums [3]uint64
	for i, p := range parts {
		if !numeric(p) {
			return version{}, false
		}
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return version{}, false
		}
		nums[i] = n
	}
	v := version{major: nums[0], minor: nums[1], patch: nums[2]}
	if hasPre {
		v.pre = strings.Split(pre, ".")
		for _, id := range v.pre {
			if id == "" || strings.Trim(id, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != "" {
				return version{}, false
			}
			if isDigits(id) && !numeric(id) {
				return version{}, false
			}
		}
	}
	return v, true
}

// numeric reports whether s is a number without leading zeros, as semver
// requires of version numbers and numeric prerelease identifiers.
func numeric(s string) bool {
	return isDigits(s) && (s == "0" || s[0] != '0')
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// compare orders versions by semver precedence.
func (v version) compare(w version) int {
	if c := cmp.Compare(v.major, w.major); c != 0 {
		return c
	}
	if c := cmp.Compare(v.minor, w.minor); c != 0 {
		return c
	}
	if c := cmp.Compare(v.patch, w.patch); c != 0 {
		return c
	}
	// A version without a prerelease comes after all of its prereleases.
	switch {
	case len(v.pre) == 0 && len(w.pre) == 0:
		return 0
	case len(v.pre) == 0:
		return 1
	case len(w.pre) == 0:
		return -1
	}
	for i := 0; i < len(v.pre) && i < len(w.pre); i++ {
		a, b := v.pre[i], w.pre[i]
		an, bn := isDigits(a), isDigits(b)
		switch {
		case an && bn:
			if c := cmp.Compare(len(a), len(b)); c != 0 {
				return c // no leading zeros: the longer number is larger
			}
			if c := strings.Compare(a, b); c != 0 {
				return c
			}
		case an:
			return -1
		case bn:
			return 1
		default:
			if c := strings.Compare(a, b); c != 0 {
				return c
			}
		}
	}
	return cmp.Compare(len(v.pre), len(w.pre))
}
