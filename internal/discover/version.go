package discover

import (
	"path"
	"strings"
)

// PackageDir is the directory a service's catalog paths name as its own:
// that of its first `dir/**` glob without wildcards ("." for `**`), as ordo
// init writes them; "" when there is none.
func PackageDir(paths []string) string {
	for _, p := range paths {
		if p == "**" {
			return "."
		}
		dir, ok := strings.CutSuffix(p, "/**")
		if ok && !strings.HasPrefix(dir, "!") && !strings.ContainsAny(dir, "*?[]{}\\") {
			return dir
		}
	}
	return ""
}

// ManifestVersion is the version the package manifest in dir states:
// package.json's version, else Cargo.toml's [package] version, with
// version.workspace = true read from the workspace root above it. read
// returns a repository file's content (false when there is none); a manifest
// that does not parse states no version.
func ManifestVersion(dir string, read func(file string) ([]byte, bool)) string {
	if src, ok := read(path.Join(dir, "package.json")); ok {
		if p, err := parsePackageJSON(src); err == nil && p.Version != "" {
			return p.Version
		}
	}
	src, ok := read(path.Join(dir, "Cargo.toml"))
	if !ok {
		return ""
	}
	m, err := parseCargoToml(src)
	if err != nil {
		return ""
	}
	if !m.VersionFromWorkspace {
		return m.Version
	}
	for d := dir; ; d = path.Dir(d) {
		if d != dir {
			if src, ok := read(path.Join(d, "Cargo.toml")); ok {
				if r, err := parseCargoToml(src); err == nil && r.Workspace != nil {
					return r.Workspace.Version
				}
			}
		}
		if d == "." {
			return ""
		}
	}
}
