// Package exit holds ordo's exit codes and the error type that carries one,
// so that core packages can say what kind of failure happened without
// knowing anything about processes or the command line.
package exit

import (
	"errors"
	"fmt"
)

const (
	// OK means the command did what was asked.
	OK = 0
	// No means the answer is no: a gate violation, or a file no service owns under `unowned: fail`.
	No = 1
	// BadInput means the user must change something: a flag, the catalog, a ref.
	BadInput = 2
	// Env means the environment failed: git, the network, an API after retries.
	Env = 3
)

// Error is an error with the exit code it should produce.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// ExitCode is e's code (see Coder).
func (e *Error) ExitCode() int { return e.Code }

// Coder is an error that knows its exit code where it is made: an *Error,
// or a package's own error type (git.Error: an unknown revision is bad
// input, any other failed git command the environment's).
type Coder interface {
	error
	ExitCode() int
}

// BadInputf returns an error that exits with BadInput.
func BadInputf(format string, args ...any) error {
	return &Error{Code: BadInput, Err: fmt.Errorf(format, args...)}
}

// Envf returns an error that exits with Env.
func Envf(format string, args ...any) error {
	return &Error{Code: Env, Err: fmt.Errorf(format, args...)}
}

// Nof returns an error that exits with No.
func Nof(format string, args ...any) error {
	return &Error{Code: No, Err: fmt.Errorf(format, args...)}
}

// Code returns the exit code for err: OK for nil, the code of the first
// Coder in its chain (the outermost kind wins: a caller may reclassify), and
// Env for anything else. Every error ordo returns is classified where it is
// made; Classified tells the rest apart, and the command line's tests fail on
// them.
func Code(err error) int {
	if err == nil {
		return OK
	}
	var c Coder
	if errors.As(err, &c) {
		return c.ExitCode()
	}
	return Env
}

// Classified says whether err carries its kind (a Coder in its chain).
func Classified(err error) bool {
	var c Coder
	return errors.As(err, &c)
}
