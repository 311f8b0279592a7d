package exit

import (
	"errors"
	"fmt"
	"testing"
)

// coder is a package's own error type that knows its kind (as git.Error).
type coder struct{ code int }

func (c coder) Error() string { return "coder" }
func (c coder) ExitCode() int { return c.code }

func TestCode(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		err        error
		code       int
		classified bool
	}{
		{"nil", nil, OK, false},
		{"bare", errors.New("x"), Env, false},
		{"bad input", BadInputf("x"), BadInput, true},
		{"wrapped", fmt.Errorf("context: %w", Nof("x")), No, true},
		{"own type", fmt.Errorf("context: %w", coder{BadInput}), BadInput, true},
		{"outer wins", Envf("reclassified: %w", coder{BadInput}), Env, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Code(tt.err); got != tt.code {
				t.Errorf("Code = %d, want %d", got, tt.code)
			}
			if tt.err != nil && Classified(tt.err) != tt.classified {
				t.Errorf("Classified = %v, want %v", !tt.classified, tt.classified)
			}
		})
	}
}
