package gate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"
	oaschecker "github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/english"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git"
)

// Specs reads contract spec files, by repository-relative slash-separated
// path, at the two ends of the change. ok is false when the file does not
// exist on that side.
type Specs interface {
	Base(ctx context.Context, path string) (content []byte, ok bool, err error)
	Head(ctx context.Context, path string) (content []byte, ok bool, err error)
}

// GitSpecs reads specs with git: base from the commit BaseRev (git show),
// head from the commit HeadRev, so that both are the files of the commits
// compared whatever is checked out (a pull request's merge commit, another
// branch). Only when HeadRev is "" (a change given as a file list) is head
// read from the working tree, inside it (see readInTree).
type GitSpecs struct {
	Repo             git.Repo
	BaseRev, HeadRev string
}

// Base reads path at BaseRev.
func (g GitSpecs) Base(ctx context.Context, path string) ([]byte, bool, error) {
	return g.show(ctx, g.BaseRev, path)
}

// Head reads path at HeadRev, or in the working tree.
func (g GitSpecs) Head(ctx context.Context, path string) ([]byte, bool, error) {
	if g.HeadRev != "" {
		return g.show(ctx, g.HeadRev, path)
	}
	src, err := readInTree(g.Repo.Dir, path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, false, nil
	case err != nil:
		return nil, false, exit.BadInputf("read spec %q: %v: a contract's spec must be a file inside the repository", path, err)
	}
	return src, true, nil
}

// readInTree reads path (slash-separated, relative to dir) through an
// os.Root, which refuses ".." and absolute paths and symlinks that lead out
// of dir: the catalog names the file, and a pull request can change both.
func readInTree(dir, path string) ([]byte, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return root.ReadFile(filepath.FromSlash(path))
}

func (g GitSpecs) show(ctx context.Context, rev, path string) ([]byte, bool, error) {
	src, ok, err := g.Repo.Show(ctx, rev, path)
	switch {
	case errors.Is(err, git.ErrUnknownRev):
		return nil, false, exit.BadInputf("read spec %s at %s: %w", path, rev, err)
	case err != nil:
		return nil, false, exit.Envf("read spec %s at %s: %w", path, rev, err)
	}
	return src, ok, nil
}

// maxChangesInMessage caps the breaking changes a message lists; the
// violation's Changes has them all.
const maxChangesInMessage = 3

// breaking compares each contract's spec at base and at head with oasdiff's
// breaking-change checker (changes of level ERR). When there is any, the
// highest version the provider serves at head must have a higher major than
// the highest it served at base; below 1.0 (both majors 0) a higher minor is
// enough, as semver allows. The spec is read from the path the contract had
// at base, so a moved spec is still compared. A spec that does not exist at
// base is a new contract and gets a note, as does one that cannot be parsed
// at base (nothing to compare, and the release at hand is the only way to
// repair it); a spec missing or unparseable at head is bad input.
func (c *checker) breaking(ctx context.Context) error {
	head := c.in.Head
	var names []string
	for name, ct := range head.Contracts {
		if ct.Spec != "" {
			names = append(names, name)
		}
	}
	if len(names) == 0 || c.base() == nil {
		return nil // without a base, rollout has already said so
	}
	if c.in.Specs == nil {
		return exit.Envf("gate: contracts have specs but Input.Specs is nil: a bug in the caller")
	}
	slices.Sort(names)
	for _, name := range names {
		ct := head.Contracts[name]
		base, specs := c.in.Base, c.in.Specs
		if c.in.BaseFor != nil {
			// gate --env: the spec as it is where its provider runs.
			var ok bool
			if base, specs, ok = c.providerBase(name, specs); !ok {
				continue
			}
		}
		headSrc, ok, err := specs.Head(ctx, ct.Spec)
		if err != nil {
			return err
		}
		if !ok {
			return exit.BadInputf("%s:%d:%d: contract %q: spec %s does not exist: add it, or fix the path under contracts:", head.File, ct.Pos.Line, ct.Pos.Col, name, ct.Spec)
		}
		basePath := ct.Spec
		if bc, ok := base.Contracts[name]; ok && bc.Spec != "" {
			basePath = bc.Spec
		}
		baseSrc, ok, err := specs.Base(ctx, basePath)
		if err != nil {
			return err
		}
		if !ok {
			c.notef("contract %s: spec %s does not exist at base: a new contract, nothing to compare", name, basePath)
			continue
		}
		if bytes.Equal(baseSrc, headSrc) {
			continue
		}
		headSpec, err := loadSpec(name, ct.Spec, headSrc)
		if err != nil {
			return err
		}
		baseSpec, err := loadSpec(name, basePath, baseSrc)
		if err != nil {
			c.notef("contract %s: the spec at base cannot be read, so it is not compared (%v)", name, err)
			continue
		}
		baseProvider, headProvider := base.Provider(name), head.Provider(name)
		if baseProvider == nil || headProvider == nil {
			c.notef("contract %s: no service provides it at base, so there is no version to compare with", name)
			continue
		}
		changes, err := breakingChanges(baseSpec, headSpec)
		if err != nil {
			// Both specs loaded: what oasdiff cannot compare is in them.
			return exit.BadInputf("compare the spec of contract %q at base and at head: %w", name, err)
		}
		if len(changes) == 0 {
			continue
		}
		bv, hv := provided(baseProvider, name), provided(headProvider, name)
		from, to := bv[len(bv)-1], hv[len(hv)-1]
		if majorBumped(from, to) {
			continue
		}
		c.add(breakingViolation(c, name, ct.Spec, headProvider.Name, from, to, changes))
	}
	return nil
}

