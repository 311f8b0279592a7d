package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ordo-ci/ordo/internal/catalog/catalogtest"
	"github.com/ordo-ci/ordo/internal/golden"
)

// TestInvalid checks each testdata/invalid/X.yaml against X.out: every
// problem, in order, as file:line:col: message [rule].
func TestInvalid(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			cat, diags := Parse(filepath.Base(file), src)
			if cat != nil {
				t.Fatalf("Parse accepted an invalid catalog")
			}
			if len(diags.Errors()) == 0 {
				t.Fatalf("no errors reported")
			}
			got := diags.Error() + "\n"
			golden.Check(t, strings.TrimSuffix(file, ".yaml")+".out", []byte(got))
		})
	}
}

// validCatalogs are the catalogs users copy: the example and the spec's.
func validCatalogs(t testing.TB) []string {
	t.Helper()
	files, _ := filepath.Glob("testdata/valid/*.yaml")
	return append(files, "../../examples/shop/ordo.yaml")
}

func TestValid(t *testing.T) {
	t.Parallel()
	for _, file := range validCatalogs(t) {
		t.Run(filepath.Base(filepath.Dir(file))+"/"+filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			cat, diags, err := Load(file)
			if err != nil {
				t.Fatal(err)
			}
			if cat == nil || len(diags) > 0 {
				t.Fatalf("valid catalog rejected:\n%s", diags.Error())
			}
		})
	}
}

