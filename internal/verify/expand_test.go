package verify

import (
	"errors"
	"testing"

	"github.com/ordo-ci/ordo/internal/exit"
)

// TestUnsetPlaceholders: a placeholder without a value for the service is
// bad input, an UnsetError that names it, for the command line to say how
// to verify so that it has one.
func TestUnsetPlaceholders(t *testing.T) {
	t.Parallel()
	wave := 2
	for _, tt := range []struct {
		text, placeholder string
		vars              Vars
	}{
		{"w={wave}", "wave", Vars{Service: "api", Version: "1.0.0", SHA: "abc"}},
		{"v={version}", "version", Vars{Service: "api", Wave: &wave, SHA: "abc"}},
		{"s={sha}", "sha", Vars{Service: "api", Wave: &wave, Version: "1.0.0"}},
		{"all={wave}{version}{sha}", "", Vars{Service: "api", Wave: &wave, Version: "1.0.0", SHA: "abc"}},
	} {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			x := &expander{vars: tt.vars, getenv: func(string) string { return "" }, secrets: &Secrets{}}
			_, err := x.expand(tt.text, "check")
			if tt.placeholder == "" {
				if err != nil {
					t.Fatalf("expand: %v", err)
				}
				return
			}
			var unset *UnsetError
			if !errors.As(err, &unset) || *unset != (UnsetError{What: "check", Placeholder: tt.placeholder, Service: "api"}) {
				t.Errorf("expand(%q) = %v, want an UnsetError of {%s} for api", tt.text, err, tt.placeholder)
			}
			if !exit.Classified(err) || exit.Code(err) != exit.BadInput {
				t.Errorf("expand(%q) = %v exits %d, want %d", tt.text, err, exit.Code(err), exit.BadInput)
			}
		})
	}
}
