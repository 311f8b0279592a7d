package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/change"
	"github.com/ordo-ci/ordo/internal/diag"
	"github.com/ordo-ci/ordo/internal/english"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git"
)

// checkChangeFlags checks that the flags name the change at most one way.
func (o *options) checkChangeFlags() error {
	var given []string
	for _, f := range []struct {
		name string
		set  bool
	}{{"--files", o.files != ""}, {"--files0", o.files0 != ""}, {"--base", o.base != ""}, {"--all", o.all}} {
		if f.set {
			given = append(given, f.name)
		}
	}
	switch {
	case o.files != "" && o.files0 != "":
		return exit.BadInputf("--files and --files0 both given: pass one list of changed files")
	case len(given) > 1:
		return exit.BadInputf("%s name the change twice; pass only one of them", strings.Join(given, " and "))
	case o.head != "" && o.head != "HEAD" && o.base == "":
		return exit.BadInputf("--head %q needs --base REF to compare with", o.head)
	}
	return nil
}

// loadCatalog loads the catalog and reports its diagnostics on stderr (and as
// annotations in GitHub Actions). An invalid catalog is exit.BadInput.
func (e *env) loadCatalog(o *options) (*catalog.Catalog, error) {
	path := o.configPath()
	cat, diags, err := catalog.Load(path)
	return e.reportCatalog(path, cat, diags, err)
}

func (e *env) reportCatalog(path string, cat *catalog.Catalog, diags diag.List, err error) (*catalog.Catalog, error) {
	var notFound *catalog.NotFoundError
	if errors.As(err, &notFound) {
		return nil, exit.BadInputf("%w, or point --config at it", err)
	}
	if err != nil {
		return nil, err
	}
	e.printDiags(diags, map[string][]byte{path: sourceOf(cat, path)}, allWarningsHint)
	if cat == nil {
		n := len(diags.Errors())
		fmt.Fprintf(e.Err, "ordo: %s has %s: fix %s and run `ordo validate` again\n", path, english.Count(n, "problem"), english.Agree(n, "it", "them"))
		return nil, reported(exit.BadInput)
	}
	return cat, nil
}

func sourceOf(cat *catalog.Catalog, path string) []byte {
	if cat != nil {
		return cat.Source
	}
	src, _ := catalog.ReadFile(path) // bounded: the path may be /dev/zero
	return src
}

// allWarningsHint says how to see the warnings printDiags leaves out.
const allWarningsHint = "`ordo validate --all-warnings` lists them all"

// printDiags writes diagnostics to stderr, with source lines and carets on a
// terminal, and as annotations inside GitHub Actions. With more set, only
// the first diag.MaxWarnings warnings are printed and the rest counted,
// ending with more; with more empty, every one is printed.
func (e *env) printDiags(diags diag.List, sources map[string][]byte, more string) {
	if len(diags) == 0 {
		return
	}
	if !isTerminal(e.Err) {
		sources = nil
	}
	o := diag.Options{Source: sources}
	if more != "" {
		o.MaxWarnings, o.More = diag.MaxWarnings, more
	}
	diags.Print(e.Err, o)
	e.gh.Annotate(diags)
}

// affected loads the catalog, works out the change and computes what it
// affects. The catalog is parsed while git works out the change, in another
// process: on a large monorepo each takes about as long as the other. Only a
// tag push needs the catalog to find the change (the previous tag of the
// same service), and then waits for it.
func (e *env) affected(ctx context.Context, o *options) (*catalog.Catalog, *change.Change, *affected.Result, error) {
	type loaded struct {
		cat     *catalog.Catalog
		diags   diag.List
		err     error
		matcher *affected.Matcher
	}
	path := o.configPath()
	done := make(chan loaded, 1)
	go func() { // while git answers
		l := loaded{}
		l.cat, l.diags, l.err = catalog.Load(path)
		if l.cat != nil {
			l.matcher = affected.NewMatcher(l.cat)
		}
		done <- l
	}()
	var l loaded
	waited := false
	wait := func() loaded {
		if !waited {
			l, waited = <-done, true
		}
		return l
	}
	co := change.Options{
		Dir:    o.dir,
		Base:   o.base,
		Head:   o.head,
		All:    o.all,
		Stdin:  e.In,
		CI:     e.ci,
		Stderr: e.Err,
		SameService: func(tag string) func(string) bool {
			if cat := wait().cat; cat != nil {
				return sameService(cat)(tag)
			}
			return nil
		},
	}
	var ch *change.Change
	chErr := o.checkChangeFlags()
	switch {
	case o.files != "":
		co.Files = o.files
	case o.files0 != "":
		co.Files, co.Files0 = o.files0, true
	}
	if chErr == nil {
		ch, chErr = e.resolveChange(ctx, co)
	}
	l = wait()
	// The catalog's problems first: they are the user's to fix either way.
	cat, err := e.reportCatalog(path, l.cat, l.diags, l.err)
	if err != nil {
		return nil, nil, nil, err
	}
	if chErr != nil {
		return nil, nil, nil, chErr
	}
	res, err := e.computeAffected(ctx, o, l.matcher, cat, ch)
	if err != nil {
		return nil, nil, nil, err
	}
	return cat, ch, res, nil
}

