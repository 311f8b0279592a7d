package git

import (
	"bytes"
	"context"
	"errors"
	"os/exec"

	"github.com/ordo-ci/ordo/internal/exit"
)

// RunWith runs git like Run, with extra environment variables (NAME=value)
// and stdin. Plumbing that writes objects needs both: hash-object and
// mktree read stdin, commit-tree takes its identity from the environment.
func (r Repo) RunWith(ctx context.Context, env []string, stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = r.Dir
	cmd.WaitDelay = WaitDelay // see Run
	cmd.Env = append(cmd.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_EDITOR=true", "LC_ALL=C")
	cmd.Env = append(cmd.Env, env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
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
