package ci

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/exit"
)

// TestDotenvLimits refuses a report GitLab would refuse at upload: more than
// MaxDotenvVariables variables or MaxDotenvBytes bytes.
func TestDotenvLimits(t *testing.T) {
	t.Parallel()
	vars := map[string]string{}
	for i := range MaxDotenvVariables {
		vars[fmt.Sprintf("V%02d", i)] = "x"
	}
	if _, err := Dotenv(vars); err != nil {
		t.Fatalf("%d variables: %v", len(vars), err)
	}
	vars["ONE_MORE"] = "x"
	if _, err := Dotenv(vars); exit.Code(err) != exit.BadInput || !strings.Contains(err.Error(), "21 variables") {
		t.Errorf("21 variables: err = %v", err)
	}
	big := map[string]string{"A": strings.Repeat("x", MaxDotenvBytes-3)} // A=...\n
	if _, err := Dotenv(big); err != nil {
		t.Errorf("%d bytes: %v", MaxDotenvBytes, err)
	}
	big["A"] += "x"
	if _, err := Dotenv(big); exit.Code(err) != exit.BadInput || !strings.Contains(err.Error(), "5121 bytes") {
		t.Errorf("5121 bytes: err = %v", err)
	}
}
