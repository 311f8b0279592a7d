package discover

import (
	"bytes"
	"os"
	"slices"
	"testing"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/diag"
)

var driftRepo = map[string]string{
	"package.json":                `{"workspaces": ["packages/*", "tools/*"]}`,
	"packages/web/package.json":   `{"name": "web", "dependencies": {"ui": "*"}}`,
	"packages/ui/package.json":    `{"name": "ui", "dependencies": {"utils": "*"}}`,
	"packages/utils/package.json": `{"name": "utils"}`,
	"packages/api/package.json":   `{"name": "api", "dependencies": {"utils": "*"}}`,
	"packages/api/Dockerfile":     "FROM node:20\n",
	"packages/legacy/Dockerfile":  "FROM node:8\n",
	"tools/lint/package.json":     `{"name": "lint"}`,
	"packages/worker/Dockerfile":  "FROM node:20\n",
	"tools/bad/package.json":      `{"name": `,
}

const badManifest = `tools/bad/package.json:1:9: warning: not valid JSON: unexpected end of JSON input; skipped: fix it and run ordo init again [discover.malformed-manifest]`

func parseCatalog(tb testing.TB, src string) *catalog.Catalog {
	tb.Helper()
	cat, diags := catalog.Parse("ordo.yaml", []byte(src))
	if len(diags.Errors()) > 0 {
		tb.Fatalf("test catalog does not parse:\n%s", diags)
	}
	return cat
}

func checkDrift(tb testing.TB, fsys string, cat *catalog.Catalog) diag.List {
	tb.Helper()
	got, err := CheckDrift(os.DirFS(fsys), cat)
	if err != nil {
		tb.Fatalf("CheckDrift: %v", err)
	}
	for _, d := range got {
		if d.Severity != diag.Warning {
			tb.Errorf("%s: severity is not Warning", d)
		}
	}
	return got
}

func TestCheckDrift(t *testing.T) {
	t.Parallel()
	repo := writeTree(t, driftRepo)
	for _, tc := range []struct {
		name    string
		catalog string
		want    []string
	}{
		{
			name: "missing, extra and unowned",
			catalog: `version: 1
ignore: [packages/legacy/**]
global: [tools/lint/**]
services:
  frontend:                         # owns packages/web by its paths
    paths: [packages/web/**]
    depends_on: [utils]
  ui:
    kind: library
    paths: [packages/ui/**]
    depends_on: [utils]
  utils:
    kind: library
    paths: [packages/utils/**]
  api:                              # order-only: not an extra dependency
    paths: [packages/api/**]
    depends_on: [utils, {service: ui, propagate: false}]
`,
			want: []string{
				`ordo.yaml:5:3: warning: service "frontend" does not list "ui" in depends_on, but packages/web/package.json depends on it: add "ui" to its depends_on [drift.missing-dependency]`,
				`ordo.yaml:7:18: warning: service "frontend" depends on "utils", but none of its manifests (packages/web/package.json) depends on utils: remove it from depends_on, or write {service: utils, propagate: false} if frontend only needs it running [drift.extra-dependency]`,
				`packages/worker/Dockerfile: warning: packages/worker/ is a service (packages/worker/Dockerfile), but no service in ordo.yaml owns it: add a service with paths: [packages/worker/**], or add it to ignore [drift.unowned-directory]`,
				badManifest,
			},
		},
		{
			name: "a missing dependency that would close a cycle is not reported",
			catalog: `version: 1
ignore: [packages/legacy/**, packages/worker/**, tools/**]
services:
  api: {paths: [packages/api/**], depends_on: [utils]}
  web: {paths: [packages/web/**], depends_on: [ui]}
  ui: {kind: library, paths: [packages/ui/**]}
  utils: {kind: library, paths: [packages/utils/**], depends_on: [ui]}
`,
			want: []string{
				`ordo.yaml:7:67: warning: service "utils" depends on "ui", but none of its manifests (packages/utils/package.json) depends on ui: remove it from depends_on, or write {service: ui, propagate: false} if utils only needs it running [drift.extra-dependency]`,
			},
		},
		{
			name: "one catalog service owning several packages",
			catalog: `version: 1
ignore: [packages/legacy/**, packages/worker/**, tools/**]
services:
  app: {paths: [packages/web/**, packages/ui/**], depends_on: [utils]}
  utils: {kind: library, paths: [packages/utils/**]}
  api: {paths: [packages/api/**], depends_on: [utils]}
`,
			// tools/** is ignored: its broken manifest is not reported.
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := checkDrift(t, repo, parseCatalog(t, tc.catalog))
			var gotS []string
			for _, d := range got {
				gotS = append(gotS, d.String())
			}
			if !slices.Equal(gotS, tc.want) {
				t.Errorf("drift:\n got  %q\n want %q", gotS, tc.want)
			}
		})
	}
}

// TestInitHasNoDrift: the catalog ordo init writes is, by construction, in
// line with the manifests it came from.
func TestInitHasNoDrift(t *testing.T) {
	t.Parallel()
	for _, tc := range discoverCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := writeTree(t, tc.files)
			f := discover(t, os.DirFS(root))
			var buf bytes.Buffer
			if err := Render(&buf, f, ""); err != nil {
				t.Fatal(err)
			}
			cat := parseCatalog(t, buf.String())
			for _, d := range checkDrift(t, root, cat) {
				if d.Rule != RuleMalformed {
					t.Errorf("unexpected drift: %s", d)
				}
			}
		})
	}
}
