package change

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git"
)

// remote is where CI checkouts fetch from; both actions/checkout and GitLab
// runners call it origin.
const remote = "origin"

// deepenSteps are how far a shallow clone is deepened, one step after the
// other, before fetching commits by SHA and then the whole history: most
// changes are a few commits deep, and a full fetch of a large monorepo is slow.
var deepenSteps = []int{50, 200, 1000}

// fullHistoryHint ends every error about history a clone does not have.
const fullHistoryHint = `check out the full history: "fetch-depth: 0" with actions/checkout (GitHub), or the variable "GIT_DEPTH: 0" (GitLab)`

type resolver struct {
	o    Options
	repo git.Repo
}

func (r *resolver) notice(format string, args ...any) {
	fmt.Fprintf(r.o.Stderr, "ordo: "+format+"\n", args...)
}

// fromRefs compares Base and Head.
func (r *resolver) fromRefs(ctx context.Context) (*Change, error) {
	headRef := r.o.Head
	if headRef == "" {
		headRef = "HEAD"
	}
	// Source is part of the output: it says how the command line gave the refs.
	source := "--base " + r.o.Base
	if headRef != "HEAD" {
		source += " --head " + headRef
	}
	c, base, err := r.refs(ctx, headRef, source)
	if err == nil && c.Base != "" && c.Base == c.Head && base != c.Head {
		// merge-base(base, head) is head: head is behind base, and nothing
		// is "changed". The usual cause is the two given the other way round.
		c.Reversed = true
	}
	return c, err
}

// refs returns the change from Base to headRef and the commit Base names.
func (r *resolver) refs(ctx context.Context, headRef, source string) (*Change, string, error) {
	if r.o.Base != zeroSHA && headRef != zeroSHA {
		// The usual case in one git process besides the diff; anything
		// unusual (a name that does not resolve, a shallow clone to deepen,
		// no merge base) is left to the steps below, which fix or explain it.
		if s, files, ok := r.repo.DiffSpan(ctx, r.o.Base, headRef); ok {
			return r.change(s.MergeBase, s.Head, source, files), s.Base, nil
		}
	}
	head, err := r.commit(ctx, OptionHead, headRef)
	if err != nil {
		return nil, "", err
	}
	base, err := r.commit(ctx, OptionBase, r.o.Base)
	if err != nil {
		return nil, "", err
	}
	c, err := r.compare(ctx, base, head, source, "")
	return c, base, err
}

// commit resolves the ref given as option (OptionBase or OptionHead). A full
// SHA that is not in the clone is kept: compare fetches it. Any other name
// that does not resolve in a shallow clone (HEAD~5, origin/main~3, a short
// SHA) may name history the clone cut off, so the clone is deepened until it
// resolves.
func (r *resolver) commit(ctx context.Context, option, ref string) (string, error) {
	if ref == zeroSHA {
		return ref, nil
	}
	sha, err := r.repo.RevParse(ctx, ref)
	if errors.Is(err, git.ErrUnknownRev) && git.IsSHA(ref) {
		return strings.ToLower(ref), nil
	}
	if errors.Is(err, git.ErrUnknownRev) {
		sha, err = r.deepenFor(ctx, option, ref)
	}
	switch {
	case err == nil:
		return sha, nil
	case errors.Is(err, git.ErrUnknownRev):
		err = exit.BadInputf("not a commit in this repository; check the name, or fetch it first (for example: git fetch origin main)")
	case !exit.Classified(err):
		err = exit.Envf("resolve it: %w", err)
	}
	return "", &InputError{Option: option, Value: ref, Err: err}
}

// fromEvent compares what the CI event names.
func (r *resolver) fromEvent(ctx context.Context, ev Event, d detected) (*Change, error) {
	switch {
	case d.noBase:
		return noBase(d.source + ": nothing to compare with"), nil
	case d.err != nil:
		return nil, d.err
	case d.tag != "":
		return r.sinceTag(ctx, d.tag, d.head, d.source)
	}
	return r.compare(ctx, d.base, d.head, d.source, ev.DefaultBranch)
}

func noBase(source string) *Change {
	return &Change{All: true, Reason: ReasonNoBase, Source: source + ", everything is affected"}
}

// compare returns the files changed from merge-base(base, head) to head.
// A zero base (a new branch) is compared with the default branch, named
// defaultBranch when origin/HEAD does not say.
func (r *resolver) compare(ctx context.Context, base, head, source, defaultBranch string) (*Change, error) {
	if base == zeroSHA {
		sha, name, err := r.defaultBranch(ctx, defaultBranch)
		if err != nil {
			return nil, err
		}
		if sha == "" {
			return noBase(source + ": a new branch, and no default branch to compare it with"), nil
		}
		base = sha
		source += ", a new branch compared with " + name
	}
	mb, err := r.mergeBase(ctx, base, head)
	if err != nil {
		return nil, err
	}
	return r.diff(ctx, mb, head, source)
}

