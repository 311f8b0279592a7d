package change

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git"
)

// mayBeCutOff reports whether ref could name a commit that a shallow clone
// cut off: an ancestry expression (HEAD~5, main^2) or an abbreviated SHA. A
// plain name that does not resolve (a typo, a branch that was not fetched)
// is not found by deepening.
func mayBeCutOff(ref string) bool {
	if strings.ContainsAny(ref, "~^") {
		return true
	}
	if len(ref) < 4 || len(ref) >= 40 {
		return false
	}
	return strings.Trim(strings.ToLower(ref), "0123456789abcdef") == ""
}

// deepenFor deepens a shallow clone step by step, then unshallows it, until
// ref, given as option (OptionBase or OptionHead), resolves. It returns
// git.ErrUnknownRev when the clone is not shallow or ref still does not
// resolve with the whole history; its other errors are about ref, for
// commit's InputError.
func (r *resolver) deepenFor(ctx context.Context, option, ref string) (string, error) {
	shallow, err := r.repo.IsShallow(ctx)
	if err != nil {
		return "", exit.Envf("check for a shallow clone: %w", err)
	}
	if !shallow || !mayBeCutOff(ref) {
		return "", git.ErrUnknownRev
	}
	steps := make([][]string, 0, len(deepenSteps)+1)
	for _, n := range deepenSteps {
		steps = append(steps, []string{"--no-tags", fmt.Sprintf("--deepen=%d", n), remote})
	}
	steps = append(steps, []string{"--no-tags", "--unshallow", remote})
	for _, args := range steps {
		r.notice("%s %s is not in this shallow clone; fetching (git fetch %s)", option, ref, strings.Join(args, " "))
		if err := r.repo.Fetch(ctx, args...); err != nil {
			return "", &exit.Error{Code: exit.Env, Err: fmt.Errorf("not in this shallow clone, and fetching more history failed: %w; %s", err, fullHistoryHint)}
		}
		sha, err := r.repo.RevParse(ctx, ref)
		if !errors.Is(err, git.ErrUnknownRev) {
			return sha, err
		}
	}
	return "", git.ErrUnknownRev
}
