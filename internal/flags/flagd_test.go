package flags

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ordo-ci/ordo/internal/record"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// scenarios are records of the shop's production at moments of a release,
// each with the time the file is written.
type scenario struct {
	name    string
	now     time.Time
	entries map[string]string // service -> rec description
}

func scenarios() []scenario {
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	met := map[string]string{"payments": "success@3.1.0 success@4.0.0#b~10", "checkout-web": "success@2.1.0~20"}
	return []scenario{
		{"nothing-deployed", at(0), nil},
		{"unmet", at(30), map[string]string{"payments": "success@3.1.0", "checkout-web": "success@2.1.0~20"}},
		{"step1", at(30), met},
		{"step2", at(60), met},
		{"step3", at(200), met},
		{"rolled-back", at(300), map[string]string{
			"payments":     "success@3.1.0 success@4.0.0#b~10 rollback/rolled_back@4.0.0#b~240 rollback/success@3.1.0~241",
			"checkout-web": "success@2.1.0~20"}},
	}
}

func (sc scenario) states(tb testing.TB) []State {
	tb.Helper()
	entries := map[string][]record.Entry{}
	for s, d := range sc.entries {
		entries[s] = rec(tb, s, d)
	}
	return Evaluate(loadCatalog(tb, shopYAML), "production", entries, Options{Now: sc.now})
}

// encode writes the document as render.JSON does (indented, sorted keys,
// no HTML escaping), which the command line uses; render imports this
// package, so the tests cannot call it. internal/cli's flags.txtar pins the
// bytes the command writes.
func encode(tb testing.TB, doc map[string]any) []byte {
	tb.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// TestDocumentGolden pins the bytes of the flagd files, checks that writing
// again gives the same bytes, and validates every file against flagd's
// JSON schemas.
func TestDocumentGolden(t *testing.T) {
	t.Parallel()
	schema := flagdSchema(t)
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			got := encode(t, Document(sc.states(t)))
			if again := encode(t, Document(sc.states(t))); !bytes.Equal(got, again) {
				t.Fatalf("two writes differ:\n%s\n%s", got, again)
			}
			validateFlagd(t, schema, got)
			golden := filepath.Join("testdata", "golden", sc.name+".json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs (go test -update to accept):\n%s", golden, got)
			}
		})
	}
}