// diff returns the change from the merge base mb to head.
func (r *resolver) diff(ctx context.Context, mb, head, source string) (*Change, error) {
	files, err := r.repo.DiffFiles(ctx, mb, head)
	if err != nil {
		return nil, exit.Envf("list changed files: %w", err)
	}
	return r.change(mb, head, source, files), nil
}

// change is the change from the merge base mb to head.
func (r *resolver) change(mb, head, source string, files []string) *Change {
	return &Change{
		Base:   mb,
		Head:   head,
		Files:  files,
		Source: fmt.Sprintf("%s (%s..%s)", source, git.Short(mb), git.Short(head)),
	}
}

// defaultBranch returns the tip of the default branch, or "" when there is
// none to be had, fetching it if the clone has only the pushed branch.
func (r *resolver) defaultBranch(ctx context.Context, name string) (sha, ref string, err error) {
	// origin/HEAD is what the remote says, and needs no event to trust.
	if sha, err := r.have(ctx, "refs/remotes/origin/HEAD"); sha != "" || err != nil {
		return sha, "origin/HEAD", err
	}
	if name == "" {
		return "", "", nil
	}
	ref = "refs/remotes/origin/" + name
	if sha, err := r.have(ctx, ref); sha != "" || err != nil {
		return sha, "origin/" + name, err
	}
	// The refspec starts with "+", so no branch name can pass for an option.
	args := []string{"--no-tags", remote, "+refs/heads/" + name + ":" + ref}
	if shallow, err := r.repo.IsShallow(ctx); err != nil {
		return "", "", exit.Envf("check for a shallow clone: %w", err)
	} else if shallow {
		// mergeBase deepens it as far as needed.
		args = append([]string{"--depth=1"}, args...)
	}
	r.notice("a new branch: fetching the default branch %q to compare with (git fetch %s)", name, strings.Join(args, " "))
	if err := r.repo.Fetch(ctx, args...); err != nil {
		r.notice("cannot fetch the default branch %q: %v", name, err)
		return "", "", nil
	}
	sha, err = r.have(ctx, ref)
	return sha, "origin/" + name, err
}

// have returns the commit rev names, or "" when it is not in the clone.
func (r *resolver) have(ctx context.Context, rev string) (string, error) {
	sha, err := r.repo.RevParse(ctx, rev)
	if errors.Is(err, git.ErrUnknownRev) {
		return "", nil
	}
	if err != nil {
		return "", exit.Envf("look for commit %s: %w", rev, err)
	}
	return sha, nil
}

// mergeBase returns merge-base(base, head), fetching what a shallow or partial
// clone lacks: first deeper history, then the missing commits by SHA, then
// the whole history.
func (r *resolver) mergeBase(ctx context.Context, base, head string) (string, error) {
	// Both commits here and a merge base found, in one git process; attempt
	// tells the other cases apart, one question at a time.
	if s, ok := r.repo.ResolveSpan(ctx, base, head); ok {
		return s.MergeBase, nil
	}
	// missing describes what is not there yet, or is "" with the merge base.
	attempt := func() (mb, missing string, err error) {
		for _, c := range []struct{ name, sha string }{{"base", base}, {"head", head}} {
			sha, err := r.have(ctx, c.sha)
			if err != nil {
				return "", "", err
			}
			if sha == "" {
				return "", c.name + " " + git.Short(c.sha), nil
			}
		}
		mb, err = r.repo.MergeBase(ctx, base, head)
		if errors.Is(err, git.ErrNoMergeBase) {
			return "", fmt.Sprintf("the merge base of %s and %s", git.Short(base), git.Short(head)), nil
		}
		if err != nil {
			return "", "", exit.Envf("find the merge base of %s and %s: %w", git.Short(base), git.Short(head), err)
		}
		return mb, "", nil
	}
	mb, missing, err := attempt()
	if mb != "" || err != nil {
		return mb, err
	}

	shallow, err := r.repo.IsShallow(ctx)
	if err != nil {
		return "", exit.Envf("check for a shallow clone: %w", err)
	}
	var fetchErr error
	// fetch runs one fetch and tries again; done is true when there is no
	// point in fetching more.
	fetch := func(args ...string) (done bool, err error) {
		r.notice("%s is not in this clone; fetching (git fetch %s)", missing, strings.Join(args, " "))
		if fetchErr = r.repo.Fetch(ctx, args...); fetchErr != nil {
			return false, nil
		}
		mb, missing, err = attempt()
		return mb != "" || err != nil, err
	}
	if shallow {
		for _, n := range deepenSteps {
			if done, err := fetch("--no-tags", fmt.Sprintf("--deepen=%d", n), remote); done || err != nil {
				return mb, err
			}
			if fetchErr != nil {
				break // the remote is not there; deeper will not help
			}
		}
	}
	for _, sha := range []string{base, head} {
		if got, err := r.have(ctx, sha); err != nil {
			return "", err
		} else if got == "" {
			if done, err := fetch("--no-tags", remote, sha); done || err != nil {
				return mb, err
			}
		}
	}
	if shallow {
		if done, err := fetch("--no-tags", "--unshallow", remote); done || err != nil {
			return mb, err
		}
		if shallow, err = r.repo.IsShallow(ctx); err != nil {
			return "", exit.Envf("check for a shallow clone: %w", err)
		}
	}
	if !shallow && !strings.HasPrefix(missing, "base ") && !strings.HasPrefix(missing, "head ") {
		// Both commits are here with all their history: they share none.
		return "", exit.BadInputf("%s and %s have no common history; compare commits of the same repository", git.Short(base), git.Short(head))
	}
	if fetchErr != nil {
		return "", &exit.Error{Code: exit.Env, Err: fmt.Errorf("%s is not in this clone and fetching it failed: %w; %s", missing, fetchErr, fullHistoryHint)}
	}
	return "", exit.Envf("%s is not in this clone, nor to be fetched from %s; %s", missing, remote, fullHistoryHint)
}

