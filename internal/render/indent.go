package render

import (
	"bytes"
	"io"
)

// indenter is an io.Writer that takes compact JSON, as encoding/json writes
// it, and writes it on indented by two spaces, byte for byte as
// json.Indent(dst, src, "", "  ") would (and then DefuseJSON), in pieces of
// about 32 KB.
// json.Indent runs its full validating scanner over every byte and needs the
// whole document in memory twice; that took most of the time
// `ordo affected --format json` spent writing 20,000 changed files. The
// input comes from encoding/json, so it is valid and has no white space
// outside strings, and a walk that skips strings whole will do. It keeps its
// place between writes, so the input may come in any pieces.
type indenter struct {
	w     io.Writer
	buf   []byte
	err   error
	depth int
	open  bool // after { or [: indent unless it closes at once
	str   bool // inside a string
	esc   bool // inside a string, after a backslash
}

const indentFlush = 32 << 10

func newIndenter(w io.Writer) *indenter {
	return &indenter{w: w, buf: make([]byte, 0, indentFlush+4<<10)}
}

func (x *indenter) Write(p []byte) (int, error) {
	for i := 0; i < len(p); {
		if x.str {
			i = x.stringPart(p, i)
		} else {
			x.punct(p[i])
			i++
		}
		if len(x.buf) >= indentFlush {
			x.flush(false)
		}
	}
	return len(p), x.err
}

// stringPart copies string bytes from p[i:] up to and including the closing
// quote, or all of p when the string goes on, and returns where it stopped.
func (x *indenter) stringPart(p []byte, i int) int {
	start := i
	for i < len(p) {
		if x.esc {
			x.esc = false
			i++
			continue
		}
		rest := p[i:]
		j := bytes.IndexByte(rest, '"')
		if j < 0 {
			j = len(rest)
		}
		if k := bytes.IndexByte(rest[:j], '\\'); k >= 0 {
			x.esc = true
			i += k + 1
			continue
		}
		if j == len(rest) {
			i = len(p)
			break
		}
		x.str = false
		i += j + 1
		break
	}
	x.buf = append(x.buf, p[start:i]...)
	return i
}

// punct copies one byte outside strings, with the line breaks and spaces
// json.Indent puts around it.
func (x *indenter) punct(c byte) {
	if x.open && c != '}' && c != ']' {
		x.open = false
		x.depth++
		x.newline()
	}
	switch c {
	case '"':
		x.str = true
		x.buf = append(x.buf, c)
	case '{', '[':
		x.open = true
		x.buf = append(x.buf, c)
	case ',':
		x.buf = append(x.buf, c)
		x.newline()
	case ':':
		x.buf = append(x.buf, c, ' ')
	case '}', ']':
		if x.open {
			x.open = false // {} and [] stay as they are
		} else {
			x.depth--
			x.newline()
		}
		x.buf = append(x.buf, c)
	default:
		x.buf = append(x.buf, c)
	}
}

func (x *indenter) newline() {
	x.buf = append(x.buf, '\n')
	for range x.depth {
		x.buf = append(x.buf, ' ', ' ')
	}
}

// flush writes what is buffered, defused (DefuseJSON), and returns the
// first write error. Unless final, a "#" or "##" at the end waits for what
// follows, so that a "##[" split between two pieces is defused whole.
func (x *indenter) flush(final bool) error {
	cut := len(x.buf)
	for !final && cut > 0 && len(x.buf)-cut < 2 && x.buf[cut-1] == '#' {
		cut--
	}
	if out := x.buf[:cut]; x.err == nil && len(out) > 0 {
		if bytes.Contains(out, []byte("##[")) {
			out = DefuseJSON(out)
		}
		_, x.err = x.w.Write(out)
	}
	x.buf = x.buf[:copy(x.buf, x.buf[cut:])]
	return x.err
}
