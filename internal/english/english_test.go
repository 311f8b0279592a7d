package english

import "testing"

func TestCount(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		n          int
		noun, want string
		verb       string
	}{
		{0, "service", "0 services", "deploy"},
		{1, "service", "1 service", "deploys"},
		{2, "changed file", "2 changed files", "deploy"},
		{1, "breaking change", "1 breaking change", "deploys"},
	} {
		if got := Count(tt.n, tt.noun); got != tt.want {
			t.Errorf("Count(%d, %q) = %q, want %q", tt.n, tt.noun, got, tt.want)
		}
		if got := Agree(tt.n, "deploys", "deploy"); got != tt.verb {
			t.Errorf("Agree(%d, deploys, deploy) = %q, want %q", tt.n, got, tt.verb)
		}
	}
	if got := Noun(3, "warning"); got != "warnings" {
		t.Errorf("Noun(3, warning) = %q", got)
	}
}
