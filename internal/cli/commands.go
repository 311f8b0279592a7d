package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/change"
	"github.com/ordo-ci/ordo/internal/ci"
	"github.com/ordo-ci/ordo/internal/diag"
	"github.com/ordo-ci/ordo/internal/discover"
	"github.com/ordo-ci/ordo/internal/english"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/render"
)

type validateCmd struct {
	options
	strict      bool
	allWarnings bool
}

func (c *validateCmd) flags(fs *flag.FlagSet) {
	c.catalogFlags(fs)
	fs.BoolVar(&c.strict, "strict", false, "also compare the catalog with the repository's manifests (drift) and fail on any warning")
	fs.BoolVar(&c.allWarnings, "all-warnings", false, fmt.Sprintf("print every warning, not only the first %d", diag.MaxWarnings))
}

func (c *validateCmd) run(ctx context.Context, e *env) error {
	o := &c.options
	cat, err := e.loadCatalog(o)
	if err != nil {
		return err
	}
	var warnings diag.List
	files, err := git.Repo{Dir: o.dir}.Files(ctx)
	if err != nil {
		fmt.Fprintf(e.Err, "ordo: note: service paths are not checked against the repository's files: %v\n", firstLine(err.Error()))
	} else {
		warnings = append(warnings, affected.NewMatcher(cat).UnmatchedPaths(files)...)
	}
	if c.strict {
		var opts discover.Options
		if files != nil {
			opts.Files = files // what git ignores is no package
		}
		drift, err := discover.CheckDrift(os.DirFS(o.dir), cat, opts)
		if exit.Code(err) == exit.BadInput {
			return err // a manifest too large, or a link out of the repository
		} else if err != nil {
			return exit.Envf("read the repository's manifests: %w", err)
		}
		warnings = append(warnings, drift...)
	}
	warnings.Sort()
	more := allWarningsHint
	if c.allWarnings {
		more = ""
	}
	e.printDiags(warnings, map[string][]byte{cat.File: cat.Source}, more)
	if c.strict && len(warnings) > 0 {
		fmt.Fprintf(e.Err, "ordo: %s: %s with --strict\n", o.configPath(), english.Count(len(warnings), "problem"))
		return reported(exit.No)
	}
	fmt.Fprintf(e.out, "%s: %s, valid\n", o.configPath(), english.Count(len(cat.Services), "service"))
	return nil
}

type schemaCmd struct{ options }

func (c *schemaCmd) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.output, "output", "", "write to `path` instead of stdout")
}

func (c *schemaCmd) run(_ context.Context, e *env) error {
	return c.writeOutput(e, func(w io.Writer) error {
		_, err := w.Write(catalog.Schema)
		return err
	})
}

type graphCmd struct{ options }

func (c *graphCmd) flags(fs *flag.FlagSet) {
	c.catalogFlags(fs)
	c.outputFlags(fs, "text", "json", "mermaid", "dot")
}

func (c *graphCmd) run(_ context.Context, e *env) error {
	o := &c.options
	cat, err := e.loadCatalog(o)
	if err != nil {
		return err
	}
	if err := e.summary(func(w io.Writer) error { return render.GraphSummary(w, cat) }); err != nil {
		return err
	}
	return o.writeOutput(e, func(w io.Writer) error {
		switch o.format {
		case "json":
			return render.JSON(w, render.NewGraphDoc(cat))
		case "mermaid":
			return render.GraphMermaid(w, cat)
		case "dot":
			return render.GraphDot(w, cat)
		}
		return render.GraphText(w, cat)
	})
}

type affectedCmd struct{ options }

func (c *affectedCmd) flags(fs *flag.FlagSet) {
	c.catalogFlags(fs)
	c.changeFlags(fs)
	c.outputFlags(fs, "text", "json", "markdown", "mermaid")
	c.dotenvFlag(fs)
}

func (c *affectedCmd) run(ctx context.Context, e *env) error {
	o := &c.options
	cat, ch, res, err := e.affected(ctx, o)
	if err != nil {
		return err
	}
	rc := changeInfo(ch)
	doc := render.NewAffectedDoc(rc, res)
	if err := o.writeOutput(e, func(w io.Writer) error {
		switch o.format {
		case "json":
			return render.JSON(w, doc)
		case "markdown":
			return render.AffectedMarkdown(w, cat, rc, res)
		case "mermaid":
			return render.AffectedMermaid(w, cat, res)
		}
		return render.AffectedText(w, cat, rc, res)
	}); err != nil {
		return err
	}
	hasAffected := fmt.Sprint(len(res.Services) > 0)
	if e.gh != nil { // in GitHub Actions: outside, the outputs' JSON is work for nothing
		matrices := affectedMatrices(doc.Affected)
		if err := e.gh.SetOutputs("affected", render.CompactJSON(doc.Affected), "has-affected", hasAffected, "changed-files", render.CompactJSON(doc.ChangedFiles),
			"matrices", render.CompactJSON(matrices), "matrix-count", fmt.Sprint(len(matrices))); err != nil {
			return exit.Envf("%w", err)
		}
	}
	if err := e.summary(func(w io.Writer) error { return render.AffectedSummary(w, cat, rc, res) }); err != nil {
		return err
	}
	// Only small values: GitLab refuses a dotenv report over 5,120 bytes, and
	// the names of a large catalog are more; --format json --output has them.
	return o.writeDotenv(map[string]string{"ORDO_AFFECTED_COUNT": strconv.Itoa(len(doc.Affected)), "ORDO_HAS_AFFECTED": hasAffected})
}

func changeInfo(ch *change.Change) render.Change {
	return render.Change{Base: ch.Base, Head: ch.Head, Source: ch.Source}
}

// summary renders Markdown into the GitHub step summary (when in Actions).
func (e *env) summary(md func(w io.Writer) error) error {
	if e.gh == nil {
		return nil
	}
	var b strings.Builder
	if err := md(&b); err != nil {
		return err
	}
	if err := e.gh.AddSummary(b.String(), "run the command with --output to keep the full answer as a file"); err != nil {
		return exit.Envf("%w", err)
	}
	return nil
}

// writeDotenv writes the GitLab dotenv report when --dotenv was given.
func (o *options) writeDotenv(vars map[string]string) error {
	if o.dotenv == "" {
		return nil
	}
	text, err := ci.Dotenv(vars)
	if err != nil {
		return err
	}
	return writeFileAtomic(o.dotenv, func(w io.Writer) error {
		_, err := io.WriteString(w, text)
		return err
	})
}

// sameService tells change, for a pushed tag, which other tags belong to the
// same service, so a tag push compares with that service's previous tag.
func sameService(cat *catalog.Catalog) func(tag string) func(other string) bool {
	return func(tag string) func(string) bool {
		s := cat.ServiceForTag(tag)
		if s == nil {
			return nil
		}
		tmpl := cat.TagTemplate(s)
		return func(other string) bool {
			_, ok := catalog.MatchTag(tmpl, s.Name, other)
			return ok
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