// TestSchema checks that the catalogs ordo accepts validate against the JSON
// Schema it ships, and that the schema rejects what the loader rejects for
// shape reasons (unknown keys, wrong types, bad enums).
func TestSchema(t *testing.T) {
	t.Parallel()
	c := jsonschema.NewCompiler()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("ordo.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("ordo.schema.json")
	if err != nil {
		t.Fatalf("the schema does not compile: %v", err)
	}
	instance := func(t *testing.T, file string) any {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := yaml.UnmarshalWithOptions(src, &v, yaml.UseOrderedMap()); err != nil {
			t.Fatal(err)
		}
		// Through JSON, so YAML timestamps and numbers look as editors see them.
		js, err := yaml.YAMLToJSON(src)
		if err != nil {
			t.Fatal(err)
		}
		out, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, file := range validCatalogs(t) {
		t.Run("valid/"+filepath.Base(file), func(t *testing.T) {
			if err := sch.Validate(instance(t, file)); err != nil {
				t.Errorf("%s does not validate against the schema: %v", file, err)
			}
		})
	}
	for _, name := range []string{"unknown-keys", "wrong-types", "bad-kind-version", "unowned", "semver", "windows", "environments", "checks", "flags", "record"} {
		t.Run("invalid/"+name, func(t *testing.T) {
			if err := sch.Validate(instance(t, "testdata/invalid/"+name+".yaml")); err == nil {
				t.Errorf("the schema accepts testdata/invalid/%s.yaml, which ordo rejects", name)
			}
		})
	}
	// The schema is JSON that editors read: keep it valid and stable.
	var anyDoc any
	if err := json.Unmarshal(Schema, &anyDoc); err != nil {
		t.Fatal(err)
	}
}

func TestParseValues(t *testing.T) {
	t.Parallel()
	cat, diags := Parse("ordo.yaml", []byte(`version: 1
global: [go.work]
ignore: ["**/*.md"]
unowned: fail
services:
  db: {kind: migration, paths: [db/**]}
  api:
    paths: [api/**, "!api/**/*_test.go"]
    depends_on: [db, {service: lib, propagate: false}]
    critical: true
    lock: l
    tag: "api-v{version}"
    provides: {users: [3.0.0, 2.4.0]}
    with: {cluster: eu-1, replicas: 3, canary: true}
  lib: {kind: library, paths: [lib/**]}
  web: {paths: [web/**], consumes: {users: ^2.1}}
policy:
  max_deploy: 5
release: {initial_version: 1.0.0, bump_dependents: none, bump_minor_pre_major: true}
`))
	if cat == nil {
		t.Fatal(diags.Error())
	}
	api := cat.Service("api")
	if api == nil || !api.Critical || api.Lock != "l" || api.Tag != "api-v{version}" || api.Kind != KindService {
		t.Fatalf("api = %+v", api)
	}
	if got := api.Provides[0].Versions; len(got) != 2 || got[0].String() != "2.4.0" {
		t.Errorf("provides versions = %v, want sorted [2.4.0 3.0.0]", got)
	}
	if api.With["replicas"] != "3" || api.With["canary"] != "true" {
		t.Errorf("with = %v: scalars are kept as their text", api.With)
	}
	if len(api.DependsOn) != 2 || !api.DependsOn[0].Propagate || api.DependsOn[1].Propagate {
		t.Errorf("depends_on = %+v", api.DependsOn)
	}
	names := []string{}
	for _, s := range cat.Services {
		names = append(names, s.Name)
	}
	if strings.Join(names, ",") != "api,db,lib,web" {
		t.Errorf("services not sorted by name: %v", names)
	}
	if cat.Unowned != UnownedFail || cat.Policy.MaxDeploy != 5 || cat.Release.BumpDependents != "none" || !cat.Release.BumpMinorPreMajor {
		t.Errorf("catalog = %+v", cat)
	}
	if cat.Release.Tag != "{service}/v{version}" {
		t.Errorf("default tag = %q", cat.Release.Tag)
	}
	if p := cat.Provider("users"); p == nil || p.Name != "api" {
		t.Errorf("Provider(users) = %v", p)
	}
	if got := OrderGraph(cat).Out[cat.Index("web")]; len(got) != 1 || got[0] != cat.Index("api") {
		t.Errorf("web must deploy after api (consumes): %v", got)
	}
}

func TestWindowContains(t *testing.T) {
	t.Parallel()
	cat, diags := Parse("ordo.yaml", []byte(`version: 1
policy:
  freeze:
    - {name: year-end, from: 2026-12-20T00:00:00Z, to: 2027-01-04T00:00:00Z}
    - {name: weekend, days: [sat, sun], tz: Europe/Berlin}
  migration_windows:
    - {days: [tue, wed, thu], from: "06:00", to: "09:00", tz: America/New_York}
    - {from: "22:00", to: "00:00"}
`))
	if cat == nil {
		t.Fatal(diags.Error())
	}
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	yearEnd, weekend := cat.Policy.Freeze[0], cat.Policy.Freeze[1]
	morning, night := cat.Policy.MigrationWindows[0], cat.Policy.MigrationWindows[1]
	tests := []struct {
		name string
		w    Window
		t    string
		want bool
	}{
		{"one-off start is inside", yearEnd, "2026-12-20T00:00:00Z", true},
		{"one-off end is outside", yearEnd, "2027-01-04T00:00:00Z", false},
		{"one-off before", yearEnd, "2026-12-19T23:59:59Z", false},
		// Friday 23:30 UTC is Saturday 00:30 in Berlin (CET, UTC+1).
		{"weekend across the zone boundary", weekend, "2026-12-18T23:30:00Z", true},
		{"friday evening in Berlin", weekend, "2026-12-18T22:30:00Z", false},
		// Sunday 23:30 UTC is Monday 00:30 in Berlin.
		{"monday in Berlin, sunday in UTC", weekend, "2026-12-20T23:30:00Z", false},
		// Tuesday 11:30 UTC is 06:30 in New York (EST, UTC-5).
		{"migration window in New York", morning, "2026-12-01T11:30:00Z", true},
		{"migration window end is outside", morning, "2026-12-01T14:00:00Z", false},
		{"migration window on a monday", morning, "2026-11-30T11:30:00Z", false},
		// Summer time: 06:30 EDT is 10:30 UTC.
		{"migration window in summer time", morning, "2026-07-07T10:30:00Z", true},
		{"until midnight", night, "2026-12-01T23:59:00Z", true},
		{"after midnight", night, "2026-12-02T00:00:00Z", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.w.Contains(at(tt.t)); got != tt.want {
				t.Errorf("Contains(%s) = %v, want %v", tt.t, got, tt.want)
			}
		})
	}
}

func TestMatchTag(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tmpl, service, tag string
		want               string
	}{
		{"{service}/v{version}", "api", "api/v1.2.3", "1.2.3"},
		{"{service}/v{version}", "api", "api/v1.2", ""},
		{"{service}/v{version}", "api", "apix/v1.2.3", ""},
		{"providers/flagd/v{version}", "flagd", "providers/flagd/v0.4.0", "0.4.0"},
		{"providers/flagd/v{version}", "flagd", "providers/flagd-in-process/v0.4.0", ""},
		{"v{version}", "x", "v2.0.0-rc.1", "2.0.0-rc.1"},
		{"{service}-{version}", "a", "a-b-1.0.0", ""},
	}
	for _, tt := range tests {
		v, ok := MatchTag(tt.tmpl, tt.service, tt.tag)
		got := ""
		if ok {
			got = v.String()
		}
		if got != tt.want {
			t.Errorf("MatchTag(%q, %q, %q) = %q, want %q", tt.tmpl, tt.service, tt.tag, got, tt.want)
		}
	}
}

