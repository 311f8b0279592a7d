package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/discover"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/render"
)

// schemaURL is where editors find the catalog's JSON Schema; `ordo schema`
// prints the same document for offline use.
const schemaURL = "https://raw.githubusercontent.com/ordo-ci/ordo/main/internal/catalog/schema.json"

type initCmd struct {
	options
	force bool
}

func (c *initCmd) flags(fs *flag.FlagSet) {
	c.catalogFlags(fs)
	fs.BoolVar(&c.force, "force", false, "overwrite an existing catalog")
}

func (c *initCmd) run(_ context.Context, e *env) error {
	path := c.configPath()
	if _, err := os.Stat(path); err == nil && !c.force {
		return exit.BadInputf("%s already exists: pass --force to overwrite it, or --config to write elsewhere", path)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return exit.Envf("check %s: %w", path, err)
	}
	found, err := discover.Discover(os.DirFS(c.dir))
	if err != nil {
		return exit.Envf("read the repository: %w", err)
	}
	e.printDiags(found.Diags, nil, "")
	var out bytes.Buffer
	if err := discover.Render(&out, found, schemaURL); err != nil {
		return err
	}
	// What init writes must load: a catalog that does not is a bug here,
	// and must not reach the user's repository.
	if cat, diags := catalog.Parse(path, out.Bytes()); cat == nil {
		return fmt.Errorf("ordo init wrote a catalog that does not validate (please report this):\n%s", diags.Error())
	}
	if err := writeFileAtomic(path, func(w io.Writer) error { _, err := w.Write(out.Bytes()); return err }); err != nil {
		return err
	}
	if err := render.Discovered(e.Out, found); err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.Out, "wrote %s: %d services, %d global files; review it, then run `ordo validate --strict`\n", path, len(found.Services), len(found.Global))
	return err
}
