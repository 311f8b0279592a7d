package git

import (
	"context"
	"strconv"
)

// Fetch runs git fetch with args, quietly. Callers name the remote and what to
// fetch; Fetch adds nothing that changes what is fetched.
func (r Repo) Fetch(ctx context.Context, args ...string) error {
	_, err := r.Run(ctx, append([]string{"fetch", "--quiet"}, args...)...)
	return err
}

// Deepen extends the history of a shallow clone by n commits from its current
// boundary, without fetching tags (they can be many and are not needed to find
// a merge base).
func (r Repo) Deepen(ctx context.Context, remote string, n int) error {
	return r.Fetch(ctx, "--no-tags", "--deepen="+strconv.Itoa(n), remote)
}
