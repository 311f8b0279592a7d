package affected

import (
	"fmt"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Owners is the one answer to "which services own this file", used by
// affected, by versions (commit attribution) and by drift checks, so that
// they never disagree. A service owns a file when one of its globs matches
// it and none of its "!" globs does. A `dir/**` glob also owns the path dir
// itself: a submodule bump or a file replaced by a directory changes the
// path `dir`, and git reports exactly that path.
type Owners struct {
	include  Index
	excludes [][]pattern // per service, its "!" globs without the "!"
}

// GlobError is an invalid glob in the paths of service Service (an index).
type GlobError struct {
	Service int
	Glob    string
}

func (e *GlobError) Error() string {
	return fmt.Sprintf("invalid path glob %q (doublestar syntax, e.g. %q)", e.Glob, "services/users/**")
}

// NewOwners indexes each service's paths (doublestar globs, "!" to
// exclude); the error is a *GlobError for the first invalid glob.
func NewOwners(paths [][]string) (*Owners, error) {
	o := &Owners{excludes: make([][]pattern, len(paths))}
	for i, ps := range paths {
		for _, g := range ps {
			ex, isEx := strings.CutPrefix(g, "!")
			if ex == "" || !doublestar.ValidatePattern(ex) {
				return nil, &GlobError{Service: i, Glob: g}
			}
			if isEx {
				o.excludes[i] = append(o.excludes[i], compile(ex, i))
				continue
			}
			o.include.Add(g, i)
		}
	}
	return o, nil
}

// Each calls fn once with the index of each service that owns file.
func (o *Owners) Each(file string, fn func(i int)) {
	var done []int // a file has few owners: a slice beats a map
	o.include.Match(file, func(i int) {
		for _, d := range done {
			if d == i {
				return
			}
		}
		done = append(done, i)
		if !o.excluded(i, file) {
			fn(i)
		}
	})
}

func (o *Owners) excluded(i int, file string) bool {
	for j := range o.excludes[i] {
		if o.excludes[i][j].match(file) {
			return true
		}
	}
	return false
}

// Owns reports whether service i owns file.
func (o *Owners) Owns(i int, file string) bool {
	found := false
	o.Each(file, func(j int) { found = found || j == i })
	return found
}

// Owners returns the path-ownership index of the catalog's services, in
// catalog order.
func (m *Matcher) Owners() *Owners { return m.own }
