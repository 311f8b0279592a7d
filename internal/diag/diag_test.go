package diag

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
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
	l.Print(&b, Options{Source: map[string][]byte{"ordo.yaml": []byte("version: 1\nservices:\n\tapi: {kind: daemon}\n")}})
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

func TestPrintSummarizesWarnings(t *testing.T) {
	t.Parallel()
	var l List
	for i := 1; i <= 25; i++ {
		l = append(l, Diagnostic{File: "ordo.yaml", Line: i, Message: "w", Severity: Warning})
	}
	l = append(l, Diagnostic{File: "ordo.yaml", Line: 30, Message: "e"})
	tests := []struct {
		name string
		o    Options
		want []string // lines that must be there, in order
		n    int      // lines printed
	}{
		{"all", Options{}, []string{"ordo.yaml:30: e"}, 26},
		{"limited", Options{MaxWarnings: 20, More: "see all with X"}, []string{"ordo.yaml:20: warning: w", "ordo.yaml:30: e", "... and 5 more warnings; see all with X"}, 22},
		{"limited without a hint", Options{MaxWarnings: 24}, []string{"... and 1 more warning"}, 26},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			l.Print(&b, tt.o)
			lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			if len(lines) != tt.n {
				t.Errorf("printed %d lines, want %d:\n%s", len(lines), tt.n, b.String())
			}
			at := 0
			for _, w := range tt.want {
				i := slices.Index(lines[at:], w)
				if i < 0 {
					t.Fatalf("missing %q in order:\n%s", w, b.String())
				}
				at += i
			}
		})
	}
}

// TestPrintIsLinear prints a warning for every line of a large file with
// its source line: indexing the file again for each one (as Print once did)
// takes minutes here; once, milliseconds.
func TestPrintIsLinear(t *testing.T) {
	t.Parallel()
	const n = 40000
	var src strings.Builder
	var l List
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&src, "  svc%05d: {paths: [services/svc%05d/**]}\n", i, i)
		l = append(l, Diagnostic{File: "ordo.yaml", Line: i, Col: 3, Message: "match no file", Severity: Warning})
	}
	start := time.Now()
	var b bytes.Buffer
	l.Print(&b, Options{Source: map[string][]byte{"ordo.yaml": []byte(src.String())}})
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("printing %d warnings took %v", n, d)
	}
	if got := strings.Count(b.String(), "\n"); got != 3*n {
		t.Errorf("printed %d lines, want %d (each warning, its line, a caret)", got, 3*n)
	}
	if !strings.Contains(b.String(), "  svc40000: {paths: [services/svc40000/**]}\n    ^\n") {
		t.Errorf("the last source line is wrong:\n%s", b.String()[b.Len()-200:])
	}
}
