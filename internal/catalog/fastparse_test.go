package catalog

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/ast"

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

// bothParsers parses src on the fast path and with goccy's; fast is nil
// when the fast path declines.
func bothParsers(t testing.TB, src string) (fast, goccy *node) {
	t.Helper()
	d := &decoder{file: "ordo.yaml", anchors: map[string]ast.Node{}}
	fast, ok := d.fastParse(src, 0)
	if !ok {
		fast = nil
	}
	g := &decoder{file: "ordo.yaml", anchors: map[string]ast.Node{}}
	goccy, _ = g.parseGoccy(src, 0)
	if fast != nil && !reflect.DeepEqual(fast, goccy) {
		t.Fatalf("the fast path's nodes differ from goccy's for:\n%s\nfast:  %s\ngoccy: %s", src, dump(fast), dump(goccy))
	}
	return fast, goccy
}

// dump writes a node tree on one line, positions included.
func dump(n *node) string {
	if n == nil {
		return "nil"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d@%d:%d", n.kind, n.pos.Line, n.pos.Col)
	switch n.kind {
	case mappingKind:
		b.WriteString("{")
		for _, e := range n.entries {
			fmt.Fprintf(&b, "%q@%d:%d(%d:%d)=%s ", e.key, e.keyPos.Line, e.keyPos.Col, e.valPos.Line, e.valPos.Col, dump(e.value))
		}
		b.WriteString("}")
	case sequenceKind:
		b.WriteString("[")
		for _, it := range n.items {
			fmt.Fprintf(&b, "%d:%d=%s ", it.pos.Line, it.pos.Col, dump(it.value))
		}
		b.WriteString("]")
	default:
		fmt.Fprintf(&b, "%q", n.text)
	}
	return b.String()
}

// TestFastParseIsGoccys parses every catalog under testdata and the
// example both ways, compares the nodes where the fast path reads the
// file and the catalogs always, and checks that the fast path is taken
// where it should be, so that the comparison compares something.
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
		if fast, _ := bothParsers(t, string(src)); fast != nil {
			taken++
		}
	}
	if taken < len(files)/2 {
		t.Errorf("the fast path took only %d of %d catalogs", taken, len(files))
	}
	for _, src := range []string{
		string(catalogtest.Realistic(chunkMinCount + 3)),
		"version: 1\nservices:\n  a:\n    paths:\n    - a/**\n    - \"!a/x\"\n    depends_on:\n    - b\n  b: {paths: ['b/**']}\n",
		"version: 1\nservices:\n  a:\n    paths:\n      - a/**\n    with:\n      x: 1\n      y: true\n      z: ~\n      w: 1.5\n      v:\n      u: .inf\n      o: 0o17\n      h: 0xFF\n      n: -3\n      big: 99999999999999999999\n",
		"version: 1\n# a comment\nservices: # after a key\n  a: {paths: [a/**, 'b c'], depends_on: [{service: b, propagate: false}]}\n  b:\n    paths: [] # empty\n",
	} {
		if fast, _ := bothParsers(t, src); fast == nil {
			t.Errorf("the fast path refused a plain catalog:\n%s", src)
		}
		sameBothWays(t, "ordo.yaml", []byte(src))
	}
	// What the fast path must leave to goccy.
	for _, src := range []string{
		"version: 1\nx: \"a\\nb\"\n",
		"version: 1\nx: 'it''s'\n",
		"version: 1\nx: \"a\n  b\"\n",
		"version: 1\nx: a, b\n",
		"version: 1\n---\n",
		"version: 1\nx: \tb\n",
		"version: 1\nx: é\n",
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
		"version: 1\ntrue: x\n",
		"version: 1\nx: <<\n",
	} {
		if fast, _ := bothParsers(t, src); fast != nil {
			t.Errorf("the fast path accepted what goccy should decide:\n%s", src)
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
		bothParsers(t, string(src))
	})
}
