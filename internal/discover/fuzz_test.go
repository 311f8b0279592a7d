package discover

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// The manifest parsers read whatever a repository holds: they must never
// panic, and what they reject must come back as a positioned error.

func checkPos(t *testing.T, src []byte, err error) {
	t.Helper()
	var pe *posError
	var ge *goModError
	line, col := 0, 0
	switch {
	case err == nil:
		return
	case errors.As(err, &pe):
		line, col = pe.Line, pe.Col
	case errors.As(err, &ge):
		line, col = ge.Line, ge.Col
	default:
		t.Fatalf("error without a position: %T %v", err, err)
	}
	// YAML also breaks lines at a lone \r.
	lines := strings.Count(string(src), "\n") + strings.Count(string(src), "\r") + 1
	if line < 0 || col < 0 || line > lines {
		t.Fatalf("position %d:%d outside the input (%d lines): %v", line, col, lines, err)
	}
}

func FuzzGoMod(f *testing.F) {
	for _, tc := range discoverCases {
		for name, content := range tc.files {
			if strings.HasSuffix(name, "go.mod") || strings.HasSuffix(name, "go.work") {
				f.Add([]byte(content), strings.HasSuffix(name, "go.work"))
			}
		}
	}
	f.Add([]byte("module \"a\\\"b\"\nrequire `x` v1\nreplace x v1 => ../y\nretract [v1.0.0, v1.1.0]\n"), false)
	f.Add([]byte("use (\n./a\n)\nreplace a => b v1\n"), true)
	f.Fuzz(func(t *testing.T, src []byte, work bool) {
		m, err := parseGoMod(src, work)
		checkPos(t, src, err)
		if err == nil && work != true && m.Uses != nil {
			t.Fatal("a go.mod has use directives")
		}
	})
}

func FuzzPackageJSON(f *testing.F) {
	for _, tc := range discoverCases {
		for name, content := range tc.files {
			if strings.HasSuffix(name, "package.json") {
				f.Add([]byte(content))
			}
		}
	}
	f.Add([]byte(`{"workspaces": {"packages": ["a/*"]}, "dependencies": {"x": 1}}`))
	f.Add([]byte(`{"name": "é", "workspaces": [1]}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		_, err := parsePackageJSON(src)
		checkPos(t, src, err)
	})
}

func FuzzCargoToml(f *testing.F) {
	for _, tc := range discoverCases {
		for name, content := range tc.files {
			if strings.HasSuffix(name, "Cargo.toml") {
				f.Add([]byte(content))
			}
		}
	}
	f.Add([]byte("a.b = \"\"\"\nx\\\n  y\"\"\"\n[[bin]]\nname = 'x'\n[[bin]]\nc = '''q'''\nd = 1979-05-27 07:32:00Z\ne = [1, [2, 3], {x = 1}]\n"))
	f.Add([]byte("[a]\nb = 1\n[a]\n"))
	f.Add([]byte("\"quoted key\" = \"\\u00e9\\U0001F600\"\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		_, err := parseCargoToml(src)
		checkPos(t, src, err)
	})
}

func FuzzCompose(f *testing.F) {
	for _, tc := range discoverCases {
		for name, content := range tc.files {
			if composeFileRE.MatchString(name[strings.LastIndex(name, "/")+1:]) || strings.HasSuffix(name, "pnpm-workspace.yaml") {
				f.Add([]byte(content))
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		_, err := parseCompose(src)
		checkPos(t, src, err)
		_, err = parsePnpmWorkspace(src)
		checkPos(t, src, err)
	})
}

var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// FuzzNames: every name is valid for the catalog, and every string Render
// writes reads back as itself.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"@acme/web", "UI Kit", "__", "a/b/c", "!x/**", "true", "-", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n := sanitize(s); n != "" && !validName.MatchString(n) {
			t.Fatalf("sanitize(%q) = %q is not a valid name", s, n)
		}
		if strings.ContainsAny(s, "\x00") {
			return
		}
		var v map[string]any
		q := scalar(s)
		if err := yaml.Unmarshal([]byte("k: "+q), &v); err != nil {
			return // YAML cannot hold every string (invalid UTF-8); paths never are such
		}
		if got, _ := v["k"].(string); got != s && isPrintable(s) {
			t.Fatalf("scalar(%q) = %s reads back as %#v", s, q, v["k"])
		}
	})
}

func isPrintable(s string) bool {
	for _, r := range s {
		if r < 0x20 && r != '\t' || r == 0x7f || r == 0xfffd || r >= 0x80 && r < 0xa0 {
			return false
		}
	}
	return true
}
