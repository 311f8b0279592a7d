package cli

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"time"

	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/flags"
	"github.com/ordo-ci/ordo/internal/render"
)

// flagsCmd is `ordo flags --env E`: the flagd flag definition file that
// follows what is deployed in E (SPEC section 14).
type flagsCmd struct {
	options
	env             string
	now             string
	requireVerified bool
}

func (c *flagsCmd) flags(fs *flag.FlagSet) {
	c.catalogFlags(fs)
	c.outputFlags(fs, "flagd", "text", "json", "markdown")
	fs.StringVar(&c.env, "env", "", "the `environment` whose record the flags follow")
	fs.StringVar(&c.now, "now", "", "count rollout steps up to `time` (RFC 3339; default now)")
	fs.BoolVar(&c.requireVerified, "require-verified", false, "a requirement also needs the running sha verified")
	c.eventFlags(fs)
}

func (c *flagsCmd) run(ctx context.Context, e *env) error {
	o := &c.options
	if c.env == "" {
		return exit.BadInputf("flags: --env is required: name the environment whose record the flags follow, e.g. --env production")
	}
	now := time.Now()
	if c.now != "" {
		t, err := time.Parse(time.RFC3339Nano, c.now)
		if err != nil {
			return exit.BadInputf("flags: --now %q is not an RFC 3339 time: write e.g. 2026-03-02T09:30:00Z", c.now)
		}
		now = t
	}
	cat, err := e.loadCatalog(o)
	if err != nil {
		return err
	}
	if err := checkEnv(cat, c.env); err != nil {
		return err
	}
	store, err := e.openStore(ctx, o.dir, o.record, cat)
	if err != nil {
		return err
	}
	// The record is read before anything is written: one that cannot be
	// read is exit 3 and leaves the previous file as it was.
	entries, err := e.readEnv(ctx, store, cat, c.env)
	if err != nil {
		return err
	}
	states := flags.Evaluate(cat, c.env, entries, flags.Options{Now: now, RequireVerified: c.requireVerified})
	doc := render.NewFlagsDoc(c.env, now, c.requireVerified, states)
	if err := e.summary(func(w io.Writer) error { return render.FlagsMarkdown(w, doc) }); err != nil {
		return err
	}
	before, _ := os.ReadFile(o.output) // what the flagd file said: environment.modified only on a change
	err = o.writeOutput(e, func(w io.Writer) error {
		switch o.format {
		case "text":
			return render.FlagsText(w, doc)
		case "json":
			return render.JSON(w, doc)
		case "markdown":
			return render.FlagsMarkdown(w, doc)
		}
		return render.JSON(w, flags.Document(states))
	})
	if err != nil {
		return err
	}
	toFile := o.output != "" && o.output != "-"
	if after, _ := os.ReadFile(o.output); o.format == "flagd" && (!toFile || !bytes.Equal(before, after)) {
		e.emit(ctx, o, flagsModified(cat, c.env, entries, states))
	}
	// The file is for flagd; people see what it says on stderr.
	if o.format == "flagd" && o.output != "" && o.output != "-" {
		return render.FlagsText(e.Err, doc)
	}
	return nil
}
