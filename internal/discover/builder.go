package discover

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/ordo-ci/ordo/internal/diag"
	"github.com/ordo-ci/ordo/internal/exit"
)

func (b *builder) has(dir, name string) bool { return slices.Contains(b.files[dir], name) }

// read returns a file's content. A file that cannot be read is a warning
// and skipped; a link that leaves the repository, a file that is not a
// regular file or one larger than maxManifest stops discovery: reading it
// could take all memory, and skipping it silently would hide a package.
func (b *builder) read(file string) ([]byte, bool) {
	if b.fatal != nil {
		return nil, false
	}
	if target, err := fs.ReadLink(b.fsys, file); err == nil {
		if _, ok := join(path.Dir(file), target); !ok {
			b.fatal = exit.BadInputf("%s: links outside the repository (to %q), and ordo does not follow it: it may be endless, like /dev/zero; replace the link with the file", file, target)
			return nil, false
		}
	}
	// Stat before Open: opening a FIFO blocks until someone writes to it.
	if st, err := fs.Stat(b.fsys, file); err == nil && !st.Mode().IsRegular() {
		b.fatal = exit.BadInputf("%s: too large: it is not a regular file (%s) and could be endless; replace it with the manifest", file, st.Mode().Type())
		return nil, false
	}
	f, err := b.fsys.Open(file)
	if err != nil {
		b.warn(file, 0, 0, RuleMalformed, "cannot read it: %v; skipped", err)
		return nil, false
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxManifest+1))
	if err != nil {
		b.warn(file, 0, 0, RuleMalformed, "cannot read it: %v; skipped", err)
		return nil, false
	}
	if len(src) > maxManifest {
		b.fatal = exit.BadInputf("%s: too large: over %d MiB, more than any manifest needs; remove it or add its directory to .gitignore", file, maxManifest>>20)
		return nil, false
	}
	return src, true
}

func (b *builder) warn(file string, line, col int, rule, format string, args ...any) {
	b.diags = append(b.diags, diag.Diagnostic{
		File: file, Line: line, Col: col, Rule: rule, Severity: diag.Warning,
		Message: fmt.Sprintf(format, args...),
	})
}

// malformed reports a manifest that cannot be parsed; it is skipped.
func (b *builder) malformed(file string, err error) {
	line, col, msg := 0, 0, err.Error()
	var pe *posError
	var ge *goModError
	switch {
	case errors.As(err, &pe):
		line, col, msg = pe.Line, pe.Col, pe.Msg
	case errors.As(err, &ge):
		line, col, msg = ge.Line, ge.Col, ge.Msg
	}
	b.warn(file, line, col, RuleMalformed, "%s; skipped: fix it and run ordo init again", msg)
}

// manifest is one parsed manifest file.
type manifest[T any] struct {
	dir, file string
	m         T
}

// parseAll reads and parses every manifest named name, in directory order;
// those that cannot be read or parsed are reported and left out. It is the
// one loop every ecosystem reads its manifests with.
func parseAll[T any](b *builder, name string, parse func([]byte) (T, error)) []manifest[T] {
	var out []manifest[T]
	for _, dir := range b.sortedDirs(is(name)) {
		file := path.Join(dir, name)
		src, ok := b.read(file)
		if !ok {
			continue
		}
		m, err := parse(src)
		if err != nil {
			b.malformed(file, err)
			continue
		}
		out = append(out, manifest[T]{dir, file, m})
	}
	return out
}

// unit returns the service for dir, creating it.
func (b *builder) unit(dir string) *unit {
	u, ok := b.units[dir]
	if !ok {
		u = &unit{dir: dir, rank: rankNone}
		b.units[dir] = u
	}
	return u
}

// add records that dir is a service because of source, named base (with an
// optional scope) at rank unless a more specific manifest named it already.
func (b *builder) add(dir, source string, rank int, base, scope string) *unit {
	u := b.unit(dir)
	if !slices.Contains(u.sources, source) {
		u.sources = append(u.sources, source)
	}
	if rank < u.rank && sanitize(base) != "" {
		u.rank, u.base, u.scope = rank, base, scope
	}
	return u
}

func (b *builder) sortedDirs(manifest func(string) bool) []string {
	var dirs []string
	for dir, names := range b.files {
		if slices.ContainsFunc(names, manifest) {
			dirs = append(dirs, dir)
		}
	}
	sort.Strings(dirs)
	return dirs
}

func is(name string) func(string) bool { return func(s string) bool { return s == name } }

// join resolves rel against the repository-relative dir; ok is false when the
// result leaves the repository.
func join(dir, rel string) (string, bool) {
	rel = strings.ReplaceAll(rel, `\`, "/")
	if path.IsAbs(rel) {
		return "", false
	}
	p := path.Join(dir, rel)
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", false
	}
	return p, true
}

// within reports whether dir is root or under it.
func within(root, dir string) bool {
	return root == "." || dir == root || strings.HasPrefix(dir, root+"/")
}

// rel is dir relative to root, both repository-relative.
func rel(root, dir string) string {
	if root == "." {
		return dir
	}
	return strings.TrimPrefix(dir, root+"/")
}
