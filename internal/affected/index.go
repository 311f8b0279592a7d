package affected

import (
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Index finds which globs match a path without trying every glob. Each glob
// is filed in a trie under its literal directory prefix (the directories
// before its first wildcard); a path only meets the globs filed along its own
// directories. In a monorepo where services own `services/<name>/**`, a path
// meets a handful of globs however many services there are.
type Index struct {
	root node
	pats []pattern
}

type pattern struct {
	glob  string
	owner int
	// subtree is set for `dir/**` globs: every path below dir matches, so no
	// glob matching is needed.
	subtree bool
	// suffix is set for `dir/**/*.ext` and `**/*.ext` globs (ext without
	// wildcards): a path below dir matches when it ends with suffix.
	suffix string
}

type node struct {
	children map[string]*node
	pats     []int
}

// Add files glob (doublestar syntax, already validated) for owner.
func (ix *Index) Add(glob string, owner int) {
	dirs := literalDirs(glob)
	n := &ix.root
	for _, d := range dirs {
		if n.children == nil {
			n.children = map[string]*node{}
		}
		child, ok := n.children[d]
		if !ok {
			child = &node{}
			n.children[d] = child
		}
		n = child
	}
	prefix := strings.Join(dirs, "/")
	subtree := len(dirs) > 0 && glob == prefix+"/**"
	n.pats = append(n.pats, len(ix.pats))
	ix.pats = append(ix.pats, pattern{glob: glob, owner: owner, subtree: subtree, suffix: anyDepthSuffix(strings.TrimPrefix(glob, prefix+"/"))})
}

// anyDepthSuffix returns ext for a glob `**/*ext` whose ext has no
// wildcard and no slash ("**/*.md": ".md"), and "" for any other glob.
func anyDepthSuffix(glob string) string {
	ext, ok := strings.CutPrefix(glob, "**/*")
	if !ok || ext == "" || strings.ContainsAny(ext, `*?[]{}\/`) {
		return ""
	}
	return ext
}

// literalDirs returns the directories of glob before the first segment that
// has a wildcard. The last segment is never included: it names files.
func literalDirs(glob string) []string {
	segs := strings.Split(glob, "/")
	var dirs []string
	for _, s := range segs[:len(segs)-1] {
		if strings.ContainsAny(s, `*?[{\`) {
			break
		}
		dirs = append(dirs, s)
	}
	return dirs
}

// Match calls fn with the owner of every glob that matches path (an owner
// may be reported more than once if several of its globs match).
func (ix *Index) Match(path string, fn func(owner int)) {
	n := &ix.root
	rest := path
	for {
		for _, pi := range n.pats {
			p := &ix.pats[pi]
			// The walk reaches a node only when path lies below its
			// directory, so a subtree glob there matches without matching.
			// and a suffix glob there matches what ends with its suffix.
			if p.subtree || p.suffix != "" && strings.HasSuffix(path, p.suffix) ||
				p.suffix == "" && doublestar.MatchUnvalidated(p.glob, path) {
				fn(p.owner)
			}
		}
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			// `dir/**` also matches dir itself, so the globs filed under a
			// directory named like the path's last element get a say.
			if child, ok := n.children[rest]; ok {
				for _, pi := range child.pats {
					if p := &ix.pats[pi]; doublestar.MatchUnvalidated(p.glob, path) {
						fn(p.owner)
					}
				}
			}
			return
		}
		if n.children == nil {
			return
		}
		child, ok := n.children[rest[:i]]
		if !ok {
			return
		}
		n, rest = child, rest[i+1:]
	}
}

func matchGlob(glob, path string) bool { return doublestar.MatchUnvalidated(glob, path) }
