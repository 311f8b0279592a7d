package catalog

import (
	"io"
	"os"

	"github.com/goccy/go-yaml/token"
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
	return io.ReadAll(io.LimitReader(f, MaxSize+1))
}

func (d *decoder) checkSize(src []byte) bool {
	if len(src) > MaxSize {
		d.errorf(Pos{}, "size", "too large: more than %d MB, the most ordo reads (a catalog of 10,000 services is about 2.4 MB): is this the catalog?", MaxSize>>20)
		return false
	}
	// Words (runs of other bytes between blanks and flow indicators) and
	// flow indicators: never fewer than the lexer's tokens, and cheap.
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

// checkDepth measures nesting on the tokens, before the parser sees them.
// Flow collections count their brackets; block collections count the
// indentation levels open at each line's first token and each `-` (so
// `- - -` on one line is three). A key and the sequence under it may share
// a column, so block depth can be undercounted by up to half, which the
// limit leaves room for.
func (d *decoder) checkDepth(tokens token.Tokens) bool {
	var indents, entries []int // open block levels: column, entries so far
	flow, line := 0, -1
	for _, t := range tokens {
		switch t.Type {
		case token.CommentType:
			continue
		case token.SequenceStartType, token.MappingStartType:
			flow++
		case token.SequenceEndType, token.MappingEndType:
			if flow > 0 {
				flow--
			}
		}
		first := t.Position.Line != line
		line = t.Position.Line
		if flow == 0 && (first || t.Type == token.SequenceEntryType) {
			c := t.Position.Column
			for len(indents) > 0 && indents[len(indents)-1] > c {
				indents, entries = indents[:len(indents)-1], entries[:len(entries)-1]
			}
			if len(indents) == 0 || indents[len(indents)-1] < c {
				indents, entries = append(indents, c), append(entries, 0)
			}
			if first {
				if entries[len(entries)-1]++; entries[len(entries)-1] > MaxEntries {
					d.errorf(Pos{Line: t.Position.Line, Col: c}, "size", "too large: more than %d entries in one mapping or list here, the most ordo reads: is this the catalog?", MaxEntries)
					return false
				}
			}
		}
		if len(indents)+flow > MaxDepth {
			d.errorf(Pos{Line: t.Position.Line, Col: t.Position.Column}, "depth",
				"too deep: nested more than %d levels here, the most ordo reads (ordo.yaml needs 6): flatten it", MaxDepth)
			return false
		}
	}
	return true
}
