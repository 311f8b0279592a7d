package change

import (
	"errors"
	"fmt"

	"github.com/ordo-ci/ordo/internal/exit"
)

// The errors below name the Options by their roles, never by the command
// line's flags: the command line knows which flag set each option and
// which one to pass instead, and says so (internal/cli).

// The options an InputError can be about.
const (
	OptionFiles = "files" // Options.Files (and Files0)
	OptionBase  = "base"  // Options.Base
	OptionHead  = "head"  // Options.Head
)

// InputError is a problem with the value of one option that names the
// change: the file list, the base or the head.
type InputError struct {
	Option string // OptionFiles, OptionBase or OptionHead
	Value  string // as given
	// Err says what is wrong with it and carries its kind (exit.Coder).
	Err error
}

func (e *InputError) Error() string { return fmt.Sprintf("%s %q: %v", e.Option, e.Value, e.Err) }
func (e *InputError) Unwrap() error { return e.Err }

// Problems that another option avoids; the command line adds which.
var (
	// ErrNULInList: a path of a newline-separated file list holds a NUL
	// byte, as a NUL-separated list (Options.Files0) would.
	ErrNULInList = errors.New("contains a NUL byte")
	// ErrRootInList: a file list names the repository root, as if
	// everything changed (Options.All).
	ErrRootInList = errors.New("names the repository root, not a changed file")
	// ErrEventSHA: the CI event names a base or head that is not a commit
	// SHA; Options.Base and Head name the change without the event.
	ErrEventSHA = errors.New("not a commit SHA")
)

// NoChangeError says that nothing names the change: no file list, no refs,
// not all, and no CI event. It is bad input; the command line adds which
// flags name one.
type NoChangeError struct{}

func (*NoChangeError) Error() string { return "no change given" }

// ExitCode classifies the error (exit.Coder).
func (*NoChangeError) ExitCode() int { return exit.BadInput }
