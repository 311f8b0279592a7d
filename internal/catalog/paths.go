package catalog

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"unicode"
)

// checkLocalPath says what is wrong with p as a path the catalog names
// (a contract's spec), or nil. ordo reads such paths from git at base and
// head and shows them in messages, so they must stay inside the repository
// and be written one way: slash-separated, relative, clean.
func checkLocalPath(p string) error {
	switch {
	case p == "":
		return fmt.Errorf("it is empty")
	case strings.ContainsFunc(p, unicode.IsControl):
		return fmt.Errorf("it has a control character")
	case strings.Contains(p, `\`):
		return fmt.Errorf("it has a backslash: paths are slash-separated")
	case strings.HasPrefix(p, "/") || filepath.IsAbs(p):
		return fmt.Errorf("it is absolute: write it relative to the repository root")
	case hasDotDot(p):
		return fmt.Errorf(`it has "..": paths stay inside the repository`)
	case !filepath.IsLocal(filepath.FromSlash(p)):
		return fmt.Errorf("it is not inside the repository")
	case path.Clean(p) != p:
		return fmt.Errorf("write it as %q", path.Clean(p))
	}
	return nil
}

// hasDotDot reports whether the slash-separated path p has a ".." element.
func hasDotDot(p string) bool {
	for p != "" {
		var elem string
		elem, p, _ = strings.Cut(p, "/")
		if elem == ".." {
			return true
		}
	}
	return false
}
