package change

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ordo-ci/ordo/internal/exit"
)

// fromFileList reads the list of changed files (Options.Files): the way to
// use ordo with any other source of changes (another CI, a pre-computed
// diff, a test).
func (r *resolver) fromFileList() (*Change, error) {
	name := r.o.Files
	bad := func(err error) error { return &InputError{Option: OptionFiles, Value: name, Err: err} }
	var data []byte
	var err error
	if name == "-" {
		if r.o.Stdin == nil {
			return nil, bad(exit.BadInputf("there is no standard input to read the list from; pass a file instead"))
		}
		if data, err = io.ReadAll(r.o.Stdin); err != nil {
			return nil, bad(exit.Envf("read the list from standard input: %w", err))
		}
	} else {
		// Like git -C, the repository directory is where relative paths start.
		p := name
		if !filepath.IsAbs(p) && r.o.Dir != "" {
			p = filepath.Join(r.o.Dir, p)
		}
		if data, err = os.ReadFile(p); err != nil {
			return nil, bad(exit.BadInputf("read the list: %w", err))
		}
	}
	files, err := parseFileList(data, r.o.Files0)
	if err != nil {
		return nil, bad(exit.BadInputf("%w", err))
	}
	// Source is part of the output: it says how the command line gave the list.
	flag := "--files"
	if r.o.Files0 {
		flag = "--files0"
	}
	return &Change{Files: files, Source: flag + " " + name}, nil
}

// parseFileList reads paths one per line (CRLF too) or, with nul, separated
// by NUL bytes, which is the only way to list names that contain a newline
// (git diff -z --name-only, find -print0). Blank entries are skipped. Paths
// are cleaned ("./a//b" is "a/b") so they compare equal to git's, and paths
// that cannot be in the repository are refused rather than silently matching
// nothing.
func parseFileList(data []byte, nul bool) ([]string, error) {
	sep, unit := "\n", "line"
	if nul {
		sep, unit = "\x00", "entry"
	}
	files := []string{}
	for i, entry := range strings.Split(string(data), sep) {
		if !nul {
			entry = strings.TrimSuffix(entry, "\r")
		}
		if strings.TrimSpace(entry) == "" {
			continue
		}
		switch clean := path.Clean(entry); {
		case strings.ContainsRune(entry, 0):
			return nil, fmt.Errorf("%s %d: path %q %w", unit, i+1, entry, ErrNULInList)
		case path.IsAbs(entry):
			return nil, fmt.Errorf("%s %d: path %q is absolute; list paths relative to the repository root, such as %q", unit, i+1, entry, "services/users/main.go")
		case clean == ".." || strings.HasPrefix(clean, "../"):
			return nil, fmt.Errorf("%s %d: path %q is outside the repository; list paths relative to the repository root", unit, i+1, entry)
		case clean == ".":
			return nil, fmt.Errorf("%s %d: path %q %w", unit, i+1, entry, ErrRootInList)
		default:
			files = append(files, clean)
		}
	}
	slices.Sort(files)
	return slices.Compact(files), nil
}
