package change

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"text/template"

	"github.com/ordo-ci/ordo/internal/ci"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git/gittest"
)

func TestMain(m *testing.M) { gittest.Main(m) }

// world is a small monorepo with a history that exercises every way of
// naming a change, pushed to an upstream and cloned, as in CI:
//
//	c1 ─ c2 ─ c3 ─ c4 ─────── c5          main
//	                 ╲          ╲
//	                  f1 ─────── m         feature, merge queue
//
// Tags: users/v1.0.0 and orders/v1.0.0 on c1, users/v1.1.0 on c2,
// orders/v1.1.0 on c3, users/v1.2.0 on c4; v1.9.0, v2.0.0 and web/v0.1.0 on c5.
type world struct {
	up, clone              *gittest.Repo
	c1, c2, c3, c4, c5, f1 string
	merge                  string
}

// prFiles are the files feature changed since it left main.
var prFiles = []string{
	"README.md",
	"docs/new\nline.md",
	`docs/quote"d.md`,
	"docs/with space.md",
	"docs/ünï.md",
	"libs/auth/auth.go", // renamed: counts at the old path
	"libs/auth/token.go",
}

func newWorld(tb testing.TB) *world {
	tb.Helper()
	w := &world{up: gittest.New(tb)}
	up := w.up
	w.c1 = up.Commit("init", gittest.Files{
		"services/users/main.go":  "package main // users\n",
		"services/orders/main.go": "package main // orders\n",
		"libs/auth/auth.go":       "package auth\n\n// Token checks a token. Long enough for git to see a rename.\nfunc Token() {}\n",
		"README.md":               "# monorepo\n",
	})
	up.Tag("users/v1.0.0")
	up.Tag("orders/v1.0.0")
	w.c2 = up.Commit("fix(users): fix", gittest.Files{"services/users/main.go": "package main // users v2\n"})
	up.Tag("users/v1.1.0")
	w.c3 = up.Commit("feat(orders): feat", gittest.Files{"services/orders/main.go": "package main // orders v2\n"})
	up.AnnotatedTag("orders/v1.1.0")
	w.c4 = up.Commit("feat(auth): feat", gittest.Files{"libs/auth/auth.go": "package auth\n\n// Token checks a token. Long enough for git to see a rename.\nfunc Token() { _ = 1 }\n"})
	up.AnnotatedTag("users/v1.2.0")
	up.Branch("feature")
	w.f1 = up.Commit("docs and rename",
		gittest.Move{"libs/auth/auth.go": "libs/auth/token.go"},
		gittest.Remove{"README.md"},
		gittest.Files{"docs/with space.md": "a", `docs/quote"d.md`: "b", "docs/ünï.md": "c", "docs/new\nline.md": "d"},
	)
	up.Checkout("main")
	w.c5 = up.Commit("feat(orders): more", gittest.Files{"services/orders/x.go": "package main\n"})
	up.Tag("v1.9.0")
	up.Tag("v2.0.0")
	up.Tag("web/v0.1.0")
	up.Branch("gh-readonly-queue/main/pr-12")
	w.merge = up.Merge("feature")
	up.Checkout("main")
	w.clone = gittest.Clone(tb, up)
	return w
}

// sameService knows the services users, orders and web, whose tags are
// "<service>/v<version>".
func sameService(tag string) func(string) bool {
	svc, _, ok := strings.Cut(tag, "/")
	if !ok || !slices.Contains([]string{"users", "orders", "web"}, svc) {
		return nil
	}
	return func(other string) bool { return strings.HasPrefix(other, svc+"/") }
}

// payload renders a fixture from testdata/github into a file and returns its path.
func payload(tb testing.TB, fixture string, data map[string]string) string {
	tb.Helper()
	tmpl, err := template.New(fixture).Option("missingkey=error").ParseFiles(filepath.Join("testdata", "github", fixture))
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		tb.Fatal(err)
	}
	p := filepath.Join(tb.TempDir(), "event.json")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// ciEnv is the CI environment that env, a map of variables, describes.
func ciEnv(env map[string]string) ci.Env {
	return ci.ReadEnv(func(k string) string { return env[k] })
}

// syncBuffer collects notices; Resolve may write them from any goroutine
// a test runs in.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// want is what a test expects of a Change; Source is a substring.
type want struct {
	Base, Head string
	Files      []string
	All        bool
	Reason     string
	Source     string
	Event      *Event // nil: not checked
	Reversed   bool
}

func checkChange(tb testing.TB, got *Change, w want) {
	tb.Helper()
	if got.Base != w.Base || got.Head != w.Head {
		tb.Errorf("range = %s..%s, want %s..%s", got.Base, got.Head, w.Base, w.Head)
	}
	wantFiles := w.Files
	if wantFiles == nil {
		wantFiles = []string{}
	}
	if !slices.Equal(got.Files, wantFiles) || got.Files == nil {
		tb.Errorf("Files = %#q, want %#q", got.Files, wantFiles)
	}
	if got.All != w.All || got.Reason != w.Reason {
		tb.Errorf("All, Reason = %v, %q; want %v, %q", got.All, got.Reason, w.All, w.Reason)
	}
	if !strings.Contains(got.Source, w.Source) {
		tb.Errorf("Source = %q, want it to contain %q", got.Source, w.Source)
	}
	if got.Reversed != w.Reversed {
		tb.Errorf("Reversed = %v, want %v", got.Reversed, w.Reversed)
	}
	if w.Event != nil && !reflect.DeepEqual(got.Event, *w.Event) {
		tb.Errorf("Event = %+v\nwant    %+v", got.Event, *w.Event)
	}
}

// checkErr checks that err has the exit code and says all of msgs.
func checkErr(tb testing.TB, err error, code int, msgs ...string) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("no error; want exit %d saying %q", code, msgs)
	}
	if got := exit.Code(err); got != code {
		tb.Errorf("exit code %d, want %d (error: %v)", got, code, err)
	}
	for _, m := range msgs {
		if !strings.Contains(err.Error(), m) {
			tb.Errorf("error %q does not say %q", err, m)
		}
	}
}

// checkInputErr checks that err is an InputError about option's value
// with the exit code: what the command line puts in its own words.
func checkInputErr(tb testing.TB, err error, code int, option, value string) {
	tb.Helper()
	if got := exit.Code(err); got != code {
		tb.Errorf("exit code %d, want %d (error: %v)", got, code, err)
	}
	var in *InputError
	if !errors.As(err, &in) || in.Option != option || in.Value != value {
		tb.Errorf("error %v: want an InputError about %s %q", err, option, value)
	}
}

func resolve(tb testing.TB, o Options) (*Change, error) {
	tb.Helper()
	return Resolve(context.Background(), o)
}
