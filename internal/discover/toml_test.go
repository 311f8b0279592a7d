package discover

import (
	"fmt"
	"strings"
	"testing"
)

// TestCargoTomlForms checks that every TOML form of the keys Cargo
// discovery reads gives the same manifest, and that errors have positions.
func TestCargoTomlForms(t *testing.T) {
	t.Parallel()
	m, err := parseCargoToml([]byte(`# a comment
[package]
name = 'core'
version.workspace = true
[dependencies]
a = { path = "../a", features = ["x", 'y',] }
"b" = "1.0"
c.path = "../c"
shared = { workspace = true }
[target.'cfg(unix)'.dependencies]
d = {path="../d"}
[workspace]
members = ["crates/*"]
[workspace.dependencies]
shared = { path = "crates/shared" }
`))
	if err != nil {
		t.Fatal(err)
	}
	var deps []string
	for _, d := range m.Deps {
		deps = append(deps, fmt.Sprintf("%s:%s:%v", d.Name, d.Path, d.Workspace))
	}
	if m.Package != "core" || m.Workspace == nil || !m.VersionFromWorkspace ||
		strings.Join(deps, ",") != "a:../a:false,b::false,c:../c:false,d:../d:false,shared::true" ||
		m.Workspace.Deps["shared"].Path != "crates/shared" {
		t.Fatalf("manifest = %+v, deps %q", m, deps)
	}
	for _, tc := range []struct{ src, pos string }{
		{"a = 1\nb = 2\na = 3\n", "3:1"},
		{"a = \"x\n", "1:"},
		{"a = yes\n", "1:5"},
		{"[package]\nversion = \"1\"\n", "0:0"},
	} {
		_, err := parseCargoToml([]byte(tc.src))
		pe, ok := err.(*posError)
		if !ok {
			t.Fatalf("%q: err = %v, want a posError", tc.src, err)
		}
		if got := fmt.Sprintf("%d:%d", pe.Line, pe.Col); !strings.HasPrefix(got, tc.pos) {
			t.Errorf("%q: position %s, want %s (%s)", tc.src, got, tc.pos, pe.Msg)
		}
	}
}
