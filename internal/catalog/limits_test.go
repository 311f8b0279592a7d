package catalog

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/catalog/catalogtest"
)

// TestLimits feeds Parse what a hostile catalog would be: each is refused
// with its rule, before the YAML parser spends memory on it.
func TestLimits(t *testing.T) {
	t.Parallel()
	mapping := func(n int) string {
		var b strings.Builder
		b.WriteString("version: 1\nx:\n")
		for i := range n {
			fmt.Fprintf(&b, "  k%d: 1\n", i)
		}
		return b.String()
	}
	tests := []struct {
		name, src, want string
	}{
		{"flow nested 20,000 deep", "version: 1\nx: " + strings.Repeat("{a: ", 20000) + "1" + strings.Repeat("}", 20000) + "\n", "ordo.yaml:2:"},
		{"block sequences nested on one line", "version: 1\nx:\n" + strings.Repeat("- ", 50000) + "1\n", "ordo.yaml:3:201: too deep"},
		{"block mappings indented deeper and deeper", "version: 1\n" + func() string {
			var b strings.Builder
			for i := range 150 {
				fmt.Fprintf(&b, "%sk:\n", strings.Repeat(" ", i))
			}
			return b.String()
		}(), "ordo.yaml:102:101: too deep"},
		{"a mapping of 20,000 keys", mapping(20000), "ordo.yaml:10003:3: too large: more than 10000 entries"},
		{"millions of tokens", "version: 1\nx: [" + strings.Repeat("1,", 1200000) + "1]\n", "ordo.yaml: too large: more than 1000000 words"},
		{"more than MaxSize bytes", "version: 1\n#" + strings.Repeat("x", MaxSize) + "\n", "ordo.yaml: too large: more than 8 MB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			c, diags := Parse("ordo.yaml", []byte(tt.src))
			runtime.ReadMemStats(&after)
			if c != nil || len(diags) != 1 || !strings.HasPrefix(diags[0].String(), tt.want) {
				t.Fatalf("got %q, want one error starting %q", diags.Error(), tt.want)
			}
			// The flow case took 0.9 GB before the limits; the others more.
			// (Other tests run in parallel, so this is a generous bound.)
			if mb := (after.TotalAlloc - before.TotalAlloc) >> 20; mb > 400 {
				t.Errorf("Parse allocated %d MB to refuse it", mb)
			}
		})
	}
}

// TestLimitsLeaveRoom checks that a large, realistic catalog is far inside
// the limits: 10,000 services with depends_on lists, provides and consumes.
func TestLimitsLeaveRoom(t *testing.T) {
	t.Parallel()
	src := catalogtest.Realistic(10000)
	if len(src) > MaxSize/2 {
		t.Errorf("10,000 services are %d bytes: the size limit leaves too little room", len(src))
	}
	if c, d := Parse("ordo.yaml", src); c == nil {
		t.Fatal(d.Error())
	}
}

// TestReadFileStops checks that an endless file is read only up to the limit.
func TestReadFileStops(t *testing.T) {
	t.Parallel()
	src, err := ReadFile("/dev/zero")
	if err != nil {
		t.Fatal(err)
	}
	if len(src) != MaxSize+1 {
		t.Errorf("read %d bytes, want MaxSize+1", len(src))
	}
	c, diags, err := Load("/dev/zero")
	if err != nil || c != nil || len(diags) != 1 || diags[0].Rule != "size" {
		t.Errorf("Load(/dev/zero) = %v, %v, %v", c, diags, err)
	}
	if _, _, err := Load(filepath.Join(t.TempDir(), "none.yaml")); err == nil {
		t.Errorf("Load of a missing file did not fail")
	}
}
