package git

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Fetch runs git fetch with args, quietly. Callers name the remote and what to
// fetch; Fetch adds nothing that changes what is fetched.
//
// Options come first; from the first argument that is not one (the remote),
// git is told that no more options follow, so that a ref or SHA from a CI
// event or the command line that starts with "-" (say
// "--upload-pack=...") is never read as an option.
func (r Repo) Fetch(ctx context.Context, args ...string) error {
	full := []string{"fetch", "--quiet"}
	for i, a := range args {
		if !strings.HasPrefix(a, "-") {
			full = append(append(append(full, args[:i]...), "--end-of-options"), args[i:]...)
			break
		}
		if i == len(args)-1 {
			full = append(full, args...)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, FetchTimeout)
	defer cancel()
	_, err := r.Run(ctx, full...)
	if err != nil && ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("git fetch took longer than %s: %w", FetchTimeout, err)
	}
	return err
}

// FetchTimeout bounds one git fetch, so that a remote that stops answering
// cannot hold a CI job until the job's own timeout (6 hours on GitHub).
var FetchTimeout = 10 * time.Minute

// Deepen extends the history of a shallow clone by n commits from its current
// boundary, without fetching tags (they can be many and are not needed to find
// a merge base).
func (r Repo) Deepen(ctx context.Context, remote string, n int) error {
	return r.Fetch(ctx, "--no-tags", "--deepen="+strconv.Itoa(n), remote)
}
