package cli

import (
	"runtime/debug"
	"testing"
)

// TestTuneGC checks that the binary turns collection off below the memory
// limit, and that GOGC or GOMEMLIMIT set by the user wins. Not parallel:
// the collector's settings are the process's.
func TestTuneGC(t *testing.T) {
	limit, percent := debug.SetMemoryLimit(-1), debug.SetGCPercent(100)
	debug.SetGCPercent(percent)
	t.Cleanup(func() {
		debug.SetMemoryLimit(limit)
		debug.SetGCPercent(percent)
	})
	for _, tt := range []struct {
		env         map[string]string
		wantPercent int
		wantLimit   int64
	}{
		{env: nil, wantPercent: -1, wantLimit: gcMemoryLimit},
		{env: map[string]string{"GOGC": "100"}, wantPercent: 100, wantLimit: 1 << 40},
		{env: map[string]string{"GOMEMLIMIT": "1GiB"}, wantPercent: 100, wantLimit: 1 << 40},
	} {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(1 << 40)
		TuneGC(func(k string) string { return tt.env[k] })
		gotLimit := debug.SetMemoryLimit(-1)
		gotPercent := debug.SetGCPercent(100)
		if gotPercent != tt.wantPercent || gotLimit != tt.wantLimit {
			t.Errorf("env %v: GC percent %d, limit %d; want %d, %d", tt.env, gotPercent, gotLimit, tt.wantPercent, tt.wantLimit)
		}
	}
}
