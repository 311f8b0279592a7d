package md

import (
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"plain words", "plain words"},
		{"svc/<!-- hide the rest", "svc/&lt;!-- hide the rest"},
		{"<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)>"},
		{"a -> b", "a -> b"},
		{"> quoted", `\> quoted`},
		{"ping @acme/team and @bob", "ping @&#8203;acme/team and @&#8203;bob"},
		{"[click](https://evil.example)", `\[click\](https:&#8203;//evil.example)`},
		{"see www.evil.example", "see www&#8203;.evil.example"},
		{"a|b", `a\|b`},
		{"*bold* _it_ `code`", "*bold* _it_ \\`code\\`"},
		{"max_deploy", "max_deploy"},
		{"two\nlines", "two<br>lines"},
		{"carriage\rreturn", `"carriage\\rreturn"`},
		{"&lt; stays text", "&amp;lt; stays text"},
		{"fix: thing (#12)", "fix: thing (#12)"},
	} {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestTextHidesNothing checks the properties, whatever the input: no HTML
// tag or comment opens, no mention, no link and no line break survives.
func TestTextHidesNothing(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"<!--", "@team", "https://x.example", "a\r\nb", "x\u2028y", "\x1b[31mred", "<a href='x'>", "[a]: https://x"} {
		got := Text(in)
		for _, bad := range []string{"<!", "<a", "@t", "://x", "\r", "\n", "\u2028", "\x1b", "[a]"} {
			if strings.Contains(got, bad) {
				t.Errorf("Text(%q) = %q still holds %q", in, got, bad)
			}
		}
	}
}

func FuzzText(f *testing.F) {
	f.Add("svc/<!-- @team [x](https://e.example) \r\n")
	f.Fuzz(func(t *testing.T, s string) {
		got := Text(s)
		if strings.ContainsAny(got, "\r\n") {
			t.Fatalf("Text(%q) = %q holds a line break", s, got)
		}
		if strings.Contains(strings.ReplaceAll(got, "<br>", ""), "<") {
			t.Fatalf("Text(%q) = %q holds <", s, got)
		}
	})
}

func TestCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"users-api/v1.2.0", "`users-api/v1.2.0`"},
		{"a`b", "``a`b``"},
		{"`x", "`` `x ``"},
		{"a|b", "`a\\|b`"},
		{"a\nb", "`\"a\\nb\"`"},
	} {
		if got := Code(tc.in); got != tc.want {
			t.Errorf("Code(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
