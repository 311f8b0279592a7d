package verify

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzExpand: expanding any text never panics, no placeholder survives it,
// and redaction hides every $VAR value it took.
func FuzzExpand(f *testing.F) {
	for _, s := range []string{"https://{service}.{env}.example.com/{with.path}?w={wave}", "Bearer $TOKEN", "${A}{sha}$$x", `sum(x{service="{service}"})`, "{with.}", "$", "{"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w := 3
		x := &expander{vars: Vars{Service: "api", Env: "prod", Wave: &w, Version: "1.0.0", SHA: "abc", With: map[string]string{"path": "healthz"}},
			getenv: func(k string) string { return "v-" + k }, secrets: &Secrets{}}
		out, err := x.expand(s, "fuzz")
		if err != nil {
			return
		}
		if strings.Contains(s, "{service}") && strings.Contains(out, "{service}") && !strings.Contains(s, "{{service}}") {
			// Only a value can bring a placeholder back, and none here does.
			t.Errorf("expand(%q) = %q still holds {service}", s, out)
		}
		redacted := x.secrets.Redact(out)
		for _, v := range x.secrets.Values() {
			if strings.Contains(redacted, v) {
				t.Errorf("Redact(%q) = %q still shows the secret %q", out, redacted, v)
			}
		}
	})
}

// FuzzSamples: any query API answer is read without a panic.
func FuzzSamples(f *testing.F) {
	for _, s := range []string{`[1,"0.5"]`, `[{"metric":{},"value":[1,"2"]}]`, `[]`, `[1,2]`, `null`, `[{"value":[1]}]`} {
		f.Add("vector", s)
		f.Add("scalar", s)
	}
	f.Fuzz(func(t *testing.T, kind, raw string) {
		_, _ = samples(kind, json.RawMessage(raw))
	})
}
