package git

import (
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
	// -z is the only output git never quotes or escapes, so any file name
	// survives. The other flags pin down what user or repository config could
	// change: quoting, paths relative to a subdirectory, colour, external diff
	// drivers.
	out, err := r.Run(ctx, "-c", "core.quotePath=false", "diff", "-z", "--name-status", "-M",
		"--no-relative", "--no-color", "--no-ext-diff", "--end-of-options", base, head, "--")
	if err != nil {
		return nil, err
	}
	files, err := parseNameStatus(out)
	if err != nil {
		return nil, exit.Envf("read git diff %s %s: %w", base, head, err)
	}
	return files, nil
}

// parseNameStatus reads `git diff -z --name-status` output: a status field and
// one path, or for renames and copies (R and C followed by a score) two. The
// paths share one copy of the output rather than one allocation each: a
// large change lists tens of thousands.
func parseNameStatus(out []byte) ([]string, error) {
	fields := strings.Split(string(out), "\x00")
	if n := len(fields); n > 0 && len(fields[n-1]) == 0 {
		fields = fields[:n-1]
	}
	var files []string
	for i := 0; i < len(fields); {
		status := fields[i]
		if len(status) == 0 {
			return nil, fmt.Errorf("empty status at field %d", i)
		}
		paths := 1
		if status[0] == 'R' || status[0] == 'C' {
			paths = 2
		}
		if i+paths >= len(fields) {
			return nil, fmt.Errorf("status %q at field %d has no path", status, i)
		}
		switch status[0] {
		case 'R':
			files = append(files, fields[i+1], fields[i+2])
		case 'C':
			files = append(files, fields[i+2])
		case 'A', 'D', 'M', 'T', 'U', 'X':
			files = append(files, fields[i+1])
		default:
			return nil, fmt.Errorf("unknown status %q at field %d", status, i)
		}
		i += 1 + paths
	}
	slices.Sort(files)
	return slices.Compact(files), nil
}
