package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that keeps failures instead of failing the test.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()                           {}
func (r *recorder) Errorf(format string, args ...any) { r.failed = true }
func (r *recorder) Fatalf(format string, args ...any) { r.failed = true }

func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "x.golden")
	was := *update
	defer func() { *update = was }()
	*update = false
	r := &recorder{TB: t}
	Check(r, path, []byte("a"))
	if !r.failed {
		t.Fatal("a missing golden file passed")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		got  string
		fail bool
	}{{"a", false}, {"b", true}} {
		r := &recorder{TB: t}
		Check(r, path, []byte(tt.got))
		if r.failed != tt.fail {
			t.Errorf("Check(%q) failed = %v, want %v", tt.got, r.failed, tt.fail)
		}
	}
	*update = true
	Check(t, path, []byte("c"))
	if b, _ := os.ReadFile(path); string(b) != "c" {
		t.Errorf("-update wrote %q, want c", b)
	}
}
