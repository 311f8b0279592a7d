package discover

import (
	"bytes"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/testtool"
)

// More shapes of issue 13: Go, Compose, tags, manifest limits.

// goEnv runs the go command offline in dir.
func goOut(tb testing.TB, goBin, dir string, args ...string) string {
	tb.Helper()
	cmd := exec.Command(goBin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOPROXY=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod", "GOSUMDB=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// TestGoRootAndNestedModules: the root module is a service that owns what no
// nested module owns (version.go, templates, its go.mod and go.sum); nested
// modules require each other and the root through replaces. Modules and
// edges are compared with go list -m and go mod graph of each module.
func TestGoRootAndNestedModules(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"go.mod":                   "module example.com/sdk\n\ngo 1.22\n",
		"go.sum":                   "",
		"version.go":               "package sdk\n\nconst Version = \"1.0.0\"\n",
		"templates/x.tmpl":         "{{.}}\n",
		"exporters/otlp/go.mod":    "module example.com/sdk/exporters/otlp\n\ngo 1.22\n\nrequire example.com/sdk v1.0.0\n\nreplace example.com/sdk => ../..\n",
		"exporters/otlp/otlp.go":   "package otlp\n\nimport _ \"example.com/sdk\"\n",
		"bridge/go.mod":            "module example.com/sdk/bridge/v2\n\ngo 1.22\n\nrequire example.com/sdk/exporters/otlp v1.0.0\nrequire example.com/sdk v1.0.0\n\nreplace example.com/sdk/exporters/otlp => ../exporters/otlp\nreplace example.com/sdk => ../\n",
		"bridge/bridge.go":         "package bridge\n\nimport _ \"example.com/sdk/exporters/otlp\"\n",
		"internal/testdata/go.mod": "module example.com/fixture\n",
	}
	root := writeTree(t, files)
	f := discover(t, os.DirFS(root))
	wantDirs := []string{".", "bridge", "exporters/otlp"}
	wantEdges := []string{"bridge -> .", "bridge -> exporters/otlp", "exporters/otlp -> ."}
	if got := dirsOf(f); !slices.Equal(got, wantDirs) {
		t.Fatalf("modules %q, want %q", got, wantDirs)
	}
	if got := edgesOf(f); !slices.Equal(got, wantEdges) {
		t.Errorf("edges %q, want %q", got, wantEdges)
	}
	if slices.Contains(f.Global, "go.mod") || slices.Contains(f.Global, "go.sum") {
		t.Errorf("global %q: the root module owns go.mod and go.sum", f.Global)
	}
	m := affected.NewMatcher(mustParse(t, f))
	for file, want := range map[string][]string{
		"version.go":             {"bridge", "otlp", "sdk"},
		"go.sum":                 {"bridge", "otlp", "sdk"},
		"templates/x.tmpl":       {"bridge", "otlp", "sdk"},
		"exporters/otlp/otlp.go": {"bridge", "otlp"},
		"bridge/bridge.go":       {"bridge"},
	} {
		res, err := m.Compute(affected.Input{Files: []string{file}})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Names(); !slices.Equal(got, want) {
			t.Errorf("change to %s affects %q, want %q", file, got, want)
		}
	}

	goBin := testtool.Find(t, "", "go")
	var goDirs, goEdges []string
	for _, dir := range []string{".", "bridge", "exporters/otlp", "internal/testdata"} {
		mod := strings.TrimSpace(goOut(t, goBin, filepath.Join(root, dir), "list", "-m"))
		if strings.HasPrefix(mod, "example.com/sdk") { // the fixture is its own module, outside the tree's
			goDirs = append(goDirs, dir)
		}
	}
	dirOfMod := map[string]string{"example.com/sdk": ".", "example.com/sdk/exporters/otlp": "exporters/otlp", "example.com/sdk/bridge/v2": "bridge"}
	for _, dir := range goDirs {
		for _, l := range strings.Split(strings.TrimSpace(goOut(t, goBin, filepath.Join(root, dir), "mod", "graph")), "\n") {
			from, to, ok := strings.Cut(l, " ")
			to, _, _ = strings.Cut(to, "@")
			if ok && !strings.Contains(from, "@") && dirOfMod[to] != "" {
				goEdges = append(goEdges, dir+" -> "+dirOfMod[to])
			}
		}
	}
	slices.Sort(goDirs)
	slices.Sort(goEdges)
	if !slices.Equal(dirsOf(f), goDirs) || !slices.Equal(edgesOf(f), goEdges) {
		t.Errorf("ordo: %q %q\ngo:   %q %q", dirsOf(f), edgesOf(f), goDirs, goEdges)
	}
	t.Logf("go list -m / go mod graph agree: %d modules, %d edges", len(goDirs), len(goEdges))
}

// TestGoSingleModuleMains: in a repository that is one module, each main
// package is a service owning the module's packages it imports; which those
// are is compared with go list -deps.
func TestGoSingleModuleMains(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"go.mod":                   "module example.com/mono\n\ngo 1.22\n",
		"cmd/api/main.go":          "package main\n\nimport (\n\t\"fmt\"\n\t\"example.com/mono/internal/store\"\n\t\"example.com/mono/pkg/auth\"\n)\n\nfunc main() { fmt.Println(store.X, auth.Y) }\n",
		"cmd/worker/main.go":       "package main\n\nimport \"example.com/mono/internal/store\"\n\nfunc main() { _ = store.X }\n",
		"cmd/cli/main.go":          "package main\n\nimport \"example.com/mono/pkg/auth\"\n\nfunc main() { _ = auth.Y }\n",
		"cmd/cli/main_test.go":     "package main\n\nimport _ \"example.com/mono/internal/testutil\"\n",
		"internal/store/store.go":  "package store\n\nimport \"example.com/mono/internal/db\"\n\nvar X = db.Z\n",
		"internal/db/db.go":        "package db\n\nvar Z = 1\n",
		"internal/db/schema.sql":   "create table x();\n",
		"internal/testutil/t.go":   "package testutil\n",
		"pkg/auth/auth.go":         "package auth\n\nvar Y = 2\n",
		"Dockerfile":               "FROM golang\nRUN go build -o /api ./cmd/api\n",
		"deploy/worker.Dockerfile": "FROM golang\nRUN go build ./cmd/worker\n",
	}
	root := writeTree(t, files)
	f := discover(t, os.DirFS(root))
	if got, want := dirsOf(f), []string{"cmd/api", "cmd/cli", "cmd/worker", "deploy"}; !slices.Equal(got, want) {
		t.Fatalf("services %q, want %q", got, want)
	}
	kinds := map[string]catalog.Kind{}
	for _, s := range f.Services {
		kinds[s.Dir] = s.Kind
	}
	// api and worker are built by a Dockerfile; cli by nothing.
	if kinds["cmd/api"] != catalog.KindService || kinds["cmd/worker"] != catalog.KindService || kinds["cmd/cli"] != catalog.KindLibrary {
		t.Errorf("kinds %v", kinds)
	}
	m := affected.NewMatcher(mustParse(t, f))
	goBin := testtool.Find(t, "", "go")
	deps := map[string][]string{} // package dir -> mains that import it
	for _, main := range []string{"cmd/api", "cmd/cli", "cmd/worker"} {
		out := goOut(t, goBin, root, "list", "-deps", "-f", "{{if not .Standard}}{{.Dir}}{{end}}", "./"+main)
		for _, d := range strings.Fields(out) {
			rel, _ := filepath.Rel(root, d)
			deps[filepath.ToSlash(rel)] = append(deps[filepath.ToSlash(rel)], path.Base(main))
		}
	}
	for _, dir := range []string{"cmd/api", "cmd/cli", "cmd/worker", "internal/store", "internal/db", "internal/testutil", "pkg/auth"} {
		want := deps[dir]
		slices.Sort(want)
		for _, file := range []string{dir + "/x.go", dir + "/schema.sql"} {
			res, err := m.Compute(affected.Input{Files: []string{file}})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Names(); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("change to %s affects %q; go list -deps has it in %q", file, got, want)
			}
		}
	}
	t.Logf("go list -deps agrees for 3 main packages over %d package directories", len(deps))
}

