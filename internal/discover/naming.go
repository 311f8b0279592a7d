package discover

import (
	"path"
	"strconv"
	"strings"
)

// Names: lower-cased, and every character outside [a-z0-9._-] becomes "-",
// so that they match the catalog's [a-z0-9][a-z0-9._-]*. An npm scope is
// dropped (@acme/web is web). When names clash, every service of the clash
// moves to its next candidate until none clashes: scope-name (acme-web) or
// the parent element of a Go module path, then name-ecosystem (web-npm,
// web-go, web-cargo, web-compose, web-docker), then the directory path
// (services-web), then a numeric suffix.

// assignNames gives every unit a distinct, valid name. Units whose names
// clash all move to their next candidate, until no name clashes; the last
// resort is a numeric suffix, in directory order.
func assignNames(units []*unit) {
	cands := make([][]string, len(units))
	for i, u := range units {
		cands[i] = candidates(u)
	}
	level := make([]int, len(units))
	for {
		by := map[string][]int{}
		for i := range units {
			n := cands[i][level[i]]
			by[n] = append(by[n], i)
		}
		moved := false
		for _, group := range by {
			if len(group) < 2 {
				continue
			}
			for _, i := range group {
				if level[i] < len(cands[i])-1 {
					level[i]++
					moved = true
				}
			}
		}
		if !moved {
			break
		}
	}
	used := map[string]bool{}
	for i, u := range units {
		u.name = cands[i][level[i]]
		if used[u.name] {
			for k := 2; ; k++ {
				n := u.name + "-" + strconv.Itoa(k)
				if !used[n] {
					u.name = n
					break
				}
			}
		}
		used[u.name] = true
	}
	// A numbered name may have taken one that a later unit held by right;
	// that unit was numbered in turn, so names stay distinct.
}

// layoutDirs are directory names that say how a service's files are laid
// out, not which service it is: src/cartservice/src/Dockerfile is
// cartservice.
var layoutDirs = map[string]bool{"src": true, "app": true, "docker": true, "build": true, "deploy": true, "deployment": true, "server": true}

// dirBase names a directory by its last element that is not a layout word,
// else by its last element.
func dirBase(dir string) string {
	for d := dir; d != "." && d != "/" && d != ""; d = path.Dir(d) {
		if b := path.Base(d); !layoutDirs[strings.ToLower(b)] {
			return b
		}
	}
	return path.Base(dir)
}

// candidates lists a unit's possible names, most wanted first, each valid and
// distinct.
func candidates(u *unit) []string {
	base := u.base
	rank := u.rank
	if rank == rankNone { // cannot happen: every unit has a source with a name
		base, rank = path.Base(u.dir), rankDir
	}
	eco := rankEco[rank]
	if rank == rankDir && sanitize(base) == "" {
		base = "service"
	}
	dirName := sanitize(strings.ReplaceAll(u.dir, "/", "-"))
	// Every unit has the same number of candidates, a missing one standing
	// in for by the one before, so that units moving together stay at the
	// same kind of name: log/logtest and sdk/log/logtest both reach their
	// directory names at once (log-logtest, sdk-log-logtest).
	out := make([]string, 0, 5)
	prev := "service"
	for _, c := range []string{
		sanitize(base),
		scoped(u.scope, base),
		suffixed(base, eco),
		dirName,
		suffixed(dirName, eco),
	} {
		if c == "" {
			c = prev
		}
		out = append(out, c)
		prev = c
	}
	return out
}

func scoped(scope, base string) string {
	if scope == "" {
		return ""
	}
	return sanitize(scope + "-" + base)
}

func suffixed(base, eco string) string {
	if s := sanitize(base); s != "" {
		return s + "-" + eco
	}
	return ""
}

// sanitize lower-cases s and turns it into a catalog name,
// [a-z0-9][a-z0-9._-]*: other characters become "-", runs of "-" shrink to
// one, and leading and trailing punctuation goes. It returns "" when nothing
// is left.
func sanitize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_':
			b.WriteRune(r)
		default:
			if !strings.HasSuffix(b.String(), "-") {
				b.WriteByte('-')
			}
		}
	}
	return strings.Trim(b.String(), "-._")
}
