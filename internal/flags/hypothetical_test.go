package flags

import (
	"slices"
	"testing"
)

func TestTurnOff(t *testing.T) {
	t.Parallel()
	cat := loadCatalog(t, shopYAML)
	on := Versions{"payments": "4.0.0", "checkout-web": "2.1.0"}
	tests := []struct {
		name   string
		before Versions
		after  []Versions
		want   []string
	}{
		{"nothing known: nothing changes", nil, []Versions{nil}, []string{}},
		{"a rollback of payments below the constraint", on, []Versions{{"payments": "3.1.0"}}, []string{"new-checkout"}},
		{"a rollback of checkout-web turns both off", on, []Versions{{"checkout-web": "1.9.0"}}, []string{"new-checkout", "web-only"}},
		{"still met after", on, []Versions{{"payments": "4.1.0"}}, []string{}},
		{"off before: nothing turns off", Versions{"payments": "3.0.0"}, []Versions{{"payments": "2.0.0"}}, []string{}},
		{"nothing runs after", Versions{"search": "1.0.0"}, []Versions{{"search": ""}}, []string{"search-v2"}},
		{"off at the failure, back on after the rollback: it still turned off", on,
			[]Versions{{"payments": "5.0.0-rc.1"}, on}, []string{"new-checkout"}},
		{"a version without semver after", on, []Versions{{"payments": "banana"}}, []string{"new-checkout"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := TurnOff(cat, tt.before, tt.after...); !slices.Equal(got, tt.want) {
				t.Errorf("TurnOff = %v, want %v", got, tt.want)
			}
		})
	}
}
