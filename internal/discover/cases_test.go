package discover

// The repositories TestDiscover and TestInitHasNoDrift read: one case per shape of
// repository, with what ordo init finds in it.

type discoverCase struct {
	name   string
	files  map[string]string
	want   []string // lines(f)
	global []string
	diags  []string // substrings, one per diagnostic, in order
}

var discoverCases = []discoverCase{
	{
		name: "go workspace with replace",
		files: map[string]string{
			"go.work":     "go 1.22\n\nuse (\n\t./services/api\n\t./libs/auth\n\t./libs/log // logging\n)\n",
			"go.work.sum": "",
			"services/api/go.mod": `module example.com/shop/services/api

go 1.22

require (
	example.com/shop/libs/auth v0.0.0
	github.com/google/uuid v1.6.0 // indirect
)

replace example.com/shop/libs/auth => ../../libs/auth
`,
			"services/api/main.go": "package main\n",
			"libs/auth/go.mod":     "module example.com/shop/libs/auth\n\ngo 1.22\n\nrequire example.com/shop/libs/log v0.1.0\n",
			"libs/log/go.mod":      "module \"example.com/shop/libs/log\"\n",
			// Not in go.work: still a module of the repository.
			"tools/gen/go.mod": "module example.com/shop/tools/gen/v2\n\nrequire example.com/shop/libs/log v0.1.0\n",
		},
		want: []string{
			"api services/api library -> auth",
			"auth libs/auth library -> log",
			// tools/gen is not in go.work: not a package.
			"log libs/log library",
		},
		global: []string{"go.work", "go.work.sum"},
	},
	{
		name: "go replace to a renamed directory and a go.work replace",
		files: map[string]string{
			"go.work": "go 1.22\nuse ./a\nuse ./b\nreplace example.com/c => ./third/c\n",
			"a/go.mod": "module example.com/a\nrequire (\n\texample.com/b v1.0.0\n\texample.com/c v1.0.0\n)\n" +
				"replace example.com/b v1.0.0 => ../bee\n",
			"b/go.mod":       "module example.com/b\n",
			"bee/go.mod":     "module example.com/b\n",
			"third/c/go.mod": "module example.com/c\n",
		},
		want: []string{
			// Both directories declare example.com/b: both names move on.
			"a a library -> bee,c",
			"b b library",
			"bee bee library",
			"c third/c library",
		},
		diags: []string{"bee/go.mod:1:1: warning: module \"example.com/b\" is also declared in b/go.mod"},
	},
	{
		name: "npm workspaces, array form",
		files: map[string]string{
			"package.json":      `{"name": "root", "private": true, "workspaces": ["packages/*", "./apps/*/"]}`,
			"package-lock.json": "{}",
			"packages/web/package.json": `{"name": "@acme/web", "dependencies": {"@acme/ui": "^1.0.0", "react": "^18"},
				"scripts": {"start": "node ."}}`,
			"packages/ui/package.json":    `{"name": "@acme/ui", "devDependencies": {"@acme/utils": "*"}}`,
			"packages/utils/package.json": `{"name": "@acme/utils", "version": "1.0.0"}`,
			"apps/admin/package.json":     `{"name": "admin", "peerDependencies": {"@acme/ui": "workspace:*"}, "optionalDependencies": {"@acme/web": "1"}}`,
			// Under the workspace but not one of its packages.
			"examples/demo/package.json": `{"name": "demo", "dependencies": {"@acme/ui": "*"}}`,
			// Dependencies, build output and fixtures are not searched.
			"node_modules/react/package.json":          `{"name": "react"}`,
			"packages/web/node_modules/x/package.json": `{"name": "x"}`,
			"packages/web/dist/package.json":           `{"name": "dist"}`,
			"packages/web/testdata/package.json":       `{"name": "fixture"}`,
			".cache/package.json":                      `{"name": "hidden"}`,
		},
		want: []string{
			"admin apps/admin library -> ui,web",
			"ui packages/ui library -> utils",
			"utils packages/utils library",
			"web packages/web library -> ui", // admin depends on it; no Dockerfile
		},
		global: []string{"package-lock.json", "package.json"},
	},
	{
		name: "yarn workspaces, object form with negation",
		files: map[string]string{
			"package.json":               `{"private": true, "workspaces": {"packages": ["apps/*", "libs/**", "!libs/legacy"], "nohoist": ["**/x"]}}`,
			"yarn.lock":                  "",
			"apps/site/package.json":     `{"name": "site", "dependencies": {"theme": "^2.0.0"}}`,
			"libs/ui/theme/package.json": `{"name": "theme", "dependencies": {"legacy": "*"}}`,
			"libs/legacy/package.json":   `{"name": "legacy"}`,
		},
		want: []string{
			"site apps/site library -> theme",
			"theme libs/ui/theme library",
		},
		global: []string{"package.json", "yarn.lock"},
	},
	{
		name: "pnpm workspace",
		files: map[string]string{
			"package.json":        `{"name": "mono", "devDependencies": {"typescript": "5"}}`,
			"pnpm-lock.yaml":      "lockfileVersion: '9.0'\n",
			"pnpm-workspace.yaml": "packages:\n  - 'apps/**'\n  - packages/*\n  - '!**/test/**'\n",
			"apps/api/package.json": `{"name": "api", "dependencies": {"db": "workspace:^", "shared": "workspace:*"},
				"devDependencies": {"fixtures": "workspace:*"}}`,
			"apps/api/test/fixtures/package.json": `{"name": "fixtures"}`,
			"packages/db/package.json":            `{"name": "db", "dependencies": {"shared": "workspace:~"}}`,
			"packages/shared/package.json":        `{"name": "shared"}`,
		},
		want: []string{
			"api apps/api library -> db,shared",
			"db packages/db library -> shared",
			"shared packages/shared library",
		},
		global: []string{"package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml"},
	},
	{
		name: "standalone packages with file: dependencies",
		files: map[string]string{
			"web/package.json":        `{"name": "web", "dependencies": {"kit": "file:../shared/kit", "left-pad": "1"}}`,
			"web/package-lock.json":   "{}",
			"shared/kit/package.json": `{"name": "kit"}`,
		},
		want: []string{
			"kit shared/kit library",
			"web web library -> kit",
		},
		global: []string{},
	},
	{
		name: "cargo workspace with path dependencies",
		files: map[string]string{
			"Cargo.toml": `[workspace]
members = ["crates/*"]
resolver = "2"

[workspace.dependencies]
core = { path = "crates/core", version = "0.1" }
serde = "1"
`,
			"Cargo.lock":             "",
			"crates/core/Cargo.toml": "[package]\nname = \"ordo-core\"\nversion = \"0.1.0\"\n",
			"crates/cli/Cargo.toml": `[package]
name = "ordo_cli"
version.workspace = true

[dependencies]
core = { workspace = true }
serde.workspace = true

[target.'cfg(unix)'.dependencies]
sys = { path = "../sys" }
`,
			"crates/sys/Cargo.toml": "[package]\nname = \"sys\"\n",
			"crates/server/Cargo.toml": `[package]
name = "server"
[dependencies.core]
path = "../core"
[dev-dependencies]
testkit = { path = "../../tools/testkit" }
`,
			"crates/server/Dockerfile":           "FROM scratch\n",
			"tools/testkit/Cargo.toml":           "[package]\nname = \"testkit\"\n[lib]\npath = \"lib.rs\"\n",
			"crates/cli/target/debug/Cargo.toml": "[package]\nname = \"build-output\"\n",
		},
		want: []string{
			"ordo-core crates/core library",
			"ordo_cli crates/cli library -> ordo-core,sys",
			"server crates/server service -> ordo-core", // testkit is a dev-dependency: not an edge
			"sys crates/sys library",
			"testkit tools/testkit library",
		},
		global: []string{"Cargo.lock", "Cargo.toml"},
	},
	{
		name: "docker compose, both depends_on forms",
		files: map[string]string{
			"docker-compose.yml": `x-common: &common
  restart: always
services:
  api:
    <<: *common
    build: ./services/api
    depends_on: [db, worker]
  worker:
    build:
      context: services/worker
      dockerfile: Dockerfile
  web:
    build: {context: ., dockerfile: frontend/web/Dockerfile}
    depends_on:
      api:
        condition: service_healthy
  db:
    image: postgres:16
`,
			"docker-compose.override.yml": "services:\n  worker:\n    depends_on: [cache]\n  cache:\n    build: ./cache\n",
			"services/api/Dockerfile":     "FROM scratch\n",
			"services/worker/Dockerfile":  "FROM scratch\n",
			"frontend/web/Dockerfile":     "FROM scratch\n",
			"cache/Dockerfile":            "FROM redis\n",
		},
		want: []string{
			"api services/api service -> worker",
			"cache cache service",
			"web frontend/web service -> api",
			"worker services/worker service -> cache",
		},
	},
	{
		name: "Dockerfile-only directories",
		files: map[string]string{
			"Dockerfile":                      "FROM scratch\n",
			"tools/migrator/Dockerfile":       "FROM scratch\n",
			"ops/Proxy_Server/Containerfile":  "FROM scratch\n",
			"jobs/nightly/nightly.Dockerfile": "FROM scratch\n",
			"jobs/nightly/Dockerfile.dev":     "FROM scratch\n",
			"docs/Dockerfile.md":              "not a Dockerfile\n",
		},
		want: []string{
			"migrator tools/migrator service",
			"nightly jobs/nightly service",
			"proxy_server ops/Proxy_Server service",
		},
	},
	{
		name: "nested packages: a file belongs to the innermost",
		files: map[string]string{
			"package.json":                             `{"workspaces": ["packages/*", "packages/*/plugins/*"]}`,
			"packages/app/package.json":                `{"name": "app"}`,
			"packages/app/plugins/auth/package.json":   `{"name": "app-auth", "dependencies": {"app": "*"}}`,
			"packages/app/plugins/pay/package.json":    `{"name": "app-pay"}`,
			"packages/app/plugins/pay/Dockerfile":      "FROM scratch\n",
			"packages/app/plugins/pay/deep/Dockerfile": "FROM scratch\n",
		},
		want: []string{
			"app packages/app library !packages/app/plugins/auth/**,!packages/app/plugins/pay/**",
			"app-auth packages/app/plugins/auth library -> app",
			"app-pay packages/app/plugins/pay service !packages/app/plugins/pay/deep/**",
			"deep packages/app/plugins/pay/deep service",
		},
	},
	{
		name: "one directory, several manifests: one service named by the most specific",
		files: map[string]string{
			"services/api/go.mod":       "module example.com/backend\n",
			"services/api/package.json": `{"name": "@acme/api-gateway"}`,
			"services/api/Dockerfile":   "FROM scratch\n",
			"services/api/Cargo.toml":   "[package]\nname = \"gateway-rs\"\n",
			"compose.yaml":              "services:\n  gw:\n    build: services/api\n",
		},
		want: []string{"api-gateway services/api service"},
	},
	{
		name: "name clashes across and within ecosystems",
		files: map[string]string{
			"package.json":              `{"workspaces": ["packages/*", "ui/*", "dup/*", "odd*"]}`,
			"packages/api/package.json": `{"name": "api"}`,
			"services/api/go.mod":       "module example.com/svc/api\n",
			"crates/api/Cargo.toml":     "[package]\nname = \"api\"\n",
			"ui/a/package.json":         `{"name": "@a/ui"}`,
			"ui/b/package.json":         `{"name": "@b/ui"}`,
			"x/svc/api/go.mod":          "module example.com/x/svc/api\n",
			"y/svc/api/go.mod":          "module example.com/y/svc/api\n",
			"odd/package.json":          `{"name": "@Acme/UI Kit!!"}`,
			"odd2/package.json":         `{"name": "__"}`,
			"api/Dockerfile":            "FROM scratch\n",
			"dup/one/package.json":      `{"name": "same"}`,
			"dup/two/package.json":      `{"name": "same"}`,
		},
		want: []string{
			"a-ui ui/a library",
			"api-cargo crates/api library",
			"api-docker api service",
			"api-npm packages/api library",
			"b-ui ui/b library",
			"dup-one dup/one library",
			"dup-two dup/two library",
			"odd2 odd2 library",
			"services-api services/api library",
			"ui-kit odd library",
			"x-svc-api x/svc/api library",
			"y-svc-api y/svc/api library",
		},
		diags: []string{`dup/two/package.json: warning: package "same" is also in dup/one`},
	},
	{
		name: "malformed manifests are reported and skipped",
		files: map[string]string{
			"package.json":              `{"workspaces": ["packages/*"]}`,
			"packages/ok/package.json":  `{"name": "ok", "dependencies": {"bad": "*"}}`,
			"packages/bad/package.json": "{\n  \"name\": \"bad\",\n  \"dependencies\": {\"ok\": \"*\",}\n}\n",
			"packages/typ/package.json": "{\n  \"name\": \"typ\",\n  \"dependencies\": [\"ok\"]\n}\n",
			"packages/bad/Dockerfile":   "FROM scratch\n",
			"go/a/go.mod":               "module example.com/a\n\nrequire example.com/b\n",
			"go/b/go.mod":               "module example.com/b\nrequire (\n\texample.com/a v1\n",
			"go/c/go.mod":               "module example.com/c\nfrobnicate x\n",
			"go/d/go.mod":               "module example.com/d\nrequire example.com/a v1.0.0\n",
			"compose.yml":               "services:\n  api:\n    build: [oops\n",
			"rs/Cargo.toml":             "[package]\nname = \"rs\"\nversion = 1.0\"\n",
			"rs2/Cargo.toml":            "[dependencies]\nx = { path = \"../rs\" }\n[package]\n",
		},
		want: []string{
			"bad packages/bad service",
			"d go/d library",
			"ok packages/ok library",
		},
		diags: []string{
			"compose.yml:3:12: warning: not valid YAML",
			"go/a/go.mod:3:23: warning: require takes a module path and a version",
			"go/b/go.mod:2:1: warning: require block is not closed",
			"go/c/go.mod:2:1: warning: unknown directive \"frobnicate\"",
			"packages/bad/package.json:3:30: warning: not valid JSON: invalid character '}'",
			"packages/typ/package.json:3:3: warning: dependencies must be an object, not array",
			"rs/Cargo.toml:3:14: warning: not valid TOML",
			"rs2/Cargo.toml: warning: [package] has no name",
		},
	},
	{
		name: "dependency cycles are broken with a warning",
		files: map[string]string{
			"package.json":     `{"workspaces": ["p/*"]}`,
			"p/a/package.json": `{"name": "a", "dependencies": {"b": "*"}}`,
			"p/b/package.json": `{"name": "b", "devDependencies": {"c": "*"}}`,
			"p/c/package.json": `{"name": "c", "devDependencies": {"a": "*", "c": "*"}}`,
		},
		want: []string{
			"a p/a library -> b",
			"b p/b library -> c",
			"c p/c library",
		},
		diags: []string{"p/c/package.json: warning: the manifests make a dependency cycle a -> b -> c -> a, which ordo.yaml cannot hold: ordo init leaves out c -> a"},
	},
	{
		name:  "empty repository",
		files: map[string]string{"README.md": "hi\n"},
		want:  nil,
	},
}
