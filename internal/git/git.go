// Package git runs the git command line. ordo shells out to git rather than
// using a Go implementation so that it sees exactly what the user's git sees:
// the same config, credentials, shallow state and object store.
package git

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/ordo-ci/ordo/internal/exit"
)

// Repo is a working tree (or bare repository) that git commands run in.
type Repo struct {
	Dir string
}

// Error is a failed git command. It keeps git's own stderr, which is what the
// user needs to see to fix the problem.
type Error struct {
	Args   []string
	Stderr string
	Err    error
}

func (e *Error) Error() string {
	msg := strings.TrimSpace(e.Stderr)
	if msg == "" {
		msg = e.Err.Error()
	}
	args := make([]string, len(e.Args))
	for i, a := range e.Args {
		args[i] = quoteArg(a)
	}
	return fmt.Sprintf("git %s: %s", strings.Join(args, " "), msg)
}

// quoteArg shows one argument of git in an error: as it is when it is
// plainly a word, else Go-quoted, so that a ref or path from a pull request
// ("x\n::error::...", "a b") can neither break the line nor blur where one
// argument ends.
func quoteArg(a string) string {
	if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:^@{}~=+,%") == "" {
		return a
	}
	return strconv.Quote(a)
}

func (e *Error) Unwrap() error { return e.Err }

// ExitCode classifies a failed git command where it fails: a revision that
// names no commit is the user's input; anything else (a broken repository, a
// refused fetch) is the environment's.
func (e *Error) ExitCode() int {
	if errors.Is(e.Err, ErrUnknownRev) {
		return exit.BadInput
	}
	return exit.Env
}

// WaitDelay is how long Run waits for git's output once ctx is done and
// git was killed, before closing the pipes itself.
var WaitDelay = 5 * time.Second

// Run runs git with args in the repository and returns its stdout.
func (r Repo) Run(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = r.Dir
	// When ctx ends git is killed; a child it started (ssh, a credential
	// helper) may still hold its pipes open, and Wait would wait for it.
	cmd.WaitDelay = WaitDelay
	// Never prompt for credentials or open an editor: ordo runs unattended.
	cmd.Env = append(cmd.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_EDITOR=true", "LC_ALL=C")
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.Error
		if errors.As(err, &ee) {
			return nil, exit.Envf("run git: %w (is git installed and on PATH?)", err)
		}
		return stdout.Bytes(), &Error{Args: args, Stderr: stderr.String(), Err: err}
	}
	return stdout.Bytes(), nil
}

// Output runs git and returns its stdout with surrounding white space trimmed.
func (r Repo) Output(ctx context.Context, args ...string) (string, error) {
	out, err := r.Run(ctx, args...)
	return strings.TrimSpace(string(out)), err
}