// TestDocumentShape checks what SPEC section 14 asks of each kind of flag,
// on the decoded document rather than its bytes.
func TestDocumentShape(t *testing.T) {
	t.Parallel()
	byName := map[string]scenario{}
	for _, sc := range scenarios() {
		byName[sc.name] = sc
	}
	flagOf := func(name, flag string) map[string]any {
		var doc struct {
			Schema string                    `json:"$schema"`
			Flags  map[string]map[string]any `json:"flags"`
		}
		if err := json.Unmarshal(encode(t, Document(byName[name].states(t))), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Schema != FlagdSchema {
			t.Errorf("$schema %q", doc.Schema)
		}
		return doc.Flags[flag]
	}

	unmet := flagOf("unmet", "new-checkout")
	if unmet["defaultVariant"] != "off" || unmet["state"] != "ENABLED" || unmet["targeting"] != nil {
		t.Errorf("unmet: %v", unmet)
	}
	md := unmet["metadata"].(map[string]any)
	if md["requires.payments"] != ">=4.0.0" || md["running.payments"] != "3.1.0" || md["ordo.step"] != 0.0 || md["ordo.met_since"] != nil {
		t.Errorf("unmet metadata: %v", md)
	}
	if v := unmet["variants"].(map[string]any); v["on"] != true || v["off"] != false || len(v) != 2 {
		t.Errorf("variants %v", v)
	}

	if f := flagOf("step1", "web-only"); f["defaultVariant"] != "on" || f["targeting"] != nil {
		t.Errorf("met without rollout: %v", f)
	}
	if f := flagOf("step3", "new-checkout"); f["defaultVariant"] != "on" || f["targeting"] != nil {
		t.Errorf("at the last step: %v", f)
	}

	// Step 1 at +30m (met since +20m): 5% now, unconditionally; 50% from
	// +50m and everyone from +170m, gated on $flagd.timestamp, latest first.
	f := flagOf("step1", "new-checkout")
	args := f["targeting"].(map[string]any)["if"].([]any)
	if len(args) != 5 {
		t.Fatalf("if has %d arguments: %v", len(args), args)
	}
	gate := func(i int) float64 {
		c := args[i].(map[string]any)[">="].([]any)
		if c[0].(map[string]any)["var"] != "$flagd.timestamp" {
			t.Errorf("condition %d: %v", i, c)
		}
		return c[1].(float64)
	}
	if got, want := gate(0), float64(t0.Add(170*time.Minute).Unix()); got != want {
		t.Errorf("last step gated at %v, want %v", got, want)
	}
	if args[1] != "on" {
		t.Errorf("last step: %v", args[1])
	}
	if got, want := gate(2), float64(t0.Add(50*time.Minute).Unix()); got != want {
		t.Errorf("step 2 gated at %v, want %v", got, want)
	}
	percent := func(v any) float64 {
		fr := v.(map[string]any)["fractional"].([]any)
		if by, _ := json.Marshal(fr[0]); string(by) != `{"cat":[{"var":"$flagd.flagKey"},{"var":"targetingKey"}]}` {
			t.Errorf("bucketed on %s", by)
		}
		return fr[1].([]any)[1].(float64)
	}
	if percent(args[3]) != 50 || percent(args[4]) != 5 {
		t.Errorf("percents %v %v", args[3], args[4])
	}
	md = f["metadata"].(map[string]any)
	if md["ordo.step"] != 1.0 || md["ordo.met_since"] != "2026-03-02T09:20:00Z" || md["running.checkout-web"] != "2.1.0" {
		t.Errorf("metadata %v", md)
	}
	// Step 2: step 1 is gone, 50% is unconditional.
	if args := flagOf("step2", "new-checkout")["targeting"].(map[string]any)["if"].([]any); len(args) != 3 || percent(args[2]) != 50 {
		t.Errorf("step 2 targeting %v", args)
	}
	if f := flagOf("rolled-back", "new-checkout"); f["defaultVariant"] != "off" || f["targeting"] != nil {
		t.Errorf("after the rollback: %v", f)
	}
}

// flagdSchema compiles flagd's flags.json with its targeting.json, both as
// the flagd-core npm package ships them (testdata/flagd-schema/README.md).
func flagdSchema(tb testing.TB) *jsonschema.Schema {
	tb.Helper()
	c := jsonschema.NewCompiler()
	for _, name := range []string{"flags.json", "targeting.json"} {
		f, err := os.Open(filepath.Join("testdata", "flagd-schema", name))
		if err != nil {
			tb.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			tb.Fatal(err)
		}
		if err := c.AddResource("https://flagd.dev/schema/v0/"+name, doc); err != nil {
			tb.Fatal(err)
		}
	}
	s, err := c.Compile(FlagdSchema)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func validateFlagd(tb testing.TB, s *jsonschema.Schema, doc []byte) {
	tb.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.Validate(v); err != nil {
		tb.Errorf("not a valid flagd file: %v\n%s", err, doc)
	}
}

// TestSchemaRefusesMistakes shows the schema check can fail: documents
// with what a careless writer might produce are refused.
func TestSchemaRefusesMistakes(t *testing.T) {
	t.Parallel()
	s := flagdSchema(t)
	for _, bad := range []string{
		`{"flags": {"f": {"state": "ON", "variants": {"on": true, "off": false}, "defaultVariant": "off"}}}`,
		`{"flags": {"f": {"state": "ENABLED", "variants": {"on": true, "off": "no"}, "defaultVariant": "off"}}}`,
		`{"flags": {"f": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off", "metadata": {"requires": {"payments": ">=4"}}}}}`,
		`{"flags": {"f": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off", "targeting": {"fractional": [["on", "5"]]}}}}`,
	} {
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		if s.Validate(v) == nil {
			t.Errorf("schema accepts %s", bad)
		}
	}
}
