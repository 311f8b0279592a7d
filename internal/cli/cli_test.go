package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ordo-ci/ordo/internal/golden"
)

// unclassifiedExit is the test binary's exit code for an error that carries
// no kind.
const unclassifiedExit = 99

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"ordo": func() {
			// An error without a kind exits 99 here, so that a script
			// expecting exit 3 from a classified failure catches it.
			os.Exit(run(context.Background(), os.Args[1:], IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}, os.Getenv, func(err error) int {
				fmt.Fprintf(os.Stderr, "ordo test: unclassified error (give it a kind where it is made): %v\n", err)
				return unclassifiedExit
			}))
		},
	})
}

// TestScripts runs the command line end to end: testdata/script/*.txtar,
// each in a fresh directory, with the real entry point and real git.
func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: golden.Updating(), // go test -update rewrites the scripts' expected output
		Setup: func(e *testscript.Env) error {
			home := filepath.Join(e.WorkDir, ".home")
			e.Setenv("HOME", home)
			e.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			e.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(home, ".gitconfig"))
			e.Setenv("GIT_AUTHOR_NAME", "ordo test")
			e.Setenv("GIT_AUTHOR_EMAIL", "test@ordo.invalid")
			e.Setenv("GIT_COMMITTER_NAME", "ordo test")
			e.Setenv("GIT_COMMITTER_EMAIL", "test@ordo.invalid")
			e.Setenv("GIT_AUTHOR_DATE", "2026-11-02T10:00:00Z")
			e.Setenv("GIT_COMMITTER_DATE", "2026-11-02T10:00:00Z")
			// Outside CI unless a script says otherwise.
			e.Setenv("GITHUB_ACTIONS", "")
			e.Setenv("GITLAB_CI", "")
			e.Setenv("NO_COLOR", "1")
			return os.MkdirAll(home, 0o755)
		},
		Cmds: withCmds(fakeGitHubCmds(), eventsCmds(), map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// exits CODE CMD [ARGS...]: run CMD and require exit CODE, so that
			// scripts assert the kind of a failure and not only its words.
			"exits": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) < 2 {
					ts.Fatalf("usage: exits CODE CMD [ARGS...]")
				}
				want, err := strconv.Atoi(args[0])
				if err != nil {
					ts.Fatalf("exits: %q is not an exit code", args[0])
				}
				got := 0
				if err := ts.Exec(args[1], args[2:]...); err != nil {
					var ee *exec.ExitError
					if !errors.As(err, &ee) {
						ts.Fatalf("exits: %v", err)
					}
					got = ee.ExitCode()
				}
				if got != want {
					ts.Fatalf("%s exited %d, want %d", args[1], got, want)
				}
			},
			// commit MSG: stage everything and commit it (git init on first use).
			"commit": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: commit MESSAGE")
				}
				if _, err := os.Stat(ts.MkAbs(".git")); err != nil {
					ts.Check(ts.Exec("git", "init", "-q", "-b", "main"))
				}
				ts.Check(ts.Exec("git", "add", "-A"))
				ts.Check(ts.Exec("git", "commit", "-q", "-m", args[0]))
			},
		}),
	})
}

func withCmds(sets ...map[string]func(ts *testscript.TestScript, neg bool, args []string)) map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	all := map[string]func(ts *testscript.TestScript, neg bool, args []string){}
	for _, s := range sets {
		for k, v := range s {
			all[k] = v
		}
	}
	return all
}
