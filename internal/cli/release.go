package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/change"
	"github.com/ordo-ci/ordo/internal/english"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/forge"
	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/release"
	"github.com/ordo-ci/ordo/internal/render"
)

// listFlag is a repeatable flag (--service a --service b).
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// releaseOptions are the flags versions, notes and release share.
type releaseOptions struct {
	options
	services listFlag
	strict   bool
}

func (o *releaseOptions) releaseFlags(fs *flag.FlagSet) {
	o.catalogFlags(fs)
	fs.StringVar(&o.head, "head", "", "compute releases at `ref` (default HEAD)")
	fs.Var(&o.services, "service", "only this service (`name`; repeatable)")
	fs.BoolVar(&o.strict, "strict", false, "exit 1 when a service has commits that are not Conventional Commits (they count for nothing)")
}

// compute runs release.Compute with the catalog's services and settings.
func (o *releaseOptions) compute(ctx context.Context, e *env, cat *catalog.Catalog, head string, released []string, only []string) (*release.Result, error) {
	repo := git.Repo{Dir: o.dir}
	cfg, services := releaseInput(cat)
	if err := manifestVersions(ctx, repo, head, cat, services); err != nil {
		return nil, err
	}
	res, err := release.Compute(ctx, repo, cfg, services, release.Options{Head: head, Services: only, Released: released})
	if err != nil {
		return nil, err
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(e.Err, "ordo: warning: %s\n", w)
	}
	const shown = 10 // services; --format json has them all
	for i, u := range res.Unconventional {
		if i == shown {
			fmt.Fprintf(e.Err, "ordo: warning: and %s more with commits that are not Conventional Commits\n", english.Count(len(res.Unconventional)-shown, "service"))
			break
		}
		var first []string
		for _, c := range u.First {
			first = append(first, fmt.Sprintf("%.7s %q", c.SHA, c.Subject))
		}
		more := ""
		if u.Count > len(u.First) {
			more = fmt.Sprintf(", and %d more", u.Count-len(u.First))
		}
		fmt.Fprintf(e.Err, "ordo: warning: %s: %s not Conventional Commits and not counted: %s%s\n",
			u.Service, english.Count(u.Count, "commit")+" "+english.Agree(u.Count, "is", "are"), strings.Join(first, ", "), more)
	}
	return res, nil
}

// releaseInput is what internal/release needs of the catalog.
func releaseInput(cat *catalog.Catalog) (release.Config, []release.Service) {
	cfg := release.Config{
		Tag:                       cat.Release.Tag,
		InitialVersion:            cat.Release.InitialVersion,
		BumpMinorPreMajor:         cat.Release.BumpMinorPreMajor,
		BumpPatchForMinorPreMajor: cat.Release.BumpPatchForMinorPreMajor,
		BumpDependents:            cat.Release.BumpDependents,
	}
	services := make([]release.Service, len(cat.Services))
	for i, s := range cat.Services {
		rs := release.Service{Name: s.Name, Paths: s.Paths, Tag: s.Tag, NoRelease: !s.Release}
		for _, d := range s.DependsOn {
			if d.Propagate {
				rs.DependsOn = append(rs.DependsOn, d.Service)
			}
		}
		services[i] = rs
	}
	return cfg, services
}

type versionsCmd struct {
	releaseOptions
	tag bool
}

func (c *versionsCmd) flags(fs *flag.FlagSet) {
	c.releaseFlags(fs)
	c.outputFlags(fs, "text", "json")
	fs.BoolVar(&c.tag, "tag", false, "create an annotated tag for each computed version at head (never moves an existing tag; pushing is yours)")
}

