package catalog

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/ordo-ci/ordo/internal/diag"
	"github.com/ordo-ci/ordo/internal/exit"
)

// Load reads and validates the catalog at path. Problems with its content
// come back as a diag.List (errors and warnings); the catalog is nil when
// there is any error. A file that cannot be read is an error of its own.
func Load(path string) (*Catalog, diag.List, error) {
	src, err := ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, &NotFoundError{Path: path}
		}
		return nil, nil, exit.BadInputf("read catalog: %w", err)
	}
	c, diags := Parse(path, src)
	return c, diags, nil
}

// NotFoundError is a catalog file that does not exist: bad input, which the
// command line completes with how to name another file.
type NotFoundError struct{ Path string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("read catalog: %s does not exist: create it with `ordo init`", e.Path)
}

// ExitCode classifies the error (exit.Coder).
func (e *NotFoundError) ExitCode() int { return exit.BadInput }

// validName reports whether s is a name: [a-z0-9][a-z0-9._-]*. (By hand:
// a regexp match per service was a tenth of decoding a large catalog.)
func validName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return s != ""
}

// Parse validates src as the catalog file named file.
func Parse(file string, src []byte) (*Catalog, diag.List) {
	return parse(file, src, true, false)
}

// parse is Parse, with chunking (see chunk.go) and fastParse optional so
// that tests can compare the ways.
func parse(file string, src []byte, chunking, slow bool) (*Catalog, diag.List) {
	d := &decoder{file: file, anchors: map[string]ast.Node{}, chunking: chunking, slowParse: slow}
	c := &Catalog{
		File:    file,
		Source:  src,
		Unowned: UnownedIgnore,
		Release: Release{Tag: "{service}/v{version}", InitialVersion: "0.1.0", BumpDependents: "patch"},
		Record:  RecordConfig{RefPrefix: DefaultRefPrefix},
		Verify:  Verify{MaxFailed: 1},
	}
	root, ok := d.parseRoot(src)
	if ok {
		d.catalog(c, root)
	}
	d.checkReferences(c)
	d.diags.Sort()
	if len(d.diags.Errors()) > 0 {
		return nil, d.diags
	}
	return c, d.diags
}

func (d *decoder) parseRoot(src []byte) (*node, bool) {
	if !d.checkSize(src) {
		return nil, false
	}
	text := string(src) // one copy, which the catalog's strings share
	if strings.TrimSpace(text) == "" {
		d.errorf(Pos{}, "empty", "the catalog is empty: start it with `version: 1` and a services: mapping, or run `ordo init`")
		return nil, false
	}
	if rest, chunks, ok := splitServices(text); ok && d.chunking {
		if root, ok := d.parseChunked(rest, chunks); ok {
			return root, true
		}
		d.diags = nil // parse it whole and report what that finds
	}
	return d.parseDocument(text, 0)
}

// parseDocument parses src, whose first line is line 1+lineOffset of the
// file, so that positions are the file's: on the fast path if it can,
// else with goccy/go-yaml.
func (d *decoder) parseDocument(src string, lineOffset int) (*node, bool) {
	if !d.slowParse {
		n := len(d.diags)
		if root, ok := d.fastParse(src, lineOffset); ok {
			return root, true
		}
		if len(d.diags) > n {
			return nil, false // a nesting limit: goccy's path would say the same
		}
	}
	return d.parseGoccy(src, lineOffset)
}
