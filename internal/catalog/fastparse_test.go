package catalog

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/lexer"

	"github.com/ordo-ci/ordo/internal/catalog/catalogtest"
)

// sameBothWays parses src with fastParse allowed and with goccy's parser
// alone, and fails unless the catalogs and the diagnostics are the same.
func sameBothWays(t testing.TB, name string, src []byte) {
	t.Helper()
	fast, fd := parse(name, src, true, false)
	slow, sd := parse(name, src, true, true)
	if fd.Error() != sd.Error() {
		t.Fatalf("%s: diagnostics differ:\nfast:\n%s\ngoccy:\n%s", name, fd.Error(), sd.Error())
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%s: catalogs differ", name)
	}
}

// TestFastParseIsGoccys parses every catalog under testdata and the
// example both ways, and checks that the fast path is taken where it
// should be, so that the comparison compares something.
func TestFastParseIsGoccys(t *testing.T) {
	t.Parallel()
	files := append(validCatalogs(t), must(filepath.Glob("testdata/invalid/*.yaml"))...)
	taken := 0
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		sameBothWays(t, filepath.Base(file), src)
		if toks, ok := fastLex(string(src), 0); ok {
			if _, ok := fastParse(toks); ok {
				taken++
			}
		}
	}
	if taken < len(files)/2 {
		t.Errorf("fastParse took only %d of %d catalogs", taken, len(files))
	}
	for _, src := range []string{
		string(catalogtest.Realistic(chunkMinCount + 3)),
		"version: 1\nservices:\n  a:\n    paths:\n    - a/**\n    - \"!a/x\"\n    depends_on:\n    - b\n  b: {paths: ['b/**']}\n",
		"version: 1\nservices:\n  a:\n    paths:\n      - a/**\n    with:\n      x: 1\n      y: true\n      z: ~\n      w: 1.5\n",
	} {
		if _, ok := fastParse(lexer.Tokenize(src)); !ok {
			t.Errorf("fastParse refused a plain catalog:\n%s", src)
		}
		if toks, ok := fastLex(src, 0); !ok {
			t.Errorf("fastLex refused a plain catalog:\n%s", src)
		} else if _, ok := fastParse(toks); !ok {
			t.Errorf("fastParse refused fastLex's tokens of a plain catalog:\n%s", src)
		}
		sameBothWays(t, "ordo.yaml", []byte(src))
	}
	// What fastLex must leave to goccy.
	for _, src := range []string{
		"version: 1\nx: \"a\\nb\"\n",
		"version: 1\nx: 'it''s'\n",
		"version: 1\nx: \"a\n  b\"\n",
		"version: 1\nx: a, b\n",
		"version: 1\n---\n",
		"version: 1\nx: \tb\n",
		"version: 1\nx: é\n",
		"version: 1\nx: &a b\n",
		"version: 1\nx: a #b\ny: c# d\n",
	} {
		if _, ok := fastLex(src, 0); ok && !strings.Contains(src, "#") {
			t.Errorf("fastLex accepted what goccy should lex:\n%s", src)
		}
		sameBothWays(t, "ordo.yaml", []byte(src))
	}
	// What it must leave to goccy: each returns false.
	for _, src := range []string{
		"version: 1\nservices:\n  a: &x {paths: [a]}\n  b: *x\n",
		"version: 1\nx: !!str 1\n",
		"version: 1\nx: |\n  text\n",
		"version: 1\nx: a: b\n",
		"version: 1\nx: [a, b,]\n",
		"version: 1\nx:\n  - a: b\n",
		"version: 1\n? x\n: y\n",
		"---\nversion: 1\n",
		"version: 1\n  x: 2\n",
		"version: 1\nx:\n  plain\n",
		"version: 1\nx: {a}\n",
		"version: 1\nx: [a\n",
	} {
		if _, ok := fastParse(lexer.Tokenize(src)); ok {
			t.Errorf("fastParse accepted what goccy should decide:\n%s", src)
		}
		sameBothWays(t, "ordo.yaml", []byte(src))
	}
}

// FuzzFastParse checks, on any input, that the fast path and goccy's
// parser give the same catalog and the same diagnostics.
func FuzzFastParse(f *testing.F) {
	for _, file := range append(validCatalogs(f), must(filepath.Glob("testdata/invalid/*.yaml"))...) {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte("version: 1\nservices:\n  a:\n    paths:\n    - a/**\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if strings.Count(string(src), "\n") > 2000 {
			return
		}
		sameBothWays(t, "ordo.yaml", src)
	})
}
