package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/ordo-ci/ordo/internal/catalog"
)

type commandProvider struct{}

func (commandProvider) name() string                { return "command" }
func (commandProvider) uses(ch *catalog.Check) bool { return len(ch.Command) > 0 }

func (commandProvider) prepare(ch *catalog.Check, x *expander, o *Options) (probe, error) {
	argv, err := x.expandAll(ch.Command, fmt.Sprintf("check %q command", ch.Name))
	if err != nil {
		return nil, err
	}
	return &commandProbe{argv: argv, dir: o.Dir}, nil
}

// commandProbe runs a program from the repository root. A program named
// with a slash (./scripts/smoke.sh) is found relative to the root; a bare
// name on PATH.
type commandProbe struct {
	argv []string
	dir  string
}

// limitedBuffer keeps the first maxBody bytes written to it.
type limitedBuffer struct{ bytes.Buffer }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := maxBody - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (p *commandProbe) measure(ctx context.Context) (observation, error) {
	cmd := exec.CommandContext(ctx, p.argv[0], p.argv[1:]...)
	cmd.Dir = p.dir
	// A child that keeps the pipes open after the timeout kills the program
	// must not hold the measurement forever.
	cmd.WaitDelay = time.Second
	var stdout, stderr limitedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return observation{}, fmt.Errorf("%s did not finish: %w", p.argv[0], ctx.Err())
	}
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
		if code < 0 {
			return observation{}, fmt.Errorf("%s: %v", p.argv[0], err)
		}
	case err != nil:
		return observation{}, err
	}
	obs := observation{
		vars:      map[string]any{"exit_code": code, "stdout": stdout.String()},
		value:     "exit " + strconv.Itoa(code),
		defaultOK: code == 0,
	}
	if code != 0 {
		obs.defaultWhy = fmt.Sprintf("%s exited %d, want 0", p.argv[0], code)
		if last := lastLine(stderr.String()); last != "" {
			obs.defaultWhy += ": " + last
		}
	}
	return obs, nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	if strings.ContainsFunc(s, unicode.IsControl) {
		s = strconv.Quote(s) // a program's output must not move the cursor or end a log line
	}
	return s
}
