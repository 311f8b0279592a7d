package flags

import (
	"slices"
	"testing"
)

func TestTurnOff(t *testing.T) {
	t.Parallel()
	cat := loadCatalog(t, shopYAML)
	tests := []struct {
		name          string
		before, after Versions
		want          []string
	}{
		{"nothing runs", nil, nil, []string{}},
		{"a rollback of payments below the constraint",
			Versions{"payments": "4.0.0", "checkout-web": "2.1.0"}, Versions{"payments": "3.1.0", "checkout-web": "2.1.0"}, []string{"new-checkout"}},
		{"a rollback of checkout-web turns both off",
			Versions{"payments": "4.0.0", "checkout-web": "2.1.0"}, Versions{"payments": "4.0.0", "checkout-web": "1.9.0"}, []string{"new-checkout", "web-only"}},
		{"still met after", Versions{"payments": "4.1.0", "checkout-web": "2.1.0"}, Versions{"payments": "4.0.0", "checkout-web": "2.1.0"}, []string{}},
		{"off before: nothing turns off", Versions{"payments": "3.0.0", "checkout-web": "2.1.0"}, Versions{"payments": "3.0.0"}, []string{"web-only"}},
		{"no version after", Versions{"search": "1.0.0"}, Versions{"search": ""}, []string{"search-v2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := TurnOff(cat, tt.before, tt.after); !slices.Equal(got, tt.want) {
				t.Errorf("TurnOff = %v, want %v", got, tt.want)
			}
		})
	}
}