// sinceTag compares a pushed tag with the tag before it.
func (r *resolver) sinceTag(ctx context.Context, tag, fallbackHead, source string) (*Change, error) {
	shallow, err := r.repo.IsShallow(ctx)
	if err != nil {
		return nil, exit.Envf("check for a shallow clone: %w", err)
	}
	if shallow {
		// Earlier tags and the history that links them are both needed, and
		// how deep the last release is cannot be known.
		r.notice("earlier tags are not in this shallow clone; fetching (git fetch --unshallow --tags %s)", remote)
		if err := r.repo.Fetch(ctx, "--unshallow", "--tags", remote); err != nil {
			return nil, &exit.Error{Code: exit.Env, Err: fmt.Errorf("fetch the history before tag %q: %w; %s", tag, err, fullHistoryHint)}
		}
	}
	head, err := r.have(ctx, "refs/tags/"+tag)
	if err != nil {
		return nil, err
	}
	if head == "" && git.IsSHA(fallbackHead) {
		if head, err = r.have(ctx, fallbackHead); err != nil {
			return nil, err
		}
	}
	if head == "" {
		return nil, exit.Envf("tag %q is not in this clone; fetch tags (git fetch --tags), or %s", tag, fullHistoryHint)
	}
	tags, err := r.repo.Tags(ctx, head)
	if err != nil {
		return nil, exit.Envf("list the tags before %q: %w", tag, err)
	}
	var same func(string) bool
	if r.o.SameService != nil {
		same = r.o.SameService(tag)
	}
	for _, prev := range previousTags(tag, tags, same) {
		base, err := r.have(ctx, "refs/tags/"+prev)
		if err != nil {
			return nil, err
		}
		// A tag on the same commit (another service released at once) would
		// compare nothing.
		if base == "" || base == head {
			continue
		}
		files, err := r.repo.DiffFiles(ctx, base, head)
		if err != nil {
			return nil, exit.Envf("list changed files: %w", err)
		}
		return &Change{
			Base:   base,
			Head:   head,
			Files:  files,
			Source: fmt.Sprintf("%s since %s (%s..%s)", source, prev, git.Short(base), git.Short(head)),
		}, nil
	}
	return noBase(source + ": no earlier tag to compare with"), nil
}

// previousTags orders the candidates for the tag released before tag, best
// first, from the tags in its history (git.Tags: newest first). Candidates are
// the other tags of the same service when same is not nil, any tag otherwise.
//
// When the tag's name holds a semantic version, the best candidate is the
// highest version below it, prereleases aside unless tag is one: v1.3.0
// follows v1.2.0, not v1.3.0-rc.1, as release notes do. Tags whose names hold
// no version come after those, newest first. When the tag's own name holds no
// version, all candidates are newest first: creation order is then the only
// order that means anything.
func previousTags(tag string, tags []string, same func(string) bool) []string {
	var candidates []string
	for _, t := range tags {
		if t != tag && (same == nil || same(t)) {
			candidates = append(candidates, t)
		}
	}
	tv, ok := tagVersion(tag)
	if !ok {
		return candidates
	}
	type versioned struct {
		name string
		v    *semver.Version
	}
	var semver []versioned
	var others []string
	for _, t := range candidates {
		v, ok := tagVersion(t)
		switch {
		case !ok:
			others = append(others, t)
		case v.LessThan(tv) && (tv.Prerelease() != "" || v.Prerelease() == ""):
			semver = append(semver, versioned{t, v})
		}
	}
	slices.SortStableFunc(semver, func(a, b versioned) int { return b.v.Compare(a.v) })
	ordered := make([]string, 0, len(semver)+len(others))
	for _, s := range semver {
		ordered = append(ordered, s.name)
	}
	return append(ordered, others...)
}
