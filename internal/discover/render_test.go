package discover

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/golden"
)

// TestRenderMixed discovers a repository with every ecosystem (and a broken
// manifest), renders ordo.yaml, compares it with the golden file, and checks
// that the catalog reads it and routes changes as the manifests say.
func TestRenderMixed(t *testing.T) {
	t.Parallel()
	f := discover(t, os.DirFS(filepath.Join("testdata", "mixed")))
	var buf bytes.Buffer
	if err := Render(&buf, f, "https://raw.githubusercontent.com/ordo-ci/ordo/main/internal/catalog/schema.json"); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "mixed.golden.yaml"), buf.Bytes())

	cat := mustParse(t, f)
	if len(cat.Services) != len(f.Services) {
		t.Fatalf("catalog has %d services, discovered %d", len(cat.Services), len(f.Services))
	}
	m := affected.NewMatcher(cat)
	for _, tc := range []struct {
		file string
		want []string
	}{
		// Compose depends_on orders deploys and does not propagate: checkout
		// needs orders running, not rebuilt.
		{"libs/money/money.go", []string{"money", "orders"}},
		{"web/ui/index.js", []string{"checkout", "checkout-e2e", "shop-ui"}},
		{"web/checkout/e2e/login.spec.js", []string{"checkout-e2e"}},
		{"rust/pricing/src/lib.rs", []string{"pricing"}},
		{"docs/runbook.md", []string{}},
		{"package-lock.json", []string{"checkout", "checkout-e2e", "libs-ui", "migrate", "money", "orders", "pricing", "shop-ui"}},
	} {
		res, err := m.Compute(affected.Input{Files: []string{tc.file}})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Names(); !equalSets(got, tc.want) {
			t.Errorf("change to %s affects %q, want %q", tc.file, got, tc.want)
		}
	}
}

func equalSets(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]bool{}
	for _, x := range a {
		seen[x] = true
	}
	for _, x := range b {
		if !seen[x] {
			return false
		}
	}
	return true
}

// TestScalar checks that every string Render writes reads back unchanged.
func TestScalar(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"web", "packages/web/**", "!packages/web/nested/**", "**/*.md", "true", "null", "1.0", "0x1F", "~",
		"yes", "a: b", "a #b", "with space/**", `back\slash`, "new\nline", "[x]", "{x}", "-x", "@scope/x", "é/**", "",
	} {
		t.Run(s, func(t *testing.T) {
			t.Parallel()
			var v map[string]any
			if err := yaml.Unmarshal([]byte("k: "+scalar(s)), &v); err != nil {
				t.Fatalf("scalar(%q) = %s: %v", s, scalar(s), err)
			}
			if got, _ := v["k"].(string); got != s {
				t.Errorf("scalar(%q) = %s reads back as %#v", s, scalar(s), v["k"])
			}
		})
	}
}

// TestRenderOddDirectories: directory names with spaces, glob characters, a
// leading "!" or "#" are written so that the catalog reads them back and
// matches them literally.
func TestRenderOddDirectories(t *testing.T) {
	t.Parallel()
	dirs := []string{"apps/my app", "apps/[x]{y}", "!bang", "#hash", "apps/a*b?c", `apps/back\slash`, "apps/caf\u00e9: menu"}
	files := map[string]string{}
	for _, d := range dirs {
		files[d+"/Dockerfile"] = "FROM scratch\n"
	}
	files["apps/axb/Dockerfile"] = "FROM scratch\n" // what a*b?c must not match
	f := discover(t, os.DirFS(writeTree(t, files)))
	m := affected.NewMatcher(mustParse(t, f))
	byDir := map[string]string{}
	for _, s := range f.Services {
		byDir[s.Dir] = s.Name
	}
	for _, d := range append(dirs, "apps/axb") {
		res, err := m.Compute(affected.Input{Files: []string{d + "/main.go"}})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Names(); len(got) != 1 || got[0] != byDir[d] {
			t.Errorf("change to %s/main.go affects %q, want [%s]", d, got, byDir[d])
		}
	}
}