func (c *versionsCmd) run(ctx context.Context, e *env) error {
	cat, err := e.loadCatalog(&c.options)
	if err != nil {
		return err
	}
	res, err := c.compute(ctx, e, cat, c.head, nil, c.services)
	if err != nil {
		return err
	}
	doc := res.Versions()
	if err := c.writeOutput(e, func(w io.Writer) error {
		if c.format == "json" {
			return render.JSON(w, doc)
		}
		return render.VersionsText(w, res)
	}); err != nil {
		return err
	}
	var created []string
	if c.tag {
		created, err = release.CreateTags(ctx, git.Repo{Dir: c.dir}, res)
		for _, t := range created {
			fmt.Fprintf(e.Err, "ordo: created tag %s\n", t)
		}
		if err != nil {
			return err
		}
	}
	if err := e.summary(func(w io.Writer) error { return render.VersionsMarkdown(w, res) }); err != nil {
		return err
	}
	if err := e.gh.SetOutputs(
		"releases", render.CompactJSON(doc.Releases),
		"has-releases", fmt.Sprint(len(res.Releases) > 0),
		"tags", render.CompactJSON(render.NonNil(created)),
	); err != nil {
		return err
	}
	return c.checkStrict(res)
}

type notesCmd struct {
	releaseOptions
	tag string
}

func (c *notesCmd) flags(fs *flag.FlagSet) {
	c.releaseFlags(fs)
	c.outputFlags(fs, "markdown", "json")
	fs.StringVar(&c.tag, "tag", "", "notes of the release at existing `tag` (default: the releases head would make)")
}

func (c *notesCmd) run(ctx context.Context, e *env) error {
	cat, err := e.loadCatalog(&c.options)
	if err != nil {
		return err
	}
	res, err := c.notes(ctx, e, cat, c.tag, false)
	if err != nil {
		return err
	}
	links := repoLinks(ctx, e, c.dir)
	doc := res.Notes()
	if err := c.writeOutput(e, func(w io.Writer) error {
		if c.format == "json" {
			return render.JSON(w, doc)
		}
		return render.NotesMarkdown(w, res, links)
	}); err != nil {
		return err
	}
	if err := e.summary(func(w io.Writer) error { return render.NotesMarkdown(w, res, links) }); err != nil {
		return err
	}
	if err := e.gh.SetOutputs("releases", render.CompactJSON(doc.Releases), "has-releases", fmt.Sprint(len(res.Releases) > 0)); err != nil {
		return err
	}
	return c.checkStrict(res)
}

// notes computes the releases to describe: those head would make, or, for
// an existing tag, the release that tag made (computed from the tag before
// it). With aggregate, a tag that names no service covers every service
// released at its commit.
func (c *releaseOptions) notes(ctx context.Context, e *env, cat *catalog.Catalog, tag string, aggregate bool) (*release.Result, error) {
	if tag == "" {
		return c.compute(ctx, e, cat, c.head, nil, c.services)
	}
	if c.head != "" {
		return nil, exit.BadInputf("--tag and --head both given: the notes of a tag are computed at the tag")
	}
	repo := git.Repo{Dir: c.dir}
	if _, err := repo.RevParse(ctx, tag); err != nil {
		return nil, exit.BadInputf("tag %q: %v: create and push the tag first (ordo versions --tag)", tag, err)
	}
	released, only, err := releasedAt(ctx, repo, cat, tag, aggregate)
	if err != nil {
		return nil, err
	}
	if len(c.services) > 0 {
		only = c.services
	}
	// The tags, not the commits, say which versions were released (someone
	// may have chosen one by hand): release.Compute takes them as they are.
	return c.compute(ctx, e, cat, tag, released, only)
}

// releasedAt returns the service tags that tag publishes and the services
// they belong to: the tag itself when it names a service; with aggregate,
// every service tag on the same commit (or, when there is none, every
// service with something to release at the tag).
func releasedAt(ctx context.Context, repo git.Repo, cat *catalog.Catalog, tag string, aggregate bool) (released, only []string, err error) {
	single := cat.ServiceForTag(tag)
	if single == nil && !aggregate {
		return nil, nil, exit.BadInputf("tag %q matches no service's tag template (release.tag or a service's tag): use --aggregate for a release that covers several services", tag)
	}
	at, err := repo.Output(ctx, "tag", "--points-at", tag+"^{commit}")
	if err != nil {
		return nil, nil, exit.Envf("list tags at %s: %w", tag, err)
	}
	// Every service tag at the commit was released with it: a dependency's
	// version in the notes is one of these, never a computed one.
	for _, t := range strings.Fields(at) {
		if s := cat.ServiceForTag(t); s != nil {
			released = append(released, t)
			if single == nil {
				only = append(only, s.Name)
			}
		}
	}
	if single != nil {
		if !slices.Contains(released, tag) {
			released = append(released, tag)
		}
		only = []string{single.Name}
	}
	return released, only, nil
}

