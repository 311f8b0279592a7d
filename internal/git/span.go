package git

import (
	"context"
	"strings"
)

// Span is what one `git rev-parse BASE...HEAD` says: the commits base and
// head name, and their merge base.
type Span struct {
	Base, Head, MergeBase string
}

// ResolveSpan resolves base and head to commits and finds their merge base
// in one git process, where RevParse twice and MergeBase take three (each
// git process costs milliseconds, more on a loaded CI runner). ok is false
// whenever the answer is not that plain: a name that does not resolve, a
// commit missing from a shallow clone, no merge base, a name git would read
// as something else. The caller then asks step by step (RevParse,
// MergeBase), which tells those cases apart; ResolveSpan never decides them.
func (r Repo) ResolveSpan(ctx context.Context, base, head string) (s Span, ok bool) {
	// A name holding ".." or starting with "^" would be read as a range or a
	// negation of its own inside BASE...HEAD.
	for _, ref := range []string{base, head} {
		if ref == "" || strings.Contains(ref, "..") || strings.HasPrefix(ref, "^") {
			return Span{}, false
		}
	}
	// rev-parse prints HEAD, then BASE, then ^ before each merge base in
	// the order `git merge-base --all` gives them, the first being what
	// `git merge-base` prints. ^{commit} peels tags, as RevParse does;
	// --end-of-options keeps a name such as "-h" from being a flag, and the
	// final "--" makes a name that is not a revision an error rather than a
	// path. Both are echoed.
	out, err := r.Output(ctx, "rev-parse", "--end-of-options", base+"^{commit}..."+head+"^{commit}", "--")
	if err != nil {
		return Span{}, false
	}
	lines := strings.Split(out, "\n")
	if len(lines) < 5 || lines[0] != "--end-of-options" || lines[len(lines)-1] != "--" {
		return Span{}, false
	}
	s = Span{Head: lines[1], Base: lines[2], MergeBase: strings.TrimPrefix(lines[3], "^")}
	if !IsSHA(s.Head) || !IsSHA(s.Base) || !strings.HasPrefix(lines[3], "^") || !IsSHA(s.MergeBase) {
		return Span{}, false
	}
	return s, true
}
