// Package cli is ordo's command line: it parses flags, calls the core
// packages with plain values, renders their answers and maps failures to
// exit codes. It is the only package that knows about flags, terminals and
// the process environment.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/ordo-ci/ordo/internal/ci"
	"github.com/ordo-ci/ordo/internal/exit"
)

// version is set at build time with -ldflags "-X github.com/ordo-ci/ordo/internal/cli.version=v1.2.3".
var version = ""

// Version returns ordo's version: the one set at build time, else the module
// version go install recorded, else "dev".
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// IO is where a command reads and writes.
type IO struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// env is what every command gets: its I/O, the CI environment (read once),
// the CI runtime it writes to, and getenv for what is read by name: ordo's
// own variables (ORDO_*) and tokens.
type env struct {
	IO
	ci     ci.Env
	getenv func(string) string
	gh     *ci.GitHub
	// unclassified, when set (by the tests), decides the exit code of an
	// error that carries no kind: every error ordo returns must be
	// classified where it is made, so the tests make such a one fail.
	unclassified func(error) int
	// out is stdout for text meant for people (tables, Markdown, notes); in
	// Actions it frames it so the runner executes no workflow command in
	// it. Err is framed the same way. Machine formats (JSON, matrices) go
	// to Out as they are, since a step may parse them.
	out ci.GuardedWriter
}

// runner is one subcommand: it registers its flags, then runs with them set.
type runner interface {
	flags(fs *flag.FlagSet)
	run(ctx context.Context, e *env) error
}

type command struct {
	name     string
	summary  string
	synopsis string
	new      func() runner
}

func commands() []command {
	return []command{
		{"validate", "check ordo.yaml", "Check ordo.yaml: every problem at once, each as file:line:col.", func() runner { return &validateCmd{} }},
		{"graph", "the whole dependency graph", "Print the whole dependency graph of the catalog.", func() runner { return &graphCmd{} }},
		{"affected", "affected services and why", "List the services a change affects and why.", func() runner { return &affectedCmd{} }},
		{"plan", "ordered waves, matrices, rollback", "Order the affected services into deployment waves, with a rollback order.", func() runner { return &planCmd{} }},
		{"gate", "contracts and policy against the plan", "Check contracts and release policy against the plan; exit 1 on any violation that is not overridden.", func() runner { return &gateCmd{} }},
		{"versions", "next version of each service with releasable commits", "Compute the next version of each service from conventional commits since its last tag.", func() runner { return &versionsCmd{} }},
		{"notes", "release notes", "Write release notes (Markdown or JSON) for the next releases, or for an existing tag.", func() runner { return &notesCmd{} }},
		{"release", "publish a release for a tag", "Publish the GitHub or GitLab release of a tag, creating or updating it in place.", func() runner { return &releaseCmd{} }},
		{"status", "post status checks / plan comment", "Post one status per service and an aggregate `ordo`, so required checks never wait on skipped jobs.", func() runner { return &statusCmd{} }},
		{"init", "write an ordo.yaml from what is in the repository", "Write ordo.yaml from the repository's manifests: Go modules, npm/pnpm/yarn and Cargo workspaces, docker-compose, Dockerfiles.", func() runner { return &initCmd{} }},
		{"schema", "the JSON Schema of ordo.yaml", "Print the JSON Schema of ordo.yaml, for editors and linters.", func() runner { return &schemaCmd{} }},
		{"env", "what runs where; parity; write the record", "Show what runs in an environment (env show), compare two (env diff), append to the record (env record).", func() runner { return &envCmd{} }},
		{"verify", "health checks of a wave; the breaker", "Run the checks of a wave's services (or of --service) concurrently, record verified or failure for each, and trip the breaker (exit 1) when max_failed of them fail.", func() runner { return &verifyCmd{} }},
		{"rollback", "the way back for a release", "Plan the way back for a release from the record: each service's previous commit, newest wave first, as text, JSON, GitHub waves or a GitLab child pipeline.", func() runner { return &rollbackCmd{} }},
		{"drill", "rehearse a failed wave: the blast radius", "Rehearse a failed wave (every wave, --fail-wave N or --fail-service S) without touching anything: new and old services, the rollback, irreversible migrations, broken contracts.", func() runner { return &drillCmd{} }},
		{"flags", "flagd flags from what is deployed", "Write an OpenFeature flagd flag definition file: each flag on when the versions running in the environment meet its requirements, ramped by its rollout.", func() runner { return &flagsCmd{} }},
		{"notify", "Slack / Teams message from any ordo JSON", "Post an ordo JSON document (plan, verify, rollback, drill, report) as a Slack Block Kit message or a Teams Adaptive Card; the webhook URL comes from the named environment variable.", func() runner { return &notifyCmd{} }},
		{"report", "plan against outcome for a release", "Compare a release's plan with what happened in an environment: per wave planned, deployed, verified, failed and rolled back; checks, durations, lead time, change failure.", func() runner { return &reportCmd{} }},
		{"board", "the release board as a static page", "Write the release board: one self-contained HTML page with every environment side by side, differences marked, the recent releases and the latest plan's waves.", func() runner { return &boardCmd{} }},
	}
}

