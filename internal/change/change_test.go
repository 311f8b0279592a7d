package change

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/git/gittest"
)

func TestParseFileList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		nul     bool
		want    []string
		wantErr string
		is      error // the error is one the command line adds a hint to
	}{
		{name: "empty", in: "", want: []string{}},
		{name: "lines", in: "b.go\na.go\n", want: []string{"a.go", "b.go"}},
		{name: "crlf and blank lines", in: "a.go\r\n\r\n  \n\tb.go\r\n", want: []string{"\tb.go", "a.go"}},
		{name: "cleaned", in: "./a.go\nx//y/../z.go\nx/./w.go\n", want: []string{"a.go", "x/w.go", "x/z.go"}},
		{name: "duplicates", in: "a.go\n./a.go\na.go", want: []string{"a.go"}},
		{name: "odd names kept", in: "with space.go\n" + `quote".go` + "\nünï.go\nback\\slash.go\n", want: []string{`back\slash.go`, `quote".go`, "with space.go", "ünï.go"}},
		{name: "nul", in: "new\nline.go\x00a.go\x00\x00", nul: true, want: []string{"a.go", "new\nline.go"}},
		{name: "nul keeps cr", in: "a\r\x00", nul: true, want: []string{"a\r"}},
		{name: "absolute", in: "a.go\n/etc/passwd\n", wantErr: `line 2: path "/etc/passwd" is absolute`},
		{name: "parent", in: "../x.go", wantErr: `line 1: path "../x.go" is outside the repository`},
		{name: "parent after clean", in: "a/../../x.go", wantErr: "outside the repository"},
		{name: "root", in: "./", wantErr: `line 1: path "./"`, is: ErrRootInList},
		{name: "nul in a line", in: "a\x00b\n", wantErr: "line 1", is: ErrNULInList},
		{name: "nul entry absolute", in: "a\x00/b", nul: true, wantErr: "entry 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseFileList([]byte(tt.in), tt.nul)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseFileList(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				if tt.is != nil && !errors.Is(err, tt.is) {
					t.Errorf("parseFileList(%q) error = %v, want one that is %v", tt.in, err, tt.is)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("parseFileList(%q) = %#q, %v; want %#q", tt.in, got, err, tt.want)
			}
		})
	}
}

func FuzzParseFileList(f *testing.F) {
	for _, s := range []string{"", "a\nb\n", "./a\r\n", "/abs", "../up", "a\x00b", "new\nline\x00x"} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, nul bool) {
		files, err := parseFileList(data, nul)
		if err != nil {
			return
		}
		if !slices.IsSorted(files) || len(slices.Compact(slices.Clone(files))) != len(files) {
			t.Errorf("parseFileList(%q) = %q, not sorted and unique", data, files)
		}
		for _, f := range files {
			if f == "" || f == "." || strings.HasPrefix(f, "/") || f == ".." || strings.HasPrefix(f, "../") {
				t.Errorf("parseFileList(%q) returned %q", data, f)
			}
		}
	})
}

func TestResolveFileList(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "changed.txt"), []byte("services/a.go\r\n./libs/b.go\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "changed0"), []byte("new\nline.go\x00a.go\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	github := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "workflow_dispatch", "GITHUB_SHA": strings.Repeat("a", 40)}

	tests := []struct {
		name string
		o    Options
		want want
	}{
		{
			name: "file relative to Dir",
			o:    Options{Files: "changed.txt"},
			want: want{Files: []string{"libs/b.go", "services/a.go"}, Source: "--files changed.txt"},
		},
		{
			name: "absolute file",
			o:    Options{Files: filepath.Join(dir, "changed.txt")},
			want: want{Files: []string{"libs/b.go", "services/a.go"}, Source: "--files /"},
		},
		{
			name: "stdin",
			o:    Options{Files: "-", Stdin: strings.NewReader("x.go\ny.go\n")},
			want: want{Files: []string{"x.go", "y.go"}, Source: "--files -"},
		},
		{
			name: "files0",
			o:    Options{Files: "changed0", Files0: true},
			want: want{Files: []string{"a.go", "new\nline.go"}, Source: "--files0 changed0"},
		},
		{
			name: "files0 stdin",
			o:    Options{Files: "-", Files0: true, Stdin: strings.NewReader("with space.go\x00")},
			want: want{Files: []string{"with space.go"}, Source: "--files0 -"},
		},
		{
			name: "empty list",
			o:    Options{Files: "-", Stdin: strings.NewReader("")},
			want: want{Files: []string{}, Source: "--files -"},
		},
		{
			name: "event still read",
			o:    Options{Files: "-", Stdin: strings.NewReader("a.go"), CI: ciEnv(github)},
			want: want{Files: []string{"a.go"}, Source: "--files -", Event: &Event{Platform: "github", Name: "workflow_dispatch", HeadSHA: strings.Repeat("a", 40)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.o.Dir = dir
			got, err := resolve(t, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			checkChange(t, got, tt.want)
		})
	}
}

func TestResolveFileListErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name string
		o    Options
		msgs []string
	}{
		{name: "missing file", o: Options{Files: "nope.txt"}, msgs: []string{"nope.txt"}},
		{name: "no stdin", o: Options{Files: "-"}, msgs: []string{"no standard input"}},
		{name: "bad path", o: Options{Files: "-", Stdin: strings.NewReader("ok\n/abs\n")}, msgs: []string{`line 2: path "/abs" is absolute`}},
		{name: "nul-separated", o: Options{Files: "-", Files0: true, Stdin: strings.NewReader("/abs")}, msgs: []string{`entry 1`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.o.Dir = dir
			_, err := resolve(t, tt.o)
			checkErr(t, err, exit.BadInput, tt.msgs...)
			checkInputErr(t, err, exit.BadInput, OptionFiles, tt.o.Files)
		})
	}
}

