package diag

import (
	"bytes"
	"testing"
)

func TestPrint(t *testing.T) {
	t.Parallel()
	l := List{
		{File: "ordo.yaml", Line: 3, Col: 11, Rule: "enum", Message: `unknown kind "daemon"`},
		{File: "ordo.yaml", Line: 1, Col: 1, Rule: "version", Message: "old", Severity: Warning},
		{File: "other.yaml", Message: "empty"},
	}
	l.Sort()
	var b bytes.Buffer
	l.Print(&b, map[string][]byte{"ordo.yaml": []byte("version: 1\nservices:\n\tapi: {kind: daemon}\n")})
	want := "ordo.yaml:1:1: warning: old [version]\n" +
		"  version: 1\n" +
		"  ^\n" +
		"ordo.yaml:3:11: unknown kind \"daemon\" [enum]\n" +
		"  \tapi: {kind: daemon}\n" +
		"  \t         ^\n" +
		"other.yaml: empty\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	if n := len(l.Errors()); n != 2 {
		t.Errorf("Errors() = %d, want 2", n)
	}
}