func breakingViolation(c *checker, contract, spec, provider string, from, to *semver.Version, changes []SpecChange) Violation {
	need, what := fmt.Sprintf("%d.0.0", from.Major()+1), "major"
	if from.Major() == 0 && to.Major() == 0 {
		need, what = fmt.Sprintf("0.%d.0", from.Minor()+1), "minor (below 1.0 the minor carries breaking changes)"
	}
	listed := make([]string, 0, maxChangesInMessage)
	for _, ch := range changes[:min(len(changes), maxChangesInMessage)] {
		listed = append(listed, ch.String())
	}
	if n := len(changes) - len(listed); n > 0 {
		listed = append(listed, fmt.Sprintf("and %d more", n))
	}
	v := Violation{
		Rule:     RuleBreaking,
		Service:  provider,
		Contract: contract,
		Provider: provider,
		Versions: []string{from.String(), to.String()},
		Changes:  changes,
		Message: fmt.Sprintf("contract %s: spec %s changed incompatibly (%s) but %s went from %s to %s without a %s bump: %s",
			contract, spec, english.Count(len(changes), "breaking change"), provider, from, to, strings.Fields(what)[0], strings.Join(listed, "; ")),
		Fix: fmt.Sprintf("bump the %s: provide %s %s, and serve the old version next to it while consumers move (expand, then contract); or make the change compatible",
			what, contract, need),
	}
	if p := c.in.Head.Service(provider); p != nil {
		if i := slices.IndexFunc(p.Provides, func(pr catalog.Provide) bool { return pr.Contract == contract }); i >= 0 {
			return c.at(v, p.Provides[i].Pos)
		}
		return c.at(v, p.Pos)
	}
	return v
}

// majorBumped reports whether going from one version to another may carry a
// breaking change.
func majorBumped(from, to *semver.Version) bool {
	if from.Major() == 0 && to.Major() == 0 {
		return to.Minor() > from.Minor()
	}
	return to.Major() > from.Major()
}

func (ch SpecChange) String() string {
	s := ch.Text + " [" + ch.ID + "]"
	if ch.Operation != "" || ch.Path != "" {
		s = strings.TrimSpace(ch.Operation+" "+ch.Path) + ": " + s
	}
	return s
}

// versioningIDs are oasdiff's own judgement of info.version; the gate
// judges the catalog's versions instead.
var versioningIDs = []string{
	oaschecker.APIVersionNotBumpedId, oaschecker.APIVersionDecreasedId, oaschecker.APIMajorVersionNotBumpedId,
}

// breakingChanges returns the changes of level ERR from base to head.
func breakingChanges(base, head *load.SpecInfo) ([]SpecChange, error) {
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), base, head)
	if err != nil {
		return nil, err
	}
	found := oaschecker.CheckBackwardCompatibilityUntilLevel(oaschecker.NewConfig(oaschecker.GetAllChecks()), d, sources, oaschecker.ERR)
	l := oaschecker.NewDefaultLocalizer()
	var out []SpecChange
	for _, ch := range found {
		if slices.Contains(versioningIDs, ch.GetId()) {
			continue
		}
		out = append(out, SpecChange{ID: ch.GetId(), Text: ch.GetUncolorizedText(l), Operation: ch.GetOperation(), Path: ch.GetPath()})
	}
	return out, nil
}

var lineRE = regexp.MustCompile(`line (\d+)`)

// loadSpec parses an OpenAPI 3 document. Errors are bad input (the spec is
// the user's) and name the file and, where
// the parser gives one, the position: YAML syntax is checked first with the
// parser the catalog uses, which reports line and column; kin-openapi's
// errors carry a line at most.
func loadSpec(contract, path string, src []byte) (*load.SpecInfo, error) {
	if _, err := parser.ParseBytes(src, 0); err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) && ye.GetToken() != nil {
			pos := ye.GetToken().Position
			return nil, exit.BadInputf("%s:%d:%d: spec of contract %q is not valid YAML or JSON: %s", path, pos.Line, pos.Column, contract, ye.GetMessage())
		}
		return nil, exit.BadInputf("%s: spec of contract %q is not valid YAML or JSON: %v", path, contract, err)
	}
	// A fresh loader per document: the loader caches by path. External
	// $refs are not followed (the loader's default): a spec is compared as
	// one file, read from git at base.
	spec, err := load.NewSpecInfoFromData(openapi3.NewLoader(), src, path)
	if err != nil {
		where := path
		if m := lineRE.FindStringSubmatch(err.Error()); m != nil {
			if n, convErr := strconv.Atoi(m[1]); convErr == nil {
				where = fmt.Sprintf("%s:%d", path, n)
			}
		}
		return nil, exit.BadInputf("%s: spec of contract %q is not an OpenAPI 3 document: %v", where, contract, err)
	}
	if !strings.HasPrefix(spec.Spec.OpenAPI, "3.") {
		return nil, exit.BadInputf("%s: spec of contract %q is not an OpenAPI 3 document (openapi: %q): ordo compares OpenAPI 3 specs", path, contract, spec.Spec.OpenAPI)
	}
	return spec, nil
}

// providerBase returns, for gate --env, the catalog at the commit running
// contract's provider and specs that read the base side there. ok is false,
// with a note, when nothing runs the provider yet.
func (c *checker) providerBase(contract string, specs Specs) (*catalog.Catalog, Specs, bool) {
	p := c.in.Head.Provider(contract)
	if p == nil {
		return nil, nil, false
	}
	base, rev := c.in.BaseFor(p.Name)
	if base == nil {
		c.notef("contract %s: nothing runs its provider %s yet, so its spec has nothing to compare with", contract, p.Name)
		return nil, nil, false
	}
	if g, ok := specs.(GitSpecs); ok {
		g.BaseRev = rev
		specs = g
	}
	return base, specs, true
}
