package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/events"
	"github.com/ordo-ci/ordo/internal/exit"
)

// options are the flags commands share. Each command registers the groups it
// uses, so `ordo graph -h` does not list change flags it would ignore.
type options struct {
	config string
	dir    string
	record string // --record FILE: the JSON-lines record (SPEC Part 2, a common flag)

	// --events FILE, --events-url URL (SPEC section 15); see eventFlags.
	eventsFile, eventsURL string
	eventsTimeout         time.Duration
	emitter               *events.Emitter

	base, head   string
	files        string
	files0       string
	all          bool
	format       string
	formats      []string
	output       string
	dotenv       string
	formatPassed bool
}

func newFlagSet(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned and reported once, by fail
	fs.Usage = func() {
		fmt.Fprintf(e.Out, "Usage: ordo %s [flags]\n\n%s\n\nFlags:\n", name, synopsis)
		fs.SetOutput(e.Out)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

func (o *options) catalogFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.config, "config", "", "catalog `path` (default: ordo.yaml at the repository root)")
	fs.StringVar(&o.dir, "C", ".", "run in repository `dir`")
	// Common to Part 2: commands that do not read the record ignore it.
	fs.StringVar(&o.record, "record", "", "keep the record in JSON-lines `file` instead of git refs (default $ORDO_RECORD)")
}

// eventFlags registers the event sinks, for the commands that emit CDEvents
// (plan --env, env record, verify, rollback, flags). Commands then emit with
// one call: e.emit(ctx, o, events.X(...)).
func (o *options) eventFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.eventsFile, "events", "", "append CDEvents to JSON-lines `file` (default $ORDO_EVENTS)")
	fs.Func("events-url", "also POST each event as a CloudEvent to `url` (default $ORDO_EVENTS_URL)", func(v string) error {
		if _, err := events.New(events.Config{URL: v}); err != nil {
			return err
		}
		o.eventsURL = v
		return nil
	})
	fs.DurationVar(&o.eventsTimeout, "events-timeout", events.DefaultTimeout, "wait at most `duration` in all for --events-url")
}

func (o *options) changeFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.base, "base", "", "compare from merge-base(`ref`, head)")
	fs.StringVar(&o.head, "head", "", "compare up to `ref` (default HEAD)")
	fs.StringVar(&o.files, "files", "", "read changed files from `file`, one per line (- for stdin)")
	fs.StringVar(&o.files0, "files0", "", "read changed files from `file`, NUL-separated (- for stdin)")
	fs.BoolVar(&o.all, "all", false, "treat every service as affected")
}

func (o *options) outputFlags(fs *flag.FlagSet, formats ...string) {
	o.formats = formats
	fs.Func("format", "output `format`: "+strings.Join(formats, ", ")+" (default "+formats[0]+")", func(v string) error {
		if !slices.Contains(formats, v) {
			return exit.BadInputf("unknown format %q: use %s", v, strings.Join(formats, ", "))
		}
		o.format, o.formatPassed = v, true
		return nil
	})
	o.format = formats[0]
	fs.StringVar(&o.output, "output", "", "write to `path` instead of stdout")
}

func (o *options) dotenvFlag(fs *flag.FlagSet) {
	fs.StringVar(&o.dotenv, "dotenv", "", "also write a GitLab dotenv report to `path`")
}

// parse parses args, turning flag errors into exit.BadInput errors.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err // the flag package has printed fs.Usage
		}
		if exit.Classified(err) {
			return err
		}
		return exit.BadInputf("%s: %v (see `ordo %s -h`)", fs.Name(), err, fs.Name())
	}
	if fs.NArg() > 0 {
		return exit.BadInputf("%s: unexpected argument %q: flags start with --, see `ordo %s -h`", fs.Name(), fs.Arg(0), fs.Name())
	}
	return nil
}

// configPath returns the catalog path: --config as given (relative to the
// working directory), else ordo.yaml in the repository directory.
func (o *options) configPath() string {
	if o.config != "" {
		return o.config
	}
	return filepath.Join(o.dir, catalog.DefaultFile)
}

// writeOutput writes the rendered output to --output or stdout. A file is
// written to a temporary name and renamed into place, so a failure never
// leaves it half-written.
func (o *options) writeOutput(e *env, render func(w io.Writer) error) error {
	if o.output == "" || o.output == "-" {
		if o.format == "text" || o.format == "markdown" {
			// One write, so that the runner sees one frame (see ci.Guard).
			var b bytes.Buffer
			if err := render(&b); err != nil {
				return writeErr(err, "the output")
			}
			_, err := e.out.Write(b.Bytes())
			return writeErr(err, "the output")
		}
		return writeErr(render(e.Out), "the output")
	}
	return writeFileAtomic(o.output, render)
}

// writeErr classifies a failed write where the CLI makes it: an error the
// renderer classified keeps its kind (a plan too large for GitLab is bad
// input); a writer that fails (a closed pipe, a full disk) is the
// environment's.
func writeErr(err error, what string) error {
	if err == nil || exit.Classified(err) {
		return err
	}
	return exit.Envf("write %s: %w", what, err)
}

func writeFileAtomic(path string, render func(w io.Writer) error) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".ordo-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the temporary name means nothing to the user
		}
		return exit.BadInputf("write %s: %v: check that the directory %s exists and is writable", path, err, dir)
	}
	defer os.Remove(f.Name()) // no-op once renamed
	if err := render(f); err != nil {
		f.Close()
		return writeErr(err, path)
	}
	if err := f.Close(); err != nil {
		return exit.Envf("write %s: %w", path, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return exit.Envf("write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return exit.Envf("write %s: %w", path, err)
	}
	return nil
}