func TestResolveFlags(t *testing.T) {
	t.Parallel()
	github := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "schedule", "GITHUB_SHA": strings.Repeat("b", 40)}
	dir := t.TempDir()

	got, err := resolve(t, Options{Dir: dir, All: true, CI: ciEnv(github)})
	if err != nil {
		t.Fatal(err)
	}
	checkChange(t, got, want{All: true, Reason: ReasonAll, Source: "--all",
		Event: &Event{Platform: "github", Name: "schedule", HeadSHA: strings.Repeat("b", 40)}})

	tests := []struct {
		name string
		o    Options
		msgs []string
	}{
		{name: "nothing", o: Options{}, msgs: []string{"no change given"}},
		{name: "files and base", o: Options{Files: "x", Base: "main"}, msgs: []string{"more than one way"}},
		{name: "base and all", o: Options{Base: "main", All: true}, msgs: []string{"more than one way"}},
		{name: "files0 alone", o: Options{Files0: true}, msgs: []string{"Files0 without Files"}},
		{name: "head alone", o: Options{Head: "feature"}, msgs: []string{`Head "feature" without Base`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.o.Dir = dir
			_, err := resolve(t, tt.o)
			checkErr(t, err, exit.BadInput, tt.msgs...)
		})
	}
}

func TestResolveRefs(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	other := gittest.New(t)
	other.Commit("elsewhere", gittest.Files{"elsewhere": "1"})
	unrelated := other.Git("rev-parse", "HEAD")
	w.clone.Git("fetch", "--quiet", "file://"+other.Dir, "main:refs/heads/unrelated")

	tests := []struct {
		name       string
		base, head string
		want       want
	}{
		{
			name: "diverged branch uses the merge base",
			base: "origin/main", head: "origin/feature",
			want: want{Base: w.c4, Head: w.f1, Files: prFiles, Source: "--base origin/main --head origin/feature (" + git.Short(w.c4) + ".." + git.Short(w.f1) + ")"},
		},
		{
			name: "head defaults to HEAD",
			base: w.c3,
			want: want{Base: w.c3, Head: w.c5, Files: []string{"libs/auth/auth.go", "services/orders/x.go"}, Source: "--base " + w.c3},
		},
		{
			name: "tags and short SHAs",
			base: "users/v1.1.0", head: w.c4[:8],
			want: want{Base: w.c2, Head: w.c4, Files: []string{"libs/auth/auth.go", "services/orders/main.go"}},
		},
		{
			name: "same commit",
			base: "HEAD", head: "main",
			want: want{Base: w.c5, Head: w.c5, Files: []string{}},
		},
		{
			name: "base after head",
			base: "origin/feature", head: w.c3,
			want: want{Base: w.c3, Head: w.c3, Files: []string{}, Reversed: true},
		},
		{
			name: "upper case SHA",
			base: strings.ToUpper(w.c1), head: w.c2,
			want: want{Base: w.c1, Head: w.c2, Files: []string{"services/users/main.go"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := resolve(t, Options{Dir: w.clone.Dir, Base: tt.base, Head: tt.head})
			if err != nil {
				t.Fatal(err)
			}
			checkChange(t, got, tt.want)
		})
	}

	errTests := []struct {
		name       string
		base, head string
		code       int
		msgs       []string
		option     string // an InputError about the base or the head
	}{
		{name: "unknown base", base: "origin/mian", code: exit.BadInput, msgs: []string{"not a commit", "git fetch"}, option: OptionBase},
		{name: "unknown head", base: "main", head: "nope", code: exit.BadInput, msgs: []string{"not a commit"}, option: OptionHead},
		{name: "option-like ref", base: "--output=x", code: exit.BadInput, option: OptionBase},
		{name: "unrelated history", base: "main", head: unrelated, code: exit.BadInput, msgs: []string{"no common history"}},
		// A full SHA may be a commit not fetched yet; one that exists
		// nowhere is the environment's failure, not a typo.
		{name: "missing SHA in a full clone", base: strings.Repeat("d", 40), code: exit.Env, msgs: []string{"base dddddddddddd is not in this clone", "fetch-depth: 0"}},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := resolve(t, Options{Dir: w.clone.Dir, Base: tt.base, Head: tt.head})
			checkErr(t, err, tt.code, tt.msgs...)
			switch tt.option {
			case OptionBase:
				checkInputErr(t, err, tt.code, tt.option, tt.base)
			case OptionHead:
				checkInputErr(t, err, tt.code, tt.option, tt.head)
			}
		})
	}
}
