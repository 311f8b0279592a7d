package ci

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io"
	"strings"
	"sync"
)

// Guard returns a writer for human-readable text (logs, tables, errors)
// that the runner reads without executing any workflow command in it: a file
// name such as "x\n::warning::owned" or "##[add-mask]..." comes from the pull
// request, and the runner executes any line that starts with "::" or holds
// "##[". Inside Actions every complete line written goes out framed by
// ::stop-commands::<token> and ::<token>::, with a token drawn at random per
// process so that the text cannot resume commands itself. ordo's own
// commands (annotations, masks) go to the runner directly, outside the
// frame. Outside Actions (g nil) Guard returns w.
// https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/workflow-commands-for-github-actions#stopping-and-starting-workflow-commands
//
// A partial line is held back until its end is written or Flush is called,
// so that a frame never splits a line. Call Flush before the process ends.
func (g *GitHub) Guard(w io.Writer) GuardedWriter {
	if g == nil {
		return passThrough{w}
	}
	return &guarded{w: w, token: g.stopToken()}
}

// GuardedWriter is a writer that must be flushed.
type GuardedWriter interface {
	io.Writer
	Flush() error
}

type passThrough struct{ io.Writer }

func (passThrough) Flush() error { return nil }

type guarded struct {
	mu      sync.Mutex
	w       io.Writer
	token   string
	pending []byte
}

func (g *guarded) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pending = append(g.pending, p...)
	// A lone \r, which the runner also takes for a line end, is framed
	// with the rest of its line.
	i := bytes.LastIndexByte(g.pending, '\n')
	if i < 0 {
		return len(p), nil
	}
	if err := g.emit(g.pending[:i+1]); err != nil {
		return 0, err
	}
	g.pending = append(g.pending[:0], g.pending[i+1:]...)
	return len(p), nil
}

func (g *guarded) Flush() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.pending) == 0 {
		return nil
	}
	err := g.emit(append(g.pending, '\n'))
	g.pending = g.pending[:0]
	return err
}

// emit writes lines, which end with a line break, in one frame and one write.
func (g *guarded) emit(lines []byte) error {
	var b bytes.Buffer
	b.WriteString("::stop-commands::" + g.token + "\n")
	b.Write(lines)
	b.WriteString("::" + g.token + "::\n")
	_, err := g.w.Write(b.Bytes())
	return err
}

// stopToken is the process's random token for ::stop-commands::.
func (g *GitHub) stopToken() string {
	g.tokenOnce.Do(func() {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		g.token = "ordo-" + hex.EncodeToString(b)
	})
	return g.token
}

// Defuse keeps a message that goes into one of ordo's own workflow commands
// (an annotation's text) from holding a second command: the runner reads
// "##[" anywhere in a line as the start of one, so a zero-width joiner goes
// between the two hashes. Line breaks are escaped by the command itself.
func Defuse(s string) string {
	return strings.ReplaceAll(s, "##[", "#\u2060#[")
}
