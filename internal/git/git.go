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
	"strings"

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
	return fmt.Sprintf("git %s: %s", strings.Join(e.Args, " "), msg)
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

// Run runs git with args in the repository and returns its stdout.
func (r Repo) Run(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = r.Dir
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
