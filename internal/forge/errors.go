package forge

import (
	"fmt"

	"github.com/ordo-ci/ordo/internal/exit"
)

// apiError is an API failure told in the user's terms: what ordo was doing,
// what the server said, and what to change. It unwraps to the client
// library's error so that callers can still inspect the response.
type apiError struct {
	msg string
	err error
}

func (e *apiError) Error() string { return e.msg }
func (e *apiError) Unwrap() error { return e.err }

// envError is an API failure with exit code 3: the environment (token,
// permissions, network, the forge) failed, not the user's input.
func envError(err error, format string, args ...any) error {
	return &exit.Error{Code: exit.Env, Err: &apiError{msg: fmt.Sprintf(format, args...), err: err}}
}

// tokenName says where the token came from without showing it.
func tokenName(env string) string {
	if env == "" {
		return "the token"
	}
	return "the token in " + env
}