// repoLinks finds the repository's web address for links in notes: from the
// CI environment, else from the origin remote.
func repoLinks(ctx context.Context, e *env, dir string) render.Links {
	if u := e.ci.RepositoryURL(); u != "" {
		return render.Links{URL: u, GitLab: e.ci.GitHub.Repository == ""}
	}
	remote, err := git.Repo{Dir: dir}.Output(ctx, "remote", "get-url", "origin")
	if err != nil {
		return render.Links{}
	}
	return render.LinksFor(webURL(remote))
}

// webURL turns a clone URL (https or scp-like ssh) into the repository's web
// address, or "" when it is neither.
func webURL(remote string) string {
	remote = strings.TrimSuffix(remote, ".git")
	if rest, ok := strings.CutPrefix(remote, "git@"); ok {
		host, path, ok := strings.Cut(rest, ":")
		if !ok {
			return ""
		}
		return "https://" + host + "/" + path
	}
	u, err := url.Parse(remote)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "ssh") || u.Host == "" {
		return ""
	}
	return "https://" + u.Hostname() + u.Path
}

type releaseCmd struct {
	releaseOptions
	tag       string
	aggregate bool
	dryRun    bool
	tokenEnv  string
}

func (c *releaseCmd) flags(fs *flag.FlagSet) {
	c.catalogFlags(fs)
	fs.StringVar(&c.tag, "tag", "", "publish the release of `tag` (default: the pushed tag of the CI event)")
	fs.BoolVar(&c.aggregate, "aggregate", false, "a tag that names no service publishes one release covering every service released at its commit")
	fs.Var(&c.services, "service", "with --aggregate, only this service (`name`; repeatable)")
	fs.BoolVar(&c.dryRun, "dry-run", false, "print the release body instead of publishing it")
	fs.StringVar(&c.tokenEnv, "token-env", "", "read the API token from environment variable `name` (default GITHUB_TOKEN or GITLAB_TOKEN)")
}

func (c *releaseCmd) run(ctx context.Context, e *env) error {
	tag := c.tag
	if tag == "" {
		ev, err := change.ReadEvent(e.ci)
		if err != nil {
			return err
		}
		tag = ev.Tag
	}
	if tag == "" {
		return exit.BadInputf("no tag to release: pass --tag TAG, or run on a tag push (GitHub) or tag pipeline (GitLab)")
	}
	cat, err := e.loadCatalog(&c.options)
	if err != nil {
		return err
	}
	var f forge.Forge
	if !c.dryRun {
		cfg, err := forge.FromEnv(e.ci, e.getenv, c.tokenEnv)
		if err != nil {
			return err
		}
		e.gh.Mask(cfg.Token)
		if f, err = forge.New(cfg); err != nil {
			return err
		}
	}
	res, err := c.notes(ctx, e, cat, tag, c.aggregate)
	if err != nil {
		return err
	}
	var body strings.Builder
	if err := render.NotesMarkdown(&body, res, repoLinks(ctx, e, c.dir)); err != nil {
		return err
	}
	if c.dryRun {
		_, err := io.WriteString(e.out, body.String())
		return err
	}
	prerelease := false
	if s := cat.ServiceForTag(tag); s != nil {
		v, _ := catalog.MatchTag(cat.TagTemplate(s), s.Name, tag)
		prerelease = v.Prerelease() != ""
	}
	u, err := f.UpsertRelease(ctx, forge.Release{Tag: tag, Name: tag, Body: body.String(), Prerelease: prerelease})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.out, "published %s: %s\n", tag, u)
	return e.gh.SetOutputs("url", u, "tag", tag)
}
