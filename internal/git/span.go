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
	s, _, ok = r.resolveSpan(ctx, base, head)
	return s, ok
}

// DiffSpan is ResolveSpan and DiffFiles(MergeBase, Head) at once: git diffs
// BASE...HEAD (from their merge base) beside the rev-parse, which otherwise
// comes first and takes a few milliseconds of the critical path. It is ok
// only where ResolveSpan is and the merge base is the only one, so that
// BASE...HEAD diffs from exactly that commit; otherwise the caller asks
// step by step, as after ResolveSpan.
func (r Repo) DiffSpan(ctx context.Context, base, head string) (s Span, files []string, ok bool) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type diffed struct {
		files []string
		err   error
	}
	done := make(chan diffed, 1)
	go func() {
		var d diffed
		d.files, d.err = r.diffFiles(ctx, base+"..."+head)
		done <- d
	}()
	s, bases, ok := r.resolveSpan(ctx, base, head)
	if !ok || bases != 1 {
		cancel()
		<-done
		return Span{}, nil, false
	}
	d := <-done
	if d.err != nil {
		return Span{}, nil, false
	}
	return s, d.files, true
}

// resolveSpan is ResolveSpan, with the number of merge bases.
func (r Repo) resolveSpan(ctx context.Context, base, head string) (s Span, bases int, ok bool) {
	// A name holding ".." or starting with "^" would be read as a range or a
	// negation of its own inside BASE...HEAD.
	for _, ref := range []string{base, head} {
		if ref == "" || strings.Contains(ref, "..") || strings.HasPrefix(ref, "^") {
			return Span{}, 0, false
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
		return Span{}, 0, false
	}
	lines := strings.Split(out, "\n")
	if len(lines) < 5 || lines[0] != "--end-of-options" || lines[len(lines)-1] != "--" {
		return Span{}, 0, false
	}
	s = Span{Head: lines[1], Base: lines[2], MergeBase: strings.TrimPrefix(lines[3], "^")}
	if !IsSHA(s.Head) || !IsSHA(s.Base) || !strings.HasPrefix(lines[3], "^") || !IsSHA(s.MergeBase) {
		return Span{}, 0, false
	}
	return s, len(lines) - 4, true
}
