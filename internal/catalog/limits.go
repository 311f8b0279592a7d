package catalog

import (
	"bytes"
	"io"
	"os"
)

// Limits on what is parsed at all. A catalog author (or a pull request)
// controls the file, and goccy/go-yaml's memory grows steeply with nesting
// (100 KB nested 20,000 deep took 0.9 GB; 100 KB of `- - - …` 3.8 GB), with
// the entries of one block mapping (quadratic, goccy/go-yaml#889: 25,000
// keys allocate 2.5 GB) and, linearly, with tokens (about 600 bytes each
// for the lexer and the parser together), while /dev/zero never ends.
// Real catalogs are far inside: 10,000 services with dependencies,
// contracts and with: maps are 2.4 MB and 370,000 words
// (catalogtest.Realistic), services: is parsed in chunks (see chunk.go),
// and ordo.yaml nests six levels.
const (
	MaxSize    = 8 << 20   // bytes read
	MaxTokens  = 1_000_000 // words and brackets, counted before the lexer runs
	MaxDepth   = 100       // levels of block and flow nesting
	MaxEntries = 10_000    // entries of one block mapping or sequence, services: aside
)

// ReadFile reads at most MaxSize+1 bytes of path, enough for Parse to tell
// that it is too large without reading an endless file (/dev/zero) to its
// end. Read a catalog with it, never with os.ReadFile.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Read into a buffer of the file's size (the one copy of a large catalog
	// rather than ReadAll's doublings), and at most MaxSize+1 bytes.
	size := 512
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = int(min(fi.Size(), MaxSize)) + 1
	}
	var b bytes.Buffer
	b.Grow(size + bytes.MinRead) // ReadFrom wants MinRead free before its last read
	_, err = b.ReadFrom(io.LimitReader(f, MaxSize+1))
	return b.Bytes(), err
}

func (d *decoder) checkSize(src []byte) bool {
	if len(src) > MaxSize {
		d.errorf(Pos{}, "size", "too large: more than %d MB, the most ordo reads (a catalog of 10,000 services is about 2.4 MB): is this the catalog?", MaxSize>>20)
		return false
	}
	// Words (runs of other bytes between blanks and flow indicators) and
	// flow indicators: never fewer than the lexer's tokens, and never more
	// than the bytes, so a file of fewer bytes needs no count.
	if len(src) <= MaxTokens {
		return true
	}
	n, in := 0, false
	for _, b := range src {
		switch b {
		case ' ', '\n', '\r', '\t':
			in = false
		case ',', '[', ']', '{', '}':
			n, in = n+1, false
		default:
			if !in {
				n, in = n+1, true
			}
		}
	}
	if n > MaxTokens {
		d.errorf(Pos{}, "size", "too large: more than %d words and brackets, the most ordo reads (a catalog of 10,000 services has about 370,000): is this the catalog?", MaxTokens)
		return false
	}
	return true
}

// nesting measures how deep a document nests and how many entries its
// block collections have, token by token, for both parsers. Flow
// collections count their brackets; block collections count the
// indentation levels open at each line's first token and each `-` (so
// `- - -` on one line is three). A key and the sequence under it may share
// a column, so block depth can be undercounted by up to half, which the
// limit leaves room for.
type nesting struct {
	indents, entries []int // open block levels: column, entries so far
	flow, line       int
	started          bool
}

type nestKind uint8

const (
	nestOther nestKind = iota
	nestOpen           // [ or {
	nestClose          // ] or }
	nestEntry          // - in a block sequence
)

// see takes the next token (comments aside) and reports a limit it breaks.
func (n *nesting) see(d *decoder, line, col int, k nestKind) bool {
	switch k {
	case nestOpen:
		n.flow++
	case nestClose:
		if n.flow > 0 {
			n.flow--
		}
	}
	first := !n.started || line != n.line
	n.started, n.line = true, line
	if n.flow == 0 && (first || k == nestEntry) {
		for len(n.indents) > 0 && n.indents[len(n.indents)-1] > col {
			n.indents, n.entries = n.indents[:len(n.indents)-1], n.entries[:len(n.entries)-1]
		}
		if len(n.indents) == 0 || n.indents[len(n.indents)-1] < col {
			n.indents, n.entries = append(n.indents, col), append(n.entries, 0)
		}
		if first {
			if n.entries[len(n.entries)-1]++; n.entries[len(n.entries)-1] > MaxEntries {
				d.errorf(Pos{Line: line, Col: col}, "size", "too large: more than %d entries in one mapping or list here, the most ordo reads: is this the catalog?", MaxEntries)
				return false
			}
		}
	}
	if len(n.indents)+n.flow > MaxDepth {
		d.errorf(Pos{Line: line, Col: col}, "depth",
			"too deep: nested more than %d levels here, the most ordo reads (ordo.yaml needs 6): flatten it", MaxDepth)
		return false
	}
	return true
}
