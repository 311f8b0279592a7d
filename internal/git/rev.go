package git

import (
	"context"
	"errors"
	"os/exec"
	"strings"
)

// ErrUnknownRev means a revision does not name a commit in this repository:
// a typo, a ref that was never fetched, or a commit outside a shallow clone.
var ErrUnknownRev = errors.New("unknown revision")

// ErrNoMergeBase means git found no common ancestor of two commits, either
// because there is none or because a shallow clone cuts the history short.
var ErrNoMergeBase = errors.New("no merge base")

// RevParse resolves rev to the full SHA of the commit it names. It returns an
// error wrapping ErrUnknownRev when rev names no commit, so that callers can
// tell the user's typo from a broken git.
func (r Repo) RevParse(ctx context.Context, rev string) (string, error) {
	// --end-of-options keeps a rev such as "-h" from being read as a flag;
	// ^{commit} peels annotated tags and makes a missing object an error.
	out, err := r.Output(ctx, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	// A negation ("^main") verifies too, printed as "^" and a SHA: it names
	// no one commit.
	if (err == nil && !IsSHA(out)) || exitCode(err) == 1 {
		return "", &Error{Args: []string{"rev-parse", "--verify", rev}, Stderr: "unknown revision " + quoteArg(rev), Err: ErrUnknownRev}
	}
	if err != nil {
		return "", err
	}
	return out, nil
}

// MergeBase returns the best common ancestor of a and b. It returns an error
// wrapping ErrNoMergeBase when git finds none.
func (r Repo) MergeBase(ctx context.Context, a, b string) (string, error) {
	out, err := r.Output(ctx, "merge-base", "--end-of-options", a, b)
	if err != nil {
		if exitCode(err) == 1 {
			return "", &Error{Args: []string{"merge-base", a, b}, Stderr: "no common ancestor", Err: ErrNoMergeBase}
		}
		return "", err
	}
	return out, nil
}

// IsShallow reports whether the repository is a shallow clone, whose history
// stops at some depth (actions/checkout and GitLab runners clone this way by default).
func (r Repo) IsShallow(ctx context.Context) (bool, error) {
	out, err := r.Output(ctx, "rev-parse", "--is-shallow-repository")
	if err != nil {
		return false, err
	}
	return out == "true", nil
}

// exitCode returns git's exit status for a failed command, or -1 when git did
// not get to exit (it was not found, or it was killed).
func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

// IsSHA reports whether s looks like a full object name: 40 hex digits
// (SHA-1) or 64 (SHA-256).
func IsSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	return strings.Trim(s, "0123456789abcdefABCDEF") == ""
}

// ShortLen is how many hex digits of a commit ordo shows people: 12 keeps
// commits apart in the largest repositories (git's own abbreviation grows
// to about that) and matches what GitHub shows in deployment and
// comparison pages.
const ShortLen = 12

// Short abbreviates a commit for people to read, to ShortLen digits; JSON and
// the record keep the full one. Anything that is not a full commit id (a ref
// name such as origin/main, "") is returned as it is.
func Short(sha string) string {
	if IsSHA(sha) {
		return sha[:ShortLen]
	}
	return sha
}
