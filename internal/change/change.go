// Package change works out which files a change touched and where the change
// came from: a file list, two refs, or the CI event that started the run.
// Everything after it (affected services, plans, gates, statuses) starts from
// the Change it returns, so this is the one place that knows how GitHub and
// GitLab describe "this pull request" or "this push", and how to get the
// commits a shallow CI clone lacks.
package change

import (
	"context"
	"io"

	"github.com/ordo-ci/ordo/internal/ci"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git"
)

// Change is the set of files a change touched and where it came from.
type Change struct {
	// Base and Head are the full SHAs of the commits compared; Base is the
	// merge base of the commits asked for, so that Files are the change's own.
	// Both are "" when unknown (a file list, everything affected).
	Base, Head string
	// Files are repository-relative slash paths, sorted, without duplicates;
	// never nil, so an empty change stays an empty list in JSON.
	Files []string
	// All is true when everything is affected, for the Reason given.
	All bool
	// Reason is why everything is affected: ReasonAll or ReasonNoBase.
	Reason string
	// Source says in one line where the change came from, for people:
	// "github pull_request #12 (abc1234..def5678)", "--files changed.txt".
	Source string
	// Event is what the CI event says (the zero Event outside CI).
	Event Event
	// Reversed says the head is an ancestor of the base asked for
	// (Options.Base), so that nothing changed from their merge base: the
	// two were most likely given the other way round. The caller warns,
	// in the words the user gave them in.
	Reversed bool
}

// Reasons for everything to be affected.
const (
	// ReasonAll means --all was given.
	ReasonAll = "all"
	// ReasonNoBase means there is nothing to compare with: a manual or
	// scheduled run, a new branch without a default branch, a first tag.
	ReasonNoBase = "no-base"
)

// Event is what later commands (gate overrides, status, release) need from
// the CI event.
type Event struct {
	Platform string // "github", "gitlab" or ""
	// Name is GitHub's event name (pull_request, merge_group, push, ...) or
	// GitLab's CI_PIPELINE_SOURCE.
	Name string
	// PullRequest is the pull request number or the merge request IID, 0 if
	// none. For a merge queue it is the last pull request of the group.
	PullRequest int
	// Labels are the pull or merge request's labels, sorted.
	Labels []string
	// HeadSHA is the commit statuses belong on: the pull request's head,
	// merge_group.head_sha, GITHUB_SHA; on GitLab CI_COMMIT_SHA, or the merge
	// request's own head in merged results and merge train pipelines.
	HeadSHA string
	// Tag is the pushed tag for tag pushes and tag pipelines, "" otherwise.
	Tag string
	// DefaultBranch is repository.default_branch or CI_DEFAULT_BRANCH.
	DefaultBranch string
	// Branch is the branch the change goes into, whose rules say which
	// checks are required: a pull request's or merge group's base, a pushed
	// branch. "" when the event has none.
	Branch string
	// Fork says the pull request comes from another repository: GitHub runs
	// its pull_request workflows with a read-only token.
	Fork bool
}

// Options says where to look for the change.
type Options struct {
	Dir string // repository directory
	// Files is the path of a list of changed files ("-" for Stdin); a
	// relative path starts at Dir, as with git -C.
	Files  string
	Files0 bool // the list is NUL-separated
	Stdin  io.Reader
	Base   string    // a ref to compare from (its merge base with Head)
	Head   string    // the ref to compare up to; "" means HEAD
	All    bool      // everything is affected
	CI     ci.Env    // the CI event, when no flag names the change
	Stderr io.Writer // notices, such as fetching missing history
	// SameService, for tag pushes: given the pushed tag, it returns a
	// predicate that is true for other tags of the same service, or nil when
	// the tag matches no service (then any tag counts).
	SameService func(tag string) func(other string) bool
}

// Resolve finds the change from, in this order, a file list (Files), two
// refs (Base, Head), All, or the CI event; with none of them it is an error
// (NoChangeError). Options that name the change in two ways at once are an
// error too. Errors about an option's value are InputErrors.
func Resolve(ctx context.Context, o Options) (*Change, error) {
	ev, d, err := readEvent(o.CI)
	if err != nil {
		return nil, err
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	r := &resolver{o: o, repo: git.Repo{Dir: o.Dir}}
	c, err := r.resolve(ctx, ev, d)
	if err != nil {
		return nil, err
	}
	if c.Files == nil {
		c.Files = []string{}
	}
	c.Event = ev
	return c, nil
}

func (r *resolver) resolve(ctx context.Context, ev Event, d detected) (*Change, error) {
	o := r.o
	// The command line says which of its flags clash; this is for other
	// callers, in the words of Options.
	given := 0
	for _, set := range []bool{o.Files != "", o.Base != "", o.All} {
		if set {
			given++
		}
	}
	switch {
	case given > 1:
		return nil, exit.BadInputf("change: Files, Base and All name the change in more than one way")
	case o.Files0 && o.Files == "":
		return nil, exit.BadInputf("change: Files0 without Files")
	case o.Head != "" && o.Head != "HEAD" && o.Base == "":
		return nil, exit.BadInputf("change: Head %q without Base", o.Head)
	case o.Files != "":
		return r.fromFileList()
	case o.Base != "":
		return r.fromRefs(ctx)
	case o.All:
		return &Change{All: true, Reason: ReasonAll, Source: "--all"}, nil
	case ev.Platform != "":
		return r.fromEvent(ctx, ev, d)
	}
	return nil, &NoChangeError{}
}
