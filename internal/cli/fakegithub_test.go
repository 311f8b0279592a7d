package cli

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ordo-ci/ordo/internal/forge/forgetest"
)

// scriptGitHub is forgetest's fake GitHub (acme/shop, token s3cret-token)
// for a script: the problems it finds (a request GitHub's API description
// rejects, a route it does not serve) are kept and show in the dump, which
// scripts compare, since a server goroutine cannot fail the script itself.
type scriptGitHub struct {
	*forgetest.GitHub
	mu       sync.Mutex
	problems []string
}

func (s *scriptGitHub) Errorf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

// dump writes the fake's state in a stable form for cmp.
func (s *scriptGitHub) dump() string {
	var b strings.Builder
	for _, sha := range s.Commits() {
		for _, st := range s.Statuses(sha) {
			fmt.Fprintf(&b, "status %s %s %s %q\n", sha[:7], st.Context, st.State, st.Description)
		}
	}
	for _, pr := range s.Issues() {
		for _, c := range s.Comments(pr) {
			first, _, _ := strings.Cut(c.Body, "\n")
			fmt.Fprintf(&b, "comment #%d %s\n", pr, first)
		}
	}
	for _, rel := range s.Releases() {
		fmt.Fprintf(&b, "release %s %q prerelease=%v\n", rel.TagName, rel.Name, rel.Prerelease)
	}
	for _, run := range s.Runs() {
		fmt.Fprintf(&b, "check-run %s %s %s %q\n", run.Name, run.Status, run.Conclusion, run.Output.Title)
		for _, a := range run.Annotations {
			fmt.Fprintf(&b, "  annotation %s:%d %s %q %q\n", a.Path, a.StartLine, a.AnnotationLevel, a.Title, a.Message)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.problems {
		fmt.Fprintf(&b, "UNEXPECTED %s\n", p)
	}
	return b.String()
}

// fakeGitHubCmds are the script commands: `fakegithub` starts the server and
// points GITHUB_API_URL at it; `fakegithub-dump FILE` writes its state;
// `fakegithub-writes` prints how many writing requests it received.
func fakeGitHubCmds() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	servers := map[*testscript.TestScript]*scriptGitHub{}
	var mu sync.Mutex
	get := func(ts *testscript.TestScript) *scriptGitHub {
		mu.Lock()
		defer mu.Unlock()
		f := servers[ts]
		if f == nil {
			ts.Fatalf("fakegithub was not started")
		}
		return f
	}
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"fakegithub": func(ts *testscript.TestScript, neg bool, args []string) {
			s := &scriptGitHub{}
			s.GitHub = forgetest.NewGitHub(s, "acme/shop", "s3cret-token")
			// The token is the workflow's GITHUB_TOKEN: GET /user refuses it,
			// GraphQL names its bot.
			s.SetInstallation(true)
			ts.Defer(s.Close)
			mu.Lock()
			servers[ts] = s
			mu.Unlock()
			ts.Setenv("GITHUB_API_URL", s.URL())
		},
		"fakegithub-dump": func(ts *testscript.TestScript, neg bool, args []string) {
			if len(args) != 1 {
				ts.Fatalf("usage: fakegithub-dump FILE")
			}
			ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(get(ts).dump()), 0o644))
		},
		// fakegithub-require BRANCH CONTEXT...: the branch's rules require the contexts.
		"fakegithub-require": func(ts *testscript.TestScript, neg bool, args []string) {
			if len(args) < 1 {
				ts.Fatalf("usage: fakegithub-require BRANCH CONTEXT...")
			}
			get(ts).Require(args[0], args[1:]...)
		},
		// fakegithub-labels PR LABEL...: the pull request's labels now.
		"fakegithub-labels": func(ts *testscript.TestScript, neg bool, args []string) {
			if len(args) < 1 {
				ts.Fatalf("usage: fakegithub-labels PR LABEL...")
			}
			pr, err := strconv.Atoi(args[0])
			ts.Check(err)
			get(ts).SetLabels(pr, args[1:]...)
		},
		// fakegithub-pulls PR...: the pull requests every commit belongs to.
		"fakegithub-pulls": func(ts *testscript.TestScript, neg bool, args []string) {
			var prs []int
			for _, a := range args {
				n, err := strconv.Atoi(a)
				ts.Check(err)
				prs = append(prs, n)
			}
			get(ts).SetPulls("", prs...)
		},
		"fakegithub-writes": func(ts *testscript.TestScript, neg bool, args []string) {
			f := get(ts)
			fmt.Fprintf(ts.Stdout(), "%d writes\n", f.Writes())
			f.Reset()
		},
	}
}
