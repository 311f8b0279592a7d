package gate

import (
	"fmt"
	"slices"
	"testing"

	"github.com/ordo-ci/ordo/internal/catalog"
)

func TestMixed(t *testing.T) {
	t.Parallel()
	base := parseCatalog(t, `services:
  users: {paths: [u/**], provides: {users: 2.4.0}}
  orders: {paths: [o/**], consumes: {users: ^2.1}}
  web: {paths: [w/**], consumes: {users: ^2.0}}
  old: {paths: [x/**], consumes: {users: ^1.0}}
`)
	head := parseCatalog(t, `services:
  users: {paths: [u/**], provides: {users: 3.0.0}}
  orders: {paths: [o/**], consumes: {users: ^3.0}}
  web: {paths: [w/**], consumes: {users: ^2.0}}
  old: {paths: [x/**], consumes: {users: ^1.0}}
`)
	tests := []struct {
		name           string
		onHead, absent []string
		want           string
	}{
		{"nothing switched", nil, nil, "[]"},
		{"provider first", []string{"users"}, nil,
			"[{orders users users ^2.1 3.0.0} {web users users ^2.0 3.0.0}]"},
		{"consumer first", []string{"orders"}, nil, "[{orders users users ^3.0 2.4.0}]"},
		{"both", []string{"users", "orders"}, nil, "[{web users users ^2.0 3.0.0}]"},
		{"a consumer that does not run", []string{"users"}, []string{"web"}, "[{orders users users ^2.1 3.0.0}]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// old is broken before anything switched: never reported.
			baseFor := func(s string) (*catalog.Catalog, string) {
				if slices.Contains(tt.absent, s) {
					return nil, ""
				}
				return base, "base"
			}
			if got := fmt.Sprint(Mixed(baseFor, head, tt.onHead)); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
