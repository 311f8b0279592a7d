package flags

import "github.com/ordo-ci/ordo/internal/catalog"

// Versions says what runs each service in a state that is not in the record
// yet (a drill's): service name to version; a service absent, or with "",
// runs nothing that satisfies.
type Versions map[string]string

// MetBy reports whether f's requirements are all met by the versions of v.
func MetBy(f *catalog.Flag, v Versions) bool {
	for _, r := range f.Requires {
		if !satisfies(r, v[r.Service]) {
			return false
		}
	}
	return true
}

// TurnOff returns the names of cat's flags that are met in state before and
// not in state after, sorted: the flags a change from before to after (a
// failed wave and its rollback, say) would turn off.
func TurnOff(cat *catalog.Catalog, before, after Versions) []string {
	out := []string{}
	for _, f := range cat.Flags { // sorted by name
		if MetBy(f, before) && !MetBy(f, after) {
			out = append(out, f.Name)
		}
	}
	return out
}
