package render

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/affected"
)

// stdIndent is what the indenter must write: json.Indent with two spaces,
// defused.
func stdIndent(tb testing.TB, compact []byte) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, compact, "", "  "); err != nil {
		tb.Fatalf("json.Indent(%q): %v", compact, err)
	}
	return DefuseJSON(b.Bytes())
}

func checkIndent(tb testing.TB, name string, doc []byte) {
	tb.Helper()
	var compact bytes.Buffer
	if err := json.Compact(&compact, doc); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	compact.WriteByte('\n') // as json.Encoder ends every value
	src := compact.Bytes()
	want := stdIndent(tb, src)
	// Whole, and in pieces of every size up to 8 bytes (every cut between
	// a backslash and what it escapes, or inside "\\\""), and of 1000.
	for _, size := range []int{len(src), 1, 2, 3, 5, 8, 1000} {
		var got bytes.Buffer
		x := newIndenter(&got)
		for p := src; len(p) > 0; {
			n := min(size, len(p))
			if _, err := x.Write(p[:n]); err != nil {
				tb.Fatal(err)
			}
			p = p[n:]
		}
		if err := x.flush(true); err != nil {
			tb.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			tb.Fatalf("%s: indented in pieces of %d\n= %q\nwant %q", name, size, got.Bytes(), want)
		}
	}
}

func TestIndent(t *testing.T) {
	t.Parallel()
	docs := []string{
		`null`, `1`, `-1.5e+10`, `true`, `""`, `"x"`, `[]`, `{}`, `[[]]`, `{"a":{}}`, `[{},[],{"b":[]}]`,
		`{"a":1,"b":[1,2,{"c":null}],"d":"e"}`,
		`["quote \" inside", "backslash at the end \\", "\\\"", "\\\\\"x", "a,b:{c}[d]", "tab\t\u0000\ufffd日本"]`,
		`{"key with \" and ,:": ["v\\"]}`,
		`[[[[[[[[[[1]]]]]]]]]]`,
		`["##[error]x", "a##[b##[", "#[", "###[", "##", "#", "## [", "##\\[", {"##[k":"v"}]`,
		// "##[" across the indenter's 32 KB pieces, at every offset near the cut.
		`["` + strings.Repeat("#", indentFlush-6) + `[", "` + strings.Repeat("#[", indentFlush/2) + `"]`,
		`["` + strings.Repeat("x", indentFlush-8) + `##[", "` + strings.Repeat("x", indentFlush-7) + `##["]`,
	}
	for _, d := range docs {
		checkIndent(t, d, []byte(d))
	}
	// Every JSON document under testdata in the repository: goldens, fixtures.
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".json") || !strings.Contains(path, "testdata") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil || !json.Valid(data) {
			return err
		}
		checkIndent(t, path, data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestJSONIsEncoderIndent checks JSON against the encoder it replaced.
func TestJSONIsEncoderIndent(t *testing.T) {
	t.Parallel()
	doc := NewAffectedDoc(Change{Base: "abc", Source: `--base "x" <&>`}, &affected.Result{
		ChangedFiles: []string{"a\nb", `c"d`, "e\\", "<html>&", "##[error]x.go"},
		Services:     []affected.Service{{Name: "s", Kind: "service", Reasons: []affected.Reason{{Type: "changed", Files: []string{"a"}}, {Type: "dependency", Via: []string{"t", "s"}}}}},
	})
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := JSON(&got, doc); err != nil {
		t.Fatal(err)
	}
	if defused := DefuseJSON(want.Bytes()); !bytes.Equal(got.Bytes(), defused) {
		t.Errorf("JSON =\n%s\nwant\n%s", got.Bytes(), defused)
	}
}

func FuzzIndent(f *testing.F) {
	for _, s := range []string{`{"a":[1,"\\\"",{}]}`, `[]`, `"\\"`, `{"":[[],{"x":null}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		checkIndent(t, "fuzz", data)
	})
}

func BenchmarkJSON(b *testing.B) {
	files := make([]string, 20000)
	for i := range files {
		files[i] = "services/svc" + strings.Repeat("x", i%13) + "/pkg/file.go"
	}
	doc := NewAffectedDoc(Change{Source: "bench"}, &affected.Result{ChangedFiles: files})
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := JSON(&buf, doc); err != nil {
			b.Fatal(err)
		}
	}
}