func TestChangedContracts(t *testing.T) {
	t.Parallel()
	parse := func(src string) *Catalog {
		c, d := Parse("ordo.yaml", []byte("version: 1\nservices:\n"+src))
		if c == nil {
			t.Fatal(d.Error())
		}
		return c
	}
	base := parse("  a: {provides: {users: 2.4.0, orders: 1.0.0, gone: 1.0.0}}\n")
	head := parse("  a: {provides: {users: [2.4.0, 3.0.0], orders: 1.0.0, new: 0.1.0}}\n")
	if got := strings.Join(ChangedContracts(base, head), ","); got != "gone,new,users" {
		t.Errorf("ChangedContracts = %s, want gone,new,users", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, file := range append(validCatalogs(f), must(filepath.Glob("testdata/invalid/*.yaml"))...) {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		cat, diags := Parse("ordo.yaml", src)
		if cat == nil && len(diags.Errors()) == 0 {
			t.Fatalf("rejected without an error")
		}
		if cat != nil && len(diags.Errors()) > 0 {
			t.Fatalf("accepted with errors: %s", diags.Error())
		}
		if cat != nil && OrderGraph(cat).Cycle() != nil {
			t.Fatalf("accepted a cycle")
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// benchCatalog is a catalog of n services, each owning its directory and
// depending on up to three earlier ones.
func benchCatalog(n int) []byte {
	var b strings.Builder
	b.WriteString("version: 1\nservices:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  svc%04d:\n    paths: [services/svc%04d/**, \"!services/svc%04d/**/*_test.go\"]\n", i, i, i)
		if i > 3 {
			fmt.Fprintf(&b, "    depends_on: [svc%04d, svc%04d]\n", i/2, i-3)
		}
	}
	return []byte(b.String())
}

// BenchmarkParse shows that parsing grows linearly with the number of
// services (see chunk.go for why that needs care), on catalogs shaped like
// a real monorepo's (catalogtest.Realistic).
func BenchmarkParse(b *testing.B) {
	// As the binary runs (cli.TuneGC): no collection below 256 MiB.
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(256 << 20))
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	for _, n := range []int{1000, 2000, 4000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			src := catalogtest.Realistic(n)
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if c, d := Parse("ordo.yaml", src); c == nil {
					b.Fatal(d.Error())
				}
			}
		})
	}
}

// TestMergeKeyOverrides checks YAML's merge key: a key written beside
// `<<: *base` overrides the merged one instead of being a duplicate, and
// the keys only the base has are merged in.
func TestMergeKeyOverrides(t *testing.T) {
	t.Parallel()
	src := "version: 1\nservices:\n  base: &base\n    paths: [base/**]\n    with: {team: core}\n  api:\n    <<: *base\n    paths: [api/**]\n    depends_on: [base]\n"
	for _, slow := range []bool{false, true} {
		c, diags := parse("ordo.yaml", []byte(src), true, slow)
		if c == nil {
			t.Fatalf("rejected (slow parse %v):\n%s", slow, diags.Error())
		}
		api := c.Service("api")
		if !slices.Equal(api.Paths, []string{"api/**"}) || api.With["team"] != "core" {
			t.Errorf("api: paths %q, with %v; want [api/**] and team core merged in", api.Paths, api.With)
		}
	}
}
