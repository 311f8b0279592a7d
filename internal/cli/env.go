package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/record"
	"github.com/ordo-ci/ordo/internal/render"
)

// dispatcher is a command with subcommands (`ordo env show`): it parses its
// own arguments.
type dispatcher interface {
	dispatch(ctx context.Context, e *env, args []string) error
}

// positional is a subcommand that takes positional arguments, which may come
// before or after its flags (`ordo env show staging --format json`).
type positional interface {
	runner
	setArgs(args []string) error
}

type subcommand struct {
	name, args, synopsis string
	new                  func() positional
}

func envSubcommands() []subcommand {
	return []subcommand{
		{"show", "ENV", "Show what runs each service in an environment: sha, version, state and since when, and the newest entry when it is not that.", func() positional { return &envShowCmd{} }},
		{"diff", "A B", "Compare two environments service by service: same, differs (with the commits between them) or missing on one side.", func() positional { return &envDiffCmd{} }},
		{"record", "", "Append entries to the record: one service, or with --wave N --plan-file F every service of that wave. Deploy jobs run it; users do not.", func() positional { return &envRecordCmd{} }},
	}
}

// envCmd is `ordo env show|diff|record`.
type envCmd struct{}

func (c *envCmd) flags(*flag.FlagSet)             {}
func (c *envCmd) run(context.Context, *env) error { return nil }

func (c *envCmd) dispatch(ctx context.Context, e *env, args []string) error {
	subs := envSubcommands()
	args = hoistGlobalFlags(args) // `ordo -C dir env show E` arrives as env -C dir show E
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		w := e.Err
		if len(args) > 0 {
			w = e.Out
		}
		fmt.Fprintln(w, "Usage: ordo env <show|diff|record> [flags]")
		fmt.Fprintln(w)
		for _, s := range subs {
			fmt.Fprintf(w, "  %-7s %s\n", s.name, s.synopsis)
		}
		if len(args) == 0 {
			return reported(exit.BadInput)
		}
		return nil
	}
	for _, s := range subs {
		if s.name != args[0] {
			continue
		}
		r := s.new()
		fs := newFlagSet(e, "env "+s.name, s.synopsis)
		fs.Usage = func() {
			fmt.Fprintf(e.Out, "Usage: ordo env %s [flags]\n\n%s\n\nFlags:\n", strings.TrimSpace(s.name+" "+s.args), s.synopsis)
			fs.SetOutput(e.Out)
			fs.PrintDefaults()
			fs.SetOutput(io.Discard)
		}
		r.flags(fs)
		pos, err := parseInterspersed(fs, args[1:])
		if err != nil {
			return err
		}
		if err := r.setArgs(pos); err != nil {
			return err
		}
		return r.run(ctx, e)
	}
	return exit.BadInputf("env: unknown subcommand %q: use show, diff or record", args[0])
}

// parseInterspersed parses flags wherever they are among the positional
// arguments, which it returns; everything after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// parseFlags is parse without its refusal of positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case err == flag.ErrHelp:
		fs.Usage()
		return err
	}
	var ee *exit.Error
	if errors.As(err, &ee) {
		return err
	}
	return exit.BadInputf("%s: %v (see `ordo %s -h`)", fs.Name(), err, fs.Name())
}

// openStore returns the record: the file of --record or ORDO_RECORD, else
// the git store of the repository, under the catalog's ref prefix.
func (e *env) openStore(ctx context.Context, dir, file string, cat *catalog.Catalog) (record.Store, error) {
	if file == "" {
		file = e.getenv("ORDO_RECORD")
	}
	if file != "" {
		return record.NewFile(file), nil
	}
	if _, err := (git.Repo{Dir: dir}).Output(ctx, "rev-parse", "--git-dir"); err != nil {
		return nil, exit.BadInputf("%s is not inside a git repository, where the record lives by default: pass --record FILE or set ORDO_RECORD", dir)
	}
	return record.NewGit(ctx, dir, record.GitOptions{Prefix: refPrefix(cat), Token: e.getenv("ORDO_GIT_TOKEN")})
}

