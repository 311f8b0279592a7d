package discover

import "sort"

// cargoManifest is what discovery needs from a Cargo.toml.
type cargoManifest struct {
	Package   string // [package] name; "" for a virtual manifest
	Workspace bool   // has a [workspace] table
	// PathDeps are dependencies with a path, relative to the manifest's
	// directory; WorkspaceDeps are `name = { workspace = true }` entries,
	// resolved against the workspace root's [workspace.dependencies].
	PathDeps      []string
	WorkspaceDeps []string
	// WSPathDeps is the root's [workspace.dependencies] entries with a path,
	// by name, relative to the root.
	WSPathDeps map[string]string
}

// cargoDepTables are the tables of a package (or of a [target.*] table) that
// list dependencies.
var cargoDepTables = []string{"dependencies", "dev-dependencies", "build-dependencies"}

// parseCargoToml reads a Cargo.toml with a TOML parser, so that every TOML
// form of a key (dotted keys, inline tables, quoted keys) reads the same, and
// errors carry their position.
func parseCargoToml(src []byte) (*cargoManifest, error) {
	doc, err := parseTOML(src)
	if err != nil {
		return nil, err
	}
	m := &cargoManifest{WSPathDeps: map[string]string{}}
	if pkg, ok := doc["package"].(map[string]any); ok {
		name, ok := pkg["name"].(string)
		if !ok || name == "" {
			return nil, &posError{0, 0, "[package] has no name: add name = \"...\""}
		}
		m.Package = name
	}
	if ws, ok := doc["workspace"].(map[string]any); ok {
		m.Workspace = true
		if deps, ok := ws["dependencies"].(map[string]any); ok {
			for name, d := range deps {
				if t, ok := d.(map[string]any); ok {
					if p, ok := t["path"].(string); ok {
						m.WSPathDeps[name] = p
					}
				}
			}
		}
	}
	tables := []map[string]any{doc}
	if targets, ok := doc["target"].(map[string]any); ok {
		for _, t := range targets {
			if t, ok := t.(map[string]any); ok {
				tables = append(tables, t)
			}
		}
	}
	for _, t := range tables {
		for _, key := range cargoDepTables {
			deps, _ := t[key].(map[string]any)
			for name, d := range deps {
				dt, ok := d.(map[string]any)
				if !ok {
					continue // "1.0": from a registry
				}
				if p, ok := dt["path"].(string); ok {
					m.PathDeps = append(m.PathDeps, p)
				} else if w, _ := dt["workspace"].(bool); w {
					m.WorkspaceDeps = append(m.WorkspaceDeps, name)
				}
			}
		}
	}
	sort.Strings(m.PathDeps)
	sort.Strings(m.WorkspaceDeps)
	return m, nil
}
