package release

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git"
)

func resolveHead(ctx context.Context, repo git.Repo, head string) (string, error) {
	if strings.HasPrefix(head, "-") {
		return "", exit.BadInputf("head %q is not a revision", head)
	}
	sha, err := repo.Output(ctx, "rev-parse", "--verify", "--quiet", "--end-of-options", head+"^{commit}")
	var gerr *git.Error
	switch {
	case err == nil && sha != "":
		return sha, nil
	case err == nil, errors.As(err, &gerr) && strings.TrimSpace(gerr.Stderr) == "":
		// --quiet: an unknown revision fails without a word.
		return "", exit.BadInputf("unknown revision %q: pass a commit, branch or tag that exists in the repository", head)
	}
	return "", &exit.Error{Code: exit.Env, Err: fmt.Errorf("resolve %q: %w", head, err)}
}

// tagRef is a tag and the commit it points to.
type tagRef struct {
	name, commit string
	reachable    bool // from head
}

// listTags lists every tag (to know which exist) and marks those reachable
// from head (the only ones that can hold a current version).
func listTags(ctx context.Context, repo git.Repo, head string) ([]tagRef, error) {
	const format = "--format=%(refname)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)"
	all, err := repo.Run(ctx, "for-each-ref", format, "refs/tags")
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	merged, err := repo.Run(ctx, "for-each-ref", "--merged="+head, "--format=%(refname)", "refs/tags")
	if err != nil {
		return nil, fmt.Errorf("list tags merged into %s: %w", head, err)
	}
	reachable := map[string]bool{}
	for _, l := range strings.Split(string(merged), "\n") {
		if l != "" {
			reachable[strings.TrimPrefix(l, "refs/tags/")] = true
		}
	}
	var tags []tagRef
	var nested []int
	for _, l := range strings.Split(string(all), "\n") {
		f := strings.Split(l, "\x00")
		if len(f) != 5 {
			continue
		}
		t := tagRef{name: strings.TrimPrefix(f[0], "refs/tags/")}
		t.reachable = reachable[t.name]
		switch {
		case f[1] == "commit":
			t.commit = f[2]
		case f[3] == "commit":
			t.commit = f[4]
		case f[3] == "tag" && t.reachable:
			nested = append(nested, len(tags)) // a tag of a tag: let git peel it
		}
		tags = append(tags, t)
	}
	for _, i := range nested {
		if sha, err := repo.Output(ctx, "rev-parse", "--verify", "--quiet", "refs/tags/"+tags[i].name+"^{commit}"); err == nil {
			tags[i].commit = sha
		}
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].name < tags[j].name })
	return tags, nil
}

// findCurrent sets each needed service's current version: its highest
// non-prerelease semver tag reachable from head.
func (p *computation) findCurrent(tags []tagRef) {
	claimed := map[string]bool{}
	type odd struct{ tag, why string }
	var odds []odd
	for i, t := range p.tmpl {
		if !p.needed[i] {
			continue
		}
		// Tags are sorted: those starting with the prefix are one run.
		lo := sort.Search(len(tags), func(k int) bool { return tags[k].name >= t.prefix })
		for k := lo; k < len(tags) && strings.HasPrefix(tags[k].name, t.prefix); k++ {
			tag := tags[k]
			if !tag.reachable || tag.commit == "" {
				continue
			}
			v, ok, err := t.version(tag.name)
			switch {
			case err != nil:
				odds = append(odds, odd{tag.name, fmt.Sprintf("its version is not semver (%v)", err)})
				continue
			case !ok:
				continue
			}
			claimed[tag.name] = true
			if v.Prerelease() != "" {
				p.debugf("service %q: tag %q is a prerelease, not a current version", p.services[i].Name, tag.name)
				continue
			}
			if p.current[i] == nil || v.GreaterThan(p.current[i]) {
				p.current[i], p.currentTag[i], p.tagCommit[i] = v, tag.name, tag.commit
			}
		}
	}
	for i := range p.tmpl {
		switch {
		case !p.needed[i]:
		case p.current[i] != nil:
			p.currentFrom[i] = "tag"
		case p.manifest[i] != nil:
			// No tag: what the manifest says was released last.
			p.current[i], p.currentFrom[i] = p.manifest[i], "manifest"
		}
	}
	for _, o := range odds {
		if !claimed[o.tag] { // a sibling's good tag is not odd
			p.debugf("ignoring tag %q: %s", o.tag, o.why)
		}
	}
}

func (p *computation) debugf(format string, args ...any) {
	if p.debug != nil {
		fmt.Fprintf(p.debug, "debug: "+format+"\n", args...)
	}
}

// CreateTags creates, at r.Head, an annotated tag for each release whose tag
// does not exist yet. It never moves or replaces a tag: git refuses to
// create one that exists, and that refusal is returned as an error. It
// returns the tags it created, also when it stops at an error.
func CreateTags(ctx context.Context, repo git.Repo, r *Result) ([]string, error) {
	var created []string
	for _, rel := range r.Releases {
		if rel.TagExists {
			continue
		}
		msg := fmt.Sprintf("%s %s", rel.Service, rel.Next)
		if _, err := repo.Run(ctx, "tag", "-a", "-m", msg, "--end-of-options", rel.Tag, r.Head); err != nil {
			return created, fmt.Errorf("create tag %q: %w", rel.Tag, err)
		}
		created = append(created, rel.Tag)
	}
	return created, nil
}