// computeAffected runs affected for a change, including the contract reason
// when the change has a base to compare the catalog with.
func (e *env) computeAffected(ctx context.Context, o *options, m *affected.Matcher, cat *catalog.Catalog, ch *change.Change) (*affected.Result, error) {
	in := affected.Input{Files: ch.Files, All: ch.Reason}
	if ch.All && in.All == "" {
		in.All = affected.ReasonAll
	}
	if !ch.All && ch.Base != "" {
		in.ChangedContracts = e.changedContractsIn(ctx, o, cat, ch)
	}
	return m.Compute(in)
}

// changedContractsIn is changedContracts for a change with a base. When
// the change does not touch the catalog file, the catalog at base is the
// catalog at head and no contract changed: nothing more is read from git
// (that took four git processes, a good part of `ordo affected` on a large
// monorepo). An uncommitted edit does not count, as for the files.
func (e *env) changedContractsIn(ctx context.Context, o *options, cat *catalog.Catalog, ch *change.Change) []string {
	if !slices.ContainsFunc(cat.Services, func(s *catalog.Service) bool { return len(s.Provides) > 0 }) {
		return nil
	}
	if !namesAmong(o.configPath(), ch.Files) {
		return nil
	}
	if rel, err := repoRelative(ctx, git.Repo{Dir: o.dir}, o.configPath()); err == nil && !slices.Contains(ch.Files, rel) {
		return nil
	}
	return e.changedContracts(ctx, o, cat, ch.Base)
}

// changedContracts compares the versions each contract is provided at in the
// catalog at base with the catalog now.
func (e *env) changedContracts(ctx context.Context, o *options, cat *catalog.Catalog, base string) []string {
	if !slices.ContainsFunc(cat.Services, func(s *catalog.Service) bool { return len(s.Provides) > 0 }) {
		return nil
	}
	old := e.catalogAt(ctx, o, base, cat)
	if old == nil || old == cat {
		return nil
	}
	return catalog.ChangedContracts(old, cat)
}

// baseCatalog reads the catalog as it was at base. A catalog that is missing
// there (new) or does not validate (an older shape) yields nil, with a note
// for the latter: the comparisons that need it are skipped.
func (e *env) baseCatalog(ctx context.Context, o *options, base string) *catalog.Catalog {
	return e.catalogAt(ctx, o, base, nil)
}

// catalogAt is baseCatalog; when now is given and the file at base is byte
// for byte its source, now is returned unparsed: parsing 4,000 services
// again doubled the time of `ordo affected`.
func (e *env) catalogAt(ctx context.Context, o *options, base string, now *catalog.Catalog) *catalog.Catalog {
	repo := git.Repo{Dir: o.dir}
	rel, err := repoRelative(ctx, repo, o.configPath())
	if err != nil {
		return nil
	}
	src, ok, err := repo.Show(ctx, base, rel)
	if err != nil || !ok {
		return nil
	}
	if now != nil && bytes.Equal(src, now.Source) {
		return now
	}
	old, diags := catalog.Parse(rel+"@"+git.Short(base), src)
	if old == nil {
		fmt.Fprintf(e.Err, "ordo: note: the catalog at %s does not validate (%s), so it is not compared with the catalog now\n", git.Short(base), english.Count(len(diags.Errors()), "problem"))
	}
	return old
}

// namesAmong reports whether one of files (repository-relative) has the
// name of the file at path, symbolic links followed, as repoRelative would
// follow them. When none has, the file is not among them, and git need not
// be asked where the repository's top is: one process fewer for `ordo
// affected` on a change that leaves the catalog alone.
func namesAmong(path string, files []string) bool {
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		path = resolved
	}
	name := filepath.Base(path)
	return slices.ContainsFunc(files, func(f string) bool {
		return f == name || strings.HasSuffix(f, "/"+name)
	})
}

// repoRelative returns path relative to the top of the repository, slash-separated.
func repoRelative(ctx context.Context, repo git.Repo, path string) (string, error) {
	top, err := repo.Output(ctx, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	}
	if resolved, err := filepath.EvalSymlinks(top); err == nil {
		top = resolved
	}
	rel, err := filepath.Rel(top, abs)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", exit.BadInputf("%s is outside the repository", path)
	}
	return filepath.ToSlash(rel), nil
}