// readEnv reads environment name from the record and warns about services
// the catalog does not have (kept, never fatal).
func (e *env) readEnv(ctx context.Context, store record.Store, cat *catalog.Catalog, name string) (map[string][]record.Entry, error) {
	entries, err := store.Read(ctx, name)
	if err != nil {
		return nil, err
	}
	var unknown []string
	for s := range entries {
		if cat.Service(s) == nil {
			unknown = append(unknown, s)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		fmt.Fprintf(e.Err, "ordo: warning: the record of %s has entries for %s, which the catalog does not have\n", name, strings.Join(unknown, ", "))
	}
	return entries, nil
}

// envServices returns the names of the catalog's deployed services listed
// for environment name, sorted.
func envServices(cat *catalog.Catalog, name string) []string {
	var out []string
	for _, s := range cat.Services {
		if s.Deployed() && envListed(cat, s, name) {
			out = append(out, s.Name)
		}
	}
	return out
}

type envShowCmd struct {
	options
	name string
}

func (c *envShowCmd) flags(fs *flag.FlagSet) {
	c.catalogFlags(fs)
	c.outputFlags(fs, "text", "json", "markdown")
}

func (c *envShowCmd) setArgs(args []string) error {
	if len(args) != 1 {
		return exit.BadInputf("env show: want one environment, got %d arguments: ordo env show ENV", len(args))
	}
	c.name = args[0]
	return nil
}

func (c *envShowCmd) run(ctx context.Context, e *env) error {
	o := &c.options
	cat, err := e.loadCatalog(o)
	if err != nil {
		return err
	}
	if err := checkEnv(cat, c.name); err != nil {
		return err
	}
	store, err := e.openStore(ctx, o.dir, c.record, cat)
	if err != nil {
		return err
	}
	entries, err := e.readEnv(ctx, store, cat, c.name)
	if err != nil {
		return err
	}
	doc := render.NewEnvDoc(c.name, envServices(cat, c.name), entries)
	if err := e.summary(func(w io.Writer) error { return render.EnvMarkdown(w, doc) }); err != nil {
		return err
	}
	return o.writeOutput(e, func(w io.Writer) error {
		switch o.format {
		case "json":
			return render.JSON(w, doc)
		case "markdown":
			return render.EnvMarkdown(w, doc)
		}
		return render.EnvText(w, doc)
	})
}

type envDiffCmd struct {
	options
	a, b string
}

func (c *envDiffCmd) flags(fs *flag.FlagSet) {
	c.catalogFlags(fs)
	c.outputFlags(fs, "text", "json", "markdown")
}

func (c *envDiffCmd) setArgs(args []string) error {
	if len(args) != 2 {
		return exit.BadInputf("env diff: want two environments, got %d arguments: ordo env diff A B", len(args))
	}
	c.a, c.b = args[0], args[1]
	return nil
}

func (c *envDiffCmd) run(ctx context.Context, e *env) error {
	o := &c.options
	cat, err := e.loadCatalog(o)
	if err != nil {
		return err
	}
	for _, name := range []string{c.a, c.b} {
		if err := checkEnv(cat, name); err != nil {
			return err
		}
	}
	store, err := e.openStore(ctx, o.dir, c.record, cat)
	if err != nil {
		return err
	}
	ea, err := e.readEnv(ctx, store, cat, c.a)
	if err != nil {
		return err
	}
	eb, err := e.readEnv(ctx, store, cat, c.b)
	if err != nil {
		return err
	}
	doc := &render.EnvDiffDoc{Schema: render.EnvDiffSchema, A: c.a, B: c.b, Services: []render.EnvDiffItem{}, Unknown: []string{}}
	names := append(envServices(cat, c.a), envServices(cat, c.b)...)
	for _, m := range []map[string][]record.Entry{ea, eb} {
		for s := range m {
			if cat.Service(s) == nil {
				doc.Unknown = append(doc.Unknown, s)
			}
			names = append(names, s)
		}
	}
	slices.Sort(names)
	slices.Sort(doc.Unknown)
	doc.Unknown = slices.Compact(doc.Unknown)
	g := newEnvGit(e, o, cat)
	for _, name := range slices.Compact(names) {
		ra, okA := record.Running(ea[name])
		rb, okB := record.Running(eb[name])
		item := render.EnvDiffItem{Name: name}
		if okA {
			item.InA = &render.EnvRef{SHA: ra.SHA, Version: ra.Version}
		}
		if okB {
			item.InB = &render.EnvRef{SHA: rb.SHA, Version: rb.Version}
		}
		switch {
		case !okA && !okB:
			continue // listed for both, deployed to neither
		case !okA:
			item.Status, item.MissingIn = render.DiffMissing, c.a
		case !okB:
			item.Status, item.MissingIn = render.DiffMissing, c.b
		case ra.SHA == rb.SHA:
			item.Status = render.DiffSame
		default:
			item.Status = render.DiffDiffers
			ahead, behind, err := g.aheadBehind(ctx, ra.SHA, rb.SHA)
			if err != nil {
				return err
			}
			item.Ahead, item.Behind = ahead, behind
		}
		doc.Services = append(doc.Services, item)
	}
	if err := e.summary(func(w io.Writer) error { return render.EnvDiffMarkdown(w, doc) }); err != nil {
		return err
	}
	return o.writeOutput(e, func(w io.Writer) error {
		switch o.format {
		case "json":
			return render.JSON(w, doc)
		case "markdown":
			return render.EnvDiffMarkdown(w, doc)
		}
		return render.EnvDiffText(w, doc)
	})
}
