package cli

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the expected output in testdata/script")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"ordo": func() {
			os.Exit(Run(context.Background(), os.Args[1:], IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}, os.Getenv))
		},
	})
}

// TestScripts runs the command line end to end: testdata/script/*.txtar,
// each in a fresh directory, with the real entry point and real git.
func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
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
