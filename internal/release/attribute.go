package release

import (
	"context"
	"slices"
	"strings"

	"github.com/ordo-ci/ordo/internal/git"
)

// boundary returns a commit whose ancestors are outside every needed
// service's range, so that git log can stop there: when every service has
// been released, a common ancestor of their tags. Empty means all history.
func (p *computation) boundary(ctx context.Context, repo git.Repo) string {
	var commits []string
	for i, need := range p.needed {
		if !need {
			continue
		}
		if p.tagCommit[i] == "" { // never tagged: all its history counts
			return ""
		}
		commits = append(commits, p.tagCommit[i])
	}
	slices.Sort(commits)
	commits = slices.Compact(commits)
	switch len(commits) {
	case 0:
		return ""
	case 1:
		return commits[0]
	}
	out, err := repo.Output(ctx, append([]string{"merge-base", "--octopus"}, commits...)...)
	if err != nil {
		return "" // no common ancestor (unrelated histories): read everything
	}
	base, _, _ := strings.Cut(out, "\n")
	return base
}

// assign gives each needed service the commits of its range that touch its
// paths. A service's range is head minus the ancestors of its tag's commit;
// --date-order lists children before parents, so one forward sweep from the
// tag's position marks all its ancestors.
func (p *computation) assign(log []git.LogEntry) {
	pos := make(map[string]int32, len(log))
	for i, e := range log {
		pos[e.SHA] = int32(i)
	}
	parents := make([][]int32, len(log))
	for i, e := range log {
		for _, sha := range e.Parents {
			if j, ok := pos[sha]; ok {
				parents[i] = append(parents[i], j)
			}
		}
	}

	touched := make([][]int32, len(p.services)) // per service: log positions
	hit := map[int]bool{}
	for i, e := range log {
		clear(hit)
		for _, f := range e.Files {
			p.paths.Each(f, func(s int) { hit[s] = true })
		}
		for s := range hit {
			if p.needed[s] {
				touched[s] = append(touched[s], int32(i))
			}
		}
	}

	// Group services by the commit of their tag, so each sweep serves many.
	byTag := map[string][]int{}
	for s, need := range p.needed {
		if need && len(touched[s]) > 0 {
			byTag[p.tagCommit[s]] = append(byTag[p.tagCommit[s]], s)
		}
	}
	parsed := make(map[int32]Commit)
	commit := func(i int32) Commit {
		c, ok := parsed[i]
		if !ok {
			c = ParseMessage(log[i].Message)
			c.SHA = log[i].SHA
			if c.Trailers == nil {
				c.Trailers = []Trailer{}
			}
			parsed[i] = c
		}
		return c
	}
	ancestor := make([]bool, len(log))
	for tagCommit, ss := range byTag {
		clear(ancestor)
		if start, ok := pos[tagCommit]; ok && tagCommit != "" {
			ancestor[start] = true
			for i := start; i < int32(len(log)); i++ {
				if ancestor[i] {
					for _, j := range parents[i] {
						ancestor[j] = true
					}
				}
			}
		}
		// A tag commit missing from the log is the boundary or below it:
		// nothing the log lists is its ancestor.
		for _, s := range ss {
			for _, i := range touched[s] {
				if !ancestor[i] {
					p.commits[s] = append(p.commits[s], commit(i))
				}
			}
		}
	}
}
