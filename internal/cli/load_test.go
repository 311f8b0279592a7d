package cli

import (
	"os"
	"path/filepath"
	"testing"
)

func TestNamesAmong(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	catalog := filepath.Join(dir, "ordo.yaml")
	link := filepath.Join(dir, "link.yaml")
	if err := os.WriteFile(catalog, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("ordo.yaml", link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path  string
		files []string
		want  bool
	}{
		{catalog, []string{"ordo.yaml"}, true},
		{catalog, []string{"a/b/ordo.yaml"}, true}, // it may be there: ask git
		{catalog, []string{"a/my-ordo.yaml", "ordo.yaml.bak", "ordo.yaml/x"}, false},
		{catalog, nil, false},
		{link, []string{"ordo.yaml"}, true}, // git sees the target's name
		{link, []string{"link.yaml"}, false},
	}
	for _, tt := range tests {
		if got := namesAmong(tt.path, tt.files); got != tt.want {
			t.Errorf("namesAmong(%s, %q) = %v, want %v", filepath.Base(tt.path), tt.files, got, tt.want)
		}
	}
}
