package render

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/ordo-ci/ordo/internal/gate"
	"github.com/ordo-ci/ordo/internal/golden"
)

// TestGate renders the reports internal/gate's tests keep (a release that
// breaks every rule, and one that passes) as text, Markdown and JSON; the
// JSON must come back as the gate wrote it.
func TestGate(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"failed", "passed"} {
		doc, err := os.ReadFile(filepath.Join("..", "gate", "testdata", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var r gate.Report
		if err := json.Unmarshal(doc, &r); err != nil {
			t.Fatal(err)
		}
		for _, f := range []struct {
			ext    string
			render func(*bytes.Buffer) error
		}{
			{"txt", func(b *bytes.Buffer) error { return GateText(b, &r) }},
			{"md", func(b *bytes.Buffer) error { return GateMarkdown(b, &r) }},
			{"json", func(b *bytes.Buffer) error { return JSON(b, &r) }},
		} {
			t.Run(name+"."+f.ext, func(t *testing.T) {
				t.Parallel()
				var b bytes.Buffer
				if err := f.render(&b); err != nil {
					t.Fatal(err)
				}
				if f.ext == "json" {
					if !bytes.Equal(b.Bytes(), doc) {
						t.Errorf("render.JSON differs from the gate's document:\n%s\nwant\n%s", b.Bytes(), doc)
					}
					return
				}
				golden.Check(t, filepath.Join("testdata", "gate", name+"."+f.ext), b.Bytes())
			})
		}
	}
}
