package flags

import "github.com/ordo-ci/ordo/internal/catalog"

// Versions says what runs each service in a state that is not in the record
// (a drill's): service name to version, "" for a service that runs nothing.
// A service absent from the map is one the state does not change: its
// requirements are taken as met, so that a flag is only said to turn off
// because of what the state changes.
type Versions map[string]string

// MetBy reports whether f's requirements are all met by the versions of v.
func MetBy(f *catalog.Flag, v Versions) bool {
	for _, r := range f.Requires {
		if version, known := v[r.Service]; known && !satisfies(r, version) {
			return false
		}
	}
	return true
}

// TurnOff returns the names of cat's flags that are met in state before and
// not in one of the states after, sorted: the flags that a change from
// before (a drill: what ran when the failing wave started) to after (the
// state at the failure, then the one its rollback leaves) would turn off.
func TurnOff(cat *catalog.Catalog, before Versions, after ...Versions) []string {
	out := []string{}
	for _, f := range cat.Flags { // sorted by name
		if !MetBy(f, before) {
			continue
		}
		for _, a := range after {
			if !MetBy(f, a) {
				out = append(out, f.Name)
				break
			}
		}
	}
	return out
}
