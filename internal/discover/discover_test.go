package discover

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/catalog"
)

// writeTree writes files (path -> content) under a new temporary directory
// and returns it.
func writeTree(tb testing.TB, files map[string]string) string {
	tb.Helper()
	root := tb.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return root
}

func discover(tb testing.TB, fsys fs.FS) *Found {
	tb.Helper()
	f, err := Discover(fsys)
	if err != nil {
		tb.Fatalf("Discover: %v", err)
	}
	return f
}

// lines describes each service on one line: name dir kind [deps] paths.
func lines(f *Found) []string {
	var out []string
	for _, s := range f.Services {
		l := fmt.Sprintf("%s %s %s", s.Name, s.Dir, s.Kind)
		if len(s.DependsOn) > 0 {
			l += " -> " + strings.Join(s.DependsOn, ",")
		}
		if len(s.Paths) > 1 {
			l += " " + strings.Join(s.Paths[1:], ",")
		}
		out = append(out, l)
	}
	return out
}

func diagStrings(f *Found) []string {
	var out []string
	for _, d := range f.Diags {
		out = append(out, d.String())
	}
	return out
}

// mustParse renders f and checks that the catalog reads it without errors.
func mustParse(tb testing.TB, f *Found) *catalog.Catalog {
	tb.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, f, "https://example.com/ordo.schema.json"); err != nil {
		tb.Fatal(err)
	}
	cat, diags := catalog.Parse("ordo.yaml", buf.Bytes())
	if len(diags.Errors()) > 0 {
		tb.Fatalf("rendered catalog does not parse:\n%s\n%s", diags.Errors(), numbered(buf.String()))
	}
	return cat
}

func numbered(s string) string {
	var b strings.Builder
	for i, l := range strings.Split(s, "\n") {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, l)
	}
	return b.String()
}

func TestDiscover(t *testing.T) {
	t.Parallel()
	for _, tc := range discoverCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := discover(t, os.DirFS(writeTree(t, tc.files)))
			if got := lines(f); !slices.Equal(got, tc.want) {
				t.Errorf("services:\n got  %q\n want %q", got, tc.want)
			}
			if tc.global != nil && !slices.Equal(f.Global, tc.global) {
				t.Errorf("global:\n got  %q\n want %q", f.Global, tc.global)
			}
			got := diagStrings(f)
			if len(got) != len(tc.diags) {
				t.Errorf("diagnostics:\n got  %q\n want %q", got, tc.diags)
			} else {
				for i := range got {
					if !strings.Contains(got[i], tc.diags[i]) {
						t.Errorf("diagnostic %d:\n got  %q\n want it to contain %q", i, got[i], tc.diags[i])
					}
				}
			}
			mustParse(t, f)
		})
	}
}

// BenchmarkDiscover discovers and renders the 1,000-package npm workspace of
// the Nx/Turborepo proof.
func BenchmarkDiscover(b *testing.B) {
	root := b.TempDir()
	writeTreeAt(b, root, npmWorkspace1000(rand.New(rand.NewPCG(7, 1000)), 1000).files)
	fsys := os.DirFS(root)
	b.ReportAllocs()
	for b.Loop() {
		f, err := Discover(fsys)
		if err != nil {
			b.Fatal(err)
		}
		if err := Render(io.Discard, f, ""); err != nil {
			b.Fatal(err)
		}
	}
}
