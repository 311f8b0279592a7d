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
// *Error in its chain, and Env for anything else (an unclassified failure
// is the environment's until proven otherwise).
func Code(err error) int {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Env
}