// FlagNames returns the flags a command accepts, sorted, without dashes; ok
// is false for an unknown command. Tests use it to keep the GitHub actions'
// and GitLab components' inputs in step with the command line.
func FlagNames(name string) (names []string, ok bool) {
	for _, c := range commands() {
		if c.name == name {
			fs := flag.NewFlagSet(name, flag.ContinueOnError)
			c.new().flags(fs)
			fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
			return names, true
		}
	}
	return nil, false
}

// Run runs ordo with args (without the program name) and returns the exit code.
func Run(ctx context.Context, args []string, stdio IO, getenv func(string) string) int {
	return run(ctx, args, stdio, getenv, nil)
}

func run(ctx context.Context, args []string, stdio IO, getenv func(string) string, unclassified func(error) int) int {
	ciEnv := ci.ReadEnv(getenv)
	// ordo's own workflow commands go to stderr unframed; everything else
	// goes through the guards.
	e := &env{IO: stdio, ci: ciEnv, getenv: getenv, gh: ci.NewGitHub(ciEnv, stdio.Err), unclassified: unclassified}
	errw := e.gh.Guard(stdio.Err)
	e.Err, e.out = errw, e.gh.Guard(stdio.Out)
	if isRegularFile(stdio.Out) {
		// `ordo notes > notes.md`: the runner never reads a file.
		e.out = (*ci.GitHub)(nil).Guard(stdio.Out)
	}
	defer errw.Flush()
	defer e.out.Flush()
	args = hoistGlobalFlags(args)
	if len(args) == 0 {
		usage(e.Err)
		return exit.BadInput
	}
	switch args[0] {
	case "--version", "-version", "version":
		fmt.Fprintf(e.Out, "ordo %s\n", Version())
		return exit.OK
	case "help", "-h", "--help", "-help":
		usage(e.Out)
		return exit.OK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			r := c.new()
			if d, ok := r.(dispatcher); ok {
				return e.fail(d.dispatch(ctx, e, args[1:]))
			}
			fs := newFlagSet(e, c.name, c.synopsis)
			r.flags(fs)
			if err := parse(fs, args[1:]); err != nil {
				return e.fail(err)
			}
			return e.fail(r.run(ctx, e))
		}
	}
	fmt.Fprintf(e.Err, "ordo: unknown command %q%s\n\n", args[0], suggestCommand(args[0]))
	usage(e.Err)
	return exit.BadInput
}

// fail reports err (if any) and returns its exit code.
func (e *env) fail(err error) int {
	if err == nil {
		return exit.OK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exit.OK
	}
	var reported *reportedError
	if !errors.As(err, &reported) {
		fmt.Fprintf(e.Err, "ordo: %v\n", err)
		e.gh.Error(err.Error())
	}
	if e.unclassified != nil && !exit.Classified(err) {
		return e.unclassified(err)
	}
	return exit.Code(err)
}

// reportedError is an error whose details the command already printed
// (diagnostics, for example); fail only returns its code.
type reportedError struct{ code int }

func (r *reportedError) Error() string { return fmt.Sprintf("exit %d", r.code) }

func reported(code int) error { return &exit.Error{Code: code, Err: &reportedError{code}} }

func usage(w io.Writer) {
	fmt.Fprintln(w, "ordo orders releases in a monorepo.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: ordo <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run `ordo <command> -h` for a command's flags, `ordo --version` for the version.")
	fmt.Fprintln(w, "Exit codes: 0 done, 1 the answer is no, 2 bad input, 3 the environment failed.")
}

func suggestCommand(name string) string {
	var names []string
	for _, c := range commands() {
		if strings.HasPrefix(c.name, name) || strings.HasPrefix(name, c.name) {
			names = append(names, c.name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	sort.Strings(names)
	return fmt.Sprintf(": did you mean %s?", strings.Join(names, " or "))
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// isRegularFile reports whether w is a file on disk (stdout redirected to one).
func isRegularFile(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode().IsRegular()
}

// hoistGlobalFlags lets -C and --config come before the command, as with
// `git -C dir` and `make -C dir`, by moving them after it.
func hoistGlobalFlags(args []string) []string {
	var global []string
	for len(args) > 0 {
		name, _, hasValue := strings.Cut(strings.TrimLeft(args[0], "-"), "=")
		if !strings.HasPrefix(args[0], "-") || (name != "C" && name != "config") {
			break
		}
		n := 2
		if hasValue || len(args) == 1 {
			n = 1
		}
		global, args = append(global, args[:n]...), args[n:]
	}
	if len(global) == 0 || len(args) == 0 {
		return append(global, args...)
	}
	return append(append([]string{args[0]}, global...), args[1:]...)
}
