package cli

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/plan"
)

// envGit answers what plan --env and env diff ask git about the commits in
// the record, fetching a commit a shallow clone lacks (and, when ancestry is
// in doubt, the whole history) the way the change is resolved for --base.
type envGit struct {
	e       *env
	o       *options
	cat     *catalog.Catalog
	repo    git.Repo
	tried   map[string]bool // commits already fetched for
	deep    bool            // the clone is complete (or was made so)
	checked bool
}

func newEnvGit(e *env, o *options, cat *catalog.Catalog) *envGit {
	return &envGit{e: e, o: o, cat: cat, repo: git.Repo{Dir: o.dir}, tried: map[string]bool{}}
}

// have reports whether commit sha is in the clone, fetching it from origin
// when it is not. false means it cannot be had (a force push removed it).
func (g *envGit) have(ctx context.Context, sha string) (bool, error) {
	_, err := g.repo.RevParse(ctx, sha)
	switch {
	case err == nil:
		return true, nil
	case !errors.Is(err, git.ErrUnknownRev):
		return false, exit.Envf("look for commit %s: %w", git.Short(sha), err)
	case g.tried[sha]:
		return false, nil
	}
	g.tried[sha] = true
	fmt.Fprintf(g.e.Err, "ordo: %s is not in this clone; fetching it (git fetch origin %s)\n", git.Short(sha), sha)
	if err := g.repo.Fetch(ctx, "--no-tags", "origin", sha); err != nil {
		fmt.Fprintf(g.e.Err, "ordo: note: could not fetch %s: %s\n", git.Short(sha), firstLine(err.Error()))
		return false, nil
	}
	_, err = g.repo.RevParse(ctx, sha)
	return err == nil, nil
}

// complete makes a shallow clone whole, once, so that ancestry and counts
// are right. It is only called when an answer depends on history the clone
// may lack.
func (g *envGit) complete(ctx context.Context) error {
	if g.checked {
		return nil
	}
	g.checked = true
	shallow, err := g.repo.IsShallow(ctx)
	if err != nil {
		return exit.Envf("check for a shallow clone: %w", err)
	}
	if !shallow {
		g.deep = true
		return nil
	}
	fmt.Fprintln(g.e.Err, "ordo: this clone is shallow; fetching its history (git fetch --unshallow origin)")
	if err := g.repo.Fetch(ctx, "--no-tags", "--unshallow", "origin"); err != nil {
		return exit.Envf("fetch the history of this shallow clone: %w; check out with fetch-depth: 0 (GitHub) or GIT_DEPTH: 0 (GitLab)", err)
	}
	g.deep = true
	return nil
}

func (g *envGit) isAncestor(ctx context.Context, a, b string) (bool, error) {
	_, err := g.repo.Run(ctx, "merge-base", "--is-ancestor", a, b)
	var ee *exec.ExitError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &ee) && ee.ExitCode() == 1:
		return false, nil
	}
	return false, exit.Envf("compare %s with %s: %w", git.Short(a), git.Short(b), err)
}

// Relate implements plan.EnvGit.
func (g *envGit) Relate(ctx context.Context, base, head string) (plan.Relation, error) {
	if base == head {
		return plan.Same, nil
	}
	if ok, err := g.have(ctx, base); err != nil || !ok {
		if err == nil {
			fmt.Fprintf(g.e.Err, "ordo: warning: %s, which the record says runs, is in no clone nor remote: its services are planned (base-missing)\n", git.Short(base))
		}
		return plan.Missing, err
	}
	for {
		if ok, err := g.isAncestor(ctx, base, head); err != nil || ok {
			return plan.Behind, err
		}
		if ok, err := g.isAncestor(ctx, head, base); err != nil || ok {
			return plan.Ahead, err
		}
		if g.deep {
			return plan.Diverged, nil
		}
		// A shallow clone can hide the path between them.
		if err := g.complete(ctx); err != nil {
			return 0, err
		}
	}
}

// Diff implements plan.EnvGit.
func (g *envGit) Diff(ctx context.Context, base, head string) ([]string, error) {
	files, err := g.repo.DiffFiles(ctx, base, head)
	if err != nil {
		return nil, exit.Envf("diff %s %s: %w", git.Short(base), git.Short(head), err)
	}
	return files, nil
}

// ChangedContracts implements plan.EnvGit.
func (g *envGit) ChangedContracts(ctx context.Context, base string) []string {
	return g.e.changedContracts(ctx, g.o, g.cat, base)
}

// aheadBehind counts the commits a has that b has not, and the reverse;
// nil when either commit cannot be had (or there is no repository).
func (g *envGit) aheadBehind(ctx context.Context, a, b string) (ahead, behind *int, err error) {
	if _, err := g.repo.Output(ctx, "rev-parse", "--git-dir"); err != nil {
		return nil, nil, nil
	}
	for _, sha := range []string{a, b} {
		if ok, err := g.have(ctx, sha); err != nil || !ok {
			return nil, nil, err
		}
	}
	if err := g.complete(ctx); err != nil {
		return nil, nil, err
	}
	out, err := g.repo.Output(ctx, "rev-list", "--left-right", "--count", a+"..."+b)
	if err != nil {
		return nil, nil, exit.Envf("count the commits between %s and %s: %w", git.Short(a), git.Short(b), err)
	}
	l, r, _ := strings.Cut(out, "\t")
	x, err1 := strconv.Atoi(l)
	y, err2 := strconv.Atoi(r)
	if err1 != nil || err2 != nil {
		return nil, nil, exit.Envf("git rev-list --count said %q", out)
	}
	return &x, &y, nil
}
