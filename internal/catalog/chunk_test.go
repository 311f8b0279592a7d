package catalog

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/ast"

	"github.com/ordo-ci/ordo/internal/catalog/catalogtest"
)

// TestChunkedParseIsTheSame checks that a catalog large enough to be parsed
// in chunks gives the same services, positions and diagnostics as one parsed
// whole.
func TestChunkedParseIsTheSame(t *testing.T) {
	t.Parallel()
	src := string(benchCatalog(chunkMinCount + 7))
	// A comment, a blank line and a bad entry in the middle, and a
	// duplicate across chunks, so positions and diagnostics are compared too.
	mid := fmt.Sprintf("  svc%04d:\n", chunkSize+3) // inside the second chunk
	src = strings.Replace(src, mid, "  # a comment\n\n"+mid+"    kind: daemon\n", 1)
	src += "  svc0003:\n    paths: [x/**]\nrelease: {initial_version: 1.0.0}\n"
	if _, _, ok := splitServices(src); !ok {
		t.Fatal("the catalog is not split: the test tests nothing")
	}
	d := &decoder{file: "ordo.yaml", anchors: map[string]ast.Node{}}
	whole, ok := d.parseDocument(src, 0)
	if !ok {
		t.Fatal(d.diags.Error())
	}
	cWhole := &Catalog{File: "ordo.yaml", Unowned: UnownedIgnore}
	d.catalog(cWhole, whole)
	d.diags.Sort()
	_, chunked := Parse("ordo.yaml", []byte(src))
	if got, want := chunked.Error(), d.diags.Error(); got != want {
		t.Errorf("chunked diagnostics differ:\n%s\nwhole:\n%s", got, want)
	}
	if !strings.Contains(chunked.Error(), `unknown kind "daemon"`) || !strings.Contains(chunked.Error(), `"svc0003" twice`) {
		t.Errorf("diagnostics miss the planted problems:\n%s", chunked.Error())
	}
}

// TestChunkedCatalogIsTheSame parses a large valid catalog in chunks and
// whole, and compares every field of every service and the catalog.
func TestChunkedCatalogIsTheSame(t *testing.T) {
	t.Parallel()
	src := catalogtest.Realistic(chunkMinCount*3 + 11)
	if _, _, ok := splitServices(string(src)); !ok {
		t.Fatal("the catalog is not split: the test tests nothing")
	}
	chunked, d1 := parse("ordo.yaml", src, true, false)
	whole, d2 := parse("ordo.yaml", src, false, true)
	if chunked == nil || whole == nil {
		t.Fatalf("rejected: %s / %s", d1.Error(), d2.Error())
	}
	if len(chunked.Services) != chunkMinCount*3+11 {
		t.Fatalf("%d services", len(chunked.Services))
	}
	for i := range whole.Services {
		if !reflect.DeepEqual(chunked.Services[i], whole.Services[i]) {
			t.Fatalf("service %d differs:\nchunked %+v\nwhole   %+v", i, chunked.Services[i], whole.Services[i])
		}
	}
	if !reflect.DeepEqual(chunked, whole) {
		t.Errorf("the catalogs differ outside their services")
	}
}
