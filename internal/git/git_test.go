package git

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git/gittest"
)

func TestMain(m *testing.M) { gittest.Main(m) }

func TestRevParse(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	first := r.Commit("first", gittest.Files{"a": "1"})
	r.AnnotatedTag("v1.0.0")
	second := r.Commit("second", gittest.Files{"a": "2"})
	repo := Repo{Dir: r.Dir}

	tests := []struct {
		rev, want string
		unknown   bool
	}{
		{rev: "HEAD", want: second},
		{rev: "main", want: second},
		{rev: "HEAD~1", want: first},
		{rev: "v1.0.0", want: first}, // annotated tags peel to their commit
		{rev: first[:10], want: first},
		{rev: strings.ToUpper(first), want: first},
		{rev: "nope", unknown: true},
		{rev: "-h", unknown: true},
		{rev: "--all", unknown: true},
		{rev: "^HEAD", unknown: true}, // verifies, as a negation
		{rev: strings.Repeat("ab", 20), unknown: true},
	}
	for _, tt := range tests {
		t.Run(tt.rev, func(t *testing.T) {
			t.Parallel()
			got, err := repo.RevParse(context.Background(), tt.rev)
			if tt.unknown {
				if !errors.Is(err, ErrUnknownRev) {
					t.Fatalf("RevParse(%q) = %q, %v; want ErrUnknownRev", tt.rev, got, err)
				}
				if exit.Code(err) != exit.BadInput {
					t.Errorf("RevParse(%q): exit code %d, want %d: an unknown revision is the user's input", tt.rev, exit.Code(err), exit.BadInput)
				}
				if !strings.Contains(err.Error(), tt.rev) {
					t.Errorf("error %q does not name %q", err, tt.rev)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("RevParse(%q) = %q, %v; want %q", tt.rev, got, err, tt.want)
			}
		})
	}
}

func TestMergeBase(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	fork := r.Commit("fork point", gittest.Files{"a": "1"})
	r.Branch("feature")
	feature := r.Commit("feature", gittest.Files{"b": "1"})
	r.Checkout("main")
	main := r.Commit("main moves on", gittest.Files{"c": "1"})
	r.Git("checkout", "--quiet", "--orphan", "unrelated")
	unrelated := r.Commit("unrelated", gittest.Files{"z": "1"})
	repo := Repo{Dir: r.Dir}
	ctx := context.Background()

	got, err := repo.MergeBase(ctx, main, feature)
	if err != nil || got != fork {
		t.Errorf("MergeBase(main, feature) = %q, %v; want %q", got, err, fork)
	}
	if _, err := repo.MergeBase(ctx, main, unrelated); !errors.Is(err, ErrNoMergeBase) {
		t.Errorf("MergeBase(main, unrelated) error = %v; want ErrNoMergeBase", err)
	}
	var gitErr *Error
	if _, err := repo.MergeBase(ctx, main, strings.Repeat("0", 39)+"1"); !errors.As(err, &gitErr) || !strings.Contains(gitErr.Stderr, "Not a valid") {
		t.Errorf("MergeBase with a missing commit = %v; want a git error keeping git's stderr", err)
	}
}

func TestShallowAndDeepen(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	for i := range 5 {
		r.Commit("c", gittest.Files{"a": strings.Repeat("x", i)})
	}
	ctx := context.Background()

	full := Repo{Dir: r.Dir}
	if shallow, err := full.IsShallow(ctx); err != nil || shallow {
		t.Errorf("IsShallow(full repo) = %v, %v; want false", shallow, err)
	}

	clone := Repo{Dir: gittest.Clone(t, r, "--depth=1").Dir}
	if shallow, err := clone.IsShallow(ctx); err != nil || !shallow {
		t.Fatalf("IsShallow(--depth=1 clone) = %v, %v; want true", shallow, err)
	}
	if err := clone.Deepen(ctx, "origin", 2); err != nil {
		t.Fatal(err)
	}
	if n, _ := clone.Output(ctx, "rev-list", "--count", "HEAD"); n != "3" {
		t.Errorf("after Deepen(2) HEAD has %s commits; want 3", n)
	}
	if err := clone.Fetch(ctx, "--unshallow", "origin"); err != nil {
		t.Fatal(err)
	}
	if shallow, err := clone.IsShallow(ctx); err != nil || shallow {
		t.Errorf("IsShallow after --unshallow = %v, %v; want false", shallow, err)
	}
	var gitErr *Error
	if err := clone.Deepen(ctx, "nowhere", 1); !errors.As(err, &gitErr) || gitErr.Stderr == "" {
		t.Errorf("Deepen from a missing remote = %v; want a git error with git's stderr", err)
	}
}

// oddNames are file names that break tools which read git's quoted output.
var oddNames = []string{
	"with space.txt",
	`quote"d.txt`,
	"it's.txt",
	"ünïcödé/日本.txt",
	"new\nline.txt",
	"tab\there.txt",
	`back\slash.txt`,
	"-starts-with-dash",
	"colon:in:name",
}

func TestDiffFiles(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	initial := gittest.Files{
		"keep.txt":         "same",
		"modify.txt":       "before",
		"delete.txt":       "gone soon",
		"old/name.txt":     "a file long enough for git to recognise it after a move\n",
		"to-symlink":       "regular",
		"dir/nested/x.txt": "x",
	}
	base := r.Commit("base", initial)
	ops := gittest.Files{"modify.txt": "after", "added.txt": "new", "dir/nested/y.txt": "y"}
	for _, name := range oddNames {
		ops[name] = "odd"
	}
	r.Commit("change", ops, gittest.Remove{"delete.txt", "to-symlink"}, gittest.Move{"old/name.txt": "new/name.txt"})
	if err := os.Symlink("keep.txt", filepath.Join(r.Dir, "to-symlink")); err != nil {
		t.Fatal(err)
	}
	head := r.Commit("type change")

	want := append([]string{
		"added.txt", "delete.txt", "dir/nested/y.txt", "modify.txt",
		"new/name.txt", "old/name.txt", // a rename counts at both paths
		"to-symlink",
	}, oddNames...)
	slices.Sort(want)

	// Settings a user or repository may have that change git diff's output;
	// DiffFiles must not care.
	hostile := map[string]string{
		"core.quotePath": "true",
		"diff.relative":  "true",
		"diff.noprefix":  "true",
		"diff.renames":   "false",
		"color.ui":       "always",
		"diff.external":  "false",
	}
	ctx := context.Background()
	for _, config := range []string{"plain", "hostile"} {
		t.Run(config, func(t *testing.T) {
			dir := r.Dir
			if config == "hostile" {
				for k, v := range hostile {
					r.Git("config", k, v)
				}
				// From a subdirectory, diff.relative would cut paths short.
				dir = filepath.Join(r.Dir, "dir")
			}
			got, err := Repo{Dir: dir}.DiffFiles(ctx, base, head)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("DiffFiles =\n%q\nwant\n%q", got, want)
			}
		})
	}

	if _, err := (Repo{Dir: r.Dir}).DiffFiles(ctx, base, "nope"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("DiffFiles with an unknown rev = %v; want an error naming it", err)
	}
}

func TestParseNameStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     []string
		wantErr  bool
	}{
		{name: "empty", in: "", want: nil},
		{name: "modify add delete", in: "M\x00b\x00A\x00a\x00D\x00c\x00", want: []string{"a", "b", "c"}},
		{name: "rename counts both", in: "R087\x00old\x00new\x00", want: []string{"new", "old"}},
		{name: "copy counts new only", in: "C100\x00src\x00dst\x00", want: []string{"dst"}},
		{name: "type change and unmerged", in: "T\x00t\x00U\x00u\x00", want: []string{"t", "u"}},
		{name: "duplicates", in: "M\x00a\x00R100\x00a\x00b\x00", want: []string{"a", "b"}},
		{name: "newline in name", in: "A\x00a\nb\x00", want: []string{"a\nb"}},
		{name: "no trailing NUL", in: "M\x00a", want: []string{"a"}},
		{name: "missing path", in: "M\x00", wantErr: true},
		{name: "rename missing new path", in: "R100\x00old\x00", wantErr: true},
		{name: "unknown status", in: "Q\x00a\x00", wantErr: true},
		{name: "empty status", in: "\x00a\x00", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseNameStatus([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseNameStatus(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("parseNameStatus(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzParseNameStatus(f *testing.F) {
	for _, s := range []string{"", "M\x00a\x00", "R100\x00a\x00b\x00", "C\x00", "\x00\x00", "D\x00x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		files, err := parseNameStatus(in)
		want, wantOK := splitNameStatus(string(in))
		if (err == nil) != wantOK || !slices.Equal(files, want) {
			t.Fatalf("parseNameStatus(%q) = %q, %v; by splitting: %q, ok %v", in, files, err, want, wantOK)
		}
		if !slices.IsSorted(files) {
			t.Errorf("parseNameStatus(%q) = %q, not sorted", in, files)
		}
	})
}

// splitNameStatus is parseNameStatus written the obvious way, for
// FuzzParseNameStatus to compare with.
func splitNameStatus(out string) ([]string, bool) {
	fields := strings.Split(out, "\x00")
	if fields[len(fields)-1] == "" {
		fields = fields[:len(fields)-1]
	}
	var files []string
	for i := 0; i < len(fields); {
		status := fields[i]
		if status == "" {
			return nil, false
		}
		paths := 1
		if status[0] == 'R' || status[0] == 'C' {
			paths = 2
		}
		if i+paths >= len(fields) {
			return nil, false
		}
		switch status[0] {
		case 'R':
			files = append(files, fields[i+1], fields[i+2])
		case 'C':
			files = append(files, fields[i+2])
		case 'A', 'D', 'M', 'T', 'U', 'X':
			files = append(files, fields[i+1])
		default:
			return nil, false
		}
		i += 1 + paths
	}
	slices.Sort(files)
	return slices.Compact(files), true
}

func TestTags(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("one", gittest.Files{"a": "1"})
	r.Tag("api/v1.0.0")
	r.Tag("web/v1.0.0") // same commit and date: ordered by name
	r.Commit("two", gittest.Files{"a": "2"})
	r.AnnotatedTag("api/v1.1.0")
	r.Branch("side")
	r.Commit("side", gittest.Files{"b": "1"})
	r.Tag("side/v9.0.0")
	r.Checkout("main")
	r.Commit("three", gittest.Files{"a": "3"})
	r.AnnotatedTag("api/v1.2.0")
	repo := Repo{Dir: r.Dir}
	ctx := context.Background()

	got, err := repo.Tags(ctx, "main")
	want := []string{"api/v1.2.0", "api/v1.1.0", "api/v1.0.0", "web/v1.0.0"}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("Tags(main) = %q, %v; want %q (newest first, side branch left out)", got, err, want)
	}
	got, err = repo.Tags(ctx, "api/v1.1.0")
	want = []string{"api/v1.1.0", "api/v1.0.0", "web/v1.0.0"}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("Tags(api/v1.1.0) = %q, %v; want %q", got, err, want)
	}
	if _, err := repo.Tags(ctx, "nope"); err == nil {
		t.Error("Tags(nope) succeeded; want an error")
	}

	empty := gittest.New(t)
	empty.Commit("untagged")
	if got, err := (Repo{Dir: empty.Dir}).Tags(ctx, "HEAD"); err != nil || got != nil {
		t.Errorf("Tags in an untagged repo = %q, %v; want none", got, err)
	}
}

func TestShow(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	files := gittest.Files{"dir/spec.yaml": "openapi: 3.0.0\n", "empty": ""}
	for _, name := range oddNames {
		files[name] = "content of " + name
	}
	first := r.Commit("first", files)
	r.Commit("second", gittest.Remove{"dir/spec.yaml"})
	repo := Repo{Dir: r.Dir}
	ctx := context.Background()

	tests := []struct {
		name, rev, path string
		want            string
		ok              bool
	}{
		{name: "file", rev: first, path: "dir/spec.yaml", want: "openapi: 3.0.0\n", ok: true},
		{name: "dot slash", rev: first, path: "./dir/spec.yaml", want: "openapi: 3.0.0\n", ok: true},
		{name: "empty file", rev: first, path: "empty", want: "", ok: true},
		{name: "deleted later", rev: "HEAD", path: "dir/spec.yaml", ok: false},
		{name: "never existed", rev: "HEAD", path: "nope.yaml", ok: false},
		{name: "directory", rev: first, path: "dir", ok: false},
	}
	for _, name := range oddNames {
		tests = append(tests, struct {
			name, rev, path string
			want            string
			ok              bool
		}{name: name, rev: "HEAD", path: name, want: "content of " + name, ok: true})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok, err := repo.Show(ctx, tt.rev, tt.path)
			if err != nil || ok != tt.ok || string(got) != tt.want {
				t.Errorf("Show(%q, %q) = %q, %v, %v; want %q, %v", tt.rev, tt.path, got, ok, err, tt.want, tt.ok)
			}
		})
	}
	if _, _, err := repo.Show(ctx, "nope", "dir/spec.yaml"); !errors.Is(err, ErrUnknownRev) {
		t.Errorf("Show at an unknown rev error = %v; want ErrUnknownRev", err)
	}
}

func TestIsSHA(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		strings.Repeat("a", 40): true,
		strings.Repeat("F", 40): true,
		strings.Repeat("0", 64): true,
		strings.Repeat("a", 39): false,
		strings.Repeat("g", 40): false,
		"":                      false,
		"HEAD":                  false,
	} {
		if got := IsSHA(s); got != want {
			t.Errorf("IsSHA(%q) = %v, want %v", s, got, want)
		}
	}
}
