package discover

import (
	"io/fs"
	"os"
	"testing"
)

func TestManifestVersion(t *testing.T) {
	t.Parallel()
	root := writeTree(t, map[string]string{
		"packages/ui/package.json": `{"name": "ui", "version": "1.4.0"}`,
		"packages/x/package.json":  `{"name": "x"}`,
		"Cargo.toml":               "[workspace]\nmembers = [\"crates/*\"]\n[workspace.package]\nversion = \"2.3.0\"\n",
		"crates/a/Cargo.toml":      "[package]\nname = \"a\"\nversion.workspace = true\n",
		"crates/b/Cargo.toml":      "[package]\nname = \"b\"\nversion = \"0.7.1\"\n",
		"broken/package.json":      `{"version": 1`,
	})
	fsys := os.DirFS(root)
	read := func(file string) ([]byte, bool) {
		src, err := fs.ReadFile(fsys, file)
		return src, err == nil
	}
	for paths, want := range map[string]string{
		"packages/ui/**": "1.4.0", "packages/x/**": "", "crates/a/**": "2.3.0", "crates/b/**": "0.7.1",
		"broken/**": "", "nowhere/**": "",
	} {
		if got := ManifestVersion(PackageDir([]string{"!x/**", paths}), read); got != want {
			t.Errorf("%s: version %q, want %q", paths, got, want)
		}
	}
	for _, tc := range []struct {
		paths []string
		want  string
	}{
		{[]string{"**", "!a/**"}, "."},
		{[]string{"services/*/main.go", "libs/auth/**"}, "libs/auth"},
		{[]string{"libs/{a,b}/**"}, ""},
	} {
		if got := PackageDir(tc.paths); got != tc.want {
			t.Errorf("PackageDir(%q) = %q, want %q", tc.paths, got, tc.want)
		}
	}
}
