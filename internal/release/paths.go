package release

import (
	"fmt"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// pathIndex answers "which services does this file belong to" without trying
// every glob of every service: globs hang in a tree under their literal
// leading directories, so a file only meets the globs along its own path.
type pathIndex struct {
	root     *pathNode
	excludes [][]string // per service: its "!" globs
}

type pathNode struct {
	children map[string]*pathNode
	globs    []indexedGlob
}

type indexedGlob struct {
	pattern string
	service int
}

func newPathIndex(services []Service) (*pathIndex, error) {
	idx := &pathIndex{root: &pathNode{}, excludes: make([][]string, len(services))}
	for i, s := range services {
		for _, p := range s.Paths {
			exclude := strings.HasPrefix(p, "!")
			pattern := strings.TrimPrefix(p, "!")
			if pattern == "" || !doublestar.ValidatePattern(pattern) {
				return nil, fmt.Errorf("service %q: invalid path glob %q (doublestar syntax, e.g. %q)", s.Name, p, "services/users/**")
			}
			if exclude {
				idx.excludes[i] = append(idx.excludes[i], pattern)
				continue
			}
			n := idx.root
			for _, seg := range literalDirs(pattern) {
				if n.children == nil {
					n.children = map[string]*pathNode{}
				}
				c := n.children[seg]
				if c == nil {
					c = &pathNode{}
					n.children[seg] = c
				}
				n = c
			}
			n.globs = append(n.globs, indexedGlob{pattern: pattern, service: i})
		}
	}
	return idx, nil
}

// literalDirs returns the leading path segments of a glob that hold no glob
// syntax and are followed by another segment: "services/users/**" gives
// [services users], "{a,b}/x" gives nothing.
func literalDirs(pattern string) []string {
	segs := strings.Split(pattern, "/")
	var out []string
	for _, s := range segs[:len(segs)-1] {
		if strings.ContainsAny(s, `*?[]{}\`) {
			break
		}
		out = append(out, s)
	}
	return out
}

// match adds to hit the services that own file: an include glob matches
// and none of the service's "!" globs does.
func (idx *pathIndex) match(file string, hit map[int]bool) {
	n := idx.root
	rest := file
	for n != nil {
		for _, g := range n.globs {
			if hit[g.service] || !doublestar.MatchUnvalidated(g.pattern, file) {
				continue
			}
			if !idx.excluded(g.service, file) {
				hit[g.service] = true
			}
		}
		seg, tail, more := strings.Cut(rest, "/")
		if !more {
			return
		}
		n, rest = n.children[seg], tail
	}
}

func (idx *pathIndex) excluded(service int, file string) bool {
	for _, p := range idx.excludes[service] {
		if doublestar.MatchUnvalidated(p, file) {
			return true
		}
	}
	return false
}
