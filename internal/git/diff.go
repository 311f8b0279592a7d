package git

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ordo-ci/ordo/internal/exit"
)

// DiffFiles returns the repository-relative paths that differ between the
// commits base and head, sorted and without duplicates. A rename counts at
// both its old and its new path (something moved out of one place and into
// another), a copy at its new path only (its source did not change), and a
// deletion at the deleted path.
func (r Repo) DiffFiles(ctx context.Context, base, head string) ([]string, error) {
	return r.diffFiles(ctx, base, head)
}

// diffFiles is DiffFiles between revs: two commits, or A...B.
func (r Repo) diffFiles(ctx context.Context, revs ...string) ([]string, error) {
	// -z is the only output git never quotes or escapes, so any file name
	// survives. The other flags pin down what user or repository config could
	// change: quoting, paths relative to a subdirectory, colour, external diff
	// drivers.
	args := []string{"-c", "core.quotePath=false", "diff", "-z", "--name-status", "-M",
		"--no-relative", "--no-color", "--no-ext-diff", "--end-of-options"}
	out, err := r.Run(ctx, append(append(args, revs...), "--")...)
	if err != nil {
		return nil, err
	}
	files, err := parseNameStatus(out)
	if err != nil {
		return nil, exit.Envf("read git diff %s: %w", strings.Join(revs, " "), err)
	}
	return files, nil
}

// parseNameStatus reads `git diff -z --name-status` output: a status field and
// one path, or for renames and copies (R and C followed by a score) two. The
// paths share one copy of the output rather than one allocation each: a
// large change lists tens of thousands.
func parseNameStatus(out []byte) ([]string, error) {
	text := string(out)
	files := make([]string, 0, bytes.Count(out, []byte{0})/2)
	field := 0
	next := func() (string, bool) { // the next field; the last may lack its NUL
		if text == "" {
			return "", false
		}
		f, rest, _ := strings.Cut(text, "\x00")
		text = rest
		field++
		return f, true
	}
	for text != "" {
		status, _ := next()
		if len(status) == 0 {
			return nil, fmt.Errorf("empty status at field %d", field-1)
		}
		paths := 1
		if status[0] == 'R' || status[0] == 'C' {
			paths = 2
		}
		var p [2]string
		for k := range paths {
			var ok bool
			if p[k], ok = next(); !ok {
				return nil, fmt.Errorf("status %q at field %d has no path", status, field-1-k)
			}
		}
		switch status[0] {
		case 'R':
			files = append(files, p[0], p[1])
		case 'C':
			files = append(files, p[1])
		case 'A', 'D', 'M', 'T', 'U', 'X':
			files = append(files, p[0])
		default:
			return nil, fmt.Errorf("unknown status %q at field %d", status, field-1-paths)
		}
	}
	if !slices.IsSorted(files) { // git lists paths sorted, renames aside
		slices.Sort(files)
	}
	return slices.Compact(files), nil
}
