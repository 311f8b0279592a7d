package affected

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"
)

// bruteForce is what the index must agree with: every glob tried on the path.
func bruteForce(globs []string, path string) []int {
	var out []int
	for i, g := range globs {
		if doublestar.MatchUnvalidated(g, path) {
			out = append(out, i)
		}
	}
	return out
}

// compiledMatches is each glob compiled alone (as the "!" globs are)
// tried on the path.
func compiledMatches(globs []string, path string) []int {
	var out []int
	for i, g := range globs {
		if p := compile(g, i); p.match(path) {
			out = append(out, i)
		}
	}
	return out
}

func indexMatches(ix *Index, path string) []int {
	var out []int
	ix.Match(path, func(o int) { out = append(out, o) })
	slices.Sort(out)
	return slices.Compact(out)
}

func TestIndexAgreesWithDoublestar(t *testing.T) {
	t.Parallel()
	globs := []string{
		"services/users/**", "services/users/**/*_test.go", "services/*/main.go", "**/*.md",
		"docs/**", "go.work", "libs/{auth,money}/**", "db/users/*.sql", "web/checkout/**",
		"a/b/c/**", "a/**/z", "a/?/c", "a/[bc]/d/**", "services/users", "x/**", "**",
		"docs/**/*.txt", "**/*.go.bak", "a.md/**/*.md",
	}
	paths := []string{
		"services/users/main.go", "services/users/api/handler_test.go", "services/orders/main.go",
		"README.md", "docs/a/b.md", "go.work", "go.work.sum", "libs/auth/token.go", "libs/money/x/y.go",
		"libs/other/z.go", "db/users/0001.sql", "db/users/sub/0002.sql", "web/checkout/index.js",
		"a/b/c/d/e", "a/b/z", "a/z", "a/b/c", "a/c/d/x", "services/users", "x", "x/y", "x/y/z/w",
		"name with spaces/file", "ünïcode/ß.go", "a/b/c/", "",
		".md", "x/.md", "a.md", "a.md/", "a.md/b", "a//b.md", "docs/a.txt", "docs.txt", "docs/.txt/x",
		"x.go.bak", "x.go.bak/y", "a.md/a.md",
	}
	var ix Index
	for i, g := range globs {
		ix.Add(g, i)
	}
	for _, p := range paths {
		got, want := indexMatches(&ix, p), bruteForce(globs, p)
		if !slices.Equal(got, want) {
			t.Errorf("%q: index matched %v, doublestar %v", p, names(globs, got), names(globs, want))
		}
		if got := compiledMatches(globs, p); !slices.Equal(got, want) {
			t.Errorf("%q: compiled globs matched %v, doublestar %v", p, names(globs, got), names(globs, want))
		}
	}
}

func names(globs []string, ids []int) []string {
	var out []string
	for _, i := range ids {
		out = append(out, globs[i])
	}
	return out
}

// TestIndexRandom compares the index with brute force on random trees.
func TestIndexRandom(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(1))
	segs := []string{"a", "b", "svc", "lib", "x.go", "y.md", "z_test.go"}
	wild := []string{"*", "**", "*.go", "?", "{a,b}", "[ab]", "*_test.go"}
	for iter := 0; iter < 300; iter++ {
		var globs []string
		for i := 0; i < 8; i++ {
			n := 1 + rng.Intn(4)
			parts := make([]string, n)
			for j := range parts {
				if rng.Intn(3) == 0 {
					parts[j] = wild[rng.Intn(len(wild))]
				} else {
					parts[j] = segs[rng.Intn(len(segs))]
				}
			}
			globs = append(globs, strings.Join(parts, "/"))
		}
		var ix Index
		for i, g := range globs {
			ix.Add(g, i)
		}
		for k := 0; k < 30; k++ {
			n := 1 + rng.Intn(5)
			parts := make([]string, n)
			for j := range parts {
				parts[j] = segs[rng.Intn(len(segs))]
			}
			p := strings.Join(parts, "/")
			want := bruteForce(globs, p)
			if got := indexMatches(&ix, p); !slices.Equal(got, want) {
				t.Fatalf("globs %q, path %q: index %v, doublestar %v", globs, p, names(globs, got), names(globs, want))
			}
			if got := compiledMatches(globs, p); !slices.Equal(got, want) {
				t.Fatalf("globs %q, path %q: compiled %v, doublestar %v", globs, p, names(globs, got), names(globs, want))
			}
		}
	}
}

func FuzzIndex(f *testing.F) {
	f.Add("services/users/**", "services/users/main.go")
	f.Add("**/*.md", "docs/README.md")
	f.Add("a/{b,c}/**", "a/c/d")
	f.Add("a/**", "a")
	f.Add("**/*.md", "a.md/")
	f.Add("a/**/*_test.go", "a/_test.go")
	f.Fuzz(func(t *testing.T, glob, path string) {
		// Catalog globs come from YAML, which is UTF-8; doublestar decodes
		// invalid bytes to U+FFFD and treats them all as equal, a quirk the
		// index need not copy.
		if !doublestar.ValidatePattern(glob) || !utf8.ValidString(glob) || strings.ContainsRune(glob, utf8.RuneError) {
			return
		}
		var ix Index
		ix.Add(glob, 0)
		got := len(indexMatches(&ix, path)) > 0
		want := doublestar.MatchUnvalidated(glob, path)
		if got != want {
			t.Fatalf("glob %q path %q: index %v, doublestar %v", glob, path, got, want)
		}
		if p := compile(glob, 0); p.match(path) != want {
			t.Fatalf("glob %q path %q: compiled %v, doublestar %v", glob, path, !want, want)
		}
	})
}

func BenchmarkIndex(b *testing.B) {
	var ix Index
	for i := 0; i < 4000; i++ {
		ix.Add(fmt.Sprintf("services/svc%04d/**", i), i)
		ix.Add(fmt.Sprintf("services/svc%04d/**/*_test.go", i), i)
	}
	ix.Add("**/*.md", -1)
	paths := make([]string, 20000)
	for i := range paths {
		paths[i] = fmt.Sprintf("services/svc%04d/pkg/file%d.go", i%4000, i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, p := range paths {
			ix.Match(p, func(int) {})
		}
	}
}
