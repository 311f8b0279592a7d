package discover

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseGoMod(t *testing.T) {
	t.Parallel()
	m, err := parseGoMod([]byte(`// a comment
module "example.com/x" // quoted

go 1.22
toolchain go1.22.1

require (
	example.com/a v1.0.0
	example.com/b v0.0.0-20240101000000-abcdef123456 // indirect
)
require example.com/c v1.2.3
replace (
	example.com/a => ../a
	example.com/b v0.0.0 => example.com/fork/b v1.0.0
)
replace example.com/c v1.2.3 => ./third_party/c
retract [v1.0.0, v1.0.5] // broken
exclude example.com/d v1.0.0
tool example.com/a/cmd/gen
`), false)
	if err != nil {
		t.Fatal(err)
	}
	want := &goMod{
		Module: "example.com/x",
		Requires: []goReq{
			{"example.com/a", 8, 2}, {"example.com/b", 9, 2}, {"example.com/c", 11, 9},
		},
		Replaces: []goReplace{
			{Old: "example.com/a", New: "../a", Local: true, Line: 13, Col: 2, NewLine: 13},
			{Old: "example.com/b", New: "example.com/fork/b", Line: 14, Col: 2, NewLine: 14},
			{Old: "example.com/c", New: "./third_party/c", Local: true, Line: 16, Col: 9, NewLine: 16},
		},
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got  %+v\nwant %+v", m, want)
	}
	w, err := parseGoMod([]byte("go 1.22\nuse ./a\nuse (\n\t./b\n\t\"./c d\"\n)\n"), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Uses) != 3 || w.Uses[2].Dir != "./c d" || w.Uses[1].Line != 4 {
		t.Errorf("uses = %+v", w.Uses)
	}
	for _, bad := range []struct{ src, err string }{
		{"module a b\n", "1:10: module takes one module path"},
		{"require (\n\tx v1\n", "1:1: require block is not closed"},
		{"replace a => ../b v1\n", "1:19: a replacement directory takes no version"},
		{"replace a b\n", "1:9: replace takes"},
		{"module \"a\n", "1:8: unterminated quoted string"},
		{"use ./a\n", "1:1: unknown directive \"use\" in go.mod"},
		{"require ( x v1\n)\n", "1:9: require ( must end its line"},
	} {
		_, err := parseGoMod([]byte(bad.src), false)
		ge, ok := err.(*goModError)
		if !ok || !strings.Contains(ge.Error(), bad.err) {
			t.Errorf("parseGoMod(%q) = %v, want %q", bad.src, err, bad.err)
		}
	}
}