// TestComposeShape: depends_on is order only; services under profiles, in a
// test Compose file, or image-only are left out, each with a note.
func TestComposeShape(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"compose.yaml": `services:
  web:
    build: ./web
    depends_on: [api, db]
  api:
    build: {context: ., dockerfile: services/api/Dockerfile}
    depends_on:
      db: {condition: service_healthy}
  db:
    image: postgres:16
  debug:
    build: ./tools/debug
    profiles: [debug]
`,
		"docker-compose.test.yml": "services:\n  e2e:\n    build: ./e2e\n    depends_on: [web]\n",
		"web/index.js":            "",
		"services/api/Dockerfile": "FROM scratch\n",
		"tools/debug/Dockerfile":  "FROM scratch\n",
		"e2e/run.sh":              "",
		"web/tests/Dockerfile":    "FROM node\n",
		"compose.images.yaml":     "services:\n  web:\n    image: acme/web\n  cache:\n    image: redis\n",
	}
	f := discover(t, os.DirFS(writeTree(t, files)))
	// tools/debug has a Dockerfile, but only a profile builds it: a
	// library; e2e is in no deploy; web/tests/Dockerfile runs tests.
	if got, want := dirsOf(f), []string{"services/api", "tools/debug", "web"}; !slices.Equal(got, want) {
		t.Errorf("services %q, want %q", got, want)
	}
	if k := service(t, f, "tools/debug").Kind; k != catalog.KindLibrary {
		t.Errorf("tools/debug is a %s, want a library: only a profile builds it", k)
	}
	if got, want := edgesOf(f), []string{"web -> services/api (order)"}; !slices.Equal(got, want) {
		t.Errorf("edges %q, want %q", got, want)
	}
	notes := strings.Join(f.Notes, "\n")
	for _, want := range []string{"docker-compose.test.yml: a test Compose file", "debug (profiles: debug)", "left out (add them by hand, with propagate: false dependencies, to order deploys after them): cache (redis), db (postgres:16)", "web/tests: a Dockerfile in a test directory"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q do not say %q", f.Notes, want)
		}
	}
	cat := mustParse(t, f)
	res, err := affected.NewMatcher(cat).Compute(affected.Input{Files: []string{"services/api/main.go"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Names(); !slices.Equal(got, []string{"api"}) {
		t.Errorf("a change to api affects %q: depends_on must not propagate", got)
	}
}

func TestSuggestTags(t *testing.T) {
	t.Parallel()
	svc := func(name, dir string, tagNames ...string) Service {
		return Service{Name: name, Dir: dir, TagNames: tagNames}
	}
	tests := []struct {
		name     string
		services []Service
		tags     []string
		release  string
		own      map[string]string // service -> its own tag
	}{
		{"path/vX.Y.Z", []Service{svc("otlp", "exporters/otlp"), svc("bridge", "bridge")},
			[]string{"exporters/otlp/v1.2.0", "bridge/v0.3.1"}, "", map[string]string{"otlp": "exporters/otlp/v{version}", "bridge": "bridge/v{version}"}},
		{"name@X.Y.Z", []Service{svc("web", "apps/web"), svc("ui", "packages/ui")},
			[]string{"web@1.0.0", "ui@0.2.0", "unrelated"}, "{service}@{version}", map[string]string{}},
		{"scoped npm name@X.Y.Z", []Service{svc("ui", "packages/ui", "@acme/ui"), svc("web", "apps/web")},
			[]string{"@acme/ui@0.2.0", "web@1.0.0"}, "{service}@{version}", map[string]string{"ui": "@acme/ui@{version}"}},
		{"name-vX.Y.Z", []Service{svc("api", "services/api"), svc("worker", "services/worker")},
			[]string{"api-v1.0.0", "worker-v2.1.0"}, "{service}-v{version}", map[string]string{}},
		{"vX.Y.Z for the root module", []Service{svc("sdk", "."), svc("otlp", "exporters/otlp")},
			[]string{"v1.4.0", "exporters/otlp/v0.9.0"}, "", map[string]string{"sdk": "v{version}", "otlp": "exporters/otlp/v{version}"}},
		{"vX.Y.Z is not every service's", []Service{svc("a", "a"), svc("b", "b")},
			[]string{"v1.0.0"}, "", map[string]string{}},
		{"prerelease and nonsense tags", []Service{svc("a", "a")},
			[]string{"a@1.0.0-rc.1", "a@latest"}, "{service}@{version}", map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &Found{Services: tt.services}
			SuggestTags(f, tt.tags)
			if f.ReleaseTag != tt.release {
				t.Errorf("release.tag %q, want %q", f.ReleaseTag, tt.release)
			}
			for _, s := range f.Services {
				if s.Tag != tt.own[s.Name] {
					t.Errorf("%s: tag %q, want %q", s.Name, s.Tag, tt.own[s.Name])
				}
			}
		})
	}
}

// TestManifestLimits: a manifest linked to /dev/zero, out of the tree, or
// larger than any manifest, stops discovery with bad input instead of
// being read until memory runs out.
func TestManifestLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T, root string)
		want  string
	}{
		{"link to /dev/zero", func(t *testing.T, root string) {
			if err := os.Symlink("/dev/zero", filepath.Join(root, "a", "package.json")); err != nil {
				t.Fatal(err)
			}
		}, "a/package.json: links outside the repository"},
		{"link up and out", func(t *testing.T, root string) {
			if err := os.Symlink("../../../../etc/passwd", filepath.Join(root, "a", "Cargo.toml")); err != nil {
				t.Fatal(err)
			}
		}, "a/Cargo.toml: links outside the repository"},
		{"too large", func(t *testing.T, root string) {
			big := bytes.Repeat([]byte(" "), maxManifest+10)
			if err := os.WriteFile(filepath.Join(root, "a", "package.json"), big, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "a/package.json: too large"},
		{"a fifo", func(t *testing.T, root string) {
			if err := mkfifo(filepath.Join(root, "a", "go.mod")); err != nil {
				t.Skip("no mkfifo here")
			}
		}, "a/go.mod: too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := writeTree(t, map[string]string{"a/x.txt": ""})
			tt.setup(t, root)
			_, err := Discover(os.DirFS(root))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if exit.Code(err) != exit.BadInput {
				t.Errorf("exit code %d, want %d", exit.Code(err), exit.BadInput)
			}
		})
	}
}
