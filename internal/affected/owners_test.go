package affected

import (
	"slices"
	"testing"
)

// TestOwners is the table of the one path-ownership rule that affected,
// versions and drift share.
func TestOwners(t *testing.T) {
	t.Parallel()
	paths := [][]string{
		{"services/users/**", "!services/users/**/*_test.go"}, // 0
		{"services/*/main.go"},                                // 1
		{"libs/{auth,money}/**"},                              // 2
		{"**", "!services/**", "!libs/**"},                    // 3: a root module
		{"db/users/*.sql", "db/users/*.sql"},                  // 4: a glob twice
	}
	o, err := NewOwners(paths)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file string
		want []int
	}{
		{"services/users/main.go", []int{0, 1}},
		{"services/users", []int{0}}, // a submodule bump: the directory's own path
		{"services/users/api/handler_test.go", nil},
		{"services/users/api/handler.go", []int{0}},
		{"services/orders/main.go", []int{1}},
		{"libs/auth/token.go", []int{2}},
		{"libs/auth", []int{2}},
		{"libs/log/log.go", nil},
		{"version.go", []int{3}},
		{"templates/x.tmpl", []int{3}},
		{"db/users/0001.sql", []int{3, 4}},
		{"db/users/sub/0001.sql", []int{3}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			var got []int
			o.Each(tt.file, func(i int) { got = append(got, i) })
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("owners of %q = %v, want %v", tt.file, got, tt.want)
			}
			for i := range paths {
				if o.Owns(i, tt.file) != slices.Contains(tt.want, i) {
					t.Errorf("Owns(%d, %q) = %v", i, tt.file, !slices.Contains(tt.want, i))
				}
			}
		})
	}
	if _, err := NewOwners([][]string{{"a/[b"}}); err == nil {
		t.Error("NewOwners accepted an invalid glob")
	}
}
