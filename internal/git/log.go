package git

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/ordo-ci/ordo/internal/exit"
)

// LogEntry is one commit as `git log` lists it, with the files it changes.
type LogEntry struct {
	SHA     string
	Parents []string
	// Message is the raw message (%B): subject, body and trailers, unwrapped.
	Message string
	// Files are the repository-relative paths the commit changes against its
	// first parent (every path for a root commit). A rename lists both the old
	// and the new path, as a pathspec sees it. Merge commits list no files: like
	// `git log -- paths`, their changes are seen in the commits they merge.
	Files []string
}

// logFormat starts every record with a NUL. Messages cannot hold NUL (git
// refuses them) and neither can paths, so an empty field can only be the start
// of the next record: the parse survives any message and any file name.
const logFormat = "--format=%x00%H%x00%P%x00%B%x00"

// Log lists the commits reachable from revs ("HEAD", "^v1.2.0", ...), newest
// first by commit date but never a parent before its children
// (--date-order), each with the files it changes. It is one git process
// however many commits and paths there are.
func (r Repo) Log(ctx context.Context, revs ...string) ([]LogEntry, error) {
	for _, rev := range revs {
		if rev == "" || strings.HasPrefix(rev, "-") {
			return nil, exit.BadInputf("git log: invalid revision %q", rev)
		}
	}
	args := []string{
		"log", "-z", logFormat, "--name-only", "--date-order",
		// Pin every setting that changes which files are listed or how, whatever
		// the user's configuration says.
		"--no-renames", "--root", "--no-relative", "--no-show-signature", "--no-color",
	}
	args = append(args, revs...)
	args = append(args, "--")
	out, err := r.Run(ctx, args...)
	if err != nil {
		return nil, err
	}
	entries, err := parseLog(out)
	if err != nil {
		return nil, exit.Envf("git log: %w", err)
	}
	return entries, nil
}

// parseLog reads records of the shape
//
//	NUL sha NUL parents NUL message NUL NUL [ LF path NUL path NUL ... ]
//
// where the NUL after the message is the format's, the next one is -z's
// commit terminator, and the file list (--name-only) follows a newline.
func parseLog(out []byte) ([]LogEntry, error) {
	var entries []LogEntry
	p := logParser{buf: out}
	for p.pos < len(p.buf) {
		if p.buf[p.pos] != 0 {
			return nil, p.errorf("expected the start of a commit")
		}
		p.pos++
		sha, ok1 := p.field()
		parents, ok2 := p.field()
		msg, ok3 := p.field()
		if !ok1 || !ok2 || !ok3 || sha == "" {
			return nil, p.errorf("truncated commit record")
		}
		if p.pos >= len(p.buf) || p.buf[p.pos] != 0 {
			return nil, p.errorf("commit %s: expected the end of its message", sha)
		}
		p.pos++
		e := LogEntry{SHA: sha, Parents: strings.Fields(parents), Message: msg}
		if p.pos < len(p.buf) && p.buf[p.pos] == '\n' {
			p.pos++
			for p.pos < len(p.buf) && p.buf[p.pos] != 0 {
				name, ok := p.field()
				if !ok {
					return nil, p.errorf("commit %s: truncated file list", sha)
				}
				e.Files = append(e.Files, name)
			}
		}
		entries = append(entries, e)
	}
	return entries, nil
}

type logParser struct {
	buf []byte
	pos int
}

// field returns the bytes up to the next NUL and moves past it.
func (p *logParser) field() (string, bool) {
	i := bytes.IndexByte(p.buf[p.pos:], 0)
	if i < 0 {
		return "", false
	}
	s := string(p.buf[p.pos : p.pos+i])
	p.pos += i + 1
	return s, true
}

func (p *logParser) errorf(format string, args ...any) error {
	return fmt.Errorf("unexpected output at byte %d: %s", p.pos, fmt.Sprintf(format, args...))
}
