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

// pattern is a glob compiled for matching: most globs in a catalog are
// `dir/**`, `dir/**/*.ext` or `**/*.ext`, which need no glob matching.
type pattern struct {
	glob  string
	owner int
	// dir is the literal directory prefix (see literalDir), "" for none.
	dir string
	// subtree is set for `dir/**` globs: every path below dir matches, so no
	// glob matching is needed.
	subtree bool
	// suffix is set for `dir/**/*.ext` and `**/*.ext` globs (ext without
	// wildcards): a path below dir matches when it ends with suffix.
	suffix string
}

func compile(glob string, owner int) pattern {
	dir := literalDir(glob)
	rest := glob
	if dir != "" {
		rest = strings.TrimPrefix(glob, dir+"/")
	}
	return pattern{glob: glob, owner: owner, dir: dir, subtree: dir != "" && rest == "**", suffix: anyDepthSuffix(rest)}
}

// matchBelow reports whether path, which lies below p.dir, matches.
func (p *pattern) matchBelow(path string) bool {
	switch {
	case p.subtree:
		return true
	case p.suffix != "":
		return strings.HasSuffix(path, p.suffix)
	}
	return doublestar.MatchUnvalidated(p.glob, path)
}

// match reports whether path matches.
func (p *pattern) match(path string) bool {
	if p.dir == "" {
		return p.matchBelow(path)
	}
	rest, below := strings.CutPrefix(path, p.dir)
	switch {
	case below && strings.HasPrefix(rest, "/"):
		return p.matchBelow(path)
	case below && rest == "":
		return doublestar.MatchUnvalidated(p.glob, path) // `dir/**` matches dir
	}
	return false
}

type node struct {
	children map[string]*node
	pats     []int
}

// Add files glob (doublestar syntax, already validated) for owner.
func (ix *Index) Add(glob string, owner int) {
	p := compile(glob, owner)
	n := &ix.root
	for rest, more := p.dir, p.dir != ""; more; {
		var d string
		d, rest, more = strings.Cut(rest, "/")
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
	n.pats = append(n.pats, len(ix.pats))
	ix.pats = append(ix.pats, p)
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

// literalDir returns the directories of glob before the first segment that
// has a wildcard, as one path. The last segment is never included: it
// names files.
func literalDir(glob string) string {
	end := 0
	for i := 0; ; {
		j := strings.IndexByte(glob[i:], '/')
		if j < 0 || strings.ContainsAny(glob[i:i+j], `*?[{\`) {
			return glob[:end]
		}
		end, i = i+j, i+j+1
	}
}

// Match calls fn with the owner of every glob that matches path (an owner
// may be reported more than once if several of its globs match).
func (ix *Index) Match(path string, fn func(owner int)) {
	n := &ix.root
	rest := path
	for {
		for _, pi := range n.pats {
			// The walk reaches a node only when path lies below its directory.
			if p := &ix.pats[pi]; p.matchBelow(path) {
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
